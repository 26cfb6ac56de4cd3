import OrderedCollections
import StreamSQL
import XCTest
@testable import StreamSQLShell

/// `.mode live`'s model: one row per key replaced in place, retractions remove, changed cells highlighted
/// for a while, sorting and paging.
final class LiveTableTests: XCTestCase {
    func row(_ k: String, _ n: Int64) -> OrderedDictionary<String, Value> { ["k": .string(k), "n": .int(n)] }

    func testUpdatesReplaceTheirKeyAndRetractionsRemoveIt() {
        var t = LiveTable(title: "q", columns: ["k", "n"], keyColumns: ["k"])
        t.apply(row("a", 1), kind: .update, now: 0)
        t.apply(row("b", 1), kind: .update, now: 0)
        t.apply(row("a", 1), kind: .retract, now: 1)
        t.apply(row("a", 2), kind: .update, now: 1)
        t.settle()
        XCTAssertEqual(t.rows.count, 2)
        XCTAssertEqual(t.ordered().map { $0.cells["n"] }, [.int(2), .int(1)])
        t.apply(row("b", 1), kind: .retract, now: 2)
        XCTAssertEqual(t.ordered().count, 1, "a retracted row is hidden at once")
        t.settle()
        XCTAssertEqual(t.rows.count, 1)
        XCTAssertEqual(t.ordered().map { $0.cells["k"] }, [.string("a")])
        XCTAssertEqual(t.updates, 5)
    }

    func testOnlyChangedCellsAreHighlightedAndOnlyForAWhile() {
        var t = LiveTable(title: "q", columns: ["k", "n"], keyColumns: ["k"])
        t.apply(row("a", 1), kind: .final, now: 0)
        t.apply(row("a", 2), kind: .final, now: 10)
        let lines = t.lines(width: 80, height: 10, now: 10.5, color: true)
        XCTAssertEqual(lines.count, 4)
        let body = lines[3]
        XCTAssertFalse(body.hasPrefix("\u{1B}[7m"), "the key did not change: \(body)")
        XCTAssertTrue(body.contains("\u{1B}[7m"), "the count did: \(body)")
        XCTAssertFalse(t.lines(width: 80, height: 10, now: 20, color: true)[3].contains("\u{1B}[7m"))
        XCTAssertFalse(t.lines(width: 80, height: 10, now: 10.5, color: false)[3].contains("\u{1B}"))
    }

    func testSortingPagingAndTheWidth() {
        var t = LiveTable(title: "q", columns: ["k", "n"], keyColumns: ["k"])
        for i in 0..<25 { t.apply(row("key\(i)", Int64((i * 7) % 25)), kind: .final, now: 0) }
        t.sort(by: 1)
        XCTAssertEqual(t.ordered().prefix(3).map { $0.cells["n"] }, [.int(0), .int(1), .int(2)])
        t.sort(by: 1)
        XCTAssertEqual(t.ordered().first?.cells["n"], .int(24))
        // 14 rows of screen: 10 of rows. Three pages; paging stops at the last.
        XCTAssertTrue(t.lines(width: 200, height: 14, now: 0, color: false)[0].contains("page 1/3"))
        t.page(5, height: 10)
        let last = t.lines(width: 200, height: 14, now: 0, color: false)
        XCTAssertTrue(last[0].contains("page 3/3"), last[0])
        XCTAssertEqual(last.count, 3 + 5)
        t.page(-1, height: 10)
        XCTAssertTrue(t.lines(width: 200, height: 14, now: 0, color: false)[0].contains("page 2/3"))
        for l in t.lines(width: 12, height: 14, now: 0, color: false) { XCTAssertLessThanOrEqual(l.count, 12, l) }
    }

    func testRowsWithoutKeysKeepTheNewestFirstAndAreBounded() {
        var t = LiveTable(title: "q", columns: ["k", "n"], keyColumns: [], capacity: 3)
        for i in 0..<5 { t.apply(row("x", Int64(i)), kind: .final, now: 0) }
        XCTAssertEqual(t.ordered().map { $0.cells["n"] }, [.int(4), .int(3), .int(2)])
    }

    func testKeysReadEscapeSequencesWhole() {
        var bytes = Array("\u{1B}[6~\u{1B}[5~2x\u{1B}[Aq".utf8)
        var keys: [LiveView.Key] = []
        while let k = LiveView.Key.next(&bytes) { keys.append(k) }
        XCTAssertEqual(keys, [.page(1), .page(-1), .sort(1), .quit])
        var partial = Array("\u{1B}[6".utf8)
        XCTAssertNil(LiveView.Key.next(&partial))
        XCTAssertEqual(partial.count, 3, "an unfinished sequence waits for its end")
    }
}
