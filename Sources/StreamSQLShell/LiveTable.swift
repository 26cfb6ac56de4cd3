import Foundation
import OrderedCollections
import StreamSQL

/// The rows `.mode live` shows: one per key (a windowed query's window bounds and group keys), replaced in
/// place as new results for that key arrive, removed when a retraction (EMIT CHANGES) withdraws it. A query
/// without keys (a row query) keeps its newest `capacity` rows. Each cell remembers when it last changed,
/// so that the view can highlight what just moved.
///
/// Pure: the terminal side (`LiveView`) feeds it batches and asks it for lines.
/// - Complexity: `apply` is O(rows in the batch × columns); `lines` sorts the rows it shows, O(n log n).
struct LiveTable {
    struct Row {
        var cells: [String: Value]
        /// When each column's value last changed (seconds, the caller's clock).
        var changedAt: [String: Double]
        var kind: EmitKind
        /// Retracted and not yet replaced: hidden, and gone at the end of the batch unless an update
        /// for its key follows (EMIT CHANGES sends the two together), so the row keeps its place.
        var withdrawn = false
    }

    let title: String
    let keyColumns: [String]
    let timeColumns: Set<String>
    let capacity: Int
    private(set) var columns: [String] = []
    private(set) var rows: OrderedDictionary<[Value], Row> = [:]
    /// Results applied so far, and retractions among them.
    private(set) var updates = 0
    private var sequence = 0
    /// The column the rows are sorted by (nil: the order keys first appeared), and the direction.
    var sortColumn: Int?
    var descending = false
    /// The first row shown (paging).
    var offset = 0

    init(title: String, columns: [String] = [], keyColumns: [String], timeColumns: [String] = [], capacity: Int = 10_000) {
        self.title = title
        self.columns = columns.filter { $0 != "*" }
        self.keyColumns = keyColumns
        self.timeColumns = Set(timeColumns)
        self.capacity = max(1, capacity)
    }

    /// Takes in one batch of results at time `now`.
    mutating func apply(_ batch: ResultBatch, now: Double) {
        for i in 0..<batch.count {
            let object = batch.object(i)
            for name in object.keys where !columns.contains(name) { columns.append(name) }
            apply(object, kind: batch.kind(i), now: now)
        }
        settle()
    }

    /// Drops the rows retracted and not replaced.
    mutating func settle() {
        if rows.values.contains(where: \.withdrawn) { rows.removeAll { $0.value.withdrawn } }
    }

    mutating func apply(_ object: OrderedDictionary<String, Value>, kind: EmitKind, now: Double) {
        updates &+= 1
        let key: [Value]
        if keyColumns.isEmpty {
            sequence &+= 1
            key = [.int(Int64(sequence))]
        } else {
            key = keyColumns.map { object[$0] ?? .null }
        }
        if kind == .retract {
            rows[key]?.withdrawn = true
            return
        }
        var cells: [String: Value] = [:]
        for (k, v) in object { cells[k] = v }
        if var row = rows[key] {
            for (k, v) in cells where row.cells[k] != v { row.changedAt[k] = now }
            row.cells = cells
            row.kind = kind
            row.withdrawn = false
            rows[key] = row
        } else {
            rows[key] = Row(cells: cells, changedAt: cells.mapValues { _ in now }, kind: kind)
            if rows.count > capacity { rows.removeFirst(rows.count - capacity) }
        }
    }

    /// Sorts by column `index` (0-based among the shown columns); the same column again reverses the order.
    mutating func sort(by index: Int) {
        guard index >= 0, index < columns.count else { return }
        if sortColumn == index { descending.toggle() } else { sortColumn = index; descending = false }
    }

    /// Moves a page (`pages` may be negative) of `height` rows, staying within the rows.
    mutating func page(_ pages: Int, height: Int) {
        let h = max(1, height)
        offset = min(max(0, offset + pages * h), max(0, rows.count - 1) / h * h)
    }

    /// The text of a cell: window bounds as ISO times, NULL spelled out.
    func text(_ column: String, _ v: Value?) -> String {
        guard let v else { return "" }
        if timeColumns.contains(column), case .int(let ns) = v { return TimeFormat.iso8601(nanos: ns) }
        return OutputFormat.clip(OutputFormat.cell(v), 200)
    }

    /// The rows in display order: sorted when asked, else keys in the order they first came, or the newest
    /// first for a query without keys.
    func ordered() -> [Row] {
        let all = rows.values.filter { !$0.withdrawn }
        guard let c = sortColumn, c < columns.count else { return keyColumns.isEmpty ? all.reversed() : all }
        let name = columns[c]
        let sorted = all.enumerated().sorted { a, b in
            let o = Value.sortOrder(a.element.cells[name] ?? .null, b.element.cells[name] ?? .null)
            if o != 0 { return descending ? o > 0 : o < 0 }
            return a.offset < b.offset
        }
        return sorted.map(\.element)
    }

    /// The screen: a status line, the header, a rule and the rows of the current page, each at most `width`
    /// characters; cells changed within `highlight` seconds of `now` in reverse video when `color`.
    func lines(width: Int, height: Int, now: Double, color: Bool, highlight: Double = 1.5, status: String = "") -> [String] {
        let bodyHeight = max(1, height - 4)
        let shown = ordered()
        let first = min(offset, max(0, shown.count - 1) / bodyHeight * bodyHeight)
        let page = shown.dropFirst(first).prefix(bodyHeight)
        let numeric = columns.map { c in
            var any = false
            for r in rows.values where !r.withdrawn { if let v = r.cells[c], !v.isNull { guard OutputFormat.isNumber(v) else { return false }; any = true } }
            return any
        }
        var widths = columns.map { min($0.count + 2, 30) }
        for r in page { for (i, c) in columns.enumerated() { widths[i] = max(widths[i], min(text(c, r.cells[c]).count, numeric[i] ? 40 : 30)) } }
        let pages = max(1, (shown.count + bodyHeight - 1) / bodyHeight)
        let sortNote = sortColumn.map { $0 < columns.count ? " · sorted by \(columns[$0]) \(descending ? "↓" : "↑")" : "" } ?? ""
        var top = "\(title) · \(shown.count) row\(shown.count == 1 ? "" : "s") · \(updates) update\(updates == 1 ? "" : "s")\(sortNote) · page \(first / bodyHeight + 1)/\(pages)"
        if !status.isEmpty { top += " · " + status }
        top += " · q quits, 1-9 sort, PgUp/PgDn"
        func fit(_ cells: [(text: String, style: String)]) -> String {
            var out = "", used = 0
            for (i, cell) in cells.enumerated() {
                let sep = i == 0 ? "" : " | "
                guard used + sep.count < width else { break }
                let room = width - used - sep.count
                let t = cell.text.count > room ? String(cell.text.prefix(max(0, room - 1))) + "…" : cell.text
                out += sep + (color && !cell.style.isEmpty ? cell.style + t + "\u{1B}[0m" : t)
                used += sep.count + t.count
            }
            return out
        }
        func padded(_ i: Int, _ s: String) -> String {
            let cut = numeric[i] || s.count <= widths[i] ? s : String(s.prefix(max(1, widths[i] - 1))) + "…"
            return OutputFormat.pad(cut, widths[i], right: numeric[i])
        }
        var out = [String(top.prefix(width))]
        out.append(fit(columns.enumerated().map { i, c in
            (padded(i, c + (sortColumn == i ? (descending ? " ↓" : " ↑") : "")), "\u{1B}[1m")
        }))
        out.append(String(widths.map { String(repeating: "-", count: $0) }.joined(separator: "-+-").prefix(width)))
        for r in page {
            out.append(fit(columns.enumerated().map { i, c in
                let recent = (r.changedAt[c].map { now - $0 < highlight } ?? false)
                return (padded(i, text(c, r.cells[c])), recent ? "\u{1B}[7m" : "")
            }))
        }
        return out
    }
}
