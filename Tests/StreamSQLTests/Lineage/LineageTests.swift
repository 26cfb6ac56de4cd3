import OrderedCollections
import XCTest
@testable import StreamSQL

/// The "why" of result rows against a batch recomputation: plain Swift over the list of events, written
/// apart from the engine, says which events each result came from; the lineage must list exactly those.
/// Inputs are random, with rows out of order (some late enough to be dropped).
final class LineageTests: XCTestCase {
    struct Event {
        let id: Int
        let k: String
        let v: Int
        let ts: Int64   // ms
        var dict: OrderedDictionary<String, Value> { ["id": .int(Int64(id)), "k": .string(k), "v": .int(Int64(v)), "ts": .int(ts)] }
    }

    /// `n` events over keys a–c (the first `keys` letters), times moving forward about `step`/2 ms a row,
    /// one in five up to 700 ms early.
    static func events(_ n: Int, seed: UInt64, keys: Int = 3, step: UInt64 = 80) -> [Event] {
        var rng = SplitMix64(seed: seed)
        var t: Int64 = 1_000_000
        return (0..<n).map { i in
            t += Int64(rng.next() % step)
            let early = rng.next() % 5 == 0 ? Int64(rng.next() % 700) : 0
            let k = String(UnicodeScalar(UInt8(97 + rng.next() % UInt64(min(26, keys)))))
            return Event(id: i, k: k, v: Int(rng.next() % 100), ts: t - early)
        }
    }

    func engine(results: Int = 1_000_000, inputs: Int = 1_000) -> Engine {
        var o = EngineOptions(clock: ManualClock(start: 0))
        o.lineage = true
        o.lineageLimits = LineageLimits(results: results, inputsPerResult: inputs)
        return Engine(options: o)
    }

    /// Creates `stream` with a query that reads `id`: an input is kept as its row of slots (the fields the
    /// stream's queries read), so this makes each input's `id` visible, as a user's query reading it would.
    func makeStream(_ e: Engine) throws {
        e.createStream("stream")
        try e.run("CREATE QUERY ids AS SELECT id FROM stream")
    }

    /// Every result the query kept, oldest first.
    func records(_ e: Engine, _ query: String) throws -> [LineageRecord] {
        let r = try XCTUnwrap(e.lineage(ofQuery: query))
        return (1...max(1, r.count)).reversed().compactMap { r.record(latest: $0) }
    }

    func cell(_ rec: LineageRecord, _ column: String) -> Value? {
        rec.columns.firstIndex(of: column).map { rec.values[$0] }
    }

    /// The `id` field of each input, read through the engine's table of the record (as the shell shows it).
    func ids(_ e: Engine, _ inputs: [LineageInput]) -> [Int] {
        inputs.compactMap { input -> Int? in
            if case .int(let x)? = input.row.whole?["id"] { return Int(x) }
            let names = input.fields.map { Array($0.keys) } ?? e.slotNames(ofStream: input.source)
            guard let i = names.firstIndex(of: "id") else { return nil }
            let v = input.fields?["id"] ?? input.row[i]
            if case .int(let x) = v { return Int(x) }
            return nil
        }
    }

    // MARK: time windows

    /// The batch model of an event-time window of `size` every `slide` (ms): window [s, e) fires once the
    /// watermark (largest time so far − `ooo`) reaches e, after the row that moved it is added; it holds the
    /// rows of its key and time that arrived by then. Returns (key, start ns, end ns) → ids.
    static func timeWindows(_ evs: [Event], size: Int64, slide: Int64, ooo: Int64) -> [String: Set<Int>] {
        var maxTs = Int64.min
        var fireIndex: [Int64: Int] = [:]   // window end → index of the event after which it fired
        var ends = Set<Int64>()
        for e in evs {
            var s = (e.ts - size) / slide * slide
            while s <= e.ts { if s + size > e.ts { ends.insert(s + size) }; s += slide }
        }
        for (i, e) in evs.enumerated() {
            maxTs = max(maxTs, e.ts)
            for end in ends where fireIndex[end] == nil && maxTs - ooo >= end { fireIndex[end] = i }
        }
        var out: [String: Set<Int>] = [:]
        for (i, e) in evs.enumerated() {
            for end in ends where end - size <= e.ts && e.ts < end && i <= (fireIndex[end] ?? Int.max) {
                out["\(e.k)|\((end - size) * 1_000_000)|\(end * 1_000_000)", default: []].insert(e.id)
            }
        }
        return out
    }

    /// Checks the why of every result kept (all of them unless `results` bounds them: then the latest, and
    /// `having` may filter the groups).
    @discardableResult
    func checkTimeWindow(size: Int64, slide: Int64, seed: UInt64, results: Int = 1_000_000, keys: Int = 3, step: UInt64 = 80,
                         having: String = "", file: StaticString = #filePath, line: UInt = #line) throws -> [LineageRecord] {
        let e = engine(results: results)
        let window = size == slide ? "TumblingWindow('\(size)ms')" : "SlidingWindow('\(size)ms', '\(slide)ms')"
        try makeStream(e)
        let sql = "SELECT k, window_start() AS ws, window_end() AS we, COUNT(*) AS c, MAX(v) AS mx FROM stream GROUP BY k, \(window) \(having) WITH (TIMESTAMP='ts', TIMEUNIT='ms', MAXOUTOFORDERNESS='300ms')"
        // Bounded: an unnamed query, as the benchmark's (a named query's results feed its stream, which
        // makes lineage keep every row's inputs).
        let unnamed = results < 1_000_000 ? try e.execute(sql) : nil
        if unnamed == nil { try e.run("CREATE QUERY w AS " + sql) }
        let evs = LineageTests.events(400, seed: seed, keys: keys, step: step)
        for ev in evs { e.emitSync(ev.dict) }
        e.finish()
        var expected = LineageTests.timeWindows(evs, size: size, slide: slide, ooo: 300)
        var seen: [String: Set<Int>] = [:]
        let kept: [LineageRecord]
        if let r = unnamed?.lineage {
            kept = (1...max(1, r.count)).reversed().compactMap { r.record(latest: $0) }
        } else {
            kept = try records(e, "w")
        }
        for rec in kept {
            guard case .string(let k)? = cell(rec, "k"), case .int(let ws)? = cell(rec, "ws"), case .int(let we)? = cell(rec, "we"),
                  case .int(let c)? = cell(rec, "c") else { XCTFail("result without k, ws, we, c", file: file, line: line); return kept }
            let got = ids(e, rec.inputs)
            XCTAssertEqual(got.count, Int(c), "inputs of \(k) [\(ws), \(we)) = COUNT(*)", file: file, line: line)
            seen["\(k)|\(ws)|\(we)"] = Set(got)
            // The row marked max(v) holds the result's MAX.
            let marked = rec.inputs.filter { $0.marks.contains("max(v)") }
            XCTAssertEqual(marked.count, 1, file: file, line: line)
            if let m = marked.first, let i = e.slotNames(ofStream: "stream").firstIndex(of: "v") {
                XCTAssertEqual(m.row[i], cell(rec, "mx"), file: file, line: line)
            }
        }
        if results < 1_000_000 { expected = expected.filter { seen[$0.key] != nil } }
        XCTAssertEqual(seen, expected, file: file, line: line)
        return kept
    }

    func testTumblingWindowWhyListsExactlyItsRows() throws {
        for seed in 1...5 { try checkTimeWindow(size: 1000, slide: 1000, seed: UInt64(seed)) }
    }

    /// A firing of more groups than lineage keeps results: the results kept are its last ones, and their
    /// why-lists are exact.
    func testTumblingFiringOfMoreGroupsThanKeptKeepsExactWhyLists() throws {
        for seed in 1...4 {
            let kept = try checkTimeWindow(size: 1000, slide: 1000, seed: UInt64(seed), results: 5, keys: 26, step: 20)
            XCTAssertEqual(kept.count, 5)
            XCTAssertTrue(kept.allSatisfy { $0.droppedInputs == 0 })
        }
    }

    /// With HAVING the results kept are not the firing's last groups: their why-lists are exact too.
    func testTumblingWithHavingKeepsExactWhyLists() throws {
        for seed in 1...4 {
            let kept = try checkTimeWindow(size: 1000, slide: 1000, seed: UInt64(seed), results: 5, keys: 26, step: 20,
                                           having: "HAVING k < 'f'")
            XCTAssertEqual(kept.count, 5)
            XCTAssertTrue(kept.allSatisfy { $0.droppedInputs == 0 })
        }
    }

    func testSlidingWindowWhyListsExactlyItsRows() throws {
        for seed in 1...4 { try checkTimeWindow(size: 1000, slide: 250, seed: UInt64(seed)) }
    }

    // MARK: session windows

    /// The batch model of `SessionWindow(gap)` per key: a row closer than `gap` to a session joins it
    /// (bridging sessions merges them); a row whose session would end by the watermark is late; sessions
    /// ending before the watermark fire.
    static func sessions(_ evs: [Event], gap: Int64, ooo: Int64) -> [String: Set<Int>] {
        struct S { var start: Int64; var end: Int64; var ids: Set<Int>; var k: String }
        var open: [S] = []
        var out: [String: Set<Int>] = [:]
        var wm = Int64.min
        func fire(_ limit: Int64) {
            for s in open where s.end < limit { out["\(s.k)|\(s.start * 1_000_000)|\(s.end * 1_000_000)"] = s.ids }
            open.removeAll { $0.end < limit }
        }
        for e in evs {
            if wm != Int64.min && e.ts + gap <= wm { continue }
            let touching = open.indices.filter { open[$0].k == e.k && open[$0].start <= e.ts + gap && e.ts <= open[$0].end }
            var s = S(start: e.ts, end: e.ts + gap, ids: [e.id], k: e.k)
            for i in touching { s.start = min(s.start, open[i].start); s.end = max(s.end, open[i].end); s.ids.formUnion(open[i].ids) }
            for i in touching.reversed() { open.remove(at: i) }
            open.append(s)
            wm = max(wm, e.ts - ooo)
            fire(wm)
        }
        fire(Int64.max)
        return out
    }

    func testSessionWindowWhyListsExactlyItsRows() throws {
        for seed in 1...5 {
            let e = engine()
            try makeStream(e)
            try e.run("CREATE QUERY s AS SELECT k, window_start() AS ws, window_end() AS we, COUNT(*) AS c FROM stream GROUP BY k, SessionWindow('120ms') WITH (TIMESTAMP='ts', TIMEUNIT='ms', MAXOUTOFORDERNESS='200ms')")
            let evs = LineageTests.events(300, seed: UInt64(seed))
            for ev in evs { e.emitSync(ev.dict) }
            e.finish()
            var seen: [String: Set<Int>] = [:]
            for rec in try records(e, "s") {
                guard case .string(let k)? = cell(rec, "k"), case .int(let ws)? = cell(rec, "ws"), case .int(let we)? = cell(rec, "we") else { return XCTFail() }
                seen["\(k)|\(ws)|\(we)"] = Set(ids(e, rec.inputs))
                XCTAssertEqual(cell(rec, "c"), .int(Int64(rec.inputs.count)))
            }
            XCTAssertEqual(seen, LineageTests.sessions(evs, gap: 120, ooo: 200), "seed \(seed)")
        }
    }

    // MARK: MATCH_RECOGNIZE

    func testMatchRecognizeWhyListsTheMatchedRowsWithTheirVariables() throws {
        for seed in 1...5 {
            let e = engine()
            e.createStream("stream")
            try e.run("CREATE QUERY m AS SELECT * FROM stream MATCH_RECOGNIZE (PARTITION BY k ORDER BY ts MEASURES A.id AS aid, LAST(B.id) AS bid ONE ROW PER MATCH AFTER MATCH SKIP PAST LAST ROW PATTERN (A B+) DEFINE A AS v > 60, B AS v < 40)")
            let evs = LineageTests.events(300, seed: UInt64(seed))
            for ev in evs { e.emitSync(ev.dict) }
            e.finish()
            // Batch model: per key in arrival order, a row over 60 followed by the longest run of rows under 40.
            var expected: [[String]] = []
            var byKey: [String: [Event]] = [:]
            for ev in evs { byKey[ev.k, default: []].append(ev) }
            var ends: [(Int, [String])] = []   // id of the last row (for ordering), A/B assignments
            for (_, rows) in byKey {
                var i = 0
                while i < rows.count {
                    guard rows[i].v > 60, i + 1 < rows.count, rows[i + 1].v < 40 else { i += 1; continue }
                    var j = i + 1
                    while j + 1 < rows.count && rows[j + 1].v < 40 { j += 1 }
                    ends.append((rows[j].id, ["A:\(rows[i].id)"] + rows[(i + 1)...j].map { "B:\($0.id)" }))
                    i = j + 1
                }
            }
            expected = ends.sorted { $0.0 < $1.0 }.map(\.1)
            let got = try records(e, "m").map { rec in zip(rec.inputs, ids(e, rec.inputs)).map { "\($0.role):\($1)" } }
            XCTAssertEqual(got.sorted { $0.joined() < $1.joined() }, expected.sorted { $0.joined() < $1.joined() }, "seed \(seed)")
            for rec in try records(e, "m") { XCTAssertTrue(rec.inputs.allSatisfy { $0.marks == ["DEFINE \($0.role)"] }) }
        }
    }

    // MARK: joins

    func testJoinWhyListsTheEventAndTheTableRow() throws {
        let e = engine()
        e.createStream("stream")
        e.createTable("t", key: ["k"], rows: [["k": "a", "label": "alpha"], ["k": "b", "label": "beta"]])
        try e.run("CREATE QUERY j AS SELECT id, k, t.label AS label FROM stream JOIN t ON k = t.k WHERE v > 30")
        let evs = LineageTests.events(200, seed: 7)
        for ev in evs { e.emitSync(ev.dict) }
        let expected = evs.filter { $0.v > 30 && $0.k != "c" }
        let recs = try records(e, "j")
        XCTAssertEqual(recs.count, expected.count)
        for (rec, ev) in zip(recs, expected) {
            XCTAssertEqual(rec.inputs.map(\.role), ["event", "table"])
            XCTAssertEqual(ids(e, Array(rec.inputs.prefix(1))), [ev.id])
            XCTAssertEqual(rec.inputs[1].fields?["k"], .string(ev.k))
            XCTAssertEqual(rec.inputs[1].marks, ["key k"])
        }
    }

    // MARK: derived streams

    func testDerivedStreamChainLeadsBackToTheSourceEvents() throws {
        for seed in 1...3 {
            let e = engine()
            e.createStream("stream")
            try e.run("CREATE STREAM warm AS SELECT id, k, v, ts FROM stream WHERE v > 20")
            try e.run("CREATE STREAM warmer AS SELECT id, k, v, ts FROM warm WHERE v > 40")
            try e.run("CREATE QUERY w AS SELECT k, window_start() AS ws, window_end() AS we, COUNT(*) AS c FROM warmer GROUP BY k, TumblingWindow('1s') WITH (TIMESTAMP='ts', TIMEUNIT='ms', MAXOUTOFORDERNESS='300ms')")
            let evs = LineageTests.events(300, seed: UInt64(seed))
            for ev in evs { e.emitSync(ev.dict) }
            e.finish()
            let expected = LineageTests.timeWindows(evs.filter { $0.v > 40 }, size: 1000, slide: 1000, ooo: 300)
            var seen: [String: Set<Int>] = [:]
            for rec in try records(e, "w") {
                guard case .string(let k)? = cell(rec, "k"), case .int(let ws)? = cell(rec, "ws"), case .int(let we)? = cell(rec, "we") else { return XCTFail() }
                let sources = rec.sourceInputs
                XCTAssertTrue(sources.allSatisfy { $0.source == "stream" && $0.origin == nil })
                seen["\(k)|\(ws)|\(we)"] = Set(ids(e, sources))
                // Each input of the window is a row of `warmer`, made by the query of that name from a row of `warm`.
                XCTAssertTrue(rec.inputs.allSatisfy { $0.source == "warmer" && $0.origin?.query == "warmer" })
            }
            XCTAssertEqual(seen, expected, "seed \(seed)")
        }
    }

    /// A named query's results are a stream too, always forwarded; its recorder makes a record for every row
    /// only once a query keeping lineage reads that stream (before, only its last results are kept).
    func testAQueryBuildsEveryRowsRecordOnlyOnceAQueryKeepingLineageReadsItsResults() throws {
        let e = engine(results: 5)
        e.createStream("stream")
        try e.run("CREATE QUERY warm AS SELECT id, k, v, ts FROM stream WHERE v > 20")
        try e.run("CREATE STREAM hot AS SELECT id, k, v FROM stream WHERE v > 50")
        let warm = try XCTUnwrap(e.queries.first { $0.name == "warm" }?.lineage)
        let hot = try XCTUnwrap(e.queries.first { $0.name == "hot" }?.lineage)
        XCTAssertFalse(warm.recordsEveryRow, "nothing reads warm's results")
        XCTAssertFalse(hot.recordsEveryRow, "nothing reads the stream hot")
        try e.run("CREATE QUERY hotter AS SELECT id FROM hot WHERE v > 60")
        XCTAssertTrue(hot.recordsEveryRow, "hotter keeps lineage and reads hot")
        try e.run("CREATE QUERY warmer AS SELECT id FROM warm WHERE v > 30")
        XCTAssertTrue(warm.recordsEveryRow, "warmer keeps lineage and reads warm's results")
        // And the chain still leads back: every result of warmer came from a row of warm.
        for ev in LineageTests.events(100, seed: 9) { e.emitSync(ev.dict) }
        let recs = try records(e, "warmer")
        XCTAssertFalse(recs.isEmpty)
        XCTAssertTrue(recs.allSatisfy { rec in rec.inputs.allSatisfy { $0.source == "warm" && $0.origin?.query == "warm" } })
    }

    // MARK: counting windows

    func testCountingWindowWhyListsTheRowsOfItsCount() throws {
        let e = engine()
        try makeStream(e)
        try e.run("CREATE QUERY c AS SELECT k, COUNT(*) AS c FROM stream GROUP BY k, CountingWindow(3)")
        let evs = LineageTests.events(200, seed: 11)
        for ev in evs { e.emitSync(ev.dict) }
        // Batch model: per key, arrival order cut into threes.
        var byKey: [String: [Int]] = [:]
        var expected: [[Int]] = []
        for ev in evs {
            byKey[ev.k, default: []].append(ev.id)
            if byKey[ev.k]!.count == 3 { expected.append(byKey[ev.k]!); byKey[ev.k] = [] }
        }
        XCTAssertEqual(try records(e, "c").map { ids(e, $0.inputs) }, expected)
    }

    /// A group table's inputs: per group in arrival order, bounded with the rest counted, merged in
    /// order, and still right after many groups were reset (their entries compacted away).
    func testGroupInputsKeepEachGroupsRowsAcrossMergesAndResets() {
        func row(_ i: Int) -> Row { Row(slots: [.int(Int64(i))]) }
        func ids(_ g: GroupInputs, _ k: Int) -> ([Int], Int) {
            let span = g.span(k)
            var out: [Int] = []
            span.forEach { r, _ in if case .int(let x) = r[0] { out.append(Int(x)) } else { out.append(-1) } }
            return (out, span.dropped)
        }
        let a = GroupInputs(cap: 3), b = GroupInputs(cap: 3)
        for i in 0..<10 { a.add(i % 2, row(i)) }            // group 0: 0 2 4 (6 8 counted), group 1: 1 3 5 (7 9)
        XCTAssertTrue(ids(a, 0) == ([0, 2, 4], 2) && ids(a, 1) == ([1, 3, 5], 2))
        b.add(0, row(100)); b.add(1, row(101)); b.add(1, row(102))
        a.reset(0)
        a.merge(0, from: b, 1)                               // group 0 now: 101 102
        XCTAssertTrue(ids(a, 0) == ([101, 102], 0), "\(ids(a, 0))")
        a.merge(0, from: b, 0)                               // 101 102 100
        a.merge(0, from: b, 1)                               // full: 101 102 more counted
        XCTAssertTrue(ids(a, 0) == ([101, 102, 100], 2), "\(ids(a, 0))")
        // Many resets: entries of reset groups are compacted away, the live ones keep their order.
        let c = GroupInputs(cap: 1_000)
        var expected: [Int: [Int]] = [:]
        for i in 0..<2_000 {
            let g = i % 7
            c.add(g, row(i)); expected[g, default: []].append(i)
            if i % 5 == 0 { c.reset(g); expected[g] = [] }
        }
        for g in 0..<7 { XCTAssertEqual(ids(c, g).0, expected[g] ?? [], "group \(g)") }
        XCTAssertEqual(ids(c, 7).0, [], "a group never seen has no inputs")
    }

    // MARK: bounds, and off by default

    func testResultsAndInputsAreBounded() throws {
        XCTAssertEqual(LineageLimits(), LineageLimits(results: 200, inputsPerResult: 1_000))
        let e = engine(results: 5, inputs: 4)
        try makeStream(e)
        try e.run("CREATE QUERY c AS SELECT k, COUNT(*) AS c FROM stream GROUP BY k, CountingWindow(10)")
        let evs = (0..<100).map { Event(id: $0, k: "a", v: 1, ts: Int64($0)) }
        for ev in evs { e.emitSync(ev.dict) }
        let r = try XCTUnwrap(e.lineage(ofQuery: "c"))
        XCTAssertEqual(r.count, 5, "10 results, the oldest 5 dropped")
        let latest = try XCTUnwrap(r.record(latest: 1))
        XCTAssertEqual(latest.number, 10)
        XCTAssertEqual(ids(e, latest.inputs), [90, 91, 92, 93], "the first 4 inputs kept")
        XCTAssertEqual(latest.droppedInputs, 6, "the rest counted")
        XCTAssertEqual(r.record(latest: 5)?.number, 6)
        XCTAssertNil(r.record(latest: 6))
        // The table says what was not kept.
        let t = e.lineageTable(latest)
        XCTAssertEqual(t.rows.count, 1 + 4 + 1)
        XCTAssertEqual(t.rows.last?[1], .string("6 more"))
    }

    func testSlidingWindowInputsAreBoundedAcrossPanes() throws {
        let e = engine(inputs: 7)
        e.createStream("stream")
        try e.run("CREATE QUERY w AS SELECT k, COUNT(*) AS c FROM stream GROUP BY k, SlidingWindow('100ms', '10ms') WITH (TIMESTAMP='ts', TIMEUNIT='ms')")
        for i in 0..<60 { e.emitSync(Event(id: i, k: "a", v: 1, ts: Int64(1_000 + i)).dict) }
        e.finish()
        for rec in try records(e, "w") {
            guard case .int(let c)? = cell(rec, "c") else { return XCTFail() }
            XCTAssertEqual(rec.inputs.count, min(7, Int(c)))
            XCTAssertEqual(rec.inputs.count + rec.droppedInputs, Int(c))
        }
    }

    func testLineageIsOffByDefaultAndExplainRowSaysSo() throws {
        let e = Engine(options: EngineOptions(clock: ManualClock(start: 0)))
        e.createStream("stream")
        let q = try e.execute("SELECT k FROM stream")
        XCTAssertNil(q.lineage)
        e.emitSync(Event(id: 1, k: "a", v: 1, ts: 1).dict)
        XCTAssertThrowsError(try e.run("EXPLAIN ROW \(q.name) 1")) { err in
            XCTAssertTrue("\(err)".contains("does not record lineage"), "\(err)")
        }
        XCTAssertThrowsError(try e.run("EXPLAIN ROW nosuch 1"))
        XCTAssertThrowsError(try e.run("SET lineage = maybe"))
        XCTAssertThrowsError(try e.run("SET lineag = on")) { XCTAssertTrue("\($0)".contains("did you mean")) }
        XCTAssertThrowsError(try e.run("EXPLAIN ROW")) { XCTAssertTrue("\($0)".contains("after EXPLAIN ROW")) }
        XCTAssertThrowsError(try e.run("EXPLAIN ROW q1 0")) { XCTAssertTrue("\($0)".contains("counts from 1")) }
        guard case .message = try e.run("SET lineage = on") else { return XCTFail() }
        let q2 = try e.execute("SELECT k FROM stream WHERE v > 0")
        e.emitSync(Event(id: 2, k: "b", v: 1, ts: 2).dict)
        guard case .table(let columns, let rows) = try e.run("EXPLAIN ROW \(q2.name) 1") else { return XCTFail() }
        XCTAssertEqual(Array(columns.prefix(4)), ["#", "role", "source", "decided"])
        XCTAssertEqual(rows.count, 2)
        XCTAssertEqual(rows[1][1], .string("event"))
        let q3 = try e.execute("SELECT * FROM stream WHERE v > 5")
        e.emitSync(Event(id: 3, k: "c", v: 9, ts: 3).dict)
        guard case .table(let c3, let r3) = try e.run("EXPLAIN ROW \(q3.name)") else { return XCTFail() }
        XCTAssertFalse(c3.contains("*"), "SELECT * results are spread: \(c3)")
        XCTAssertEqual(r3[0][c3.firstIndex(of: "id") ?? 0], .int(3))
        guard case .message(let m) = try e.run("EXPLAIN ROW \(q2.name) 5") else { return XCTFail() }
        XCTAssertTrue(m.contains("latest 2 results; there is no result 5"), m)
        guard case .message = try e.run("SET lineage = off") else { return XCTFail() }
        XCTAssertNil(try e.execute("SELECT k FROM stream").lineage)
    }

    /// An input is shown with the fields the stream's queries read (its slots), named from the stream's
    /// layout; once a query on the stream selects `*`, events arriving after it are kept whole.
    func testWhyShowsTheFieldsTheStreamsQueriesRead() throws {
        let e = engine()
        e.createStream("stream")
        try e.run("CREATE QUERY c AS SELECT k, MAX(v) AS top FROM stream GROUP BY k, CountingWindow(2)")
        for i in 0..<2 { e.emitSync(["k": .string("a"), "v": .int(Int64(i)), "seq": .int(Int64(i))], to: "stream") }
        let first = e.lineageTable(try XCTUnwrap(e.lineage(ofQuery: "c")?.record(latest: 1)))
        XCTAssertTrue(first.columns.contains("k") && first.columns.contains("v"), "\(first.columns)")
        XCTAssertFalse(first.columns.contains("seq"), "no query reads seq: \(first.columns)")
        XCTAssertEqual(first.rows.count, 3)
        XCTAssertEqual(first.rows[2][first.columns.firstIndex(of: "v") ?? 0], .int(1))
        try e.run("CREATE QUERY everything AS SELECT * FROM stream")
        for i in 2..<4 { e.emitSync(["k": .string("a"), "v": .int(Int64(i)), "seq": .int(Int64(i))], to: "stream") }
        let second = e.lineageTable(try XCTUnwrap(e.lineage(ofQuery: "c")?.record(latest: 1)))
        XCTAssertEqual(second.rows[2][second.columns.firstIndex(of: "seq") ?? 0], .int(3), "\(second.columns)")
    }

    func testFileRowsKeepFileAndLine() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("lineage-\(UUID().uuidString).jsonl").path
        try "{\"k\":\"a\",\"v\":1}\n\n{\"k\":\"b\",\"v\":50}\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let e = engine()
        e.createStream("stream")
        try e.run("CREATE QUERY f AS SELECT k FROM stream WHERE v > 10")
        let file = try EventFile(path: path)
        while let r = file.next() { e.feed(r, to: "stream", sync: true, file: path) }
        let rec = try XCTUnwrap(e.lineage(ofQuery: "f")?.record(latest: 1))
        XCTAssertEqual(rec.inputs.first?.origin?.label, "\(path):3")
        XCTAssertEqual(e.lineageTable(rec).rows[1][2], .string("stream (\(path):3)"))
    }

    // MARK: lag and had_changed

    func testLagWhyNamesThePreviousRowOfThePartition() throws {
        let e = engine()
        e.createStream("stream")
        try e.run("CREATE QUERY l AS SELECT id, lag(v) OVER (PARTITION BY k) AS before FROM stream WHERE v > 10")
        let evs = LineageTests.events(150, seed: 3)
        for ev in evs { e.emitSync(ev.dict) }
        // Batch model: the previous event of the same key (lag advances on every row: WHERE calls no analytic function,
        // so the select list's call sees only rows that pass WHERE).
        var last: [String: Int] = [:]
        var expected: [[String]] = []
        for ev in evs where ev.v > 10 {
            expected.append(["event:\(ev.id)"] + (last[ev.k].map { ["previous:\($0)"] } ?? []))
            last[ev.k] = ev.id
        }
        let got = try records(e, "l").map { rec in zip(rec.inputs, ids(e, rec.inputs)).map { "\($0.role):\($1)" } }
        XCTAssertEqual(got, expected)
        XCTAssertTrue(try records(e, "l").allSatisfy { $0.inputs.dropFirst().allSatisfy { $0.marks == ["lag"] } })
    }
}
