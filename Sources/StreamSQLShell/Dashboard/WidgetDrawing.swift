import Foundation
import OrderedCollections
import StreamSQL

/// A rectangle of the frame.
struct Rect {
    var x, y, w, h: Int
}

/// Draws panes into frames: the box and title here, the inside by the pane's `Widget`; and the helpers
/// the widgets share (columns and rows to show, numbers, bars, sparklines, threshold colours).
enum Widgets {
    static func draw(_ pane: Pane, in f: inout Frame, _ r: Rect, focused: Bool) {
        let (rows, total) = pane.feed.snapshot()
        pane.hasFocus = focused
        pane.rowAt = [:]
        // With a cursor, it finds its row again before the title says where it is (the widget lists the
        // rows again to draw them; without a cursor they are listed once).
        let listed = pane.cursor.index != nil ? pane.listed(rows) : nil
        if let listed { pane.placeCursor(in: listed, columns: Widgets.columns(pane, rows), visible: pane.cursor.page) }
        let sorted = pane.spec.widget == .table ? TableWidget.sortColumn(pane, Widgets.columns(pane, rows)) : nil
        let state = pane.stateTitle(count: listed?.count, sortedBy: sorted)
        let title = (pane.spec.options["title"] ?? pane.spec.name) + (state.isEmpty ? "" : "  " + state)
            + "  (\(pane.spec.query), \(total) rows)"
        f.box(r.x, r.y, r.w, r.h, title: title, focused: focused)
        let inner = Rect(x: r.x + 1, y: r.y + 1, w: r.w - 2, h: r.h - 2)
        guard inner.w > 2, inner.h > 0 else { return }
        if rows.isEmpty {
            f.put(inner.x + 1, inner.y, "waiting for results…", .dim, limit: inner.w - 1)
            return
        }
        pane.spec.widget.widget.render(pane, rows: rows, total: total, in: inner, into: &f)
        pane.lastSeq = rows.last?.seq ?? pane.lastSeq
    }

    /// Marks the cursor's line when the pane has the focus.
    static func cursorLine(_ pane: Pane, index: Int, in r: Rect, y: Int, into f: inout Frame) {
        pane.rowAt[y] = index
        if pane.hasFocus, pane.cursor.index == index { f.style(r.x, y, r.w, .highlight) }
    }

    static func severity(_ v: Value) -> CellStyle {
        let s = v.cellText.lowercased()
        switch s {
        case "critical", "decline", "declined", "rejected", "severe", "red", "error", "high_velocity": return .red
        case "high", "manual_review", "flagged", "heavy", "warning", "warn", "amber", "moderate": return .amber
        default:
            if let n = v.number { return n >= 0.8 ? .red : n >= 0.5 ? .amber : .green }
            return .green
        }
    }

    /// Columns to show: the `columns` option, else the row's top-level keys.
    static func columns(_ pane: Pane, _ rows: [PaneFeed.Entry]) -> [String] {
        if let c = pane.spec.options["columns"] { return c.split(separator: ",").map(String.init) }
        return Array(rows.last?.row.keys ?? [])
    }

    /// Latest row per key (newest first), or the rows of the latest batch, or the latest rows.
    static func latest(_ pane: Pane, _ rows: [PaneFeed.Entry], limit: Int) -> [PaneFeed.Entry] {
        if let key = pane.spec.options["key"] {
            var seen = Set<String>()
            var out: [PaneFeed.Entry] = []
            for e in rows.reversed() where seen.insert(e.row.path(key).cellText).inserted {
                out.append(e)
            }
            return out
        }
        if pane.query.windowed, let last = rows.last?.batch {
            return rows.filter { $0.batch == last }
        }
        return Array(rows.suffix(limit).reversed())
    }

    /// A number for a cell: whole numbers without decimals, others with `digits`.
    static func num(_ v: Double, _ digits: Int) -> String {
        if v == v.rounded() && abs(v) < 1e15 { return String(Int64(v)) }
        return String(format: "%.\(digits)f", v)
    }

    static let sparks: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    /// `Int(d.rounded())` for a drawing position, clamped to `range`: results are outside data, and NaN,
    /// ±∞ or a value beyond Int would trap in the conversion.
    static func cells(_ d: Double, in range: ClosedRange<Int>) -> Int {
        guard !d.isNaN else { return range.lowerBound }
        let r = d.rounded()
        if r <= Double(range.lowerBound) { return range.lowerBound }
        if r >= Double(range.upperBound) { return range.upperBound }
        return Int(r)
    }

    static func sparkLine(_ values: [Double], width: Int, lo: Double?, hi: Double?) -> String {
        let v = values.suffix(width)
        guard let mn = lo ?? v.min(), let mx = hi ?? v.max() else { return "" }
        let span = mx - mn
        return String(v.map { x -> Character in
            let t = span > 0 ? (x - mn) / span : 0.5
            return sparks[cells(t * 7, in: 0...7)]
        })
    }

    static func bar(_ t: Double, width: Int) -> String {
        let eighths = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]
        let total = max(0, min(1, t)) * Double(width)
        let full = Int(total)
        let part = Int((total - Double(full)) * 8)
        return String(repeating: "█", count: full) + (full < width ? eighths[part] : "")
    }

    static func thresholdStyle(_ v: Double, _ o: [String: String], lowIsBad: Bool = false) -> CellStyle {
        let warn = o["warn"].flatMap(Double.init), alert = o["alert"].flatMap(Double.init)
        if lowIsBad {
            if let a = alert, v <= a { return .red }
            if let w = warn, v <= w { return .amber }
            return .green
        }
        if let a = alert, v >= a { return .red }
        if let w = warn, v >= w { return .amber }
        return .green
    }
}
