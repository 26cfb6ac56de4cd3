import Foundation
import OrderedCollections
import StreamSQL

/// A rectangle of the frame.
struct Rect {
    var x, y, w, h: Int
}

/// Draws panes into frames. One function per widget kind; each reads the pane's feed snapshot.
enum Widgets {
    static let sparks: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

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

    static func draw(_ pane: Pane, in f: inout Frame, _ r: Rect, focused: Bool) {
        let (rows, total) = pane.feed.snapshot()
        let title = (pane.spec.options["title"] ?? pane.spec.name) + "  (\(pane.spec.query), \(total) rows)"
        f.box(r.x, r.y, r.w, r.h, title: title, focused: focused)
        let inner = Rect(x: r.x + 1, y: r.y + 1, w: r.w - 2, h: r.h - 2)
        guard inner.w > 2, inner.h > 0 else { return }
        if rows.isEmpty {
            f.put(inner.x + 1, inner.y, "waiting for results…", .dim, limit: inner.w - 1)
            return
        }
        switch pane.spec.widget {
        case .table: table(pane, rows, &f, inner)
        case .sparkline: sparkline(pane, rows, &f, inner)
        case .gauge: gauge(pane, rows, &f, inner)
        case .bars: bars(pane, rows, &f, inner)
        case .timeline: timeline(pane, rows, &f, inner)
        case .log: log(pane, rows, &f, inner)
        case .counter: counter(pane, rows, total, &f, inner)
        }
        pane.lastSeq = rows.last?.seq ?? pane.lastSeq
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

    static func table(_ pane: Pane, _ rows: [PaneFeed.Entry], _ f: inout Frame, _ r: Rect) {
        let cols = columns(pane, rows)
        var shown = latest(pane, rows, limit: 200)
        if !pane.filter.isEmpty {
            let needle = pane.filter.lowercased()
            shown = shown.filter { e in cols.contains { e.row.path($0).cellText.lowercased().contains(needle) } }
        }
        let sortCol = pane.sortColumn.flatMap { $0 < cols.count ? cols[$0] : nil } ?? pane.spec.options["sort"]
        if let sc = sortCol {
            shown.sort { a, b in
                let x = a.row.path(sc), y = b.row.path(sc)
                if let p = x.number, let q = y.number { return p > q }
                return x.cellText < y.cellText
            }
        }
        // Column widths from the data, shared out when the pane is narrow.
        let heads = cols.map { c in c.split(separator: ".").last.map(String.init) ?? c }
        var widths = cols.indices.map { i in let c = cols[i]; return max(Frame.width(heads[i]), shown.prefix(r.h).map { Frame.width($0.row.path(c).cellText) }.max() ?? 0) }
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
        // When rows are left over, the last line says how many instead of showing one.
        let fits = shown.count > r.h - 1 ? max(0, r.h - 2) : r.h - 1
        for (line, e) in shown.prefix(fits).enumerated() {
            x = r.x
            let rowKey = pane.spec.options["key"].map { e.row.path($0).cellText } ?? String(line)
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
        if shown.count > fits, r.h > 2 {
            f.put(r.x, r.y + r.h - 1, "+\(shown.count - fits) more", .dim, limit: r.w)
        }
    }

    /// A number for a cell: whole numbers without decimals, others with `digits`.
    static func num(_ v: Double, _ digits: Int) -> String {
        if v == v.rounded() && abs(v) < 1e15 { return String(Int64(v)) }
        return String(format: "%.\(digits)f", v)
    }

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

    static func sparkline(_ pane: Pane, _ rows: [PaneFeed.Entry], _ f: inout Frame, _ r: Rect) {
        guard let col = pane.spec.options["value"] ?? columns(pane, rows).first(where: { rows.last?.row.path($0).number != nil }) else { return }
        let key = pane.spec.options["key"]
        for e in rows where e.seq > pane.lastSeq {
            guard let n = e.row.path(col).number else { continue }
            let k = key.map { e.row.path($0).cellText } ?? col
            pane.series[k, default: []].append(n)
            if pane.series[k]!.count > 400 { pane.series[k]!.removeFirst(pane.series[k]!.count - 400) }
        }
        let lo = pane.spec.options["min"].flatMap(Double.init), hi = pane.spec.options["max"].flatMap(Double.init)
        if key == nil, let vals = pane.series[col] {
            // One series: the line, its latest value, and its range below.
            let w = r.w - 12
            f.put(r.x, r.y, sparkLine(vals, width: w, lo: lo, hi: hi), .accent)
            let last = vals.last.map { num($0, 2) } ?? ""
            f.put(r.x + r.w - 11, r.y, Frame.pad(last, 11, right: true), .bold)
            if r.h > 1, let mn = vals.suffix(w).min(), let mx = vals.suffix(w).max() {
                f.put(r.x, r.y + 1, "\(col)  min \(num(mn, 2))  max \(num(mx, 2))  n \(vals.count)", .dim, limit: r.w)
            }
            return
        }
        let keys = pane.series.keys.sorted()
        let labelW = min(12, (keys.map(Frame.width).max() ?? 0) + 1)
        for (i, k) in keys.prefix(r.h).enumerated() {
            let vals = pane.series[k] ?? []
            f.put(r.x, r.y + i, Frame.pad(k, labelW - 1), .normal)
            f.put(r.x + labelW, r.y + i, sparkLine(vals, width: r.w - labelW - 9, lo: lo, hi: hi), .accent)
            f.put(r.x + r.w - 8, r.y + i, Frame.pad(vals.last.map { num($0, 1) } ?? "", 8, right: true), .bold)
        }
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

    static func gauge(_ pane: Pane, _ rows: [PaneFeed.Entry], _ f: inout Frame, _ r: Rect) {
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
            f.put(r.x + labelW, r.y + i, bar((v - lo) / (hi - lo), width: max(0, barW)), thresholdStyle(v, opts))
            f.put(r.x + r.w - 6, r.y + i, Frame.pad(String(format: "%.2f", v), 6, right: true), thresholdStyle(v, opts))
        }
    }

    static func bars(_ pane: Pane, _ rows: [PaneFeed.Entry], _ f: inout Frame, _ r: Rect) {
        let o = pane.spec.options
        guard let key = o["key"], let col = o["value"] else { return }
        var latestByKey = OrderedDictionary<String, Double>()
        for e in rows { if let n = e.row.path(col).number { latestByKey[e.row.path(key).cellText] = n } }
        var items = Array(latestByKey)
        let lowIsBad = o["low"] == "bad"
        switch o["sort"] {
        case "asc": items.sort { $0.value < $1.value }
        case "key": items.sort { $0.key < $1.key }
        default: items.sort { $0.value > $1.value }
        }
        let hi = o["max"].flatMap(Double.init) ?? max(1e-9, items.map(\.value).max() ?? 1)
        let labelW = min(14, (items.map { Frame.width($0.key) }.max() ?? 0) + 1)
        for (i, it) in items.prefix(r.h).enumerated() {
            let barW = r.w - labelW - 8
            f.put(r.x, r.y + i, Frame.pad(it.key, labelW - 1), .normal)
            f.put(r.x + labelW, r.y + i, bar(it.value / hi, width: max(0, barW)), thresholdStyle(it.value, o, lowIsBad: lowIsBad))
            f.put(r.x + r.w - 7, r.y + i, Frame.pad(it.value >= 100 ? num(it.value.rounded(), 0) : num(it.value, 1), 7, right: true), .bold)
        }
    }

    static func timeline(_ pane: Pane, _ rows: [PaneFeed.Entry], _ f: inout Frame, _ r: Rect) {
        let o = pane.spec.options
        guard let key = o["key"], let segs = o["segments"]?.split(separator: ",").map(String.init), !segs.isEmpty else { return }
        var latestByKey = OrderedDictionary<String, [Double]>()
        for e in rows { latestByKey[e.row.path(key).cellText] = segs.map { e.row.path($0).number ?? 0 } }
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
                let w = cells(v / maxTotal * Double(barW), in: -1_000_000...1_000_000)
                f.put(x, y, String(repeating: "█", count: max(0, w)), styles[j % styles.count], limit: r.x + labelW + barW - x)
                x += w
            }
            f.put(r.x + r.w - 5, y, Frame.pad(num(vals.reduce(0, +).rounded(), 0), 5, right: true), .bold)
        }
    }

    static func log(_ pane: Pane, _ rows: [PaneFeed.Entry], _ f: inout Frame, _ r: Rect) {
        let o = pane.spec.options
        let cols = columns(pane, rows)
        var shown = Array(rows.reversed())
        if !pane.filter.isEmpty {
            let needle = pane.filter.lowercased()
            shown = shown.filter { e in cols.contains { e.row.path($0).cellText.lowercased().contains(needle) } }
        }
        for (i, e) in shown.prefix(r.h).enumerated() {
            let text = cols.map { c in
                let v = e.row.path(c)
                if case .array(let a) = v { return a.map { x in
                    if case .object(let ob) = x { return ob.values.map(\.cellText).joined(separator: " ") }
                    return x.cellText
                }.joined(separator: ", ") }
                return v.cellText
            }.filter { !$0.isEmpty }.joined(separator: "  ")
            let st = o["severity"].map { severity(e.row.path($0)) } ?? .normal
            f.put(r.x, r.y + i, st == .normal ? "  " : "● ", st)
            f.put(r.x + 2, r.y + i, text, .normal, limit: r.w - 2)
        }
    }

    static func counter(_ pane: Pane, _ rows: [PaneFeed.Entry], _ total: Int, _ f: inout Frame, _ r: Rect) {
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
