import Foundation
import OrderedCollections

/// The latest value per key as horizontal bars, largest first, coloured by thresholds.
enum BarsWidget: Widget {
    static let kind = WidgetKind.bars
    static let summary = "the latest value per key as bars"
    static let options = [
        WidgetOption("key", .column, "one bar per value of this column", default: nil),
        WidgetOption("value", .column, "the bar's length", default: nil),
        WidgetOption("max", .number, "a full bar", default: "the largest value"),
        WidgetOption("warn", .number, "amber from this value up (down with low=bad)", default: "no amber"),
        WidgetOption("alert", .number, "red from this value up (down with low=bad)", default: "no red"),
        WidgetOption("sort", .choice(["desc", "asc", "key"]), "the order of the bars", default: "desc, the largest first"),
        WidgetOption("low", .choice(["good", "bad"]), "whether low values are the bad ones", default: "good"),
    ]

    /// The newest row per key with a numeric value, filtered, in the bars' order.
    static func listed(_ pane: Pane, _ rows: [PaneFeed.Entry]) -> [PaneFeed.Entry] {
        let o = pane.spec.options
        guard let key = o["key"], let col = o["value"] else { return [] }
        var latestByKey = OrderedDictionary<String, PaneFeed.Entry>()
        for e in rows where e.row.path(col).number != nil { latestByKey[e.row.path(key).cellText] = e }
        var items = pane.filtered(Array(latestByKey.values), columns: [key, col])
        let value = { (e: PaneFeed.Entry) in e.row.path(col).number ?? 0 }
        switch o["sort"] {
        case "asc": items.sort { value($0) < value($1) }
        case "key": items.sort { $0.row.path(key).cellText < $1.row.path(key).cellText }
        default: items.sort { value($0) > value($1) }
        }
        return items
    }

    static func render(_ pane: Pane, rows: [PaneFeed.Entry], total: Int, in r: Rect, into f: inout Frame) {
        let o = pane.spec.options
        guard let key = o["key"], let col = o["value"] else { return }
        let all = listed(pane, rows)
        let items = all.map { (key: $0.row.path(key).cellText, value: $0.row.path(col).number ?? 0) }
        let lowIsBad = o["low"] == "bad"
        // With a cursor, the last lines read out the bar under it: key, exact value, time (on a line of its
        // own when the pane is tall enough).
        let readout = pane.cursor.index != nil && r.h > 1 ? (r.h > 4 ? 2 : 1) : 0
        let top = pane.placeCursor(in: all, columns: [key, col], visible: r.h - readout)
        let hi = o["max"].flatMap(Double.init) ?? max(1e-9, items.map(\.value).max() ?? 1)
        let labelW = min(14, (items.map { Frame.width($0.key) }.max() ?? 0) + 1)
        for (i, it) in items.dropFirst(top).prefix(r.h - readout).enumerated() {
            let barW = r.w - labelW - 8
            f.put(r.x, r.y + i, Frame.pad(it.key, labelW - 1), .normal)
            f.put(r.x + labelW, r.y + i, Widgets.bar(it.value / hi, width: max(0, barW)), Widgets.thresholdStyle(it.value, o, lowIsBad: lowIsBad))
            let text = it.value >= 100 ? Widgets.num(it.value.rounded(), 0) : Widgets.num(it.value, 1)
            f.put(r.x + r.w - 7, r.y + i, Frame.pad(text, 7, right: true), .bold)
            Widgets.cursorLine(pane, index: top + i, in: r, y: r.y + i, into: &f)
        }
        if readout > 0, let i = pane.cursor.index, all.indices.contains(i) {
            let (head, time) = pane.barReadout(all[i], key: key, value: col)
            if readout == 2 {
                f.put(r.x, r.y + r.h - 2, head, .bold, limit: r.w)
                f.put(r.x + 2, r.y + r.h - 1, time, .bold, limit: r.w - 2)
            } else {
                f.put(r.x, r.y + r.h - 1, head + " " + time, .bold, limit: r.w)
            }
        }
    }
}
