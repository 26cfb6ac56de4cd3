import Foundation
import StreamSQL
import XCTest
@testable import StreamSQLShell

/// Tab completion by context, without a terminal (`CompletionTmuxTests` drives the same through readline).
final class CompletionTests: XCTestCase {
    let completer = Completer(catalog: .init(
        streams: ["trades", "sensors"], tables: ["products"], queries: ["hot"], functions: ["avg", "count", "upper"],
        columns: ["trades": ["price", "symbol", "qty"], "sensors": ["device", "temp"], "products": ["sku", "name"], "hot": ["device", "temp"]],
        panes: ["p1"]))

    func complete(_ line: String, after: String = "") -> [String] {
        let word = String(line.reversed().prefix { !" \t\n(),+*%=".contains($0) }.reversed())
        let before = String(line.dropLast(word.count))
        return completer.candidates(before: before, after: after, word: word).filter { $0.lowercased().hasPrefix(word.lowercased()) }
    }

    func testSQLContexts() {
        XCTAssertEqual(Set(complete("SHOW ")), Set(Completer.showables))
        XCTAssertEqual(Set(complete("SELECT * FROM ")), ["trades", "sensors", "products"])
        XCTAssertEqual(Set(complete("SELECT * FROM trades t JOIN ")), ["trades", "sensors", "products"])
        XCTAssertEqual(Set(complete("SELECT * FROM trades t JOIN products p ON p.")), ["p.sku", "p.name"])
        XCTAssertEqual(Set(complete("SELECT t.")), [], "no source named t yet")
        XCTAssertEqual(Set(complete("SELECT t.", after: " FROM trades AS t")), ["t.price", "t.symbol", "t.qty"])
        XCTAssertEqual(Set(complete("SELECT * FROM sensors WHERE te")), ["temp"])
        XCTAssertFalse(complete("SELECT * FROM sensors WHERE ").contains("price"), "columns of other streams are not offered")
        XCTAssertTrue(complete("SELECT pr", after: " FROM trades").contains("price"))
        XCTAssertEqual(complete("SELECT avg(pri", after: ") FROM trades"), ["price", "PRIMARY"])
        XCTAssertFalse(complete("SELECT avg(t", after: ") FROM trades").contains("temp"))
        XCTAssertEqual(Set(complete("DROP STREAM ")), ["trades", "sensors"])
        XCTAssertEqual(Set(complete("STOP QUERY ")), ["hot"])
        XCTAssertEqual(Set(complete("DESCRIBE EXTENDED ")), ["STREAM", "TABLE", "QUERY", "trades", "sensors", "products", "hot"])
        XCTAssertEqual(complete("INSERT INTO s"), ["sensors"])
        // Across the lines of an unfinished statement.
        XCTAssertEqual(complete("SELECT *\nFROM trades\nWHERE sy"), ["symbol"])
        // A string holding FROM is not a source.
        XCTAssertEqual(complete("SELECT 'FROM ' || "), complete("SELECT "))
    }

    func testDotCommandArguments() {
        XCTAssertEqual(complete(".gen fr"), ["fraud"])
        XCTAssertEqual(Set(complete(".mode c")), ["csv", "changelog"])
        XCTAssertFalse(complete(".mode c").contains("count"), "no function names in .mode")
        XCTAssertEqual(complete(".set mo"), ["mode"])
        XCTAssertEqual(complete(".set mode ve"), ["vertical"])
        XCTAssertEqual(complete(".set back_pressure drop-o"), ["drop-oldest"])
        XCTAssertEqual(complete(".pane a"), ["add"])
        XCTAssertEqual(complete(".pane add h ba"), ["bars"])
        XCTAssertEqual(complete(".pane add h bars h"), ["hot"])
        XCTAssertTrue(complete(".pane add h table hot ").contains("title="))
        XCTAssertEqual(Set(complete(".pane add h bars hot value=")), ["device", "temp"])
        XCTAssertEqual(complete(".pane drop "), ["p1"])
        XCTAssertEqual(complete(".replay x.jsonl INTO tr"), ["trades"])
        XCTAssertEqual(complete(".help mo"), ["mode"])
        XCTAssertEqual(complete(".whatif h"), ["hot"])
        XCTAssertEqual(complete(".whatif hot AS SELECT * FROM s"), ["sensors"])
        XCTAssertEqual(complete(".ti"), [".timer"])
    }
}
