import Foundation
import OrderedCollections
import StreamSQL

/// The row cursor of a pane that lists rows (table, log, bars): which row is selected, and the first row
/// drawn. The cursor follows its row's identity while the data moves — the pane's `key` option (a bar's
/// key, a keyed table's key), else the first column, or for a log the row itself — and on a log's top row
/// it follows the newest row.
struct RowCursor {
    /// Index of the selected row in the listed rows; nil while no row is selected.
    var index: Int?
    /// Identity of the selected row, to find it again after an update.
    var id: String?
    /// Index of the first row drawn.
    var top = 0
    /// Rows the pane showed at its last frame (a page for PgUp/PgDn).
    var page = 10
}

extension Pane {
    /// Whether its widget lists rows a cursor can move over.
    var listsRows: Bool { [.table, .log, .bars].contains(spec.widget) }

    /// The rows the widget lists, in the order drawn (filtered and sorted), or nil for a widget that does
    /// not list rows.
    func listed(_ rows: [PaneFeed.Entry]) -> [PaneFeed.Entry]? {
        switch spec.widget {
        case .table: TableWidget.listed(self, rows)
        case .log: LogWidget.listed(self, rows)
        case .bars: BarsWidget.listed(self, rows)
        default: nil
        }
    }

    /// What keeps a row under the cursor while the data moves.
    func identity(_ e: PaneFeed.Entry, columns: [String]) -> String {
        if spec.widget == .log { return "#\(e.seq)" }
        if let k = spec.options["key"] { return e.row.path(k).cellText }
        if let c = columns.first { return e.row.path(c).cellText }
        return "#\(e.seq)"
    }

    /// Whether the cursor follows the newest row (a log's top row).
    var followingNewest: Bool { spec.widget == .log && cursor.index == 0 }

    /// Finds the cursor's row in `list` again (same identity, else the same position), stores its place,
    /// and scrolls so that it is among the `visible` rows drawn. Returns the first row to draw.
    /// - Complexity: O(n) in the listed rows.
    @discardableResult
    func placeCursor(in list: [PaneFeed.Entry], columns: [String], visible: Int) -> Int {
        cursor.page = max(1, visible)
        if var i = cursor.index {
            if !followingNewest, let id = cursor.id, let found = list.firstIndex(where: { identity($0, columns: columns) == id }) {
                i = found
            }
            i = max(0, min(i, list.count - 1))
            cursor.index = i
            if list.indices.contains(i) { cursor.id = identity(list[i], columns: columns) }
            if i < cursor.top { cursor.top = i }
            if i >= cursor.top + visible { cursor.top = i - visible + 1 }
        }
        cursor.top = max(0, min(cursor.top, list.count - visible))
        return cursor.top
    }

    /// A move past either end (Home, End).
    static let far = 1 << 40

    /// Moves the cursor `delta` rows (clamped; the first move selects the top row) and keeps it visible.
    func moveCursor(by delta: Int) {
        let (rows, _) = feed.snapshot()
        guard let list = listed(rows) else { return }
        let cols = Widgets.columns(self, rows)
        placeCursor(in: list, columns: cols, visible: cursor.page)
        let i = cursor.index.map { $0 + delta } ?? (delta >= Pane.far ? list.count - 1 : 0)
        cursor.index = max(0, min(i, list.count - 1))
        cursor.id = nil
        if let c = cursor.index, list.indices.contains(c) { cursor.id = identity(list[c], columns: cols) }
        placeCursor(in: list, columns: cols, visible: cursor.page)
    }

    /// The row under the cursor now, if any.
    func selectedRow() -> PaneFeed.Entry? {
        guard cursor.index != nil else { return nil }
        let (rows, _) = feed.snapshot()
        guard let list = listed(rows) else { return nil }
        placeCursor(in: list, columns: Widgets.columns(self, rows), visible: cursor.page)
        return cursor.index.flatMap { list.indices.contains($0) ? list[$0] : nil }
    }

    /// The pane's state for its title: filter, sort and cursor (`/decline ▼amount 3/40`).
    func stateTitle(count: Int?, sortedBy: String?) -> String {
        var parts: [String] = []
        if !filter.isEmpty { parts.append("/" + filter) }
        if let s = sortedBy { parts.append("▼" + (s.split(separator: ".").last.map(String.init) ?? s)) }
        if let i = cursor.index, let n = count {
            parts.append(followingNewest ? "following newest" : "\(min(i + 1, n))/\(n)")
        }
        return parts.joined(separator: " ")
    }
}

/// A pane's `/` filter: plain text matched in any shown column, or a column-qualified comparison
/// (`decision=decline`, `amount>1000`, `city!=Paris`, `score<=0.5`) when the left side names a column.
struct RowFilter {
    enum Op: String, CaseIterable { case ne = "!=", ge = ">=", le = "<=", eq = "=", gt = ">", lt = "<" }
    var column: String?
    var op: Op = .eq
    var value: String

    /// Reads `text` against the columns the pane shows (and the newest row's fields).
    init(_ text: String, columns: [String], sample: OrderedDictionary<String, Value>?) {
        value = text.lowercased()
        for op in Op.allCases {
            guard let r = text.range(of: op.rawValue) else { continue }
            let name = text[..<r.lowerBound].trimmingCharacters(in: .whitespaces)
            let heads = columns.map { $0.split(separator: ".").last.map(String.init) ?? $0 }
            let column = columns.first { $0 == name } ?? heads.firstIndex(of: name).map { columns[$0] }
                ?? (sample.map { $0.path(name) != .null } == true ? name : nil)
            guard let column, !name.isEmpty else { continue }
            self.column = column
            self.op = op
            value = text[r.upperBound...].trimmingCharacters(in: .whitespaces).lowercased()
            return
        }
    }

    func matches(_ row: OrderedDictionary<String, Value>, columns: [String]) -> Bool {
        guard let column else { return columns.contains { row.path($0).cellText.lowercased().contains(value) } }
        let v = row.path(column)
        let text = v.cellText.lowercased()
        if let x = v.number, let y = Double(value) {
            switch op {
            case .eq: return x == y
            case .ne: return x != y
            case .gt: return x > y
            case .lt: return x < y
            case .ge: return x >= y
            case .le: return x <= y
            }
        }
        switch op {
        case .eq: return text == value
        case .ne: return text != value
        case .gt: return text > value
        case .lt: return text < value
        case .ge: return text >= value
        case .le: return text <= value
        }
    }
}

extension Pane {
    /// `rows` without those the pane's filter leaves out.
    func filtered(_ rows: [PaneFeed.Entry], columns: [String]) -> [PaneFeed.Entry] {
        guard !filter.isEmpty else { return rows }
        let f = RowFilter(filter, columns: columns, sample: rows.first?.row)
        return rows.filter { f.matches($0.row, columns: columns) }
    }
}
