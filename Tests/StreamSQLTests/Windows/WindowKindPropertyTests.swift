import OrderedCollections
import XCTest
@testable import StreamSQL

/// CountingWindow(n, m), StateWindow, SessionWindow(gap, max), SlidingWindow(…) OVER (WHEN …) and
/// aggregate FILTER (WHERE …) against batch computations written here, over random (out-of-order where
/// the window reads event time) inputs.
final class WindowKindPropertyTests: XCTestCase {
    struct Event { let key: Int64; let v: Int64; let ts: Int64; let st: Int64 }
    typealias Out = OrderedDictionary<String, Value>

    func events(_ rng: inout SplitMix, n: Int, keys: Int, step: Int64, jitter: Int64) -> [Event] {
        var t: Int64 = 1_700_000_000_000 + Int64(rng.next() % 1000)
        var out: [Event] = []
        for _ in 0..<n {
            t += Int64(rng.next() % UInt64(step + 1))
            let j = jitter > 0 ? Int64(rng.next() % UInt64(jitter + 1)) : 0
            out.append(Event(key: Int64(rng.next() % UInt64(keys)), v: Int64(rng.next() % 100) - 20, ts: t - j, st: Int64(rng.next() % 4)))
        }
        return out
    }

    func run(_ sql: String, _ evs: [Event]) throws -> [Out] {
        let engine = Engine()
        let q = try engine.execute(sql)
        let c = Collected()
        q.addSink(c.add)
        for e in evs { engine.emitSync(["k": .int(e.key), "v": .int(e.v), "ts": .int(e.ts), "st": .int(e.st)]) }
        engine.finish()
        return c.all
    }

    /// "key|count|sum|positives" for rows with those columns.
    func line(_ r: Out) -> String { "\(r["k"]!.asInt!)|\(r["c"]!.asInt!)|\(r["s"]!.asInt!)|\(r["pos"]!.asInt!)" }
    func line(_ k: Int64, _ vs: [Int64]) -> String { "\(k)|\(vs.count)|\(vs.reduce(0, +))|\(vs.filter { $0 > 0 }.count)" }
    let aggs = "k, COUNT(*) AS c, SUM(v) AS s, COUNT(*) FILTER (WHERE v > 0) AS pos"

    func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }

    func testCountingEveryMatchesBatch() throws {
        var rng = SplitMix(seed: 51)
        for caseNo in 0..<400 {
            let n = 1 + Int(rng.next() % 5), m = 1 + Int(rng.next() % UInt64(n))
            let evs = events(&rng, n: Int(rng.next() % 40), keys: 1 + Int(rng.next() % 3), step: 5, jitter: 0)
            let sql = "SELECT \(aggs) FROM stream GROUP BY k, CountingWindow(\(n), \(m))"
            var expected: [String] = []
            var seen: [Int64: [Int64]] = [:]
            for e in evs {
                seen[e.key, default: []].append(e.v)
                let all = seen[e.key]!
                if all.count >= n && all.count % m == 0 { expected.append(line(e.key, Array(all.suffix(n)))) }
            }
            let rows = try run(sql, evs).map(line)
            XCTAssertEqual(rows, expected, "case \(caseNo): \(sql)")
            if rows != expected { return }
        }
    }

    func testStateWindowMatchesBatch() throws {
        var rng = SplitMix(seed: 53)
        for caseNo in 0..<400 {
            let evs = events(&rng, n: Int(rng.next() % 40), keys: 1 + Int(rng.next() % 3), step: 5, jitter: 0)
            let sql = "SELECT \(aggs) FROM stream GROUP BY k, StateWindow(st = 1, st = 2)"
            var expected: [String] = []
            var open: [Int64: [Int64]] = [:]
            for e in evs {
                if var vs = open[e.key] {
                    vs.append(e.v)
                    if e.st == 2 { expected.append(line(e.key, vs)); open[e.key] = nil } else { open[e.key] = vs }
                } else if e.st == 1 {
                    open[e.key] = [e.v]   // the opening row does not close its window
                }
            }
            let rows = try run(sql, evs).map(line)
            XCTAssertEqual(rows, expected, "case \(caseNo): \(sql)")
            if rows != expected { return }
            // EMIT CHANGES: each group's rows retract exactly the previous one; at each close the shown row is the final.
            var shown: [Int64: String] = [:]
            var closedAt: [String] = []
            for r in try run("SELECT \(aggs), emit_kind() AS kind FROM stream GROUP BY k, StateWindow(st = 1, st = 2) EMIT CHANGES", evs) {
                let k = r["k"]!.asInt!
                if r["kind"]?.asString == "retract" {
                    XCTAssertEqual(shown[k], line(r), "case \(caseNo)")
                    shown[k] = nil
                } else {
                    // A window's first row (c = 1) starts a new window: the closed one's last row stands.
                    if r["c"]?.asInt == 1 { shown[k] = nil }
                    XCTAssertNil(shown[k], "case \(caseNo): an update before the previous row was retracted")
                    shown[k] = line(r)
                    closedAt.append(line(r))
                }
            }
            for f in expected { XCTAssertTrue(closedAt.contains(f), "case \(caseNo): final \(f) never shown") }
        }
    }

    func testSessionWithMaximumDurationMatchesBatch() throws {
        var rng = SplitMix(seed: 57)
        for caseNo in 0..<400 {
            let gap = Int64([5, 10, 30][Int(rng.next() % 3)]), maxD = Int64([20, 50, 100][Int(rng.next() % 3)])
            let ooo = Int64(rng.next() % 20)
            let evs = events(&rng, n: 1 + Int(rng.next() % 40), keys: 1 + Int(rng.next() % 3), step: 15, jitter: ooo)
            let sql = "SELECT \(aggs), window_start() AS ws, window_end() AS we FROM stream GROUP BY k, SessionWindow('\(gap)ms', '\(maxD)ms') WITH (TIMESTAMP='ts', TIMEUNIT='ms', MAXOUTOFORDERNESS='\(ooo)ms')"
            // Batch: per key, sorted times split where the next is more than the gap after the session's
            // last row or in another stretch of the maximum duration; a session ends at last + gap, cut at the stretch's end.
            var expected: [String] = []
            for k in Set(evs.map(\.key)) {
                let mine = evs.filter { $0.key == k }.sorted { $0.ts < $1.ts }
                var current: [Event] = []
                func close() {
                    guard let f = current.first, let l = current.last else { return }
                    let end = min(l.ts + gap, (floorDiv(f.ts, maxD) + 1) * maxD)
                    expected.append("\(f.ts)|\(end)|" + line(k, current.map(\.v)))
                }
                for e in mine {
                    if let l = current.last, e.ts > l.ts + gap || floorDiv(e.ts, maxD) != floorDiv(l.ts, maxD) { close(); current = [] }
                    current.append(e)
                }
                close()
            }
            let rows = try run(sql, evs).map { "\($0["ws"]!.asInt! / 1_000_000)|\($0["we"]!.asInt! / 1_000_000)|" + line($0) }
            XCTAssertEqual(rows.sorted(), expected.sorted(), "case \(caseNo): \(sql)\nevents: \(evs.map { ($0.key, $0.v, $0.ts) })")
            if rows.sorted() != expected.sorted() { return }
        }
    }

    func testRowTriggeredSlidingMatchesBatch() throws {
        var rng = SplitMix(seed: 59)
        for caseNo in 0..<400 {
            let size = Int64([10, 20, 50][Int(rng.next() % 3)]), ooo = Int64(rng.next() % 20)
            let evs = events(&rng, n: 1 + Int(rng.next() % 40), keys: 1 + Int(rng.next() % 3), step: 12, jitter: Int64(rng.next() % 40))
            let sql = "SELECT \(aggs), window_end() AS we FROM stream GROUP BY k, SlidingWindow('\(size)ms') OVER (WHEN st = 1) WITH (TIMESTAMP='ts', TIMEUNIT='ms', MAXOUTOFORDERNESS='\(ooo)ms')"
            // Batch: replay the watermark; a trigger at T fires once the watermark passes T, over the rows
            // accepted by then with T − size < t ≤ T; a row is late when t + size ≤ watermark.
            var watermark = Int64.min, maxT = Int64.min
            var accepted: [Event] = []
            var pending: [Event] = []
            var expected: [String] = []
            func fire(before limit: Int64) {
                let due = pending.enumerated().filter { $0.element.ts < limit }.sorted { ($0.element.ts, $0.offset) < ($1.element.ts, $1.offset) }
                for (_, p) in due {
                    let vs = accepted.filter { $0.key == p.key && $0.ts > p.ts - size && $0.ts <= p.ts }.map(\.v)
                    expected.append("\(p.ts)|" + line(p.key, vs))
                }
                pending.removeAll { $0.ts < limit }
            }
            for e in evs {
                if watermark != Int64.min && e.ts + size <= watermark { continue }
                accepted.append(e)
                if e.st == 1 { pending.append(e) }
                maxT = max(maxT, e.ts)
                watermark = max(watermark, maxT - ooo)
                fire(before: watermark)
            }
            fire(before: Int64.max)
            let rows = try run(sql, evs).map { "\($0["we"]!.asInt! / 1_000_000)|" + line($0) }
            XCTAssertEqual(rows, expected, "case \(caseNo): \(sql)\nevents: \(evs.map { ($0.key, $0.v, $0.ts, $0.st) })")
            if rows != expected { return }
        }
    }

    func testAggregateFilterInTumblingMatchesBatch() throws {
        var rng = SplitMix(seed: 61)
        for caseNo in 0..<300 {
            let size = Int64([10, 20, 50][Int(rng.next() % 3)])
            let evs = events(&rng, n: 1 + Int(rng.next() % 40), keys: 1 + Int(rng.next() % 3), step: 8, jitter: 0)
            let sql = "SELECT \(aggs), window_start() AS ws FROM stream GROUP BY k, TumblingWindow('\(size)ms') WITH (TIMESTAMP='ts', TIMEUNIT='ms')"
            var groups: [String: [Int64]] = [:]
            for e in evs { groups["\(floorDiv(e.ts, size) * size)|\(e.key)", default: []].append(e.v) }
            let expected = groups.map { k, vs in
                let parts = k.split(separator: "|")
                return "\(parts[0])|" + line(Int64(parts[1])!, vs)
            }.sorted()
            let rows = try run(sql, evs).map { "\($0["ws"]!.asInt! / 1_000_000)|" + line($0) }.sorted()
            XCTAssertEqual(rows, expected, "case \(caseNo): \(sql)")
            if rows != expected { return }
        }
    }
}
