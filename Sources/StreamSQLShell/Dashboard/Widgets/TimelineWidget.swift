import Foundation
import OrderedCollections

/// Per key, the latest row's segment values as one stacked bar (a signal plan's phases), with a legend.
enum TimelineWidget: Widget {
    static let kind = WidgetKind.timeline
    static let summary = "per key, the latest row's segments as one stacked bar"
    static let options = [
        WidgetOption("key", .column, "one bar per value of this column", default: nil),
        WidgetOption("segments", .columns, "the numbers stacked, in order", default: nil),
    ]

    static func render(_ pane: Pane, rows: [PaneFeed.Entry], total: Int, in r: Rect, into f: inout Frame) {
        let o = pane.spec.options
        guard let key = o["key"], let segs = o["segments"]?.split(separator: ",").map(String.init), !segs.isEmpty else { return }
        var latestByKey = OrderedDictionary<String, [Double]>()
        for e in pane.filtered(rows, columns: [key] + segs) { latestByKey[e.row.path(key).cellText] = segs.map { e.row.path($0).number ?? 0 } }
        let styles: [CellStyle] = [.green, .accent, .amber, .red, .dim]
        let labelW = min(12, (latestByKey.keys.map(Frame.width).max() ?? 0) + 1)
        let maxTotal = max(1e-9, latestByKey.values.map { $0.reduce(0, +) }.max() ?? 1)
        var lx = r.x
        for (i, s) in segs.enumerated() {
            let text = "█ " + (s.split(separator: ".").last.map(String.init) ?? s) + "  "
            f.put(lx, r.y, text, styles[i % styles.count], limit: r.x + r.w - lx)
            lx += Frame.width(text)
        }
        for (i, (k, vals)) in latestByKey.sorted(by: { $0.key < $1.key }).prefix(max(0, r.h - 1)).enumerated() {
            let y = r.y + 1 + i
            let barW = r.w - labelW - 6
            f.put(r.x, y, Frame.pad(k, labelW - 1), .normal)
            var x = r.x + labelW
            for (j, v) in vals.enumerated() {
                let w = Widgets.cells(v / maxTotal * Double(barW), in: -1_000_000...1_000_000)
                f.put(x, y, String(repeating: "█", count: max(0, w)), styles[j % styles.count], limit: r.x + labelW + barW - x)
                x += w
            }
            f.put(r.x + r.w - 5, y, Frame.pad(Widgets.num(vals.reduce(0, +).rounded(), 0), 5, right: true), .bold)
        }
    }
}
