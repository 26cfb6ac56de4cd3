import OrderedCollections
import StreamSQL
import XCTest
@testable import StreamSQLShell

/// Widgets draw results, which are outside data: a NaN, an infinity or a number beyond Int (a string
/// field "nan" or "1e400" reads as one) is drawn somehow, never a trap converting it to a position.
final class WidgetOverflowTests: XCTestCase {
    func testSparkLineWithNaNAndInfinities() {
        let line = Widgets.sparkLine([1, .nan, .infinity, -.infinity, 1e300, 2], width: 10, lo: nil, hi: nil)
        XCTAssertEqual(line.count, 6)
        XCTAssertEqual(Widgets.sparkLine([0, 5, 10], width: 3, lo: 0, hi: 10), "▁▅█", "in-range values as before")
        XCTAssertEqual(Widgets.sparkLine([.nan, .infinity], width: 2, lo: 0, hi: 10), "▁█")
    }

    func testTimelineWithHugeAndNaNSegments() throws {
        let engine = Engine()
        let q = try engine.execute("SELECT k, a, b FROM stream")
        let pane = Pane(spec: PaneSpec(name: "t", widget: .timeline, query: q.name, options: ["key": "k", "segments": "a,b"]), query: q)
        let rows: [OrderedDictionary<String, Value>] = [["k": "x", "a": "nan", "b": 1], ["k": "y", "a": "1e308", "b": "1e308"],
                                                        ["k": "z", "a": .double(-1e300), "b": 2]]
        let entries = rows.enumerated().map { PaneFeed.Entry(row: $0.element, seq: $0.offset, batch: 0) }
        var frame = Frame(width: 60, height: 5)
        TimelineWidget.render(pane, rows: entries, total: entries.count, in: Rect(x: 0, y: 0, w: 60, h: 5), into: &frame)
    }

    func testRatesPrintWithoutTrapping() {
        XCTAssertEqual(Dashboard.human(12.4), "12")
        XCTAssertEqual(Dashboard.human(.nan), "nan")
        XCTAssertFalse(Dashboard.human(-1e30).isEmpty)
    }
}
