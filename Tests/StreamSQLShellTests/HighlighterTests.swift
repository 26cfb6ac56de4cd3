import XCTest
@testable import StreamSQLShell

/// The input line's colours, without a terminal.
final class HighlighterTests: XCTestCase {
    let h: Highlighter = {
        var c = Completer.Catalog()
        c.streams = ["trades"]
        c.columns["trades"] = ["price", "symbol"]
        c.functions = ["avg"]
        return Highlighter(catalog: c, keywords: Repl.keywords)
    }()

    func strip(_ s: String) -> String { s.replacingOccurrences(of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression) }

    func testKindsGetTheirColoursAndTheTextIsUnchanged() {
        let line = "SELECT avg(price) AS mean, nosuch, 'x y', 3.5 FROM trades t WHERE t.symbol = \"A\" /* c */ -- done"
        let out = h.highlight(line)
        XCTAssertEqual(strip(out), line, "colours only")
        XCTAssertTrue(out.contains(Highlighter.keyword + "SELECT"))
        XCTAssertTrue(out.contains(Highlighter.unknown + "nosuch"))
        for known in ["avg", "price", "trades", "mean", "symbol"] { XCTAssertFalse(out.contains(Highlighter.unknown + known), known) }
        XCTAssertFalse(out.contains(Highlighter.unknown + "t "), "an alias is a name the statement defines")
        XCTAssertTrue(out.contains(Highlighter.string + "'x y'"))
        XCTAssertTrue(out.contains(Highlighter.string + "\"A\""))
        XCTAssertTrue(out.contains(Highlighter.number + "3.5"))
        XCTAssertTrue(out.contains(Highlighter.comment + " /* c */ -- done"))
    }

    func testTheWordBeingTypedAnOpenQuoteAndDotCommands() {
        XCTAssertFalse(h.highlight("SELECT pri").contains(Highlighter.unknown), "still being typed")
        XCTAssertTrue(h.highlight("SELECT pri ").contains(Highlighter.unknown + "pri"))
        XCTAssertTrue(h.highlight("SELECT 'open").contains(Highlighter.string + "'open"))
        XCTAssertEqual(h.highlight(".mode live"), ".mode live")
        XCTAssertFalse(h.highlight("CREATE STREAM s (a STRING, b INT)").contains(Highlighter.unknown))
    }
}
