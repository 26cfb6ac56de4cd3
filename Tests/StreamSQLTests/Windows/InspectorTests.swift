import Foundation
import OrderedCollections
import XCTest
@testable import StreamSQL

/// "Why has nothing fired": the inspector (`Query.inspect`, `Engine.inspect`, `SHOW WINDOWS`) and the
/// system streams `q.late` and `s.rejected`.
final class InspectorTests: XCTestCase {
    let sec: Int64 = 1_000_000_000
    let t0: Int64 = 1_000_000_000_000_000_000

    func engine(_ clock: ManualClock) -> Engine { Engine(options: EngineOptions(clock: clock)) }

    let tumbling = "CREATE QUERY w AS SELECT k, COUNT(*) AS c FROM s GROUP BY k, TumblingWindow('10s') WITH (TIMESTAMP='ts', TIMEUNIT='ms', MAXOUTOFORDERNESS='2s')"

    func emit(_ e: Engine, _ rows: [(String, Int64)]) {
        for (k, ms) in rows { e.emitSync(["k": .string(k), "ts": .int(ms)], to: "s") }
    }

    func testOpenWindowsPerKeyWithWhatTheyWaitFor() throws {
        let clock = ManualClock(start: t0)
        let e = engine(clock)
        try e.run("CREATE STREAM s")
        try e.run(tumbling)
        let q = try XCTUnwrap(e.queries.first { $0.name == "w" })
        let fired = Collected(); q.addSink(fired.add)
        let empty = try XCTUnwrap(q.inspect())
        XCTAssertNil(empty.watermark)
        XCTAssertNil(empty.lastArrival, "no row yet")
        XCTAssertEqual(e.inspect(query: "w")?.whyNothingFired, "stream s has received no events")

        emit(e, [("a", 1_000), ("b", 3_000), ("a", 12_000), ("b", 14_000), ("a", 15_000)])
        XCTAssertEqual(fired.all.count, 2, "[0s, 10s) fired for a and b when the watermark reached 10s")
        clock.advance(by: 30 * sec)
        let w = try XCTUnwrap(q.inspect())
        XCTAssertEqual(w.watermark, 13 * sec, "max event time 15s − 2s")
        XCTAssertEqual(w.maxEventTime, 15 * sec)
        XCTAssertEqual(w.keyNames, ["k"])
        let due = WindowInspection.Due.watermark(at: 20 * sec, left: 7 * sec, strictly: false)
        XCTAssertEqual(w.open, [.init(key: ["a"], start: 10 * sec, end: 20 * sec, rows: 2, due: due),
                                .init(key: ["b"], start: 10 * sec, end: 20 * sec, rows: 1, due: due)])
        XCTAssertEqual(w.openCount, 2)
        XCTAssertEqual(w.next?.end, 20 * sec)
        // Without IDLETIMEOUT this window reads the clock for its first row and one in 16: every row came at
        // the same instant, so the idle time is exact, though flagged as an upper bound.
        XCTAssertEqual(w.idle, 30 * sec)
        XCTAssertFalse(w.arrivalExact)
        let why = try XCTUnwrap(e.inspect(query: "w")?.whyNothingFired)
        XCTAssertTrue(why.contains("7.0s to go") && why.contains("no IDLETIMEOUT") && why.contains("30.0s"), why)
    }

    func testIdleTimeIsExactWithIdleTimeoutAndTheWatermarkFollowsTheClock() throws {
        let clock = ManualClock(start: t0)
        let e = engine(clock)
        try e.run("CREATE STREAM s")
        try e.run("CREATE QUERY w AS SELECT k, COUNT(*) AS c FROM s GROUP BY k, TumblingWindow('10s') WITH (TIMESTAMP='ts', TIMEUNIT='ms', IDLETIMEOUT='5s')")
        emit(e, [("a", 1_000)])
        clock.advance(by: 2 * sec)
        emit(e, [("a", 2_000)])
        clock.advance(by: 3 * sec)
        let w = try XCTUnwrap(e.queries.first { $0.name == "w" }?.inspect())
        XCTAssertEqual(w.idle, 3 * sec)
        XCTAssertTrue(w.arrivalExact)
        XCTAssertEqual(w.idleTimeout, 5 * sec)
        XCTAssertEqual(w.open.map(\.due.timeLeft), [8 * sec])
    }

    func testProcessingSessionAndCountingWindowsSayWhatTheyWaitFor() throws {
        let clock = ManualClock(start: t0)
        let e = engine(clock)
        try e.run("CREATE STREAM s")
        let pt = try e.execute("SELECT k, COUNT(*) AS c FROM s GROUP BY k, TumblingWindow('10s')")
        let session = try e.execute("SELECT k, COUNT(*) AS c FROM s GROUP BY k, SessionWindow('5s') WITH (TIMESTAMP='ts', TIMEUNIT='ms')")
        let counting = try e.execute("SELECT k, COUNT(*) AS c FROM s GROUP BY k, CountingWindow(3)")
        clock.advance(by: 4 * sec)
        emit(e, [("a", 1_000), ("a", 2_000), ("b", 6_000)])
        let p = try XCTUnwrap(pt.inspect())
        XCTAssertEqual(p.open.map(\.due), [.clock(at: t0 + 10 * sec, left: 6 * sec), .clock(at: t0 + 10 * sec, left: 6 * sec)])
        XCTAssertNil(p.eventTimeField)
        let s = try XCTUnwrap(session.inspect())
        XCTAssertEqual(s.open.map { [$0.start, $0.end, Int64($0.rows)] }, [[1 * sec, 7 * sec, 2], [6 * sec, 11 * sec, 1]])
        XCTAssertEqual(s.open.first?.due, .watermark(at: 7 * sec, left: 1 * sec, strictly: true),
                       "a session fires once the watermark passes its end")
        let c = try XCTUnwrap(counting.inspect())
        XCTAssertEqual(c.open.map(\.due), [.rows(left: 1), .rows(left: 2)])
        XCTAssertEqual(c.open.map(\.key), [["a"], ["b"]])
        let row = try e.execute("SELECT k FROM s")
        XCTAssertNil(row.inspect(), "a row query has no windows")
    }

    func testLateRowsAreKeptAndReadableAsAStream() throws {
        let clock = ManualClock(start: t0)
        let e = engine(clock)
        try e.run("CREATE STREAM s")
        try e.run(tumbling)
        let late = try e.execute("SELECT row.k AS k, row.ts AS ts, event_time, watermark FROM w.late")
        let got = Collected(); late.addSink(got.add)
        emit(e, [("a", 1_000), ("a", 15_000), ("b", 2_000), ("a", 9_999), ("c", 10_000)])
        // Watermark 13s: [0s, 10s) has fired, so rows at 2s and 9.999s are late; 10s falls in the open window.
        XCTAssertEqual(got.all, [["k": "b", "ts": 2_000, "event_time": .timestamp(2 * sec), "watermark": .timestamp(13 * sec)],
                                 ["k": "a", "ts": 9_999, "event_time": .timestamp(9_999_000_000), "watermark": .timestamp(13 * sec)]])
        let i = try XCTUnwrap(e.inspect(query: "w"))
        XCTAssertEqual(i.lateCount, 2)
        XCTAssertEqual(i.late.map(\.fields), [["ts": 2_000, "k": "b"], ["ts": 9_999, "k": "a"]])
        XCTAssertEqual(i.late.map(\.watermark), [13 * sec, 13 * sec])
        guard case .table(let cols, let rows) = try e.run("SHOW WINDOWS w") else { return XCTFail() }
        XCTAssertEqual(cols, QueryInspection.reportColumns)
        let lateRows = rows.filter { $0[0] == "late" }
        XCTAssertEqual(lateRows.count, 3, "a count line and one line per late row")
        XCTAssertEqual(lateRows.first?[3], 2)
        XCTAssertTrue(lateRows[1][5].asString?.contains("11.0s past its event time") == true, "\(lateRows)")
        XCTAssertEqual(rows.filter { $0[0] == "window" }.map { $0[1] }, ["k=a", "k=c"])

        // A replaced query keeps its name's late stream.
        try e.run(tumbling.replacingOccurrences(of: "CREATE QUERY", with: "CREATE OR REPLACE QUERY"))
        emit(e, [("z", 30_000), ("y", 5_000)])
        XCTAssertEqual(got.all.last?["k"], "y")
    }

    func testRejectedLinesOfAFileAreReadableWithFileAndLineNumber() throws {
        let e = Engine()
        try e.run("CREATE STREAM s (k string, ts int)")
        let r = try e.execute("SELECT * FROM s.rejected")
        let got = Collected(); r.addSink(got.add)
        _ = try e.execute("SELECT k FROM s")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("inspector-\(UUID()).jsonl").path
        try "{\"k\":\"a\",\"ts\":1}\n{\"k\":\"b\",\"ts\":\n{\"k\":\"c\",\"ts\":\"soon\"}\n\n[1]\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = try EventFile(path: path)
        while let rec = file.next() { e.feed(rec, to: "s", sync: true, file: "events.jsonl") }
        XCTAssertEqual(got.all.map { $0["line_number"] }, [2, 3, 5])
        XCTAssertEqual(got.all.map { $0["file"] }, ["events.jsonl", "events.jsonl", "events.jsonl"])
        XCTAssertEqual(got.all.map { $0["line"] }, [#"{"k":"b","ts":"#, #"{"k":"c","ts":"soon"}"#, "[1]"])
        XCTAssertEqual(got.all[1]["reason"], #"field ts: "soon" is not an int"#)
        XCTAssertEqual(e.streamMetrics("s")?.rejected, 3)
        // The writer path (batch modes) keeps them the same way.
        let w = try e.writer(for: "s")
        _ = w.feed(.rejected(line: 9, reason: "expected 2 cells, found 3"), sync: true, file: "x.csv")
        XCTAssertEqual(got.all.last, ["line": .null, "file": "x.csv", "line_number": 9, "reason": "expected 2 cells, found 3"])
    }

    func testSystemStreamNamesResolveOrSayWhy() throws {
        let e = Engine()
        try e.run("CREATE STREAM s")
        try e.run(tumbling)
        try e.run("CREATE QUERY rows AS SELECT k FROM s")
        func error(_ sql: String) -> String {
            do { try e.run(sql); return "no error" } catch { return error.description }
        }
        XCTAssertTrue(error("SELECT * FROM x.late").contains("unknown query 'x' in x.late"), error("SELECT * FROM x.late"))
        XCTAssertTrue(error("SELECT * FROM rows.late").contains("drops no late rows"))
        XCTAssertTrue(error("SELECT * FROM nope.rejected").contains("unknown stream 'nope'"))
        XCTAssertTrue(error("SELECT * FROM w.lat").contains("unknown stream 'w.lat'"))
        XCTAssertTrue(error("CREATE STREAM `a.late`").contains("system streams"))
        XCTAssertTrue(error("SHOW WINDOWS rows").contains("has no windows"))
        XCTAssertTrue(error("SHOW WINDOWS nothing").contains("no running query named nothing"))
        XCTAssertTrue(error("SELECT nope FROM w.late").contains("nope"), "a system stream declares its columns")
        guard case .table(let cols, let rows) = try e.run("SHOW STREAMS") else { return XCTFail() }
        let source = try XCTUnwrap(cols.firstIndex(of: "source"))
        let system = rows.filter { $0[source].asString?.hasPrefix("system") == true }.map { $0[0] }
        XCTAssertEqual(system, ["s.rejected", "stream.rejected", "w.late"], "every readable system stream, before anyone reads it")
        _ = try e.execute("SELECT * FROM w.late")
        guard case .table(_, let after) = try e.run("SHOW STREAMS") else { return XCTFail() }
        XCTAssertEqual(after.filter { $0[0] == "w.late" }.count, 1, "listed once when read")
        XCTAssertFalse(e.catalogScript().joined().contains("late"), "system streams are not saved")
    }
}
