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
        pane.takeSeries(rows, value: col, key: key, history: history)
        let lo = pane.spec.options["min"].flatMap(Double.init), hi = pane.spec.options["max"].flatMap(Double.init)
        let marked: CellStyle = pane.hasFocus ? .highlight : .bold
        if key == nil, let vals = pane.series[col] {
            // One series: the line, its latest value (or the one under the cursor), and its range below.
            let w = r.w - 12
            let shown = vals.suffix(max(0, w))
            pane.valueCursor.reference = col
            pane.valueCursor.width = shown.count
            f.put(r.x, r.y, Widgets.sparkLine(vals, width: w, lo: lo, hi: hi), .accent)
            let back = pane.pointsBack(shown: shown.count)
            let at = back.map { vals.count - 1 - $0 }
            let value = (at.map { vals[$0] } ?? vals.last).map { Widgets.num($0, 2) } ?? ""
            f.put(r.x + r.w - 11, r.y, Frame.pad(value, 11, right: true), .bold)
            if let back { f.style(r.x + shown.count - 1 - back, r.y, 1, marked) }
            if r.h > 1, let at, let back, let times = pane.seriesTimes[col], times.indices.contains(at) {
                // The value and where it is; its time beside it, or below when there is a line for it.
                let head = "◆ \(col) \(Pane.exact(vals[at]))  (\(back == 0 ? "newest" : "\(back) back"))"
                let time = "at \(times[at])"
                if r.h > 2 {
                    f.put(r.x, r.y + 1, head, .bold, limit: r.w)
                    f.put(r.x + 2, r.y + 2, time, .bold, limit: r.w - 2)
                } else {
                    f.put(r.x, r.y + 1, head + " " + time, .bold, limit: r.w)
                }
            } else if r.h > 1, let mn = shown.min(), let mx = shown.max() {
                f.put(r.x, r.y + 1, "\(col)  min \(Widgets.num(mn, 2))  max \(Widgets.num(mx, 2))  n \(vals.count)", .dim, limit: r.w)
            }
            return
        }
        // `/` keeps the keys it matches (`key=north`, or text in the key).
        let filter = key.flatMap { k in pane.filter.isEmpty ? nil : (k, RowFilter(pane.filter, columns: [k], sample: nil)) }
        let keys = pane.series.keys.sorted().filter { s in filter.map { $0.1.matches([$0.0: .string(s)], columns: [$0.0]) } ?? true }
        let labelW = min(12, (keys.map(Frame.width).max() ?? 0) + 1)
        let lineW = max(0, r.w - labelW - 9)
        // The cursor counts points on the first line shown; every line marks the point as far back.
        pane.valueCursor.reference = keys.first
        pane.valueCursor.width = keys.first.flatMap { pane.series[$0]?.suffix(lineW).count } ?? 0
        let back = pane.pointsBack(shown: pane.valueCursor.width)
        let lines = back != nil && r.h > 1 ? r.h - 1 : r.h
        for (i, k) in keys.prefix(lines).enumerated() {
            let vals = pane.series[k] ?? []
            let shown = vals.suffix(lineW).count
            f.put(r.x, r.y + i, Frame.pad(k, labelW - 1), .normal)
            f.put(r.x + labelW, r.y + i, Widgets.sparkLine(vals, width: lineW, lo: lo, hi: hi), .accent)
            var value = vals.last
            if let back, back < shown {
                value = vals[vals.count - 1 - back]
                f.style(r.x + labelW + shown - 1 - back, r.y + i, 1, marked)
            } else if back != nil {
                value = nil
            }
            f.put(r.x + r.w - 8, r.y + i, Frame.pad(value.map { Widgets.num($0, 1) } ?? "", 8, right: true), .bold)
        }
        if let back, lines < r.h, let k = keys.first, let vals = pane.series[k], let times = pane.seriesTimes[k], back < vals.count {
            let at = vals.count - 1 - back
            let exact = keys.prefix(lines).compactMap { k -> String? in
                guard let v = pane.series[k], back < v.suffix(lineW).count else { return nil }
                return "\(k) \(Pane.exact(v[v.count - 1 - back]))"
            }
            f.put(r.x, r.y + lines, "◆ \(times[at])  " + exact.joined(separator: "  "), .bold, limit: r.w)
        }
    }
}
