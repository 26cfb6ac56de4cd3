import Foundation
import OrderedCollections
import StreamSQL
import XCTest
@testable import StreamSQLShell

/// The row cursor, the detail view, Esc one level back, filter and sort in titles, and the log's header,
/// driven through the dashboard's key handler and read from text frames (no terminal).
final class DashboardNavigationTests: XCTestCase {
    var engine = Engine()

    /// A keyed table (`k`), a log and bars over one stream, laid out one pane per row.
    func board(rows n: Int) throws -> Dashboard {
        engine = Engine()
        engine.createStream("s")
        _ = try engine.run("CREATE QUERY r AS SELECT k, v, note, obj, arr FROM s")
        let q = try XCTUnwrap(engine.queries.first { $0.name == "r" })
        let panes = [
            Pane(spec: PaneSpec(name: "t", widget: .table, query: "r", options: ["columns": "k,v", "key": "k", "title": "Keyed"]), query: q),
            Pane(spec: PaneSpec(name: "l", widget: .log, query: "r", options: ["columns": "k,v,note", "title": "Log"]), query: q),
            Pane(spec: PaneSpec(name: "b", widget: .bars, query: "r", options: ["key": "k", "value": "v", "title": "Bars"]), query: q),
        ]
        for i in 0..<n { emit("k\(i)", i) }
        return Dashboard(engine: engine, panes: panes, groups: [Dashboard.Group(name: "", title: "nav", columns: 1)])
    }

    func emit(_ k: String, _ v: Int, note: String = "short") {
        engine.emitSync(["k": .string(k), "v": .int(Int64(v)), "note": .string(note),
                         "obj": .object(["inner": .object(["depth": 2]), "label": "x"]), "arr": .array([1, .string("two")])], to: "s")
    }

    func key(_ board: Dashboard, _ k: Int32, times: Int = 1) {
        for _ in 0..<times { XCTAssertTrue(board.handle(k)) }
    }

    func type(_ board: Dashboard, _ text: String) {
        for c in text.utf8 { key(board, Int32(c)) }
    }

    /// The line of a pane's box title.
    func title(_ frame: String, _ name: String) -> String {
        frame.split(separator: "\n").first { $0.contains("─ \(name)") }.map(String.init) ?? ""
    }

    func testTheCursorScrollsPastTheVisibleRowsAndStaysOnItsKey() throws {
        let b = try board(rows: 30)
        key(b, 13)  // zoomed: only the table is drawn
        var frame = b.snapshot(width: 80, height: 24)
        // Newest first: k29 on top, k0 out of sight below.
        XCTAssertTrue(frame.contains("k29") && !frame.contains("k0 "), frame)
        key(b, Dashboard.keyDown)
        XCTAssertTrue(title(b.snapshot(width: 80, height: 24), "Keyed").contains("1/30"))
        key(b, Dashboard.keyEnd)
        frame = b.snapshot(width: 80, height: 24)
        XCTAssertTrue(title(frame, "Keyed").contains("30/30"), frame)
        XCTAssertTrue(frame.contains("k0 ") && !frame.contains("k29"), "scrolled to the last row:\n\(frame)")
        XCTAssertTrue(frame.contains("above"), frame)
        // k0 gets a new row: it moves to the top of the table, and the cursor goes with it.
        emit("k0", 100)
        frame = b.snapshot(width: 80, height: 24)
        XCTAssertTrue(title(frame, "Keyed").contains("1/30"), frame)
        XCTAssertEqual(b.focusedPane?.selectedRow()?.row["k"], "k0")
        key(b, Dashboard.keyPageDown)
        let page = try XCTUnwrap(b.focusedPane?.cursor.page)
        XCTAssertTrue(title(b.snapshot(width: 80, height: 24), "Keyed").contains("\(page)/30"))
        key(b, Dashboard.keyHome)
        XCTAssertTrue(title(b.snapshot(width: 80, height: 24), "Keyed").contains("1/30"))
        key(b, Dashboard.keyUp)
        XCTAssertTrue(title(b.snapshot(width: 80, height: 24), "Keyed").contains("1/30"), "clamped at the top")
    }

    func testALogCursorFollowsTheNewestRowOnTopAndItsRowBelow() throws {
        let b = try board(rows: 20)
        key(b, 9)  // the log
        key(b, Dashboard.keyDown)
        var frame = b.snapshot(width: 80, height: 40)
        XCTAssertTrue(title(frame, "Log").contains("following newest"), frame)
        emit("new", 1)
        XCTAssertEqual(b.focusedPane?.selectedRow()?.row["k"], "new", "the top row follows the newest")
        key(b, Dashboard.keyDown, times: 2)
        XCTAssertEqual(b.focusedPane?.selectedRow()?.row["k"], "k18")
        for i in 0..<5 { emit("more\(i)", i) }
        frame = b.snapshot(width: 80, height: 40)
        XCTAssertEqual(b.focusedPane?.selectedRow()?.row["k"], "k18", "the cursor stays on its row while rows arrive")
        XCTAssertTrue(title(frame, "Log").contains("8/26"), frame)
        // Bars: the cursor is on a key.
        key(b, 9)
        key(b, Dashboard.keyDown)
        XCTAssertEqual(b.focusedPane?.selectedRow()?.row["k"], "k19", "the largest bar first")
    }

    func testEnterOpensTheDetailViewAndEscGoesBackOneLevelAtATime() throws {
        let b = try board(rows: 3)
        // Without a cursor Enter zooms.
        key(b, 13)
        var frame = b.snapshot(width: 80, height: 24)
        XCTAssertTrue(frame.contains("Keyed") && !frame.contains("─ Log"), frame)
        key(b, Dashboard.keyDown, times: 2)
        key(b, 13)
        frame = b.snapshot(width: 80, height: 24)
        XCTAssertTrue(frame.contains("Keyed › row 2"), frame)
        // Every field, nested ones indented, arrays with their items.
        for line in ["k: k1", "v: 1", "note: short", "obj:", "  inner:", "    depth: 2", "  label: x", "arr: [2]", "  [0]: 1", "  [1]: two"] {
            XCTAssertTrue(frame.contains("│ " + line + " ") || frame.contains("│ " + line + "\n"), "\(line):\n\(frame)")
        }
        XCTAssertTrue(frame.contains("Esc back"), frame)
        // Paused, the detail view still opens and closes over the frame shown.
        key(b, 27)
        key(b, 32)
        key(b, 13)
        let pausedFrame = b.snapshot(width: 80, height: 24)
        XCTAssertTrue(pausedFrame.contains("k: k1"), "detail while paused:\n\(pausedFrame)")
        key(b, 32)
        // Esc closes the help first.
        key(b, Int32(UInt8(ascii: "?")))
        XCTAssertTrue(b.snapshot(width: 80, height: 24).contains("─ help"))
        key(b, 27)
        frame = b.snapshot(width: 80, height: 24)
        XCTAssertTrue(!frame.contains("─ help") && frame.contains("Keyed › row 2"), frame)
        // The row stays while the pane moves on.
        emit("k9", 9)
        XCTAssertTrue(b.snapshot(width: 80, height: 24).contains("k: k1"))
        key(b, 27)
        frame = b.snapshot(width: 80, height: 24)
        XCTAssertFalse(frame.contains("› row"), "detail closed:\n\(frame)")
        XCTAssertTrue(!frame.contains("─ Log"), "still zoomed:\n\(frame)")
        key(b, 27)
        frame = b.snapshot(width: 80, height: 24)
        XCTAssertTrue(frame.contains("─ Log"), "back to the dashboard:\n\(frame)")
        XCTAssertTrue(title(frame, "Keyed").contains("/4"), "the cursor is still there:\n\(frame)")
        key(b, 27)
        XCTAssertFalse(title(b.snapshot(width: 80, height: 24), "Keyed").contains("/4"), "then the cursor goes")
        key(b, 27)  // Esc never leaves
        XCTAssertFalse(b.handle(Int32(UInt8(ascii: "q"))))
    }

    func testLongValuesWrapAndWindowBoundsAreReadableTimes() throws {
        let row: OrderedDictionary<String, Value> = [
            "window_start": .int(1_705_312_800_000_000_000), "window_end": .int(1_705_312_860_000), "at": .timestamp(1_705_312_800_500_000_000),
            "text": .string(String(repeating: "abcdefghij", count: 8)),
        ]
        let lines = DetailView.lines(row, width: 60)
        XCTAssertEqual(lines[0], "window_start: 2024-01-15 10:00:00Z  (1705312800000000000)")
        XCTAssertEqual(lines[1], "window_end: 2024-01-15 10:01:00Z  (1705312860000)")
        XCTAssertEqual(lines[2], "at: 2024-01-15 10:00:00.5Z")
        XCTAssertEqual(lines.count, 5, "\(lines)")
        XCTAssertTrue(lines.dropFirst(3).allSatisfy { Frame.width($0) <= 60 }, "\(lines)")
        XCTAssertEqual(lines.dropFirst(3).map { $0.trimmingCharacters(in: .whitespaces) }.joined(), "text: " + String(repeating: "abcdefghij", count: 8),
                       "wrapped, nothing cut")
    }

    func testFilterAndSortShowInTheTitleAndColumnFiltersCompare() throws {
        let b = try board(rows: 30)
        key(b, Int32(UInt8(ascii: "/")))
        type(b, "v>25")
        key(b, 13)
        var frame = b.snapshot(width: 80, height: 40)
        XCTAssertTrue(title(frame, "Keyed").contains("/v>25"), frame)
        let keyed = try XCTUnwrap(b.focusedPane)
        XCTAssertEqual(Set(keyed.listed(keyed.feed.snapshot().rows)?.map { $0.row["k"] ?? .null } ?? []), ["k26", "k27", "k28", "k29"])
        key(b, Int32(UInt8(ascii: "s")))
        frame = b.snapshot(width: 80, height: 40)
        XCTAssertTrue(title(frame, "Keyed").contains("/v>25 ▼k"), frame)
        // Equality on text, plain text anywhere, and a name that is no column is plain text.
        keyed.filter = "k=k3"
        XCTAssertEqual(keyed.listed(keyed.feed.snapshot().rows)?.count, 1)
        keyed.filter = "k2"
        XCTAssertEqual(keyed.listed(keyed.feed.snapshot().rows)?.count, 11)
        keyed.filter = "nope=1"
        XCTAssertEqual(keyed.listed(keyed.feed.snapshot().rows)?.count, 0)
        // Bars filter too.
        key(b, 9)
        key(b, 9)
        key(b, Int32(UInt8(ascii: "/")))
        type(b, "v<=2")
        key(b, 13)
        frame = b.snapshot(width: 80, height: 40)
        XCTAssertTrue(title(frame, "Bars").contains("/v<=2"), frame)
        let bars = frame.split(separator: "\n").filter { $0.contains("█") || $0.contains("▏") }
        XCTAssertEqual(bars.count, 2, frame)  // k0 (v 0) draws no bar
    }

    func testFilteringWorksOnEveryWidgetThatListsKeys() throws {
        _ = try board(rows: 0)  // the engine and its query r
        let q = try XCTUnwrap(engine.queries.first { $0.name == "r" })
        let spark = Pane(spec: PaneSpec(name: "sp", widget: .sparkline, query: "r", options: ["key": "k", "value": "v"]), query: q)
        let line = Pane(spec: PaneSpec(name: "tl", widget: .timeline, query: "r", options: ["key": "k", "segments": "v"]), query: q)
        for i in 0..<6 { emit("k\(i)", i + 1) }
        for p in [spark, line] {
            var all = Frame(width: 60, height: 12)
            Widgets.draw(p, in: &all, Rect(x: 0, y: 0, w: 60, h: 12), focused: true)
            XCTAssertTrue(all.text.contains("│k3 ") && all.text.contains("│k4 "), all.text)
            var f = Frame(width: 60, height: 12)
            p.filter = "k=k4"
            Widgets.draw(p, in: &f, Rect(x: 0, y: 0, w: 60, h: 12), focused: true)
            let text = f.text
            XCTAssertTrue(text.contains("│k4 ") && !text.contains("│k3 ") && text.contains("/k=k4"), "\(p.spec.widget):\n\(text)")
        }
    }

    func testTheLogHasAHeaderLineAndMarksCutText() throws {
        let b = try board(rows: 2)
        emit("long", 7, note: String(repeating: "wordy ", count: 30))
        let frame = b.snapshot(width: 60, height: 30)
        let lines = frame.split(separator: "\n").map(String.init)
        let top = try XCTUnwrap(lines.firstIndex { $0.contains("─ Log") })
        XCTAssertTrue(lines[top + 1].contains("k    v note"), frame)
        XCTAssertTrue(lines[top + 2].contains("long 7 wordy") && lines[top + 2].hasSuffix("…│"), frame)
        XCTAssertTrue(lines[top + 3].contains("k1   1 short"), frame)
        // Narrow: name=value on each line, no header.
        let narrow = b.snapshot(width: 36, height: 30).split(separator: "\n").map(String.init)
        let n = try XCTUnwrap(narrow.firstIndex { $0.contains("─ Log") })
        XCTAssertTrue(narrow[n + 1].hasPrefix("│  k=long v=7 note=wordy") && narrow[n + 1].hasSuffix("…│"), narrow.joined(separator: "\n"))
        XCTAssertTrue(narrow[n + 2].hasPrefix("│  k=k1 v=1 note=short"), narrow.joined(separator: "\n"))
    }

    func testTheDetailViewScrollsALongRow() throws {
        let b = try board(rows: 1)
        emit("long", 1, note: String(repeating: "0123456789", count: 60))
        key(b, Dashboard.keyDown)
        key(b, 13)
        var frame = b.snapshot(width: 60, height: 12)
        XCTAssertTrue(frame.contains("│ k: long") && frame.contains("1-8 of"), frame)
        key(b, Dashboard.keyEnd)
        frame = b.snapshot(width: 60, height: 12)
        XCTAssertTrue(!frame.contains("│ k: long") && frame.contains("[1]: two") && frame.contains("of "), frame)
        key(b, Dashboard.keyHome)
        XCTAssertTrue(b.snapshot(width: 60, height: 12).contains("│ k: long"))
    }
}
