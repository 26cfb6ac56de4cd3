import OrderedCollections
import XCTest
@testable import StreamSQL

/// Windows against a straightforward batch computation over the same finite input.
///
/// Each case draws random events (keys, values, timestamps with out-of-order jitter), runs a windowed
/// query through the engine with end-of-input, and compares the rows with what grouping the accepted
/// events by window boundaries and key gives. Events the engine must drop as late are decided by
/// replaying the watermark rule (max event time − MAXOUTOFORDERNESS) over the arrival order.
final class WindowPropertyTests: XCTestCase {
    struct Event { let key: Int64; let v: Int64; let ts: Int64 }
    struct Agg: Hashable { var c: Int64 = 0; var s: Int64 = 0; var mn = Int64.max; var mx = Int64.min }

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

    func run(_ sql: String, _ evs: [Event]) throws -> [OrderedDictionary<String, Value>] {
        let engine = Engine()
        let q = try engine.execute(sql)
        let c = Collected()
        q.addSink(c.add)
        for e in evs { engine.emitSync(["k": .int(e.key), "v": .int(e.v), "ts": .int(e.ts)]) }
        engine.finish()
        return c.all
    }

    func fold(_ a: inout Agg, _ v: Int64) { a.c += 1; a.s += v; a.mn = min(a.mn, v); a.mx = max(a.mx, v) }

    /// Rows as comparable tuples: (window start ms, key, aggregates).
    func actual(_ rows: [OrderedDictionary<String, Value>]) -> [String] {
        rows.map { r in
            "\(r["ws"]!.asInt! / 1_000_000)|\(r["k"]!.asInt!)|\(r["c"]!.asInt!)|\(r["s"]!.asInt!)|\(r["mn"]!.asInt!)|\(r["mx"]!.asInt!)"
        }.sorted()
    }

    func expected(_ groups: [Int64: [Int64: Agg]]) -> [String] {
        var out: [String] = []
        for (ws, byKey) in groups { for (k, a) in byKey { out.append("\(ws)|\(k)|\(a.c)|\(a.s)|\(a.mn)|\(a.mx)") } }
        return out.sorted()
    }

    func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }

    func checkTimeWindows(sliding: Bool) throws {
        var rng = SplitMix(seed: sliding ? 11 : 7)
        for caseNo in 0..<1000 {
            let size = Int64([10, 20, 50, 100][Int(rng.next() % 4)])
            let slide = sliding ? size / Int64([2, 5, 10][Int(rng.next() % 3)]) : size
            let ooo = Int64(rng.next() % 30)
            let evs = events(&rng, n: 1 + Int(rng.next() % 40), keys: 1 + Int(rng.next() % 3), step: 15, jitter: Int64(rng.next() % 40))
            let window = sliding ? "SlidingWindow('\(size)ms', '\(slide)ms')" : "TumblingWindow('\(size)ms')"
            let sql = "SELECT k, COUNT(*) AS c, SUM(v) AS s, MIN(v) AS mn, MAX(v) AS mx, window_start() AS ws, window_end() AS we FROM stream GROUP BY k, \(window) WITH (TIMESTAMP='ts', TIMEUNIT='ms', MAXOUTOFORDERNESS='\(ooo)ms')"
            // Batch: replay the watermark to find late events, then group the rest.
            var watermark = Int64.min
            var maxT = Int64.min
            var groups: [Int64: [Int64: Agg]] = [:]
            var late = 0
            for e in evs {
                let lastEnd = floorDiv(e.ts, slide) * slide + size
                if watermark != Int64.min && lastEnd <= watermark { late += 1; continue }
                // The row joins each of its windows that is still open (ends after the watermark).
                var start = (floorDiv(e.ts - size, slide) + 1) * slide
                while start <= e.ts {
                    if watermark == Int64.min || start + size > watermark {
                        fold(&groups[start, default: [:]][e.key, default: Agg()], e.v)
                    }
                    start += slide
                }
                maxT = max(maxT, e.ts)
                watermark = max(watermark, maxT - ooo)
            }
            let rows = try run(sql, evs)
            XCTAssertEqual(actual(rows), expected(groups), "case \(caseNo): \(sql)\nevents: \(evs.map { ($0.key, $0.v, $0.ts) })")
            for r in rows { XCTAssertEqual(r["we"]!.asInt! - r["ws"]!.asInt!, size * 1_000_000) }
            if actual(rows) != expected(groups) { return }
            _ = late
        }
    }

    func testTumblingMatchesBatch() throws { try checkTimeWindows(sliding: false) }

    func testSlidingMatchesBatch() throws { try checkTimeWindows(sliding: true) }

    func testSessionMatchesBatch() throws {
        var rng = SplitMix(seed: 5)
        for caseNo in 0..<1000 {
            let gap = Int64([5, 10, 30][Int(rng.next() % 3)])
            let ooo = Int64(rng.next() % 20)
            // Jitter within MAXOUTOFORDERNESS: no row can reach a session that already fired.
            let evs = events(&rng, n: 1 + Int(rng.next() % 40), keys: 1 + Int(rng.next() % 3), step: 20, jitter: ooo)
            let sql = "SELECT k, COUNT(*) AS c, SUM(v) AS s, MIN(v) AS mn, MAX(v) AS mx, window_start() AS ws FROM stream GROUP BY k, SessionWindow('\(gap)ms') WITH (TIMESTAMP='ts', TIMEUNIT='ms', MAXOUTOFORDERNESS='\(ooo)ms')"
            var groups: [Int64: [Int64: Agg]] = [:]
            for k in Set(evs.map(\.key)) {
                let mine = evs.filter { $0.key == k }.sorted { $0.ts < $1.ts }
                var start = mine[0].ts, end = mine[0].ts + gap
                var agg = Agg()
                for e in mine {
                    if e.ts > end {  // at most the gap after the last event joins the session
                        groups[start, default: [:]][k] = agg
                        agg = Agg(); start = e.ts
                    }
                    fold(&agg, e.v)
                    end = max(end, e.ts + gap)
                }
                groups[start, default: [:]][k] = agg
            }
            let rows = try run(sql, evs)
            XCTAssertEqual(actual(rows), expected(groups), "case \(caseNo): \(sql)\nevents: \(evs.map { ($0.key, $0.v, $0.ts) })")
            if actual(rows) != expected(groups) { return }
        }
    }

    func testCountingMatchesBatch() throws {
        var rng = SplitMix(seed: 3)
        for caseNo in 0..<1000 {
            let n = 1 + Int(rng.next() % 5)
            let evs = events(&rng, n: Int(rng.next() % 40), keys: 1 + Int(rng.next() % 3), step: 5, jitter: 0)
            let sql = "SELECT k, COUNT(*) AS c, SUM(v) AS s, MIN(v) AS mn, MAX(v) AS mx FROM stream GROUP BY k, CountingWindow(\(n))"
            var expectedRows: [String] = []
            var pending: [Int64: [Int64]] = [:]
            for e in evs {
                pending[e.key, default: []].append(e.v)
                if pending[e.key]!.count == n {
                    let vs = pending[e.key]!
                    expectedRows.append("\(e.key)|\(vs.count)|\(vs.reduce(0, +))|\(vs.min()!)|\(vs.max()!)")
                    pending[e.key] = []
                }
            }
            let rows = try run(sql, evs).map { r in
                "\(r["k"]!.asInt!)|\(r["c"]!.asInt!)|\(r["s"]!.asInt!)|\(r["mn"]!.asInt!)|\(r["mx"]!.asInt!)"
            }
            XCTAssertEqual(rows, expectedRows, "case \(caseNo): \(sql)")
            if rows != expectedRows { return }
        }
    }
}
