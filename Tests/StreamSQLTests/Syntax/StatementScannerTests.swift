import StreamSQL
import XCTest

/// The one statement scanner: statements with their positions, commands with their lines, and what a
/// buffer leaves open.
final class StatementScannerTests: XCTestCase {
    func testStatementsCarryTheirTextAndWhereTheyStart() {
        let script = "CREATE STREAM s;\n  -- a note; not a statement\n  SELECT 'a;b', `x;y` FROM s\n  WHERE v > 1 ; ;\n"
        let scanned = StatementScanner.scan(script)
        XCTAssertEqual(scanned.items, [
            .statement("CREATE STREAM s", at: ScriptPosition(offset: 0, line: 1, column: 1)),
            .statement("SELECT 'a;b', `x;y` FROM s\n  WHERE v > 1", at: ScriptPosition(offset: 48, line: 3, column: 3)),
        ])
        XCTAssertTrue(scanned.isComplete)
        // Columns count characters, not bytes.
        let wide = StatementScanner.scan("SELECT 'é'; SELECT 2")
        XCTAssertEqual(wide.items.last, .statement("SELECT 2", at: ScriptPosition(offset: 13, line: 1, column: 13)))
        XCTAssertEqual(wide.unfinished, .statement)
    }

    func testEscapedQuotesAndCommentsHideSemicolons() {
        XCTAssertEqual(StatementScanner.scan(#"SELECT 'it''s; fine', 'a\'; b' FROM s; SELECT 1"#).statements,
                       [#"SELECT 'it''s; fine', 'a\'; b' FROM s"#, "SELECT 1"])
        XCTAssertEqual(StatementScanner.scan("SELECT 1 /* ; */ FROM s; -- ;\nSELECT \"a;\" FROM s;").statements,
                       ["SELECT 1 /* ; */ FROM s", "SELECT \"a;\" FROM s"])
        // A backslash does not escape inside backquotes.
        XCTAssertEqual(StatementScanner.scan(#"SELECT `a\` FROM s; SELECT 2;"#).statements, [#"SELECT `a\` FROM s"#, "SELECT 2"])
        // Text the parser refuses still splits: the error comes when the statement is parsed.
        XCTAssertEqual(StatementScanner.scan("SELECT 5s FROM s; SELECT # FROM t;").statements, ["SELECT 5s FROM s", "SELECT # FROM t"])
    }

    func testCommandsRunToTheEndOfTheirLineAtTheStartOfAStatement() {
        let scanned = StatementScanner.scan("CREATE STREAM s;\n.mode csv\r\n  .pane add p table q title='a;b'\nSELECT a\n.b FROM s;")
        XCTAssertEqual(scanned.items, [
            .statement("CREATE STREAM s", at: ScriptPosition(offset: 0, line: 1, column: 1)),
            .command(".mode csv", line: 2),
            .command(".pane add p table q title='a;b'", line: 3),
            .statement("SELECT a\n.b FROM s", at: ScriptPosition(offset: 62, line: 4, column: 1)),
        ])
        XCTAssertTrue(StatementScanner.scan(".help").isComplete)
    }

    func testWhatABufferLeavesOpen() {
        XCTAssertEqual(StatementScanner.scan("SELECT 1 +").unfinished, .statement)
        XCTAssertEqual(StatementScanner.scan("SELECT 'abc;").unfinished, .string)
        XCTAssertEqual(StatementScanner.scan("SELECT \"abc").unfinished, .string)
        XCTAssertEqual(StatementScanner.scan("SELECT `ab;").unfinished, .quotedIdentifier)
        XCTAssertEqual(StatementScanner.scan("SELECT 1; /* to be;").unfinished, .comment)
        XCTAssertEqual(StatementScanner.scan("SELECT 1 -- the end;").unfinished, .statement)
        XCTAssertNil(StatementScanner.scan("SELECT 1; -- done").unfinished)
        XCTAssertNil(StatementScanner.scan("SELECT 'it''s';").unfinished)
        XCTAssertNil(StatementScanner.scan("  \n-- only a comment\n").unfinished)
        XCTAssertEqual(StatementScanner.scan("  \n/* c */ ;; ").items, [])
        // The open statement is still an item: a script runs it, the shell waits for more.
        XCTAssertEqual(StatementScanner.scan("SELECT 'ab").statements, ["SELECT 'ab"])
    }

    func testErrorsInAScriptPointIntoTheFile() throws {
        let script = "CREATE STREAM s;\n\n-- three\n\n  SELECT upperr(k)\n  FROM s;\n"
        let engine = Engine()
        var rendered: [String] = []
        for case .statement(let text, let start) in StatementScanner.scan(script).items {
            do { _ = try engine.run(text) } catch {
                rendered.append(error.rendered(file: "demo.sql", script: script, statement: text, at: start))
            }
        }
        XCTAssertEqual(rendered, ["demo.sql:5:10: plan error: unknown function upperr (did you mean 'upper'?)\n    SELECT upperr(k)\n           ^^^^^^^^^"])
        // An error on a later line of the statement keeps its own column.
        let e = StreamSQLError(.plan, "bad", at: SourceRange(9, 10), in: "SELECT a\n  FROM s")
        XCTAssertEqual(e.rendered(file: "f.sql", script: "x;\tSELECT a\n  FROM s", statement: "SELECT a\n  FROM s",
                                  at: ScriptPosition(offset: 3, line: 1, column: 4)),
                       "f.sql:2:1: plan error: bad\n    FROM s\n  ^")
    }

    func testSuggestionsStayOnOneLine() {
        let e = StreamSQLError(.catalog, "unknown stream sensor", suggestions: ["sens\nors", "sens\tor"])
        XCTAssertEqual(e.suggestionText, #" (did you mean 'sens\nors' or 'sens\tor'?)"#)
        XCTAssertFalse(e.rendered().contains("\n"), e.rendered())
    }
}
