import XCTest
@testable import StreamSQL

final class ParserTests: XCTestCase {
    func parseError(_ sql: String, file: StaticString = #filePath, line: UInt = #line) -> StreamSQLError? {
        do {
            _ = try Parser.parse(sql)
            XCTFail("expected a syntax error for: \(sql)", file: file, line: line)
            return nil
        } catch {
            return error
        }
    }

    func testParsesTheWholeGrammar() throws {
        let statements = [
            "SELECT a, b AS c, d e, `f g`, 'lit', \"dq\" FROM stream",
            "SELECT * FROM stream WHERE a > 1 AND NOT (b < 2 OR c IS NOT NULL) AND d IN (1, 2) AND e NOT IN ('x')",
            "SELECT x FROM s WHERE y BETWEEN 1 AND 3 AND z NOT BETWEEN -1 AND -0.5 AND n LIKE 'a%' AND m NOT LIKE '_b'",
            "SELECT CASE WHEN a > 1 THEN 'x' WHEN a > 0 THEN 'y' ELSE 'z' END AS k, CASE s WHEN 'on' THEN 1 END FROM stream",
            "SELECT CAST(a AS bigint), cast(b, 'string'), CAST(c AS VARCHAR(20)) FROM stream",
            "SELECT a.b.c, arr[0], m['k'], items[1].id, f(x)[2] FROM stream",
            "SELECT deviceId, AVG(t) FROM stream GROUP BY deviceId, TumblingWindow('5s') WITH (TIMESTAMP='ts', TIMEUNIT='ms', MAXOUTOFORDERNESS='2s') HAVING AVG(t) > 3 ORDER BY deviceId DESC LIMIT 10",
            "SELECT COUNT(*) AS c FROM stream GROUP BY SlidingWindow('30s', '10s')",
            "SELECT k, COUNT(DISTINCT v) FROM stream GROUP BY k, GLOBAL WINDOW TRIGGER WHEN COUNT(*) >= 3",
            "SELECT COUNT(*) FROM stream GLOBAL WINDOW TRIGGER WHEN COUNT(*) > 1",
            "SELECT lag(a, 1, 0) OVER (PARTITION BY k, j WHEN a > 0) AS p FROM stream",
            "SELECT s.a, t.name FROM stream s JOIN meta t ON s.id = t.id LEFT JOIN other o ON o.k = s.k WHERE t.x > 1",
            """
            SELECT * FROM stream MATCH_RECOGNIZE (
              PARTITION BY dev ORDER BY ts
              MEASURES FIRST(A.v) AS f, LAST(B.v) AS l, FINAL SUM(v) AS s, RUNNING COUNT(*) AS n, MATCH_NUMBER() AS mn
              ALL ROWS PER MATCH AFTER MATCH SKIP TO LAST B
              PATTERN (^ A B+? (C | D){2,4} E* F? PERMUTE(G, H) $)
              SUBSET S = (A, B)
              WITHIN 5 MINUTES
              DEFINE A AS v > PREV(v), B AS v < 10, End AS v = 0
            )
            """,
            "SELECT DISTINCT a FROM stream LIMIT 5;",
            "SELECT [1, 2, a] AS arr, {'k': a, \"j\": [b]} AS obj FROM stream",
            "select a from stream -- trailing comment",
            "SELECT /* block */ a FROM stream",
            "SELECT a || b, -a, +b, 1e3, .5, 3., 7 % 2 FROM stream",
        ]
        for s in statements {
            XCTAssertNoThrow(try Parser.parse(s), s)
        }
    }

    func testPrecedence() throws {
        guard case .select(let s) = try Parser.parse("SELECT 1 + 2 * 3 - 4 AS x FROM stream WHERE a OR b AND c") else { return XCTFail() }
        guard case .binary(.sub, let l, _) = s.items[0].expr.kind, case .binary(.add, _, let m) = l.kind,
              case .binary(.mul, _, _) = m.kind else { return XCTFail("arithmetic precedence") }
        guard case .binary(.or, _, let r) = s.whereClause!.kind, case .binary(.and, _, _) = r.kind else {
            return XCTFail("AND binds tighter than OR")
        }
    }

    func testNegativeLiteralsFold() throws {
        guard case .select(let s) = try Parser.parse("SELECT -5 AS a, -2.5 AS b FROM stream") else { return XCTFail() }
        guard case .literal(.int(-5)) = s.items[0].expr.kind, case .literal(.double(-2.5)) = s.items[1].expr.kind else {
            return XCTFail("negative literals")
        }
    }

    func testErrorsCarryPositionAndCaret() throws {
        let e = try XCTUnwrap(parseError("SELECT a,\n  b FRM stream"))
        XCTAssertEqual(e.location?.line, 2)
        XCTAssertEqual(e.location?.column, 5)
        XCTAssertTrue(e.message.contains("expected source identifier after FROM"), e.message)
        let r = e.rendered()
        XCTAssertTrue(r.contains("  b FRM stream\n      ^^^"), r)

        let e2 = try XCTUnwrap(parseError("SELECT * FROM stream WHERE id # 5"))
        XCTAssertTrue(e2.message.contains("unexpected character '#'"))
        XCTAssertEqual(e2.location?.column, 31)

        let e3 = try XCTUnwrap(parseError("SELECT a FROM stream WHERE (a > 1"))
        XCTAssertTrue(e3.message.contains("expected ')'"), e3.message)
        XCTAssertTrue(e3.message.contains("end of input"), e3.message)

        let e4 = try XCTUnwrap(parseError("SELECT 'abc FROM stream"))
        XCTAssertTrue(e4.message.contains("unterminated string"), e4.message)
        XCTAssertEqual(e4.location?.column, 8)

        let e5 = try XCTUnwrap(parseError("SELCT * FROM t"))
        XCTAssertEqual(e5.suggestions, ["SELECT"])

        let e6 = try XCTUnwrap(parseError("SELECT a FROM stream LIMIT abc"))
        XCTAssertTrue(e6.message.contains("LIMIT needs"), e6.message)

        let e7 = try XCTUnwrap(parseError("SELECT a FROM stream WHERE a > 1 WHERE b"))
        XCTAssertTrue(e7.message.contains("clauses go in the order"), e7.message)

        let e8 = try XCTUnwrap(parseError("SELECT a FROM stream GROUP BY k, GLOBAL WINDOW"))
        XCTAssertTrue(e8.message.lowercased().contains("trigger when"), e8.message)

        let e9 = try XCTUnwrap(parseError("SELECT CASE WHEN a THEN 1 FROM stream"))
        XCTAssertTrue(e9.message.contains("END"), e9.message)
    }

    func testCaretUnderMultibyteText() throws {
        let e = try XCTUnwrap(parseError("SELECT '温度' AS t, # FROM stream"))
        XCTAssertEqual(e.location?.column, 19)
        // The two wide characters take two terminal columns each, so the caret sits at display column 21.
        XCTAssertTrue(e.rendered().hasSuffix("\n" + String(repeating: " ", count: 22) + "^"), e.rendered())
    }

    func testDeepNestingIsAnErrorNotACrash() {
        let deep = String(repeating: "(", count: 100_000) + "1" + String(repeating: ")", count: 100_000)
        let e = parseError("SELECT \(deep) FROM stream")
        XCTAssertTrue(e?.message.contains("nested") ?? false)
        let nots = String(repeating: "NOT ", count: 50_000)
        XCTAssertNotNil(parseError("SELECT a FROM s WHERE \(nots) a"))
        let minus = String(repeating: "-", count: 50_000)
        XCTAssertNotNil(parseError("SELECT \(minus)1 FROM s"))
        let calls = String(repeating: "f(", count: 20_000) + "1" + String(repeating: ")", count: 20_000)
        XCTAssertNotNil(parseError("SELECT \(calls) FROM s"))
        let pattern = String(repeating: "(", count: 20_000) + "A" + String(repeating: ")", count: 20_000)
        XCTAssertNotNil(parseError("SELECT * FROM s MATCH_RECOGNIZE (ORDER BY ts PATTERN (\(pattern)) DEFINE A AS v > 0)"))
    }

    func testLargeGarbageIsRejectedQuickly() {
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789 ()*,.'\"`=<>+-/;[]{}\n\t#@!éあ")
        var s = ""
        s.reserveCapacity(10_000_000)
        for _ in 0..<10_000_000 { s.append(alphabet[Int(rng.next() % UInt64(alphabet.count))]) }
        let start = Date()
        XCTAssertThrowsError(try Parser.parse(s))
        XCTAssertThrowsError(try Parser.parse("SELECT " + s))
        XCTAssertLessThan(Date().timeIntervalSince(start), 30)
    }

    /// A few thousand random and mutated statements: every one parses or fails with an error that
    /// points inside the text. None may crash or hang.
    func testFuzzRandomAndMutatedStatements() {
        let seeds = [
            "SELECT deviceId, AVG(temperature) AS a FROM stream WHERE x > 1 GROUP BY deviceId, TumblingWindow('5s') HAVING a > 2 LIMIT 3",
            "SELECT CASE WHEN a IN (1,2) THEN 'x' ELSE CAST(b AS int) END FROM stream WHERE c LIKE 'a%' AND d BETWEEN 1 AND 2",
            "SELECT * FROM stream MATCH_RECOGNIZE (PARTITION BY k ORDER BY ts MEASURES LAST(A.v) AS p PATTERN (A{3} B+?) DEFINE A AS v > PREV(v))",
            "SELECT lag(v, 1) OVER (PARTITION BY k WHEN v > 0) AS p, items[0].name, m['k'] FROM s JOIN t ON s.a = t.b",
        ]
        let tokens = ["SELECT", "FROM", "WHERE", "(", ")", ",", "'", "\"", "`", "*", "AS", "CASE", "END", "OVER", "[", "]",
                      "{", "}", "|", "?", "+", "AND", "NOT", "IN", "1e", "9999999999999999999999", "--", "/*", "é", "\0"]
        var rng = SplitMix(seed: 7)
        var count = 0
        for i in 0..<4000 {
            var s = seeds[i % seeds.count]
            let muts = 1 + Int(rng.next() % 6)
            for _ in 0..<muts {
                var chars = Array(s.unicodeScalars)
                let pos = chars.isEmpty ? 0 : Int(rng.next() % UInt64(chars.count))
                switch rng.next() % 4 {
                case 0: if !chars.isEmpty { chars.remove(at: pos) }
                case 1: chars.insert(contentsOf: tokens[Int(rng.next() % UInt64(tokens.count))].unicodeScalars, at: pos)
                case 2: chars = Array(chars.prefix(pos))
                default: if !chars.isEmpty { chars.swapAt(pos, Int(rng.next() % UInt64(chars.count))) }
                }
                s = String(String.UnicodeScalarView(chars))
            }
            do {
                _ = try Parser.parse(s)
            } catch {
                XCTAssertFalse(error.message.isEmpty)
                if let loc = error.location { XCTAssertGreaterThanOrEqual(loc.line, 1) }
                _ = error.rendered()
            }
            count += 1
        }
        // Pure random token soup.
        for _ in 0..<1000 {
            let n = Int(rng.next() % 30)
            let s = (0..<n).map { _ in tokens[Int(rng.next() % UInt64(tokens.count))] }.joined(separator: " ")
            if let e = try? { () throws(StreamSQLError) in _ = try Parser.parse(s) }() { _ = e }
            count += 1
        }
        XCTAssertEqual(count, 5000)
    }

    func testDurations() {
        XCTAssertEqual(Durations.parse("500ms"), 500_000_000)
        XCTAssertEqual(Durations.parse("5s"), 5_000_000_000)
        XCTAssertEqual(Durations.parse("2m"), 120_000_000_000)
        XCTAssertEqual(Durations.parse("1h30m"), 5_400_000_000_000)
        XCTAssertEqual(Durations.parse("5 minutes"), 300_000_000_000)
        XCTAssertEqual(Durations.parse("1.5s"), 1_500_000_000)
        XCTAssertNil(Durations.parse("abc"))
        XCTAssertNil(Durations.parse("5"))
        XCTAssertNil(Durations.parse(""))
        XCTAssertNil(Durations.parse("-5s"))
        XCTAssertNil(Durations.parse("99999999999999d"))
    }
}

/// Deterministic generator for tests.
typealias SplitMix = SplitMix64
