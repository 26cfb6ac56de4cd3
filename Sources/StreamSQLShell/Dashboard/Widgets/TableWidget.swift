import Foundation

/// Rows as aligned columns: the latest rows (a windowed query's latest firing), or the latest row per key;
/// cells that changed since the last frame are highlighted. `s` on the dashboard sorts, `/` filters.
enum TableWidget: Widget {
    static let kind = WidgetKind.table
    static let summary = "the latest rows as columns (a window's latest firing, or the latest row per key)"
    static let options = [
        WidgetOption("columns", .columns, "the columns shown, in order", default: "every column of the newest row"),
        WidgetOption("key", .column, "one line per value of this column, the newest row for each", default: "the latest rows"),
        WidgetOption("sort", .column, "sort by this column, largest first", default: "newest first"),
    ]

    /// The column the rows are sorted by: the one chosen with `s`, else the `sort` option.
    static func sortColumn(_ pane: Pane, _ cols: [String]) -> String? {
        pane.sortColumn.flatMap { $0 < cols.count ? cols[$0] : nil } ?? pane.spec.options["sort"]
    }

    /// The rows listed, filtered and sorted, in the order drawn.
    static func listed(_ pane: Pane, _ rows: [PaneFeed.Entry]) -> [PaneFeed.Entry] {
        let cols = Widgets.columns(pane, rows)
        var shown = pane.filtered(Widgets.latest(pane, rows, limit: 200), columns: cols)
        if let sc = sortColumn(pane, cols) {
            shown.sort { a, b in
                let x = a.row.path(sc), y = b.row.path(sc)
                if let p = x.number, let q = y.number { return p > q }
                return x.cellText < y.cellText
            }
        }
        return shown
    }

    static func render(_ pane: Pane, rows: [PaneFeed.Entry], total: Int, in r: Rect, into f: inout Frame) {
        let cols = Widgets.columns(pane, rows)
        let all = listed(pane, rows)
        let sortCol = sortColumn(pane, cols)
        // When rows are left over below, the last line says how many instead of showing one.
        let fits = all.count > r.h - 1 ? max(0, r.h - 2) : r.h - 1
        let top = pane.placeCursor(in: all, columns: cols, visible: fits)
        let shown = Array(all.dropFirst(top))
        // Column widths from the data, shared out when the pane is narrow.
        let heads = cols.map { c in c.split(separator: ".").last.map(String.init) ?? c }
        var widths = cols.indices.map { i in
            let c = cols[i]
            return max(Frame.width(heads[i]), shown.prefix(r.h).map { Frame.width($0.row.path(c).cellText) }.max() ?? 0)
        }
        widths = widths.map { min($0, 24) }
        while widths.reduce(0, +) + widths.count > r.w, let m = widths.indices.max(by: { widths[$0] < widths[$1] }), widths[m] > 4 {
            widths[m] -= 1
        }
        var x = r.x
        for (i, c) in cols.enumerated() where x < r.x + r.w {
            let marker = sortCol == c ? "▼" : ""
            f.put(x, r.y, Frame.pad(heads[i] + marker, widths[i]), .bold, limit: r.x + r.w - x)
            x += widths[i] + 1
        }
        var cells: [String: String] = [:]
        for (line, e) in shown.prefix(fits).enumerated() {
            x = r.x
            let rowKey = pane.spec.options["key"].map { e.row.path($0).cellText } ?? String(top + line)
            for (i, c) in cols.enumerated() where x < r.x + r.w {
                let v = e.row.path(c)
                let text = v.cellText
                let id = rowKey + "\u{1}" + c
                cells[id] = text
                let changed = pane.previousCells[id].map { $0 != text } ?? false
                let numeric = v.number != nil && { if case .string = v { return false } else { return true } }()
                f.put(x, r.y + 1 + line, Frame.pad(text, widths[i], right: numeric), changed ? .highlight : .normal,
                      limit: r.x + r.w - x)
                x += widths[i] + 1
            }
        }
        pane.previousCells = cells
        for line in 0..<min(fits, shown.count) { Widgets.cursorLine(pane, index: top + line, in: r, y: r.y + 1 + line, into: &f) }
        if all.count > fits, r.h > 2 {
            let below = shown.count - min(fits, shown.count)
            let text = top > 0 ? "\(top) above, \(below) below" : "+\(below) more"
            f.put(r.x, r.y + r.h - 1, text, .dim, limit: r.w)
        }
    }
}
