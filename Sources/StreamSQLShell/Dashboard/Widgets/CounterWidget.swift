import Foundation

/// One number in big digits (the latest value, or the rows received) with an arrow for its last change.
enum CounterWidget: Widget {
    static let kind = WidgetKind.counter
    static let summary = "one number in big digits with a trend arrow"
    static let options = [
        WidgetOption("value", .column, "the number shown, from the newest row", default: "the number of rows received"),
        WidgetOption("unit", .text, "a word under the number", default: "none"),
    ]

    static func render(_ pane: Pane, rows: [PaneFeed.Entry], total: Int, in r: Rect, into f: inout Frame) {
        let o = pane.spec.options
        let v: Double = o["value"].flatMap { rows.last?.row.path($0).number } ?? Double(total)
        if let last = pane.lastCounter, last != v { pane.trend = v - last }
        pane.lastCounter = v
        let text = v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(format: "%.2f", v)
        let arrow = pane.trend > 0 ? " ▲" : pane.trend < 0 ? " ▼" : ""
        let big = BigDigits.render(text)
        if r.h >= 4 && BigDigits.width(text) + 3 <= r.w {
            for (i, line) in big.enumerated() { f.put(r.x + 1, r.y + i, line, .accent) }
            f.put(r.x + 2 + BigDigits.width(text), r.y + 1, arrow, pane.trend >= 0 ? .green : .red)
            if let u = o["unit"] { f.put(r.x + 1, r.y + 3, u, .dim, limit: r.w - 1) }
        } else {
            f.put(r.x + 1, r.y, text + arrow + (o["unit"].map { " " + $0 } ?? ""), .bold, limit: r.w - 1)
        }
    }
}

/// Three-line digits for the counter widget.
enum BigDigits {
    static let glyphs: [Character: [String]] = [
        "0": ["┌─┐", "│ │", "└─┘"], "1": [" ┐ ", " │ ", " ┴ "], "2": ["╶─┐", "┌─┘", "└─╴"], "3": ["╶─┐", " ─┤", "╶─┘"],
        "4": ["╷ ╷", "└─┤", "  ╵"], "5": ["┌─╴", "└─┐", "╶─┘"], "6": ["┌─╴", "├─┐", "└─┘"], "7": ["╶─┐", "  │", "  ╵"],
        "8": ["┌─┐", "├─┤", "└─┘"], "9": ["┌─┐", "└─┤", "╶─┘"], ".": ["   ", "   ", " . "], "-": ["   ", "╶─╴", "   "],
    ]
    static func width(_ s: String) -> Int { s.count * 3 }
    static func render(_ s: String) -> [String] {
        (0..<3).map { i in s.map { glyphs[$0]?[i] ?? "   " }.joined() }
    }
}
