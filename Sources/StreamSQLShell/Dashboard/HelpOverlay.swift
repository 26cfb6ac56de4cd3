/// The help overlay (`?`): the keys and what they do, wrapped to the box and scrolled with ↑ ↓ PgUp PgDn
/// Home End, so that it fits any terminal from 80×24 down and nothing is ever cut off.
struct HelpOverlay {
    /// The first line shown.
    var top = 0
    /// Lines shown at the last frame (a page).
    var page = 10

    static let entries: [(keys: String, text: String)] = [
        ("Tab Shift-Tab 1-9", "focus a pane"),
        ("↑ ↓ PgUp PgDn Home End", "row cursor in table, log and bars panes; scrolls past the rows shown"),
        ("Enter", "open the selected row in the detail view, else zoom the pane"),
        ("w", "in the detail view: why — the inputs that produced the row (window rows, matched events, table rows)"),
        ("i", "inspector of a windowed pane: open windows, watermark, late and rejected rows"),
        ("Esc", "back one level: help → inspector or detail → zoom → dashboard; never out"),
        ("← →", "value cursor on a sparkline or bars pane: the exact value and its time (or key)"),
        ("Space", "pause the frames; the feed pauses too unless --keep-feeding (the header says which)"),
        ("← → (paused)", "step through the last 100 frames of this scenario"),
        ("/", "filter: text, or decision=decline, amount>1000"),
        ("s", "sort the focused table by the next column"),
        ("[ ]", "previous / next scenario"),
        ("!", "incident menu: cause one of the scenario's incidents now (a fraud burst, a stock-out…)"),
        ("+ -", "frames per second"),
        ("mouse", "click focuses a pane and selects a row, the wheel scrolls, a double click opens the row (off with --no-mouse)"),
        ("e", "edit the pane's query: old | new side by side, a adopts, Esc discards"),
        ("q", "leave (queries keep running)"),
        ("?", "close this help"),
    ]

    /// The help as lines at most `width` columns wide: the keys in a column, their text wrapped beside them
    /// (under them when the box is too narrow for a column).
    /// - Complexity: O(total text).
    static func lines(width: Int) -> [String] {
        let keyW = min(entries.map { Frame.width($0.keys) }.max() ?? 0, max(0, width / 3))
        var out = ["Keys", ""]
        for e in entries {
            let textW = max(8, width - keyW - 2)
            let wrapped = wrap(e.text, width: textW)
            if Frame.width(e.keys) > keyW {
                out += wrap(e.keys, width: max(8, width))
                out += wrapped.map { String(repeating: " ", count: keyW + 2) + $0 }
            } else {
                for (i, l) in wrapped.enumerated() {
                    out.append((i == 0 ? Frame.pad(e.keys, keyW) : String(repeating: " ", count: keyW)) + "  " + l)
                }
            }
        }
        return out
    }

    /// `text` broken at spaces into lines of at most `width` columns (a longer word is cut).
    static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            let w = String(word)
            if line.isEmpty { line = w } else if Frame.width(line) + 1 + Frame.width(w) <= width { line += " " + w } else {
                lines.append(line)
                line = w
            }
            while Frame.width(line) > width {
                let head = String(line.prefix(width))
                lines.append(head)
                line = String(line.dropFirst(head.count))
            }
        }
        if !line.isEmpty || lines.isEmpty { lines.append(line) }
        return lines
    }

    /// Scrolls by `delta` lines (clamped when drawn).
    mutating func scroll(_ delta: Int) {
        top = max(0, delta >= Pane.far ? Int.max / 2 : top + max(-top, delta))
    }

    /// Draws the box over the middle of the frame.
    mutating func draw(in f: inout Frame) {
        let w = min(f.width - 2, 78)
        let inner = max(1, w - 4)
        let all = HelpOverlay.lines(width: inner)
        let h = min(f.height - 2, all.count + 2)
        guard w >= 12, h >= 3 else { return }
        let x = (f.width - w) / 2, y = (f.height - h) / 2
        for r in 0..<h { f.put(x, y + r, String(repeating: " ", count: w)) }
        f.box(x, y, w, h, title: "help", focused: true)
        page = h - 2
        top = max(0, min(top, all.count - page))
        for (i, l) in all.dropFirst(top).prefix(page).enumerated() {
            f.put(x + 2, y + 1 + i, l, top + i == 0 ? .bold : .normal, limit: inner)
        }
        if all.count > page {
            let where_ = " \(top + 1)-\(min(all.count, top + page)) of \(all.count) ↑↓ "
            f.put(x + w - 2 - Frame.width(where_), y + h - 1, where_, .dim)
        }
    }
}
