import Foundation
import StreamSQL

/// The newest rows first, one line each, with a coloured marker from a severity column; `/` filters.
enum LogWidget: Widget {
    static let kind = WidgetKind.log
    static let summary = "the newest rows first, one line each, marked by severity"
    static let options = [
        WidgetOption("columns", .columns, "the columns shown, in order", default: "every column of the newest row"),
        WidgetOption("severity", .column, "colours the marker: critical/decline red, high/warning amber, numbers from 0.5 and 0.8",
                     default: "no marker"),
    ]

    /// The rows listed, newest first, filtered.
    static func listed(_ pane: Pane, _ rows: [PaneFeed.Entry]) -> [PaneFeed.Entry] {
        pane.filtered(Array(rows.reversed()), columns: Widgets.columns(pane, rows))
    }

    /// A cell's text on one line (arrays of objects as their values).
    static func text(_ v: Value) -> String {
        if case .array(let a) = v {
            return a.map { x in
                if case .object(let ob) = x { return ob.values.map(\.cellText).joined(separator: " ") }
                return x.cellText
            }.joined(separator: ", ")
        }
        return v.cellText
    }

    /// Below this width a log shows `name=value` on each line instead of a header over columns.
    static let narrow = 40

    /// A header line of column names over aligned columns (`name=value` cells when narrow); a cell or line
    /// cut short ends with `…`.
    static func render(_ pane: Pane, rows: [PaneFeed.Entry], total: Int, in r: Rect, into f: inout Frame) {
        let o = pane.spec.options
        let cols = Widgets.columns(pane, rows)
        let all = listed(pane, rows)
        let named = r.w < narrow
        let visible = max(1, named ? r.h : r.h - 1)
        let top = pane.placeCursor(in: all, columns: cols, visible: visible)
        let shown = Array(all.dropFirst(top).prefix(visible))
        let cells = shown.map { e in cols.map { text(e.row.path($0)) } }
        let heads = cols.map { c in c.split(separator: ".").last.map(String.init) ?? c }
        // Each column as wide as its widest cell (at most 24; a long name is cut to 8 over short values);
        // the last one takes what is left.
        let widths = cols.indices.map { i in min(24, max(min(8, Frame.width(heads[i])), cells.map { Frame.width($0[i]) }.max() ?? 0)) }
        func line(_ texts: [String]) -> String {
            var out = ""
            for (i, t) in texts.enumerated() {
                out += i == texts.count - 1 ? t : Frame.pad(t, widths[i]) + " "
            }
            return Frame.fit(out, r.w - 2)
        }
        if named {
            for (i, e) in shown.enumerated() {
                let st = o["severity"].map { Widgets.severity(e.row.path($0)) } ?? .normal
                f.put(r.x, r.y + i, st == .normal ? "  " : "● ", st)
                let text = zip(heads, cells[i]).map { "\($0)=\($1)" }.joined(separator: " ")
                f.put(r.x + 2, r.y + i, Frame.fit(text, r.w - 2), .normal, limit: r.w - 2)
                Widgets.cursorLine(pane, index: top + i, in: r, y: r.y + i, into: &f)
            }
            return
        }
        f.put(r.x + 2, r.y, line(heads), .bold, limit: r.w - 2)
        for (i, e) in shown.enumerated() {
            let y = r.y + 1 + i
            let st = o["severity"].map { Widgets.severity(e.row.path($0)) } ?? .normal
            f.put(r.x, y, st == .normal ? "  " : "● ", st)
            f.put(r.x + 2, y, line(cells[i]), .normal, limit: r.w - 2)
            Widgets.cursorLine(pane, index: top + i, in: r, y: y, into: &f)
        }
    }
}
