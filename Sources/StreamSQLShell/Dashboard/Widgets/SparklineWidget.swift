import Foundation

/// A number over time as a line of block characters: one series, or one per key.
enum SparklineWidget: Widget {
    static let kind = WidgetKind.sparkline
    static let summary = "a number over time as a sparkline, one line per key"
    static let options = [
        WidgetOption("value", .column, "the number drawn", default: "the first numeric column"),
        WidgetOption("key", .column, "one line per value of this column", default: "one line"),
        WidgetOption("min", .number, "the value at the bottom", default: "the lowest value shown"),
        WidgetOption("max", .number, "the value at the top", default: "the highest value shown"),
    ]

    /// Points kept per series.
    static let history = 400

    static func render(_ pane: Pane, rows: [PaneFeed.Entry], total: Int, in r: Rect, into f: inout Frame) {
        guard let col = pane.spec.options["value"] ?? Widgets.columns(pane, rows).first(where: { rows.last?.row.path($0).number != nil }) else { return }
        let key = pane.spec.options["key"]
        for e in rows where e.seq > pane.lastSeq {
            guard let n = e.row.path(col).number else { continue }
            let k = key.map { e.row.path($0).cellText } ?? col
            var series = pane.series[k, default: []]
            series.append(n)
            if series.count > history { series.removeFirst(series.count - history) }
            pane.series[k] = series
        }
        let lo = pane.spec.options["min"].flatMap(Double.init), hi = pane.spec.options["max"].flatMap(Double.init)
        if key == nil, let vals = pane.series[col] {
            // One series: the line, its latest value, and its range below.
            let w = r.w - 12
            f.put(r.x, r.y, Widgets.sparkLine(vals, width: w, lo: lo, hi: hi), .accent)
            let last = vals.last.map { Widgets.num($0, 2) } ?? ""
            f.put(r.x + r.w - 11, r.y, Frame.pad(last, 11, right: true), .bold)
            if r.h > 1, let mn = vals.suffix(w).min(), let mx = vals.suffix(w).max() {
                f.put(r.x, r.y + 1, "\(col)  min \(Widgets.num(mn, 2))  max \(Widgets.num(mx, 2))  n \(vals.count)", .dim, limit: r.w)
            }
            return
        }
        // `/` keeps the keys it matches (`key=north`, or text in the key).
        let filter = key.flatMap { k in pane.filter.isEmpty ? nil : (k, RowFilter(pane.filter, columns: [k], sample: nil)) }
        let keys = pane.series.keys.sorted().filter { s in filter.map { $0.1.matches([$0.0: .string(s)], columns: [$0.0]) } ?? true }
        let labelW = min(12, (keys.map(Frame.width).max() ?? 0) + 1)
        for (i, k) in keys.prefix(r.h).enumerated() {
            let vals = pane.series[k] ?? []
            f.put(r.x, r.y + i, Frame.pad(k, labelW - 1), .normal)
            f.put(r.x + labelW, r.y + i, Widgets.sparkLine(vals, width: r.w - labelW - 9, lo: lo, hi: hi), .accent)
            f.put(r.x + r.w - 8, r.y + i, Frame.pad(vals.last.map { Widgets.num($0, 1) } ?? "", 8, right: true), .bold)
        }
    }
}
