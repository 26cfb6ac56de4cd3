import Foundation

/// The newest rows first, one line each, with a coloured marker from a severity column; `/` filters.
enum LogWidget: Widget {
    static let kind = WidgetKind.log
    static let summary = "the newest rows first, one line each, marked by severity"
    static let options = [
        WidgetOption("columns", .columns, "the columns shown, in order", default: "every column of the newest row"),
        WidgetOption("severity", .column, "colours the marker: critical/decline red, high/warning amber, numbers from 0.5 and 0.8",
                     default: "no marker"),
    ]

    static func render(_ pane: Pane, rows: [PaneFeed.Entry], total: Int, in r: Rect, into f: inout Frame) {
        let o = pane.spec.options
        let cols = Widgets.columns(pane, rows)
        var shown = Array(rows.reversed())
        if !pane.filter.isEmpty {
            let needle = pane.filter.lowercased()
            shown = shown.filter { e in cols.contains { e.row.path($0).cellText.lowercased().contains(needle) } }
        }
        for (i, e) in shown.prefix(r.h).enumerated() {
            let text = cols.map { c in
                let v = e.row.path(c)
                if case .array(let a) = v {
                    return a.map { x in
                        if case .object(let ob) = x { return ob.values.map(\.cellText).joined(separator: " ") }
                        return x.cellText
                    }.joined(separator: ", ")
                }
                return v.cellText
            }.filter { !$0.isEmpty }.joined(separator: "  ")
            let st = o["severity"].map { Widgets.severity(e.row.path($0)) } ?? .normal
            f.put(r.x, r.y + i, st == .normal ? "  " : "● ", st)
            f.put(r.x + 2, r.y + i, text, .normal, limit: r.w - 2)
        }
    }
}
