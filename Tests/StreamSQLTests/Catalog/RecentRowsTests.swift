import Foundation
import OrderedCollections
import XCTest
@testable import StreamSQL

/// A query started on a named query's results can first be shown that query's newest rows
/// (`Engine.showRecentRows`), bounded by `EngineOptions.replayRows`, through its own WHERE and SELECT.
final class RecentRowsTests: XCTestCase {
    func run(replayRows: Int, then sql: String) throws -> (shown: Int, rows: [OrderedDictionary<String, Value>]) {
        var o = EngineOptions()
        o.replayRows = replayRows
        let e = Engine(options: o)
        try e.run("CREATE STREAM s")
        try e.run("CREATE QUERY big AS SELECT k, v FROM s WHERE v > 10")
        for v in [5, 20, 30, 1, 40, 50, 60] { e.emitSync(["k": .string("k\(v)"), "v": .int(Int64(v))], to: "s") }
        guard case .query(let q) = try e.run(sql) else { throw StreamSQLError(.plan, "not a query") }
        let c = Collected()
        q.addSink(c.add)
        let shown = e.showRecentRows(to: q)
        e.emitSync(["k": .string("new"), "v": .int(70)], to: "s")
        e.stop(q)
        return (shown, c.all)
    }

    func testTheNewestRowsComeFirstThenNewOnes() throws {
        let r = try run(replayRows: 3, then: "SELECT * FROM big")
        XCTAssertEqual(r.shown, 3)
        XCTAssertEqual(r.rows.map { $0["v"] }, [40, 50, 60, 70])
    }

    func testTheyGoThroughTheQuerysOwnFilter() throws {
        let r = try run(replayRows: 10, then: "SELECT k FROM big WHERE v >= 50")
        XCTAssertEqual(r.shown, 5, "five rows of big were replayed into the query")
        XCTAssertEqual(r.rows.map { $0["k"] }, ["k50", "k60", "new"])
    }

    func testNothingIsKeptByDefaultOrForOrdinaryStreams() throws {
        XCTAssertEqual(try run(replayRows: 0, then: "SELECT * FROM big").rows.map { $0["v"] }, [70])
        let plain = try run(replayRows: 10, then: "SELECT * FROM s")
        XCTAssertEqual(plain.shown, 0)
        XCTAssertEqual(plain.rows.map { $0["v"] }, [70])
    }
}
