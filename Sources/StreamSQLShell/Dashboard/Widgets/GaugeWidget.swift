import Foundation

/// The latest rows' values as horizontal gauges between `min` and `max`, green, amber from `warn`, red
/// from `alert`.
enum GaugeWidget: Widget {
    static let kind = WidgetKind.gauge
    static let summary = "the latest rows' values as gauges, coloured by thresholds"
    static let options = [
        WidgetOption("value", .column, "the number shown", default: nil),
        WidgetOption("label", .column, "the label of each gauge", default: "the value column's name"),
        WidgetOption("min", .number, "an empty gauge", default: "0"),
        WidgetOption("max", .number, "a full gauge", default: "1"),
        WidgetOption("warn", .number, "amber from this value up", default: "halfway from min to max"),
        WidgetOption("alert", .number, "red from this value up", default: "80% of the way from min to max"),
    ]

    static func render(_ pane: Pane, rows: [PaneFeed.Entry], total: Int, in r: Rect, into f: inout Frame) {
        let o = pane.spec.options
        guard let col = o["value"] else { return }
        let lo = o["min"].flatMap(Double.init) ?? 0, hi = o["max"].flatMap(Double.init) ?? 1
        var opts = o
        if opts["warn"] == nil { opts["warn"] = String(lo + (hi - lo) * 0.5) }
        if opts["alert"] == nil { opts["alert"] = String(lo + (hi - lo) * 0.8) }
        let shown = Array(rows.suffix(r.h).reversed())
        let labelW = min(16, max(6, shown.map { e in Frame.width(o["label"].map { l in e.row.path(l).cellText } ?? "") }.max() ?? 0) + 1)
        for (i, e) in shown.enumerated() {
            guard let v = e.row.path(col).number else { continue }
            let label = o["label"].map { e.row.path($0).cellText } ?? col
            let barW = r.w - labelW - 7
            f.put(r.x, r.y + i, Frame.pad(label, labelW - 1), .normal)
            f.put(r.x + labelW, r.y + i, String(repeating: "·", count: max(0, barW)), .dim)
            f.put(r.x + labelW, r.y + i, Widgets.bar((v - lo) / (hi - lo), width: max(0, barW)), Widgets.thresholdStyle(v, opts))
            f.put(r.x + r.w - 6, r.y + i, Frame.pad(String(format: "%.2f", v), 6, right: true), Widgets.thresholdStyle(v, opts))
        }
    }
}
