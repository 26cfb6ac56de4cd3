import Foundation
import OrderedCollections
import StreamSQL

/// The detail view of one row (Enter on a selected row): every field, untruncated (long values wrap),
/// nested objects and arrays indented, window bounds and timestamps as readable times. It keeps the row
/// it was opened on while the pane moves on; ↑ ↓ PgUp PgDn Home End scroll it, Esc closes it.
/// `w` (why) switches to the inputs that produced the row, from the query's lineage.
struct DetailView {
    let paneTitle: String
    let entry: PaneFeed.Entry
    /// The query whose row this is (for `w`).
    var query: Query? = nil
    /// `w`: the row's inputs as table lines (`decided` marks those the plan knows decided it), or why
    /// there are none; nil shows the row's fields.
    var why: [(text: String, decided: Bool)]? = nil
    var top = 0
    /// Lines shown at the last frame (a page).
    var page = 10

    /// The row's fields as text lines at most `width` columns wide.
    /// - Complexity: O(size of the row).
    static func lines(_ row: OrderedDictionary<String, Value>, width: Int) -> [String] {
        var out: [String] = []
        func add(_ text: String, indent: Int) {
            let pad = String(repeating: " ", count: indent)
            var rest = Substring(text)
            var first = true
            // Wrap long values; the continuation lines line up under the value.
            let room = max(8, width - indent)
            repeat {
                var piece = ""
                var w = 0
                while let c = rest.first, w + Frame.columns(c) <= (first ? room : room - 2) {
                    piece.append(c)
                    w += Frame.columns(c)
                    rest.removeFirst()
                }
                if piece.isEmpty, let c = rest.first { piece.append(c); rest.removeFirst() }
                out.append(pad + (first ? "" : "  ") + piece)
                first = false
            } while !rest.isEmpty
        }
        func walk(_ name: String, _ v: Value, indent: Int) {
            switch v {
            case .object(let o):
                add(name + ":", indent: indent)
                if o.isEmpty { add("{}", indent: indent + 2) }
                for (k, x) in o { walk(k, x, indent: indent + 2) }
            case .array(let a):
                add(name + ": [\(a.count)]", indent: indent)
                for (i, x) in a.enumerated() { walk("[\(i)]", x, indent: indent + 2) }
            default:
                add(name + ": " + text(name, v), indent: indent)
            }
        }
        for (k, v) in row { walk(k, v, indent: 0) }
        return out
    }

    /// A value's full text; timestamps, and window bounds given as numbers, as readable UTC times.
    static func text(_ name: String, _ v: Value) -> String {
        let readable: (Int64) -> String = { ns in TimeFormat.iso8601(nanos: ns).replacingOccurrences(of: "T", with: " ") }
        switch v {
        case .timestamp(let ns): return readable(ns)
        case .int(let n) where ["window_start", "window_end"].contains(name) && n > 0:
            // Nanoseconds by default; milliseconds and seconds are recognised by their size.
            let ns = n >= 100_000_000_000_000_000 ? n : n >= 100_000_000_000 ? n.multipliedReportingOverflow(by: 1_000_000).partialValue
                : n.multipliedReportingOverflow(by: 1_000_000_000).partialValue
            return "\(readable(ns))  (\(n))"
        case .string(let s): return s
        case .null: return "null"
        default: return OutputFormat.cell(v)
        }
    }

    /// `w`: shows the row's inputs, or its fields again.
    mutating func toggleWhy(_ engine: Engine) {
        top = 0
        if why != nil { why = nil; return }
        guard let lineage = query?.lineage else {
            why = [("This query keeps no lineage: it started before lineage was on (SET lineage = on, then start it again).", false)]
            return
        }
        // The latest result the lineage kept whose cells agree with this row's fields.
        let match = lineage.latestRecord { columns, values in
            zip(columns, values).allSatisfy { c, v in entry.row[c].map { $0 == v } ?? true }
        }
        guard let record = match else {
            why = [("The inputs of this row are no longer kept (the query keeps those of its latest \(lineage.limits.results) results).", false)]
            return
        }
        let t = engine.lineageTable(record)
        let decided = t.columns.firstIndex(of: "decided") ?? -1
        let text = OutputFormat.table(columns: t.columns, rows: t.rows, maxWidth: 30).split(separator: "\n").map(String.init)
        // The table's first two lines are its header and rule; row k follows on line k + 2.
        why = text.enumerated().map { i, l in
            let k = i - 2
            return (l, k >= 0 && k < t.rows.count && decided >= 0 && !t.rows[k][decided].isNull)
        }
    }

    /// Draws the view over `area`.
    mutating func draw(in f: inout Frame, _ area: Rect) {
        for y in area.y..<(area.y + area.h) { f.put(area.x, y, String(repeating: " ", count: area.w)) }
        f.box(area.x, area.y, area.w, area.h, title: "\(paneTitle) › row \(entry.seq)\(why == nil ? "" : " › why")", focused: true)
        let inner = Rect(x: area.x + 2, y: area.y + 1, w: area.w - 4, h: area.h - 2)
        guard inner.w > 4, inner.h > 0 else { return }
        let all = why?.map(\.text) ?? DetailView.lines(entry.row, width: inner.w)
        page = inner.h
        top = max(0, min(top, all.count - inner.h))
        for (i, l) in all.dropFirst(top).prefix(inner.h).enumerated() {
            let decided = why.map { top + i < $0.count && $0[top + i].decided } ?? false
            f.put(inner.x, inner.y + i, l, decided ? .highlight : .normal, limit: inner.w)
        }
        if all.count > inner.h {
            let where_ = " \(top + 1)-\(min(all.count, top + inner.h)) of \(all.count) lines "
            f.put(area.x + area.w - 2 - Frame.width(where_), area.y + area.h - 1, where_, .dim)
        }
    }
}
