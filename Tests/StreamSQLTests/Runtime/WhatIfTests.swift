import Foundation
import OrderedCollections
import XCTest
@testable import StreamSQL

/// What-if runs: an edited query over the events a running one saw, and the difference of their rows.
final class WhatIfTests: XCTestCase {
    typealias Event = OrderedDictionary<String, Value>

    /// Random sensor events with event times that arrive out of order (within 3 s).
    func events(_ n: Int, seed: UInt64) -> [Event] {
        var rng = SplitMix64(seed: seed)
        return (0..<n).map { i in
            let jitter = Int64(rng.next() % 3_000)
            return ["k": .string("d\(rng.next() % 4)"), "v": .int(Int64(rng.next() % 100)),
                    "ts": .int(1_700_000_000_000 + Int64(i) * 500 - jitter)]
        }
    }

    func diff(_ setup: [String], running: String, edited: String, events: [Event], stream: String = "s") throws -> ResultDiff {
        var o = EngineOptions()
        o.history = .default
        let e = Engine(options: o)
        for s in setup { try e.run(s) }
        try e.run("CREATE QUERY live AS \(running)")
        for ev in events { e.emitSync(ev, to: stream) }
        let sql = "EXPLAIN DIFF live AS \(edited)"
        guard case .explainDiff(_, let select, let range) = try Parser.parse(sql) else { throw StreamSQLError(.plan, "not a diff") }
        return try e.whatIf("live", select: select, sql: sql, range: range)
    }

    /// Each version run on its own engine over the same events, start to end of input.
    func batch(_ setup: [String], _ query: String, events: [Event], stream: String = "s") throws -> [Event] {
        let e = Engine()
        for s in setup { try e.run(s) }
        let q = try e.execute(query)
        let c = Collected()
        q.addSink(c.add)
        for ev in events { e.emitSync(ev, to: stream) }
        e.finish()
        return c.all
    }

    func testAnEditedFilterShowsTheRowsItLosesAndGains() throws {
        for seed in 1...20 as ClosedRange<UInt64> {
            let evs = events(300, seed: seed)
            let d = try diff(["CREATE STREAM s"], running: "SELECT k, v FROM s WHERE v > 50", edited: "SELECT k, v FROM s WHERE v > 60", events: evs)
            // Recomputed directly: rows with 50 < v <= 60 are gone, none are new.
            let lost = evs.filter { ($0["v"]?.asDouble ?? 0) > 50 && ($0["v"]?.asDouble ?? 0) <= 60 }.map { ["k": $0["k"]!, "v": $0["v"]!] as Event }
            XCTAssertEqual(d.gone, lost, "seed \(seed)")
            XCTAssertEqual(d.added, [])
            XCTAssertEqual(d.changed.count, 0)
            XCTAssertEqual(d.oldCount, evs.filter { ($0["v"]?.asDouble ?? 0) > 50 }.count)
        }
    }

    func testAnEditedTumblingWindowIsMatchedByKeyAndWindow() throws {
        for seed in 1...10 as ClosedRange<UInt64> {
            let evs = events(400, seed: seed)
            let window = "GROUP BY k, TumblingWindow('5s') WITH (TIMESTAMP='ts', TIMEUNIT='ms', MAXOUTOFORDERNESS='3s')"
            let old = "SELECT k, window_start() AS ws, COUNT(*) AS n FROM s \(window)"
            let new = "SELECT k, window_start() AS ws, COUNT(*) AS n FROM s WHERE v >= 10 \(window)"
            let d = try diff(["CREATE STREAM s"], running: old, edited: new, events: evs)
            // Recomputed in Swift: per (key, 5 s window) the count of events, and of events with v >= 10.
            var all: [String: Int] = [:], kept: [String: Int] = [:]
            for ev in evs {
                let ws = (ev["ts"]!.asDouble.map { Int64($0) }! / 5_000) * 5_000
                let id = "\(ev["k"]!)@\(ws)"
                all[id, default: 0] += 1
                if (ev["v"]?.asDouble ?? 0) >= 10 { kept[id, default: 0] += 1 }
            }
            let changedIds = all.filter { kept[$0.key] != nil && kept[$0.key] != $0.value }.count
            let goneIds = all.filter { kept[$0.key] == nil }.count
            XCTAssertEqual(d.keys, ["k", "ws"], "the group key and the window bound, whatever their aliases")
            XCTAssertEqual(d.changed.count, changedIds, "seed \(seed)")
            XCTAssertEqual(d.gone.count, goneIds, "seed \(seed)")
            XCTAssertEqual(d.added.count, 0)
            for c in d.changed { XCTAssertEqual(c.old["k"], c.new["k"]) }
        }
    }

    /// Session windows, MATCH_RECOGNIZE and a join, over random events with a random edit of each: the
    /// what-if equals running each version on its own over the same events (a batch recomputation).
    func testSessionPatternAndJoinAgreeWithBatchRuns() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("streamsql-whatif-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "k,site\nd0,north\nd1,south\nd2,east\n".write(to: dir.appendingPathComponent("meta.csv"), atomically: true, encoding: .utf8)
        var differed = 0
        for seed in 1...6 as ClosedRange<UInt64> {
            var rng = SplitMix64(seed: seed &* 7919)
            let (gapA, gapB) = (1 + rng.next() % 5, 1 + rng.next() % 5)
            let (t1, t2) = (30 + rng.next() % 60, 30 + rng.next() % 60)
            let (n1, n2) = (1 + rng.next() % 3, 1 + rng.next() % 3)
            let cases: [(String, String, [String])] = [
                ("SELECT k, COUNT(*) AS n, MAX(v) AS top FROM s GROUP BY k, SessionWindow('\(gapA)s') WITH (TIMESTAMP='ts', TIMEUNIT='ms')",
                 "SELECT k, COUNT(*) AS n, MAX(v) AS top FROM s GROUP BY k, SessionWindow('\(gapB)s') WITH (TIMESTAMP='ts', TIMEUNIT='ms')", []),
                ("SELECT * FROM s MATCH_RECOGNIZE (PARTITION BY k ORDER BY ts MEASURES LAST(A.v) AS top, COUNT(A.v) AS n ONE ROW PER MATCH PATTERN (A{\(n1)} B) DEFINE A AS v > \(t1), B AS v <= \(t1))",
                 "SELECT * FROM s MATCH_RECOGNIZE (PARTITION BY k ORDER BY ts MEASURES LAST(A.v) AS top, COUNT(A.v) AS n ONE ROW PER MATCH PATTERN (A{\(n2)} B) DEFINE A AS v > \(t2), B AS v <= \(t2))", []),
                ("SELECT s.k AS k, m.site AS site, s.v AS v FROM s JOIN meta m ON s.k = m.k WHERE s.v > \(t1)",
                 "SELECT s.k AS k, m.site AS site, s.v AS v FROM s LEFT JOIN meta m ON s.k = m.k WHERE s.v > \(t2)",
                 ["CREATE TABLE meta PRIMARY KEY (k) FROM FILE '\(dir.path)/meta.csv'"]),
            ]
            for (i, (old, new, extra)) in cases.enumerated() {
                let evs = events(200 + Int(rng.next() % 200), seed: seed &* 31 &+ UInt64(i))
                let setup = ["CREATE STREAM s"] + extra
                let d = try diff(setup, running: old, edited: new, events: evs)
                let oldRows = try batch(setup, old, events: evs), newRows = try batch(setup, new, events: evs)
                let expected = ResultDiff(old: oldRows, new: newRows, keys: d.keys)
                let what = "seed \(seed) case \(i)"
                XCTAssertEqual(d.oldCount, oldRows.count, what)
                XCTAssertEqual(d.newCount, newRows.count, what)
                XCTAssertEqual(d.gone, expected.gone, what)
                XCTAssertEqual(d.added, expected.added, what)
                XCTAssertEqual(d.changed.map(\.old), expected.changed.map(\.old), what)
                XCTAssertEqual(d.changed.map(\.new), expected.changed.map(\.new), what)
                if !d.isEmpty { differed += 1 }
            }
        }
        XCTAssertGreaterThan(differed, 6, "most random edits change something")
    }

    func testHistoryBoundsDropTheOldestAndCountThem() throws {
        let clock = ManualClock(start: 0)
        let e = Engine(options: EngineOptions(clock: clock))
        try e.run("CREATE STREAM few WITH (HISTORY = 5)")
        try e.run("CREATE STREAM recent WITH (HISTORY = '10s')")
        for i in 0..<8 {
            e.emitSync(["i": .int(Int64(i))], to: "few")
            _ = e.emit(jsonLine: #"{"i": \#(i)}"#, to: "recent", sync: true)
            clock.advance(by: 2_000_000_000)
        }
        let few = try XCTUnwrap(e.lock.withLock { e.streams["few"]?.history })
        XCTAssertEqual(few.count, 5)
        XCTAssertEqual(few.dropped, ["over 5 events": 3])
        let recent = try XCTUnwrap(e.lock.withLock { e.streams["recent"]?.history })
        // The last arrived at 14 s: those of 4 s to 14 s are within 10 s of it (6 events), 0 s and 2 s are not.
        XCTAssertEqual(recent.count, 6, "events within the last 10 s of processing time")
        XCTAssertEqual(recent.dropped, ["older than the history's age": 2])
        XCTAssertEqual(recent.jsonBytes, 6 * #"{"i": 0}"#.utf8.count)
        XCTAssertThrowsError(try e.run("CREATE STREAM bad WITH (HISTORY = 'soon')"))
        guard case .table(let cols, let rows) = try e.run("SHOW STREAMS") else { return XCTFail() }
        let history = try XCTUnwrap(cols.firstIndex(of: "history"))
        XCTAssertEqual(rows.first { $0[0] == "few" }?[history], .string("5 events, 2 KB, 3 dropped"), "its first chunk (2 KB) and six entries")
        XCTAssertEqual(rows.first { $0[0] == "stream" }?[history], .string("0 events, 0 KB"), "every stream keeps a history by default")
        let off = Engine(options: { var o = EngineOptions(); o.history = .off; return o }())
        guard case .table(_, let offRows) = try off.run("SHOW STREAMS") else { return XCTFail() }
        XCTAssertEqual(offRows.first { $0[0] == "stream" }?[history], .string("off"))
    }

    /// The history keeps events' bytes in chunks: within 1.5× their JSON size, and chunks of dropped
    /// events are let go.
    func testHistoryMemoryIsCloseToTheEventsJSONSize() throws {
        let e = Engine()
        try e.run("CREATE STREAM lines WITH (HISTORY = 20000)")
        try e.run("CREATE STREAM dicts WITH (HISTORY = 20000)")
        var rng = SplitMix64(seed: 7)
        var keptJSON = 0   // the JSON size of the last 20,000 events
        for i in 0..<60_000 {
            let ev: Event = ["deviceId": .string("dev-\(rng.next() % 1000)"), "temperature": .double(Double(rng.next() % 10_000) / 100),
                             "ts": .int(1_700_000_000_000 + Int64(i))]
            let line = JSONWriter.string(object: ev)
            if i >= 40_000 { keptJSON += line.utf8.count }
            _ = e.emit(jsonLine: line, to: "lines", sync: true)
            e.emitSync(ev, to: "dicts")
        }
        for name in ["lines", "dicts"] {
            let h = try XCTUnwrap(e.history(ofStream: name))
            XCTAssertEqual(h.count, 20_000)
            XCTAssertEqual(h.dropped, ["over 20000 events": 40_000])
            XCTAssertLessThanOrEqual(Double(h.memoryBytes), 1.5 * Double(keptJSON), name)
            XCTAssertGreaterThan(h.memoryBytes, h.jsonBytes)
        }
        // What was kept reads back as the events, in order.
        let snap = try XCTUnwrap(e.history(ofStream: "dicts")).snapshot()
        let last = try XCTUnwrap(snap.events.last)
        XCTAssertTrue(last.encoded, "a dictionary is kept in the compact form")
        let back = snap.dictionary(at: snap.events.count - 1)
        XCTAssertEqual(snap.shapes, [["deviceId", "temperature", "ts"]], "one key list, named by every event")
        XCTAssertLessThan(last.length, 40, "keys are not written per event")
        XCTAssertEqual(back?["ts"], .int(1_700_000_000_000 + 59_999))
        let lines = try XCTUnwrap(e.history(ofStream: "lines")).snapshot()
        let text = String(decoding: lines.bytes[lines.events[0].start..<(lines.events[0].start + lines.events[0].length)], as: UTF8.self)
        XCTAssertTrue(text.hasSuffix(#""ts":\#(1_700_000_000_000 + 40_000)}"#) && lines.events[0].encoded == false, text)
        XCTAssertEqual(snap.events.map(\.sequence), snap.events.map(\.sequence).sorted())
    }

    /// Events whose keys change from one to the next (new keys, other orders, more key lists than the
    /// history names) read back as they were sent, in order, also after bounds drop some and shrink.
    func testEventsWithChangingKeysReadBackFromTheHistory() throws {
        let e = Engine()
        try e.run("CREATE STREAM s WITH (HISTORY = 3000)")
        var sent: [OrderedDictionary<String, Value>] = []
        for i in 0..<4000 {
            var ev: OrderedDictionary<String, Value> = i % 3 == 0 ? ["a": .int(Int64(i)), "b": .string("x\(i)")] : ["b": .string("y"), "a": .double(Double(i) / 4 + 0.125)]
            if i % 2 == 1 { ev["k\(i % 1500)"] = .bool(true) }   // up to 1,500 more key lists: past the named 1,024
            if i % 7 == 0 { _ = e.emit(jsonLine: JSONWriter.string(object: ev), to: "s", sync: true) } else { e.emitSync(ev, to: "s") }
            sent.append(ev)
        }
        func check(_ last: Int) throws {
            let snap = try XCTUnwrap(e.history(ofStream: "s")).snapshot()
            XCTAssertEqual(snap.events.count, last)
            for (i, ev) in sent.suffix(last).enumerated() {
                let got = snap.events[i].encoded ? snap.dictionary(at: i)
                    : snap.bytes.withUnsafeBufferPointer { b in
                        try? JSONReader.parse(bytes: UnsafeBufferPointer(rebasing: b[snap.events[i].start..<(snap.events[i].start + snap.events[i].length)]))
                    }.flatMap { if case .object(let o) = $0 { o } else { nil } }
                XCTAssertEqual(got?.keys.elements, ev.keys.elements, "event \(i)")
                XCTAssertEqual(got.map { Array($0.values) }, Array(ev.values), "event \(i)")
            }
        }
        try check(3000)
        try XCTUnwrap(e.history(ofStream: "s")).setLimits(StreamHistory.Limits(events: 10), now: 0)
        try check(10)
        XCTAssertEqual(try XCTUnwrap(e.history(ofStream: "s")).dropped, ["over 10 events": 3990])
    }

    /// Dictionaries round-trip through the history's compact form, whatever they hold; bytes that are not
    /// such a form read as nil, never a crash.
    func testTheCompactFormRoundTrips() {
        var rng = SplitMix64(seed: 11)
        func value(_ depth: Int) -> Value {
            switch rng.next() % (depth > 3 ? 7 : 9) {
            case 0: return .null
            case 1: return .bool(rng.next() % 2 == 0)
            case 2: return .int(Int64(bitPattern: rng.next()))
            case 3: return .double(Double(bitPattern: rng.next() >> 2))
            case 4: return .string(String(repeating: "é✓x", count: Int(rng.next() % 50)))
            case 5: return .timestamp(Int64(rng.next() % 1_000_000_000_000))
            case 6: return .string("")
            case 7: return .array((0..<Int(rng.next() % 4)).map { _ in value(depth + 1) })
            default: return .object(OrderedDictionary(uniqueKeysWithValues: (0..<Int(rng.next() % 4)).map { ("k\($0)", value(depth + 1)) }))
            }
        }
        for _ in 0..<300 {
            let event = OrderedDictionary(uniqueKeysWithValues: (0..<Int(rng.next() % 200)).map { ("field \($0) ✓", value(0)) })
            var bytes: [UInt8] = []
            HistoryCodec.write(event, into: &bytes)
            let back = bytes.withUnsafeBufferPointer { HistoryCodec.read($0) }
            XCTAssertEqual(back?.keys.elements, event.keys.elements)
            XCTAssertTrue(back.map { zip($0.values, event.values).allSatisfy { a, b in a == b || (a.asDouble?.isNaN == true && b.asDouble?.isNaN == true) } } ?? false)
            if bytes.count > 1 {
                let cut = Int(rng.next() % UInt64(bytes.count - 1)) + 1
                _ = bytes.withUnsafeBufferPointer { HistoryCodec.read(UnsafeBufferPointer(rebasing: $0[0..<cut])) }
            }
            var noise = bytes
            for _ in 0..<5 where !noise.isEmpty { noise[Int(rng.next() % UInt64(noise.count))] = UInt8(truncatingIfNeeded: rng.next()) }
            _ = noise.withUnsafeBufferPointer { HistoryCodec.read($0) }
        }
    }

    func testTheDiffAsAStatement() throws {
        let quiet = Engine(options: { var o = EngineOptions(); o.history = .off; return o }())
        try quiet.run("CREATE STREAM s")
        try quiet.run("CREATE QUERY hot AS SELECT k, v FROM s WHERE v > 5")
        XCTAssertThrowsError(try quiet.run("EXPLAIN DIFF hot AS SELECT k, v FROM s WHERE v > 7"), "an engine told to keep no history") { e in
            XCTAssertTrue("\(e)".contains("no stream keeps a history"), "\(e)")
        }
        var o = EngineOptions()
        o.history = .default
        let e = Engine(options: o)
        try e.run("CREATE STREAM s")
        try e.run("CREATE QUERY hot AS SELECT k, v FROM s WHERE v > 5")
        for v in [1, 6, 9] { e.emitSync(["k": "a", "v": .int(Int64(v))], to: "s") }
        guard case .table(let cols, let rows) = try e.run("EXPLAIN DIFF hot AS SELECT k, v FROM s WHERE v > 7") else { return XCTFail() }
        XCTAssertEqual(cols, ["change", "k", "v"])
        XCTAssertEqual(rows.first?.first, .string("old 2 rows · new 1 · 1 gone · 0 new · 0 changed"))
        XCTAssertEqual(rows.dropFirst().map { $0.map(\.description) }, [["gone", "a", "6"]])
        XCTAssertThrowsError(try e.run("EXPLAIN DIFF nope AS SELECT k FROM s"))
    }
}
