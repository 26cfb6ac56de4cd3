import OrderedCollections
import XCTest
@testable import StreamSQL

/// When analytic functions in the select list advance relative to WHERE. The reference
/// (stream.applyWhereAndAnalytic in rulego/streamsql v1.1.2): if WHERE calls an analytic function,
/// every analytic call of the query is evaluated on every row before the filter; if it does not, the
/// select list's calls see only the rows that pass WHERE.
final class AnalyticWhereTests: XCTestCase {
    func run(_ sql: String, _ events: [OrderedDictionary<String, Value>]) throws -> [OrderedDictionary<String, Value>] {
        let engine = Engine()
        let q = try engine.execute(sql)
        var rows: [OrderedDictionary<String, Value>] = []
        for e in events { rows += engine.emitSync(e)[q.name]?.objects ?? [] }
        return rows
    }

    /// x goes 1, 1, 2 for device a: the second row is dropped by had_changed, yet lag still sees it.
    /// Device b interleaves so partitions matter.
    func testLagInSelectSeesRowsThatWhereDropsWhenWhereIsAnalytic() throws {
        let rows = try run(
            "SELECT k, x, lag(y) OVER (PARTITION BY k) AS prev FROM stream WHERE had_changed(true, x) OVER (PARTITION BY k)",
            [["k": "a", "x": 1, "y": 10], ["k": "b", "x": 5, "y": 50], ["k": "a", "x": 1, "y": 11],
             ["k": "b", "x": 5, "y": 51], ["k": "a", "x": 2, "y": 12], ["k": "b", "x": 6, "y": 52]])
        XCTAssertEqual(rows.map { $0["k"] ?? .null }, ["a", "b", "a", "b"])
        // a's third row: the previous y of its partition is 11 (the dropped row), not 10.
        XCTAssertEqual(rows.map { $0["prev"] ?? .null }, [.null, .null, 11, 51])
    }

    /// acc_count in the select list counts every row of the partition when WHERE is analytic.
    func testAccumulatorInSelectCountsEveryRowWhenWhereIsAnalytic() throws {
        let rows = try run(
            "SELECT x, acc_count(x) AS n FROM stream WHERE had_changed(true, x)",
            [["x": 1], ["x": 1], ["x": 1], ["x": 2]])
        XCTAssertEqual(rows.map { $0["n"] ?? .null }, [1, 4])
    }

    /// With a plain WHERE the select list's lag sees only the rows that pass it, as in the reference.
    func testLagInSelectSkipsFilteredRowsWhenWhereIsPlain() throws {
        let rows = try run(
            "SELECT x, lag(x) AS prev FROM stream WHERE x > 0",
            [["x": 1], ["x": -5], ["x": 2]])
        XCTAssertEqual(rows.map { $0["prev"] ?? .null }, [.null, 1])
    }
}
