import Foundation
import OrderedCollections
import XCTest
@testable import StreamSQL

/// The dictionary paths (`emit`, `emitSync`, `process`, `StreamWriter`) give exactly the rows the plain
/// layout decode gives; the worker's batched wake-ups lose nothing under any back-pressure policy.
final class StreamWriterTests: XCTestCase {
    static let events: [OrderedDictionary<String, Value>] = [
        ["deviceId": "a", "temperature": 61.5, "extra": 1],
        ["temperature": 10, "deviceId": "b"],                     // another key order
        ["deviceId": "c", "temperature": "70", "note": "x"],      // a string where a number is declared
        ["deviceId": "d"],                                        // a field missing
        ["deviceId": "e", "temperature": 99.0, "extra": 2],
    ]

    /// Rows of `sql` over `events` fed by `feed`.
    func rows(_ setup: String?, _ sql: String, feed: (Engine, OrderedDictionary<String, Value>) throws -> Void) throws -> [OrderedDictionary<String, Value>] {
        let engine = Engine()
        if let setup { _ = try engine.run(setup) }
        let q = try engine.execute(sql)
        let c = Collected()
        q.addSink(c.add)
        for e in StreamWriterTests.events { try feed(engine, e) }
        engine.finish()
        return c.all
    }

    /// The reference: each event decoded by the stream's layout and checked as `StreamState.coerce` does.
    func reference(_ setup: String?, _ sql: String, stream: String) throws -> [OrderedDictionary<String, Value>] {
        try rows(setup, sql) { engine, e in
            guard let s = engine.target(stream) else { return XCTFail("no stream") }
            let (layout, qs) = engine.snapshot(s)
            if let row = engine.typedRow(s, layout, e, qs) { for q in qs { q.run(CollectionOfOne(row)) } }
        }
    }

    func check(_ setup: String?, _ sql: String, stream: String) throws {
        let want = try reference(setup, sql, stream: stream)
        XCTAssertFalse(want.isEmpty, sql)
        XCTAssertEqual(try rows(setup, sql) { e, ev in e.emitSync(ev, to: stream) }, want, "emitSync: \(sql)")
        XCTAssertEqual(try rows(setup, sql) { e, ev in e.process(ev, to: stream) }, want, "process: \(sql)")
        XCTAssertEqual(try rows(setup, sql) { e, ev in e.emit(ev, to: stream); e.drain() }, want, "emit: \(sql)")
        XCTAssertEqual(try rows(setup, sql) { e, ev in try e.writer(for: stream).emitSync(ev) }, want, "writer: \(sql)")
        // One writer for all events (its key-order memo in use), alternating with the engine's own cache.
        var writer: StreamWriter?
        XCTAssertEqual(try rows(setup, sql) { e, ev in
            if writer == nil { writer = try e.writer(for: stream) }
            writer?.emitSync(ev)
            e.process([:], to: stream == "stream" ? "nowhere" : "stream")
        }, want, "one writer: \(sql)")
    }

    func testUntypedStreamGivesTheSameRows() throws {
        try check(nil, "SELECT deviceId, temperature FROM stream", stream: "stream")
        try check(nil, "SELECT * FROM stream", stream: "stream")
        try check(nil, "SELECT *, temperature AS t2 FROM stream WHERE deviceId <> 'b'", stream: "stream")
    }

    func testTypedStreamGivesTheSameRowsAndRejections() throws {
        let create = "CREATE STREAM r (deviceId string, temperature float)"
        try check(create, "SELECT deviceId, temperature FROM r", stream: "r")
        try check(create, "SELECT * FROM r", stream: "r")
        let strict = "CREATE STREAM r (deviceId string, temperature float) WITH (STRICT = true)"
        try check(strict, "SELECT deviceId FROM r", stream: "r")
        let engine = Engine()
        _ = try engine.run(strict)
        let q = try engine.execute("SELECT deviceId FROM r")
        let w = try engine.writer(for: "R")
        XCTAssertFalse(w.emitSync(["deviceId": "a", "extra": 1]))
        XCTAssertFalse(w.emitSync(["deviceId": "a", "temperature": "hot"]))
        XCTAssertTrue(w.emitSync(["deviceId": "a", "temperature": 1]))
        XCTAssertEqual(q.metrics.rejected, 2)
    }

    func testWriterSeesQueriesStartedLaterAndFillsSlots() throws {
        let engine = Engine()
        let w = try engine.writer(for: "stream")
        let q1 = try engine.execute("SELECT a FROM stream")
        let c1 = Collected(), c2 = Collected()
        q1.addSink(c1.add)
        w.emitSync(["a": 1, "b": 2])
        let q2 = try engine.execute("SELECT b, a FROM stream")
        q2.addSink(c2.add)
        w.emitSync(["a": 3, "b": 4])
        guard let a = w.slot(of: "a"), let b = w.slot(of: "b") else { return XCTFail("no slots") }
        XCTAssertNil(w.slot(of: "zzz"))
        var row = w.makeRow()
        row.slots[a] = 5
        row.slots[b] = 6
        w.emitSync(row: row)
        w.emit(row: row)
        engine.drain()
        // The writer's own row, reused: each event starts from NULLs (the last event's values do not leak).
        w.emitSync { $0.slots[a] = 7; $0.slots[b] = 8 }
        w.emitSync { $0.slots[b] = 9 }
        XCTAssertEqual(c1.all, [["a": 1], ["a": 3], ["a": 5], ["a": 5], ["a": 7], ["a": nil]])
        XCTAssertEqual(c2.all, [["b": 4, "a": 3], ["b": 6, "a": 5], ["b": 6, "a": 5], ["b": 8, "a": 7], ["b": 9, "a": nil]])
        // makeRow reuses the storage of the row run last, never a row its caller still holds.
        var kept = w.makeRow()
        kept.slots[a] = 11
        kept.slots[b] = 12
        w.emitSync(row: kept)
        var next = w.makeRow()
        XCTAssertEqual(next.slots, [.null, .null])
        next.slots[a] = 13
        XCTAssertEqual(kept.slots[a], 11)
        XCTAssertEqual(kept.slots[b], 12)
        XCTAssertThrowsError(try engine.writer(for: "nope"))
        XCTAssertFalse(engine.process(["a": 1], to: "nope"))
    }

    /// Many producers' pushes, few wake-ups: everything arrives, in order, whatever the policy; drops are
    /// counted so that processed + dropped = pushed.
    func testBatchedWakeUpsLoseNothing() throws {
        for policy in BackPressure.allCases {
            for capacity in [1, 100, 65_536] {
                var o = EngineOptions()
                o.queueCapacity = capacity
                o.backPressure = policy
                let engine = Engine(options: o)
                let q = try engine.execute("SELECT i FROM stream")
                let c = Collected()
                q.addSink(c.add)
                let w = try engine.writer(for: "stream")
                let n = 20_000
                for i in 0..<n {
                    if i % 3 == 0 { w.emit(["i": .int(Int64(i))]) } else { engine.emit(["i": .int(Int64(i))]) }
                    if i % 5_000 == 0 { usleep(2_000) }   // let the worker doze and sleep in between
                }
                engine.drain()
                let got = c.all.compactMap { $0["i"]?.asInt }
                XCTAssertEqual(got, got.sorted(), "\(policy) \(capacity): order")
                XCTAssertEqual(got.count + q.metrics.dropped, n, "\(policy) \(capacity)")
                if policy == .block { XCTAssertEqual(got.count, n) }
                // A lone event after the worker went to sleep comes out without waiting for a batch.
                usleep(5_000)
                engine.emit(["i": .int(Int64(n))])
                engine.drain()
                XCTAssertEqual(c.all.last?["i"], .int(Int64(n)), "\(policy) \(capacity): lone event")
                engine.stopAll(flush: false)
            }
        }
    }

    /// `emitSync` answers with an entry for every query on the stream, event after event, though it reuses
    /// its dictionary and the queries reuse their batches' storage: an answer the caller keeps, and batches
    /// a sink keeps, stay as they were when later events come.
    func testEmitSyncAnswersEveryQueryAndKeptAnswersStay() throws {
        let engine = Engine()
        let hot = try engine.execute("SELECT k, v FROM stream WHERE v > 5")
        let all = try engine.execute("SELECT v FROM stream")
        let kept = Collected()
        hot.addSink(kept.add)
        var answers: [[String: ResultBatch]] = []
        for v in [7, 1, 9, 3] { answers.append(engine.emitSync(["k": .string("k\(v)"), "v": .int(Int64(v))])) }
        XCTAssertEqual(answers.map { Set($0.keys) }, Array(repeating: [hot.name, all.name], count: 4))
        XCTAssertEqual(answers.map { $0[hot.name]?.objects ?? [] }, [[["k": "k7", "v": 7]], [], [["k": "k9", "v": 9]], []])
        XCTAssertEqual(answers.map { $0[all.name]?.objects ?? [] }, [[["v": 7]], [["v": 1]], [["v": 9]], [["v": 3]]])
        XCTAssertEqual(kept.all, [["k": "k7", "v": 7], ["k": "k9", "v": 9]])
        // Answers not kept: each event's answer is still its own.
        for v in [10, 2] {
            let a = engine.emitSync(["k": "x", "v": .int(Int64(v))])
            XCTAssertEqual(a[all.name]?.objects, [["v": .int(Int64(v))]])
            XCTAssertEqual(a[hot.name]?.count, v > 5 ? 1 : 0)
        }
        // A query started or stopped later is in (or out of) the next answer.
        let third = try engine.execute("SELECT k FROM stream")
        XCTAssertEqual(Set(engine.emitSync(["k": "y", "v": 0]).keys), [hot.name, all.name, third.name])
        engine.stop(hot)
        XCTAssertEqual(Set(engine.emitSync(["k": "z", "v": 0]).keys), [all.name, third.name])
    }

    /// A JSON line the batched file path rejects keeps its file and line number, as one fed alone does.
    func testBatchedFeedKeepsTheOriginOfRejectedLines() throws {
        let engine = Engine()
        _ = try engine.execute("SELECT v FROM stream")
        let w = try engine.writer(for: "stream")
        w.batchSize = 64
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("origin-\(UUID()).jsonl").path
        try [#"{"v":1}"#, "not json", #"{"v":2}"#].joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = try EventFile(path: path)
        var why: [String?] = []
        while let r = file.next() { why.append(w.feed(r, sync: true, file: "in.jsonl")) }
        w.flush()
        XCTAssertEqual(why.map { $0 == nil }, [true, false, true])
        let rejected = engine.target("stream")?.counters.rejectedLines.recent ?? []
        XCTAssertEqual(rejected.map(\.file), ["in.jsonl"])
        XCTAssertEqual(rejected.map(\.line), [2])
        XCTAssertEqual(rejected.map(\.text), ["not json"])
    }

    /// Rows run now are reused for the next event only when no query kept them: a pattern that holds rows
    /// until its match completes gives the same rows on every dictionary path as rows built fresh.
    func testRowsKeptByAQueryAreNotReused() throws {
        let events: [OrderedDictionary<String, Value>] = (1...8).map { ["d": .string("x\($0)"), "v": .int(Int64($0 % 5)), "ts": .int(Int64($0))] }
        let sqls = ["SELECT * FROM stream MATCH_RECOGNIZE (ORDER BY ts MEASURES FIRST(A.d) AS f, LAST(A.d) AS l, COUNT(*) AS n ALL ROWS PER MATCH PATTERN (A{3}) DEFINE A AS v > 0)",
                    "SELECT f, l, n FROM stream MATCH_RECOGNIZE (ORDER BY ts MEASURES FIRST(A.d) AS f, LAST(A.d) AS l, COUNT(*) AS n PATTERN (A{3}) DEFINE A AS v > 0)"]
        for sql in sqls {
            func rows(_ feed: (Engine, OrderedDictionary<String, Value>) throws -> Void) throws -> [OrderedDictionary<String, Value>] {
                let engine = Engine()
                let q = try engine.execute(sql)
                let c = Collected()
                q.addSink(c.add)
                for e in events { try feed(engine, e) }
                engine.finish()
                return c.all
            }
            let want = try rows { e, ev in e.emitSync(rows: [e.makeRow(ev)]) }
            XCTAssertEqual(want.count, sql.hasPrefix("SELECT *") ? 6 : 2, sql)
            XCTAssertEqual(try rows { e, ev in e.emitSync(ev) }, want, "emitSync: \(sql)")
            XCTAssertEqual(try rows { e, ev in e.process(ev) }, want, "process: \(sql)")
            var writer: StreamWriter?
            XCTAssertEqual(try rows { e, ev in
                if writer == nil { writer = try e.writer(for: "stream") }
                writer?.emitSync(ev)
            }, want, "writer: \(sql)")
        }
    }
}
