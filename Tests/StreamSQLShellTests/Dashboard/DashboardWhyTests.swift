import Foundation
import OrderedCollections
import StreamSQL
import XCTest
@testable import StreamSQLShell

/// `w` in the detail view: the inputs that produced the row, from the query's lineage.
final class DashboardWhyTests: XCTestCase {
    func board(lineage: Bool) throws -> (Dashboard, Engine) {
        var o = EngineOptions()
        o.lineage = lineage
        let engine = Engine(options: o)
        engine.createStream("s")
        _ = try engine.run("CREATE QUERY r AS SELECT k, MAX(v) AS top, COUNT(*) AS n FROM s GROUP BY k, CountingWindow(3)")
        let q = try XCTUnwrap(engine.queries.first { $0.name == "r" })
        let panes = [Pane(spec: PaneSpec(name: "t", widget: .table, query: "r", options: ["columns": "k,top,n", "key": "k", "title": "Tops"]), query: q)]
        for (i, (k, v)) in [("a", 5), ("b", 1), ("a", 42), ("a", 7), ("b", 2), ("b", 3)].enumerated() {
            engine.emitSync(["k": .string(k), "v": .int(Int64(v)), "seq": .int(Int64(i))], to: "s")
        }
        return (Dashboard(engine: engine, panes: panes, groups: [Dashboard.Group(name: "", title: "why", columns: 1)]), engine)
    }

    func testWListsTheRowsOfTheWindowWithTheMaxRowMarked() throws {
        let (b, _) = try board(lineage: true)
        XCTAssertTrue(b.handle(Dashboard.keyDown))
        XCTAssertTrue(b.handle(13))
        var frame = b.snapshot(width: 100, height: 24)
        XCTAssertTrue(frame.contains("w why"), frame)
        let row = frame.contains("k: a") ? "a" : "b"
        XCTAssertTrue(b.handle(Int32(UInt8(ascii: "w"))))
        frame = b.snapshot(width: 100, height: 24)
        XCTAssertTrue(frame.contains("› why"), frame)
        let lines = frame.split(separator: "\n").map(String.init)
        let inputs = lines.filter { $0.contains("| window ") }
        XCTAssertEqual(inputs.count, 3, frame)
        let top = row == "a" ? "42" : "3"
        XCTAssertEqual(inputs.filter { $0.contains("max(v)") }.count, 1, frame)
        XCTAssertTrue(inputs.first { $0.contains("max(v)") }?.contains(" \(top) ") == true, frame)
        // `w` again shows the fields.
        XCTAssertTrue(b.handle(Int32(UInt8(ascii: "w"))))
        XCTAssertFalse(b.snapshot(width: 100, height: 24).contains("› why"))
    }

    func testWithoutLineageWSaysHowToGetIt() throws {
        let (b, _) = try board(lineage: false)
        XCTAssertTrue(b.handle(Dashboard.keyDown))
        XCTAssertTrue(b.handle(13))
        XCTAssertTrue(b.handle(Int32(UInt8(ascii: "w"))))
        XCTAssertTrue(b.snapshot(width: 100, height: 24).contains("SET lineage = on"))
    }
}
