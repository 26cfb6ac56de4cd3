import Foundation
import OrderedCollections
import XCTest
@testable import StreamSQL

/// The matcher against a brute-force one: small random patterns over small random inputs.
///
/// The brute force tries, at each start row in order, every way the pattern can match by backtracking
/// in priority order (greedy before reluctant, left alternative first) and takes the first complete,
/// non-empty one; then it applies the AFTER MATCH SKIP rule. The engine must report the same matches,
/// row for row and variable for variable.
final class MatchRecognizeCrossCheckTests: XCTestCase {
    indirect enum P {
        case sym(String)
        case seq([P])
        case alt([P])
        case rep(P, Int, Int?, Bool)

        var sql: String {
            switch self {
            case .sym(let s): return s
            case .seq(let xs): return xs.map(\.sql).joined(separator: " ")
            case .alt(let xs): return "(" + xs.map(\.sql).joined(separator: " | ") + ")"
            case .rep(let x, let lo, let hi, let rel):
                let q: String
                switch (lo, hi) {
                case (0, nil): q = "*"
                case (1, nil): q = "+"
                case (0, 1): q = "?"
                case (let a, nil): q = "{\(a),}"
                case (let a, let b?): q = a == b ? "{\(a)}" : "{\(a),\(b)}"
                }
                return "(" + x.sql + ")" + q + (rel ? "?" : "")
            }
        }
    }

    func randomPattern(_ rng: inout SplitMix, depth: Int) -> P {
        let syms = ["A", "B", "C"]
        let r = depth >= 3 ? 0 : rng.next() % 4
        switch r {
        case 0: return .sym(syms[Int(rng.next() % 3)])
        case 1: return .seq((0..<(2 + Int(rng.next() % 2))).map { _ in randomPattern(&rng, depth: depth + 1) })
        case 2: return .alt((0..<2).map { _ in randomPattern(&rng, depth: depth + 1) })
        default:
            let kinds: [(Int, Int?)] = [(0, nil), (1, nil), (0, 1), (2, 2), (1, 3), (2, nil)]
            let (lo, hi) = kinds[Int(rng.next() % UInt64(kinds.count))]
            let inner = randomPattern(&rng, depth: depth + 1)
            // Repeating a part that can match no rows is degenerate (regex engines disagree on it);
            // the matcher ends such a loop at the first iteration that consumes nothing. Not compared here.
            if nullable(inner) { return inner }
            return .rep(inner, lo, hi, rng.next() % 3 == 0)
        }
    }

    func nullable(_ p: P) -> Bool {
        switch p {
        case .sym: return false
        case .seq(let xs): return xs.allSatisfy(nullable)
        case .alt(let xs): return xs.contains(where: nullable)
        case .rep(let x, let lo, _, _): return lo == 0 || nullable(x)
        }
    }

    /// All (rows, symbols) completions from `pos`, lazily in priority order; `k` returns true to stop.
    func walk(_ p: P, _ pos: Int, _ path: [(Int, String)], _ input: [Int64], _ holds: (String, Int64) -> Bool,
              _ k: (Int, [(Int, String)]) -> Bool) -> Bool {
        switch p {
        case .sym(let s):
            guard pos < input.count, holds(s, input[pos]) else { return false }
            return k(pos + 1, path + [(pos, s)])
        case .seq(let xs):
            func go(_ i: Int, _ at: Int, _ pa: [(Int, String)]) -> Bool {
                if i == xs.count { return k(at, pa) }
                return walk(xs[i], at, pa, input, holds) { at2, pa2 in go(i + 1, at2, pa2) }
            }
            return go(0, pos, path)
        case .alt(let xs):
            for x in xs where walk(x, pos, path, input, holds, k) { return true }
            return false
        case .rep(let x, let lo, let hi, let reluctant):
            func go(_ n: Int, _ at: Int, _ pa: [(Int, String)]) -> Bool {
                let canStop = n >= lo
                let canMore = hi.map { n < $0 } ?? true
                func more() -> Bool {
                    guard canMore else { return false }
                    // A repetition that consumes nothing cannot loop (as the matcher's closure).
                    return walk(x, at, pa, input, holds) { at2, pa2 in at2 > at || n < lo ? go(n + 1, at2, pa2) : false }
                }
                if reluctant {
                    if canStop && k(at, pa) { return true }
                    return more()
                }
                if more() { return true }
                return canStop && k(at, pa)
            }
            return go(0, pos, path)
        }
    }

    func bruteForce(_ p: P, _ input: [Int64], skipNext: Bool, holds: (String, Int64) -> Bool) -> [[(Int, String)]] {
        var out: [[(Int, String)]] = []
        var start = 0
        while start < input.count {
            var found: [(Int, String)]? = nil
            _ = walk(p, start, [], input, holds) { _, path in
                if path.isEmpty { return false }
                found = path
                return true
            }
            if let f = found {
                out.append(f)
                start = skipNext ? start + 1 : f.last!.0 + 1
            } else {
                start += 1
            }
        }
        return out
    }

    func testMatcherAgreesWithBruteForce() throws {
        var rng = SplitMix(seed: 2024)
        var compared = 0, withMatches = 0
        for caseNo in 0..<(Int(ProcessInfo.processInfo.environment["MR_CASES"] ?? "") ?? 2500) {
            let pattern = randomPattern(&rng, depth: 0)
            let input = (0..<(1 + Int(rng.next() % 9))).map { _ in Int64(1 + rng.next() % 3) }
            let skipNext = rng.next() % 2 == 0
            let undefinedC = rng.next() % 4 == 0
            let used = Set(pattern.sql.filter { "ABC".contains($0) })
            let defs = ["A AS k = 1", "B AS k <= 2", "C AS k = 3"].filter { d in
                used.contains(d.first!) && !(d.first == "C" && undefinedC)
            }
            func holds(_ s: String, _ k: Int64) -> Bool {
                switch s {
                case "A": return k == 1
                case "B": return k <= 2
                default: return undefinedC || k == 3
                }
            }
            let expected = bruteForce(pattern, input, skipNext: skipNext, holds: holds)
            let sql = """
                SELECT * FROM stream MATCH_RECOGNIZE (ORDER BY ts MEASURES CLASSIFIER() AS c, MATCH_NUMBER() AS mn
                ALL ROWS PER MATCH AFTER MATCH SKIP \(skipNext ? "TO NEXT ROW" : "PAST LAST ROW")
                PATTERN (\(pattern.sql))\(defs.isEmpty ? "" : " DEFINE " + defs.joined(separator: ", ")))
                """
            let engine = Engine()
            let q: Query
            do { q = try engine.execute(sql) } catch {
                // Only patterns the compiler refuses as too large may fail; none of these are.
                XCTFail("case \(caseNo): \(error)\n\(sql)"); return
            }
            let c = Collected()
            q.addSink(c.add)
            for (i, k) in input.enumerated() { engine.emitSync(["ts": .int(Int64(i)), "k": .int(k)]) }
            engine.finish()
            var got: [[(Int, String)]] = []
            var lastMatch: Int64 = -1
            for r in c.all {
                let mn = r["mn"]!.asInt!
                if mn != lastMatch { got.append([]); lastMatch = mn }
                got[got.count - 1].append((Int(r["ts"]!.asInt!), r["c"]!.asString!))
            }
            let show = { (m: [[(Int, String)]]) in m.map { $0.map { "\($0.0)\($0.1)" }.joined(separator: " ") }.joined(separator: " | ") }
            XCTAssertEqual(show(got), show(expected), "case \(caseNo): PATTERN (\(pattern.sql)) skip \(skipNext ? "next" : "past") input \(input)")
            if show(got) != show(expected) { return }
            compared += 1
            if !expected.isEmpty { withMatches += 1 }
        }
        XCTAssertEqual(compared, Int(ProcessInfo.processInfo.environment["MR_CASES"] ?? "") ?? 2500)
        XCTAssertGreaterThan(withMatches, 1000, "the random cases must exercise matching, not only misses")
    }
}

final class MatchRecognizeTests: XCTestCase {
    func rows(_ sql: String, _ events: [OrderedDictionary<String, Value>], flush: Bool = true) throws -> [OrderedDictionary<String, Value>] {
        let engine = Engine()
        let q = try engine.execute(sql)
        let c = Collected()
        q.addSink(c.add)
        for e in events { engine.emitSync(e) }
        if flush { engine.finish() }
        return c.all
    }

    func testPathologicalPatternStaysBounded() throws {
        var o = EngineOptions()
        o.maxPartitions = 1000
        let engine = Engine(options: o)
        let q = try engine.execute("SELECT * FROM stream MATCH_RECOGNIZE (ORDER BY ts MEASURES COUNT(*) AS n PATTERN ((A | B)* C) DEFINE A AS v > 0, B AS v > 1, C AS v < 0)")
        for i in 0..<3_000 { engine.emitSync(["ts": .int(Int64(i)), "v": .int(Int64(i % 5 + 1))]) }
        let s = q.stateSize
        XCTAssertLessThanOrEqual(s.openWindows, 1_000, "partial matches are capped")
        XCTAssertLessThanOrEqual(s.bufferedRows, 100_000)
        XCTAssertGreaterThan(q.metrics.evicted, 0, "what the cap dropped is counted")
    }

    func testWithinExpiresIdlePartitions() throws {
        let engine = Engine()
        let q = try engine.execute("SELECT * FROM stream MATCH_RECOGNIZE (PARTITION BY d ORDER BY ts MEASURES COUNT(*) AS n PATTERN (A+) WITHIN '1s' DEFINE A AS v > 0)")
        let c = Collected(); q.addSink(c.add)
        engine.emitSync(["d": "quiet", "ts": 0, "v": 1])
        engine.emitSync(["d": "quiet", "ts": 100, "v": 1])
        for i in 0..<5000 { engine.emitSync(["d": "busy", "ts": .int(Int64(2000 + i)), "v": 0]) }
        XCTAssertEqual(c.all.map { $0["n"]! }, [2], "the quiet partition's run is final once WITHIN has passed elsewhere")
    }

    func testPlanErrors() {
        let engine = Engine()
        func err(_ sql: String) -> String { do { _ = try engine.execute(sql); return "" } catch { return error.message } }
        XCTAssertTrue(err("SELECT * FROM stream MATCH_RECOGNIZE (ORDER BY ts PATTERN (A) DEFINE B AS v > 0)").contains("does not appear in PATTERN"))
        XCTAssertTrue(err("SELECT * FROM stream MATCH_RECOGNIZE (PATTERN (A) DEFINE A AS v > 0)").contains("ORDER BY"))
        XCTAssertTrue(err("SELECT * FROM stream MATCH_RECOGNIZE (ORDER BY ts DESC PATTERN (A) DEFINE A AS v > 0)").contains("DESC"))
        XCTAssertTrue(err("SELECT * FROM stream MATCH_RECOGNIZE (ORDER BY ts PATTERN (A B) DEFINE A AS NEXT(v) > 0)").contains("NEXT"))
        XCTAssertTrue(err("SELECT x FROM stream MATCH_RECOGNIZE (ORDER BY ts MEASURES COUNT(*) AS n PATTERN (A) DEFINE A AS v > 0)").contains("not a measure"))
        XCTAssertTrue(err("SELECT * FROM stream MATCH_RECOGNIZE (ORDER BY ts PATTERN (A{2000}{2000}) DEFINE A AS v > 0)").contains("too large"))
        XCTAssertTrue(err("SELECT * FROM stream MATCH_RECOGNIZE (ORDER BY ts PATTERN (A{3,1}) DEFINE A AS v > 0)").contains("below the minimum"))
    }

    func testAnchorsAndSkipToFirst() throws {
        let r = try rows("SELECT * FROM stream MATCH_RECOGNIZE (ORDER BY ts MEASURES COUNT(*) AS n PATTERN (^ A+) DEFINE A AS v > 0)",
                         [["ts": 1, "v": 1], ["ts": 2, "v": 1], ["ts": 3, "v": 0], ["ts": 4, "v": 1]])
        XCTAssertEqual(r.map { $0["n"]! }, [2], "^ matches only at the partition's first row")
        let r2 = try rows("SELECT * FROM stream MATCH_RECOGNIZE (ORDER BY ts MEASURES FIRST(ts) AS s, COUNT(*) AS n AFTER MATCH SKIP TO FIRST B PATTERN (A B) DEFINE A AS v > 0, B AS v > 0)",
                          [["ts": 1, "v": 1], ["ts": 2, "v": 1], ["ts": 3, "v": 1]])
        XCTAssertEqual(r2.map { $0["s"]! }, [1, 2])
        let r3 = try rows("SELECT * FROM stream MATCH_RECOGNIZE (ORDER BY ts MEASURES COUNT(*) AS n PATTERN (A+ $) DEFINE A AS v > 0)",
                          [["ts": 1, "v": 1], ["ts": 2, "v": 1]])
        XCTAssertEqual(r3.map { $0["n"]! }, [2], "$ completes at end of input")
    }

    func testDefineAggregatesAndNavigation() throws {
        // A run whose running sum stays under 10, then a drop below the run's first value.
        let r = try rows("""
            SELECT * FROM stream MATCH_RECOGNIZE (ORDER BY ts
              MEASURES FIRST(A.v) AS first_v, LAST(A.v) AS last_v, SUM(A.v) AS total, B.v AS dropped
              PATTERN (A+ B) DEFINE A AS SUM(A.v) < 10 AND v >= PREV(v, 1), B AS v < FIRST(A.v))
            """, [["ts": 1, "v": 2], ["ts": 2, "v": 3], ["ts": 3, "v": 4], ["ts": 4, "v": 1]])
        XCTAssertEqual(r.count, 1)
        XCTAssertEqual(r[0]["first_v"], 3, "the first row has no PREV, so A starts at the second")
        XCTAssertEqual(r[0]["total"], 7)
        XCTAssertEqual(r[0]["dropped"], 1)
    }
}

/// Found by the fuzzer (Tests/StreamSQLTests/Fuzz/Repros/within-time-overflow.txt): WITHIN subtracted event
/// times taken from the data, and times about 290 years apart on both sides of 1970 overflowed Int64 (a trap).
final class MatchRecognizeWithinOverflowTests: XCTestCase {
    func testEventTimesFarApartExpireAPartialMatchInsteadOfTrapping() throws {
        let engine = Engine(options: EngineOptions(clock: ManualClock(start: 0)))
        engine.createStream("s")
        let q = try engine.execute("""
            SELECT * FROM s MATCH_RECOGNIZE (ORDER BY ts MEASURES COUNT(*) AS n ONE ROW PER MATCH
              PATTERN (A B+) WITHIN '1h' DEFINE A AS k = 1, B AS k = 2)
            """)
        XCTAssertNil(engine.emit(jsonLine: #"{"ts": -8900000000000.0, "k": 1}"#, to: "s", sync: true))
        // 8.9e18 − (−8.9e18) ns does not fit in Int64: far over the hour, so A's partial match is dropped.
        XCTAssertNil(engine.emit(jsonLine: #"{"ts": 8900000000000.0, "k": 2}"#, to: "s", sync: true))
        engine.tick()
        XCTAssertNil(engine.emit(jsonLine: #"{"ts": 8900000000001.0, "k": 1}"#, to: "s", sync: true))
        XCTAssertNil(engine.emit(jsonLine: #"{"ts": 8900000000002.0, "k": 2}"#, to: "s", sync: true))
        engine.finish()
        XCTAssertEqual(q.metrics.rowsOut, 1, "only the match within the hour")
        XCTAssertTrue(MatchRecognizeOperator.elapsed(from: .min, to: .max, over: 0))
        XCTAssertFalse(MatchRecognizeOperator.elapsed(from: .max, to: .min, over: 0))
        XCTAssertFalse(MatchRecognizeOperator.elapsed(from: 0, to: 10, over: 10))
        XCTAssertTrue(MatchRecognizeOperator.elapsed(from: 0, to: 11, over: 10))
    }
}
