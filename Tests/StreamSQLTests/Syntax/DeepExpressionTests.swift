import XCTest
@testable import StreamSQL

/// Expressions as deep as a user can make them: every pass over an expression (parser, binder,
/// compiler, canonical text, EXPLAIN, the Flink translator) recurses along its height, so the height is
/// refused past a limit with an error instead of running out of stack. Chains such as `a + a + … + a`
/// are built in a loop and used to crash the binder at ~5,000 operands.
final class DeepExpressionTests: XCTestCase {
    /// 100,000-operand chains of each operator, each as a select item and (where boolean) in WHERE.
    static var chains: [(String, (Int) -> String)] { [
        ("+", { n in repeatElement("a", count: n).joined(separator: " + ") }),
        ("-", { n in repeatElement("a", count: n).joined(separator: " - ") }),
        ("*", { n in repeatElement("a", count: n).joined(separator: " * ") }),
        ("AND", { n in repeatElement("a > 0", count: n).joined(separator: " AND ") }),
        ("OR", { n in repeatElement("a > 0", count: n).joined(separator: " OR ") }),
        ("||", { n in repeatElement("s", count: n).joined(separator: " || ") }),
        ("=", { n in repeatElement("a", count: n).joined(separator: " = ") }),
        ("<", { n in repeatElement("a", count: n).joined(separator: " < ") }),
        ("IS NULL", { n in "a" + String(repeating: " IS NULL", count: n) }),
        (".field", { n in "o" + String(repeating: ".f", count: n) }),
        ("[i]", { n in "o" + String(repeating: "[0]", count: n) }),
        ("LIKE", { n in repeatElement("s", count: n).joined(separator: " LIKE ") }),
        ("IN", { n in "a" + String(repeating: " IN (1, 2)", count: n) }),
        ("BETWEEN", { n in "a" + String(repeating: " BETWEEN 0 AND 9", count: n) }),
        ("NOT", { n in String(repeating: "NOT ", count: n) + "a" }),
        ("unary -", { n in String(repeating: "- ", count: n) + "a" }),
        ("( )", { n in String(repeating: "(", count: n) + "a" + String(repeating: ")", count: n) }),
        ("call", { n in String(repeating: "abs(", count: n) + "a" + String(repeating: ")", count: n) }),
        ("CASE", { n in String(repeating: "CASE WHEN a > 0 THEN ", count: n) + "1" + String(repeating: " END", count: n) }),
        ("[ ]", { n in String(repeating: "[", count: n) + "a" + String(repeating: "]", count: n) }),
    ] }

    func expectTooDeep(_ sql: String, _ label: String, file: StaticString = #filePath, line: UInt = #line) {
        let engine = Engine()
        do {
            _ = try engine.run(sql)
            XCTFail("\(label): expected an error for a 100,000-operand chain", file: file, line: line)
        } catch {
            XCTAssertTrue(error.message.contains("too deep") || error.message.contains("too deeply")
                          || error.message.contains("levels deep"), "\(label): \(error.message)", file: file, line: line)
            XCTAssertNotNil(error.location, "\(label): the error points into the statement", file: file, line: line)
        }
    }

    func testLongChainsOfEveryOperatorAreRefusedInEveryStatementKind() {
        for (label, chain) in Self.chains {
            expectTooDeep("SELECT \(chain(100_000)) AS x FROM stream", label)
            // 5,000 operands crashed the binder before; longer chains only take longer to lex.
            let e = chain(5_000)
            expectTooDeep("SELECT a FROM stream WHERE \(e)", label + " in WHERE")
            expectTooDeep("EXPLAIN SELECT \(e) AS x FROM stream", label + " in EXPLAIN")
            expectTooDeep("EXPLAIN FLINK SELECT \(e) AS x FROM stream", label + " in EXPLAIN FLINK")
            expectTooDeep("CREATE FUNCTION f(a, s, o) AS \(e)", label + " in CREATE FUNCTION")
        }
    }

    func testTheErrorPointsWhereTheLimitWasCrossed() throws {
        let sql = "SELECT " + repeatElement("a", count: 1_000).joined(separator: " + ") + " AS x FROM stream"
        do {
            _ = try Engine().run(sql)
            XCTFail("expected an error")
        } catch {
            let column = try XCTUnwrap(error.location?.column)
            // Operand i (from 0) starts at column 8 + 4·i; the limit is crossed at operand maxDepth.
            XCTAssertEqual(column, 8 + 4 * Parser.maxDepth)
        }
    }

    /// A chain just under the limit runs, and computes what it says, through every pass.
    func testChainsBelowTheLimitRunThroughEveryPass() throws {
        let n = Parser.maxDepth - 10
        let sum = repeatElement("a", count: n).joined(separator: " + ")
        let all = repeatElement("a > 0", count: n).joined(separator: " AND ")
        let path = "o" + String(repeating: ".f", count: n - 1)
        var nested: Value = .int(7)
        for _ in 0..<(n - 1) { nested = .object(["f": nested]) }
        let engine = Engine()
        let q = try engine.execute("SELECT \(sum) AS total, \(path) AS deep FROM stream WHERE \(all)")
        let c = Collected()
        q.addSink(c.add)
        engine.emitSync(["a": 3, "o": nested], to: q.streamName)
        engine.emitSync(["a": -1, "o": nested], to: q.streamName)
        engine.finish()
        XCTAssertEqual(c.all.count, 1)
        XCTAssertEqual(c.all.first?["total"], .int(Int64(3 * n)))
        XCTAssertEqual(c.all.first?["deep"], .int(7))

        guard case .table(_, let rows) = try engine.run("EXPLAIN SELECT \(sum) AS total FROM stream WHERE \(all)") else {
            return XCTFail("EXPLAIN gives a table")
        }
        XCTAssertFalse(rows.isEmpty)
        // EXPLAIN FLINK of the same chains: StreamSQLFlinkTests.testChainsBelowTheDepthLimitTranslate.
        guard case .select(let s) = try Parser.parse("SELECT \(sum) AS total FROM stream") else { return XCTFail() }
        XCTAssertEqual(s.items[0].expr.height, n)
        XCTAssertEqual(s.items[0].expr.canonical.filter { $0 == "+" }.count, n - 1)
    }

    func testStackedPatternQuantifiersAreRefused() {
        let q = String(repeating: "{1}", count: 100_000)
        let sql = """
            SELECT * FROM stream MATCH_RECOGNIZE (ORDER BY ts MEASURES COUNT(*) AS n
              PATTERN (A\(q)) DEFINE A AS v > 0)
            """
        do {
            _ = try Engine().run(sql)
            XCTFail("expected an error")
        } catch {
            XCTAssertTrue(error.message.contains("nested too deeply"), error.message)
        }
    }

    // MARK: SQL-defined functions

    /// Four calls of the previous function at each level used to expand 4¹² copies at plan time (48 s,
    /// 2.4 GB); now the expansion stops at `PlanLimits.maxNodes` with an error naming the function.
    func testExponentialExpansionOfSQLFunctionsIsRefusedNamingTheFunction() throws {
        let engine = Engine()
        try engine.run("CREATE FUNCTION f0(x) AS x + 1")
        var refusedAt: Int?
        for i in 1...12 {
            let p = "f\(i - 1)(x)"
            do {
                try engine.run("CREATE FUNCTION f\(i)(x) AS \(p) + \(p) + \(p) + \(p)")
            } catch {
                XCTAssertTrue(error.message.contains("f\(i - 1)") && error.message.contains("\(PlanLimits.maxNodes)"), error.message)
                refusedAt = i
                break
            }
        }
        // fᵢ expands to 4ⁱ⁺¹ − 1 nodes (four copies of fᵢ₋₁ and three additions), so f8 (262,143) is the first over.
        XCTAssertEqual(refusedAt, 8)
        // The functions below the limit still work.
        let q = try engine.execute("SELECT f3(a) AS y FROM stream")
        let c = Collected()
        q.addSink(c.add)
        engine.emitSync(["a": 1], to: q.streamName)
        engine.finish()
        XCTAssertEqual(c.all.first?["y"], .int(128))
    }

    func testFunctionsNestedPastTheHeightLimitAreRefused() throws {
        let engine = Engine()
        let body = repeatElement("x", count: 150).joined(separator: " + ")
        try engine.run("CREATE FUNCTION h(x) AS \(body)")
        XCTAssertNoThrow(try engine.execute("SELECT h(a) AS w FROM stream"))
        do {
            _ = try engine.execute("SELECT h(h(a)) AS w FROM stream")
            XCTFail("expected an error")
        } catch {
            XCTAssertTrue(error.message.contains("h(…)") && error.message.contains("\(PlanLimits.maxHeight) levels"), error.message)
        }
    }
}
