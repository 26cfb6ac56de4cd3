import OrderedCollections
import StreamSQL

/// How result rows are printed.
public enum OutputMode: String, CaseIterable, Sendable {
    /// JSON Lines, one object per row.
    case jsonl
    /// Comma-separated values with a header line.
    case csv
    /// An aligned text table (long values cut with an ellipsis).
    case table
    /// One `column | value` line per field, a rule between rows (for wide rows).
    case vertical
    /// Table lines marked `+` (a new row) and `-` (a window's earlier result, replaced by the next firing).
    case changelog

    /// `json` is accepted for `jsonl`.
    public init?(name: String) {
        if name.lowercased() == "json" { self = .jsonl; return }
        self.init(rawValue: name.lowercased())
    }
}

/// Formats rows for a terminal or a file.
public enum OutputFormat {
    /// Cell text: strings bare, containers as JSON, NULL as "NULL".
    public static func cell(_ v: Value) -> String {
        if v.isNull { return "NULL" }
        return v.description
    }

    public static func csvField(_ s: String) -> String {
        if s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return s
    }

    /// An aligned table. Columns are as wide as their widest cell, up to `maxWidth` characters.
    public static func table(columns: [String], rows: [[Value]], maxWidth: Int = 40) -> String {
        let cells = rows.map { $0.map { clip(cell($0), maxWidth) } }
        var widths = columns.map { min(maxWidth, $0.count) }
        for r in cells { for (i, c) in r.enumerated() where i < widths.count { widths[i] = max(widths[i], c.count) } }
        func line(_ parts: [String]) -> String {
            zip(parts, widths).map { p, w in p + String(repeating: " ", count: max(0, w - p.count)) }.joined(separator: " | ")
        }
        var out = [line(columns.map { clip($0, maxWidth) }), widths.map { String(repeating: "-", count: $0) }.joined(separator: "-+-")]
        out += cells.map(line)
        out.append("(\(rows.count) row\(rows.count == 1 ? "" : "s"))")
        return out.joined(separator: "\n")
    }

    /// A statement's result table (SHOW, DESCRIBE, EXPLAIN …) as lines in an output mode: CSV with a header,
    /// one JSON object per row, or an aligned table (for the table, vertical and changelog modes).
    public static func statementLines(columns: [String], rows: [[Value]], mode: OutputMode, maxWidth: Int = 40) -> [String] {
        switch mode {
        case .csv:
            return [columns.map(csvField).joined(separator: ",")] + rows.map { r in r.map { csvField(cell($0)) }.joined(separator: ",") }
        case .jsonl:
            return rows.map { r in
                var o = OrderedDictionary<String, Value>()
                for (c, v) in zip(columns, r) { o[c] = v }
                return JSONWriter.string(object: o)
            }
        case .table, .vertical, .changelog:
            return [table(columns: columns, rows: rows, maxWidth: maxWidth)]
        }
    }

    static func clip(_ s: String, _ w: Int) -> String {
        let flat = s.replacingOccurrences(of: "\n", with: " ")
        return flat.count <= w ? flat : String(flat.prefix(max(1, w - 1))) + "…"
    }
}


/// Prints the rows of an attached query as they arrive, in the shell's output mode.
///
/// Table and changelog modes size their columns from the first rows (at most `maxWidth` characters, and
/// narrowed to fit the terminal), cut longer values with an ellipsis, and repeat the header every
/// screenful. Colour (bold header, green `+`, red `-`, dim NULL) is used only when asked for.
public final class RowPrinter: @unchecked Sendable {
    public let mode: OutputMode
    private let write: (String) -> Void
    private let color: Bool
    private let screenRows: Int
    private let screenColumns: Int
    private let maxWidth: Int
    private let windowed: Bool
    private var widths: [Int] = []
    private var columns: [String] = []
    private var linesSinceHeader = Int.max
    private var previousFiring: [[Value]] = []
    private var record = 0
    private var csvHeaderDone = false

    public init(mode: OutputMode, windowed: Bool, color: Bool, screenRows: Int = 40, screenColumns: Int = 120, maxWidth: Int = 30,
                write: @escaping (String) -> Void) {
        self.mode = mode
        self.windowed = windowed
        self.color = color
        self.screenRows = max(5, screenRows)
        self.screenColumns = max(20, screenColumns)
        self.maxWidth = max(3, maxWidth)
        self.write = write
    }

    private func paint(_ s: String, _ code: String) -> String { color ? "\u{1B}[\(code)m" + s + "\u{1B}[0m" : s }

    public func print(_ batch: ResultBatch) {
        guard !batch.isEmpty else { return }
        let objects = batch.objects
        if columns.isEmpty {
            var names: [String] = []
            for o in objects { for k in o.keys where !names.contains(k) { names.append(k) } }
            columns = names
        }
        let rows = objects.map { o in columns.map { o[$0] ?? .null } }
        switch mode {
        case .jsonl:
            for i in 0..<batch.count { write(batch.jsonLine(i)) }
        case .csv:
            if !csvHeaderDone { write(columns.map(OutputFormat.csvField).joined(separator: ",")); csvHeaderDone = true }
            for r in rows { write(r.map { OutputFormat.csvField(OutputFormat.cell($0)) }.joined(separator: ",")) }
        case .vertical:
            let w = columns.map(\.count).max() ?? 0
            for r in rows {
                record += 1
                write(paint("-[ row \(record) ]" + String(repeating: "-", count: max(0, min(screenColumns, 40) - 10)), "2"))
                for (c, v) in zip(columns, r) {
                    write(c.padding(toLength: w, withPad: " ", startingAt: 0) + " | " + cellText(v, limit: screenColumns - w - 3))
                }
            }
        case .table:
            sizeColumns(rows, extra: 0)
            for r in rows { line(r, mark: nil) }
        case .changelog:
            sizeColumns(rows, extra: 2)
            // EMIT CHANGES (and a late row's update) says itself which rows withdraw an earlier one.
            if batch.kinds.contains(where: { $0 == .retract || $0 == .update }) {
                for (i, r) in rows.enumerated() { line(r, mark: batch.kind(i) == .retract ? "-" : "+") }
                previousFiring = []
                return
            }
            // A window firing replaces the previous firing's rows; row queries only add.
            var starts = batch.firingStarts
            if starts.isEmpty || starts[0] != 0 { starts.insert(0, at: 0) }
            for (k, s) in starts.enumerated() {
                let e = k + 1 < starts.count ? starts[k + 1] : rows.count
                guard s < e else { continue }
                if windowed { for old in previousFiring { line(old, mark: "-") } }
                let firing = Array(rows[s..<e])
                for r in firing { line(r, mark: "+") }
                previousFiring = windowed ? firing : []
            }
        }
    }

    private func cellText(_ v: Value, limit: Int) -> String {
        let t = OutputFormat.clip(OutputFormat.cell(v), max(1, limit))
        return v.isNull ? paint(t, "2") : t
    }

    private func sizeColumns(_ rows: [[Value]], extra: Int) {
        guard widths.isEmpty else { return }
        widths = columns.indices.map { i in
            min(maxWidth, max(columns[i].count, rows.prefix(50).map { OutputFormat.clip(OutputFormat.cell($0[i]), maxWidth).count }.max() ?? 0))
        }
        // Narrow the widest columns until a line fits the terminal.
        while widths.reduce(0, +) + 3 * max(0, widths.count - 1) + extra > screenColumns,
              let m = widths.indices.max(by: { widths[$0] < widths[$1] }), widths[m] > 4 {
            widths[m] -= 1
        }
    }

    private func line(_ r: [Value], mark: String?) {
        if linesSinceHeader >= screenRows - 2 {
            let head = zip(columns, widths).map { c, w in OutputFormat.clip(c, w).padding(toLength: w, withPad: " ", startingAt: 0) }
                .joined(separator: " | ")
            write(paint((mark == nil ? "" : "  ") + head, "1"))
            write((mark == nil ? "" : "  ") + widths.map { String(repeating: "-", count: $0) }.joined(separator: "-+-"))
            linesSinceHeader = 0
        }
        let cells = zip(r, widths).map { v, w -> String in
            let t = OutputFormat.clip(OutputFormat.cell(v), w)
            let padded = t.padding(toLength: w, withPad: " ", startingAt: 0)
            return v.isNull ? paint(padded, "2") : padded
        }
        var text = cells.joined(separator: " | ")
        if let mark { text = paint(mark, mark == "+" ? "32" : "31") + " " + text }
        write(text)
        linesSinceHeader += 1
    }
}
