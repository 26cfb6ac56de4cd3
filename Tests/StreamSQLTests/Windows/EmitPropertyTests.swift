import OrderedCollections
import XCTest
@testable import StreamSQL

/// EMIT CHANGES, EMIT EVERY and EMIT FINAL against a batch recomputation written here, over random
/// out-of-order events fed one at a time.
///
/// The batch side replays the watermark (max event time − MAXOUTOFORDERNESS) over the arrival order to
/// decide which rows each window holds after each event; the engine's rows are checked after every event:
/// an early row is the window's result over the rows that had arrived (a prefix of what the final holds), a
/// retraction repeats exactly the row its group showed last, and the shown rows are what the batch says.
final class EmitPropertyTests: XCTestCase {
    struct Event { let key: Int64; let v: Int64; let ts: Int64 }
    struct Agg: Hashable { var c: Int64 = 0; var s: Int64 = 0; var mx = Int64.min }
    struct WindowKey: Hashable { let ws: Int64; let k: Int64 }
    typealias Out = OrderedDictionary<String, Value>

    func events(_ rng: inout SplitMix, n: Int, keys: Int, step: Int64, jitter: Int64) -> [Event] {
        var t: Int64 = 1_700_000_000_000 + Int64(rng.next() % 1000)
        var out: [Event] = []
        for _ in 0..<n {
            t += Int64(rng.next() % UInt64(step + 1))
            let j = jitter > 0 ? Int64(rng.next() % UInt64(jitter + 1)) : 0
            out.append(Event(key: Int64(rng.next() % UInt64(keys)), v: Int64(rng.next() % 100) - 20, ts: t - j))
        }
        return out
    }

    /// Runs `sql` and returns the rows each event produced (the last entry: what end-of-input produced).
    func runStepwise(_ sql: String, _ evs: [Event]) throws -> [[Out]] {
        let engine = Engine()
        let q = try engine.execute(sql)
        let c = Collected()
        q.addSink(c.add)
        var steps: [[Out]] = []
        var seen = 0
        for e in evs {
            engine.emitSync(["k": .int(e.key), "v": .int(e.v), "ts": .int(e.ts)])
            let all = c.all
            steps.append(Array(all[seen...]))
            seen = all.count
        }
        engine.finish()
        steps.append(Array(c.all[seen...]))
        return steps
    }

    func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }

    func agg(_ r: Out) -> Agg { Agg(c: r["c"]!.asInt!, s: r["s"]!.asInt!, mx: r["mx"]!.asInt!) }
    func wkey(_ r: Out) -> WindowKey { WindowKey(ws: r["ws"]!.asInt! / 1_000_000, k: r["k"]!.asInt!) }

    /// The batch side of a time window: windows' contents after each arrival, and the watermark.
    struct Replay {
        let size: Int64, slide: Int64, ooo: Int64, lateness: Int64
        var watermark = Int64.min
        var maxT = Int64.min
        var windows: [WindowKey: Agg] = [:]

        /// Folds `e` into each of its windows whose lateness has not passed; returns them (empty when late).
        mutating func arrive(_ e: Event, floorDiv: (Int64, Int64) -> Int64) -> [WindowKey] {
            var joined: [WindowKey] = []
            let lastEnd = floorDiv(e.ts, slide) * slide + size
            if watermark == Int64.min || lastEnd + lateness > watermark {
                var start = (floorDiv(e.ts - size, slide) + 1) * slide
                while start <= e.ts {
                    if watermark == Int64.min || start + size + lateness > watermark {
                        let w = WindowKey(ws: start, k: e.key)
                        var a = windows[w] ?? Agg()
                        a.c += 1; a.s += e.v; a.mx = max(a.mx, e.v)
                        windows[w] = a
                        joined.append(w)
                    }
                    start += slide
                }
            }
            maxT = max(maxT, e.ts)
            watermark = max(watermark, maxT - ooo)
            return joined
        }
    }

    func sql(_ window: String, ooo: Int64, lateness: Int64, emit: String) -> String {
        "SELECT k, COUNT(*) AS c, SUM(v) AS s, MAX(v) AS mx, window_start() AS ws, emit_kind() AS kind FROM stream GROUP BY k, \(window) " +
            "WITH (TIMESTAMP='ts', TIMEUNIT='ms', MAXOUTOFORDERNESS='\(ooo)ms', ALLOWEDLATENESS='\(lateness)ms') \(emit)"
    }

    func randomWindow(_ rng: inout SplitMix, sliding: Bool) -> (String, Int64, Int64) {
        let size = Int64([10, 20, 50][Int(rng.next() % 3)])
        let slide = sliding ? size / Int64([2, 5][Int(rng.next() % 2)]) : size
        let w = sliding ? "SlidingWindow('\(size)ms', '\(slide)ms')" : "TumblingWindow('\(size)ms')"
        return (w, size, slide)
    }

    // MARK: EMIT CHANGES

    func checkChanges(sliding: Bool) throws {
        var rng = SplitMix(seed: sliding ? 23 : 19)
        for caseNo in 0..<300 {
            let (window, size, slide) = randomWindow(&rng, sliding: sliding)
            let ooo = Int64(rng.next() % 20), lateness = Int64(rng.next() % 3) * 10
            let evs = events(&rng, n: 1 + Int(rng.next() % 30), keys: 1 + Int(rng.next() % 3), step: 12, jitter: Int64(rng.next() % 40))
            let q = sql(window, ooo: ooo, lateness: lateness, emit: "EMIT CHANGES")
            let steps = try runStepwise(q, evs)
            var replay = Replay(size: size, slide: slide, ooo: ooo, lateness: lateness)
            var shown: [WindowKey: Agg] = [:]
            let context = "case \(caseNo): \(q)\nevents: \(evs.map { ($0.key, $0.v, $0.ts) })"
            for (i, rows) in steps.enumerated() {
                for r in rows {
                    let w = wkey(r)
                    switch r["kind"]?.asString {
                    case "retract":
                        // A retraction cancels exactly the row its group showed last.
                        XCTAssertEqual(shown[w], agg(r), "retraction of a row not shown: \(context)")
                        shown[w] = nil
                    case "update":
                        XCTAssertNil(shown[w], "a new row before the previous one was retracted: \(context)")
                        shown[w] = agg(r)
                    default:
                        XCTFail("EMIT CHANGES emitted kind \(r["kind"] ?? .null): \(context)")
                    }
                }
                if i < evs.count {
                    let joined = replay.arrive(evs[i], floorDiv: floorDiv)
                    // Only the windows the row changed speak, and each shows the batch's result so far.
                    for w in Set(rows.map(wkey)) { XCTAssertTrue(joined.contains(w), "window \(w) spoke without a change: \(context)") }
                }
                XCTAssertEqual(shown, replay.windows, "after event \(i): \(context)")
                if shown != replay.windows { return }
            }
        }
    }

    func testChangesTumblingMatchBatch() throws { try checkChanges(sliding: false) }
    func testChangesSlidingMatchBatch() throws { try checkChanges(sliding: true) }

    /// Thousands of keys through a sliding window renumber the operator's key ids mid-window (it compacts
    /// them when most have left): every retraction still repeats its group's last row, and the rows left
    /// shown are the batch's windows.
    func testChangesSlidingSurviveKeyRenumbering() throws {
        let engine = Engine()
        let q = try engine.execute(sql("SlidingWindow('20ms', '10ms')", ooo: 0, lateness: 0, emit: "EMIT CHANGES"))
        let c = Collected()
        q.addSink(c.add)
        // Key i arrives at i ms, and again 3 ms later: its second row changes windows it already showed.
        var evs: [Event] = []
        for i in Int64(0)..<6_000 {
            evs.append(Event(key: i, v: i % 7, ts: i))
            if i >= 3 { evs.append(Event(key: i - 3, v: 1, ts: i)) }
        }
        engine.emitSync(rows: evs.map { engine.makeRow(["k": .int($0.key), "v": .int($0.v), "ts": .int($0.ts)]) })
        var replay = Replay(size: 20, slide: 10, ooo: 0, lateness: 0)
        for e in evs { _ = replay.arrive(e, floorDiv: floorDiv) }
        var shown: [WindowKey: Agg] = [:]
        var retractions = 0
        for r in c.all {
            let w = wkey(r)
            if r["kind"]?.asString == "retract" {
                XCTAssertEqual(shown[w], agg(r), "retraction of a row not shown")
                shown[w] = nil
                retractions += 1
            } else {
                XCTAssertNil(shown[w], "a new row before the previous one was retracted")
                shown[w] = agg(r)
            }
        }
        XCTAssertGreaterThan(retractions, 5_000)
        XCTAssertEqual(shown, replay.windows)
    }

    // MARK: EMIT EVERY

    func checkEvery(sliding: Bool) throws {
        var rng = SplitMix(seed: sliding ? 31 : 29)
        for caseNo in 0..<300 {
            let (window, size, slide) = randomWindow(&rng, sliding: sliding)
            let ooo = Int64(rng.next() % 20), every = Int64([5, 7, 20][Int(rng.next() % 3)])
            let evs = events(&rng, n: 1 + Int(rng.next() % 30), keys: 1 + Int(rng.next() % 3), step: 12, jitter: Int64(rng.next() % 40))
            let q = sql(window, ooo: ooo, lateness: 0, emit: "EMIT EVERY '\(every)ms'")
            let steps = try runStepwise(q, evs)
            var replay = Replay(size: size, slide: slide, ooo: ooo, lateness: 0)
            var finals: [WindowKey: Agg] = [:]
            var earlies: [WindowKey: [Agg]] = [:]
            var nextEarly: Int64? = nil
            let context = "case \(caseNo): \(q)\nevents: \(evs.map { ($0.key, $0.v, $0.ts) })"
            for (i, rows) in steps.enumerated() {
                var before = replay.watermark
                if i < evs.count { _ = replay.arrive(evs[i], floorDiv: floorDiv) } else { before = replay.watermark; replay.watermark = Int64.max }
                let wm = replay.watermark
                // Early rows come when the watermark crosses a multiple of the interval, one per open window with rows.
                var due = false
                if i < evs.count, wm != Int64.min {
                    let next = (floorDiv(wm, every) + 1) * every
                    if let n = nextEarly { if wm >= n { due = true; nextEarly = next } } else { nextEarly = next }
                }
                let open = Set(replay.windows.keys.filter { $0.ws + size > wm && finals[$0] == nil })
                let early = rows.filter { $0["kind"]?.asString == "early" }
                XCTAssertEqual(Set(early.map(wkey)), due ? open : [], "early rows after event \(i) (watermark \(before) → \(wm)): \(context)")
                for r in early {
                    // An early row is the window over the rows that arrived so far: a prefix of its final.
                    XCTAssertEqual(agg(r), replay.windows[wkey(r)], "early row after event \(i): \(context)")
                    earlies[wkey(r), default: []].append(agg(r))
                }
                for r in rows where r["kind"]?.asString == "final" {
                    XCTAssertNil(finals[wkey(r)], "two finals for \(wkey(r)): \(context)")
                    finals[wkey(r)] = agg(r)
                }
            }
            XCTAssertEqual(finals, replay.windows, context)
            for (w, list) in earlies {
                for a in list { XCTAssertLessThanOrEqual(a.c, finals[w]?.c ?? -1, "early row larger than its final: \(context)") }
            }
            if finals != replay.windows { return }
        }
    }

    func testEveryTumblingEarlyRowsArePrefixes() throws { try checkEvery(sliding: false) }
    func testEverySlidingEarlyRowsArePrefixes() throws { try checkEvery(sliding: true) }

    // MARK: EMIT FINAL

    func testFinalWithLatenessEmitsOneRowPerWindow() throws {
        var rng = SplitMix(seed: 37)
        for caseNo in 0..<400 {
            let (window, size, slide) = randomWindow(&rng, sliding: rng.next() % 2 == 0)
            let ooo = Int64(rng.next() % 10), lateness = Int64(1 + rng.next() % 30)
            let evs = events(&rng, n: 1 + Int(rng.next() % 30), keys: 1 + Int(rng.next() % 3), step: 12, jitter: Int64(rng.next() % 50))
            let q = sql(window, ooo: ooo, lateness: lateness, emit: "EMIT FINAL")
            let rows = try runStepwise(q, evs).joined()
            var replay = Replay(size: size, slide: slide, ooo: ooo, lateness: lateness)
            for e in evs { _ = replay.arrive(e, floorDiv: floorDiv) }
            var finals: [WindowKey: Agg] = [:]
            let context = "case \(caseNo): \(q)\nevents: \(evs.map { ($0.key, $0.v, $0.ts) })"
            for r in rows {
                XCTAssertEqual(r["kind"]?.asString, "final", context)
                XCTAssertNil(finals[wkey(r)], "two rows for one window: \(context)")
                finals[wkey(r)] = agg(r)
            }
            XCTAssertEqual(finals, replay.windows, context)
            if finals != replay.windows { return }
        }
    }

    // MARK: counting and session windows

    func testChangesCountingMatchBatch() throws {
        var rng = SplitMix(seed: 41)
        for caseNo in 0..<300 {
            let n = 1 + Int(rng.next() % 4)
            let evs = events(&rng, n: Int(rng.next() % 30), keys: 1 + Int(rng.next() % 3), step: 5, jitter: 0)
            let q = "SELECT k, COUNT(*) AS c, SUM(v) AS s, MAX(v) AS mx, emit_kind() AS kind FROM stream GROUP BY k, CountingWindow(\(n)) EMIT CHANGES"
            let steps = try runStepwise(q, evs)
            var pending: [Int64: [Int64]] = [:]
            var shown: [Int64: Agg] = [:]
            for (i, rows) in steps.enumerated() {
                for r in rows {
                    let k = r["k"]!.asInt!
                    if r["kind"]?.asString == "retract" {
                        XCTAssertEqual(shown[k], agg(r), "case \(caseNo)")
                        shown[k] = nil
                    } else {
                        XCTAssertEqual(r["kind"]?.asString, "update")
                        shown[k] = agg(r)
                    }
                }
                guard i < evs.count else { continue }
                let e = evs[i]
                if pending[e.key]?.count == n { pending[e.key] = [] }
                pending[e.key, default: []].append(e.v)
                let vs = pending[e.key]!
                // The row's group shows the window it is filling (a new window starts without a retraction).
                XCTAssertEqual(shown[e.key], Agg(c: Int64(vs.count), s: vs.reduce(0, +), mx: vs.max()!), "case \(caseNo) event \(i): \(q)")
                if vs.count == n { shown[e.key] = nil }
            }
        }
    }

    func testChangesSessionEndAtTheFinalSessions() throws {
        var rng = SplitMix(seed: 43)
        for caseNo in 0..<300 {
            let gap = Int64([5, 10, 30][Int(rng.next() % 3)])
            let ooo = Int64(rng.next() % 20)
            let evs = events(&rng, n: 1 + Int(rng.next() % 30), keys: 1 + Int(rng.next() % 3), step: 20, jitter: ooo)
            func q(_ emit: String) -> String {
                "SELECT k, COUNT(*) AS c, SUM(v) AS s, MAX(v) AS mx, window_start() AS ws, emit_kind() AS kind FROM stream GROUP BY k, SessionWindow('\(gap)ms') WITH (TIMESTAMP='ts', TIMEUNIT='ms', MAXOUTOFORDERNESS='\(ooo)ms') \(emit)"
            }
            // Batch sessions: per key, sorted times split where the next is more than the gap after the last.
            var expected: [WindowKey: Agg] = [:]
            for k in Set(evs.map(\.key)) {
                let mine = evs.filter { $0.key == k }.sorted { $0.ts < $1.ts }
                var start = mine[0].ts, end = mine[0].ts + gap, a = Agg()
                for e in mine {
                    if e.ts > end { expected[WindowKey(ws: start, k: k)] = a; a = Agg(); start = e.ts }
                    a.c += 1; a.s += e.v; a.mx = max(a.mx, e.v)
                    end = max(end, e.ts + gap)
                }
                expected[WindowKey(ws: start, k: k)] = a
            }
            var shown: [WindowKey: Agg] = [:]
            for r in try runStepwise(q("EMIT CHANGES"), evs).joined() {
                if r["kind"]?.asString == "retract" {
                    XCTAssertEqual(shown[wkey(r)], agg(r), "case \(caseNo): \(q("EMIT CHANGES"))")
                    shown[wkey(r)] = nil
                } else {
                    XCTAssertNil(shown[wkey(r)], "case \(caseNo)")
                    shown[wkey(r)] = agg(r)
                }
            }
            XCTAssertEqual(shown, expected, "case \(caseNo): \(q("EMIT CHANGES"))\nevents: \(evs.map { ($0.key, $0.v, $0.ts) })")
            if shown != expected { return }
        }
    }
}
