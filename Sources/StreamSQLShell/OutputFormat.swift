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
    /// A full-screen table of an attached query, one row per key updated in place (`LiveView`); where
    /// there is no terminal, rows print as in table mode.
    case live

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

    /// `s` as one CSV field (quoted when it holds a comma, a quote, CR or LF): `ResultCSVWriter`'s rule.
    public static func csvField(_ s: String) -> String { ResultCSVWriter.field(s) }

    /// Whether a value prints as a number (right-aligned, never cut).
    static func isNumber(_ v: Value) -> Bool {
        switch v {
        case .int, .double: return true
        default: return false
        }
    }

    /// Columns whose every non-null value is a number.
    static func numericColumns(_ columns: [String], _ rows: some Collection<[Value]>) -> [Bool] {
        columns.indices.map { i in
            var any = false
            for r in rows where i < r.count && !r[i].isNull {
                guard isNumber(r[i]) else { return false }
                any = true
            }
            return any
        }
    }

    /// `s` padded to `w` characters, on the left for numbers.
    static func pad(_ s: String, _ w: Int, right: Bool) -> String {
        let fill = String(repeating: " ", count: max(0, w - s.count))
        return right ? fill + s : s + fill
    }

    /// An aligned table. Text columns are as wide as their widest cell, up to `maxWidth` characters (longer
    /// text is cut with …); numbers are right-aligned and never cut.
    public static func table(columns: [String], rows: [[Value]], maxWidth: Int = 40) -> String {
        let numeric = numericColumns(columns, rows)
        let cells = rows.map { r in r.enumerated().map { i, v in i < numeric.count && numeric[i] ? cell(v) : clip(cell(v), maxWidth) } }
        var widths = columns.map { min(maxWidth, $0.count) }
        for r in cells { for (i, c) in r.enumerated() where i < widths.count { widths[i] = max(widths[i], c.count) } }
        func line(_ parts: [String]) -> String {
            parts.enumerated().map { i, p in pad(p, i < widths.count ? widths[i] : 0, right: i < numeric.count && numeric[i]) }.joined(separator: " | ")
        }
        var out = [line(columns.map { clip($0, maxWidth) }), widths.map { String(repeating: "-", count: $0) }.joined(separator: "-+-")]
        out += cells.map(line)
        out.append("(\(rows.count) row\(rows.count == 1 ? "" : "s"))")
        return out.joined(separator: "\n")
    }

    /// A table that fits `width` characters without cutting anything: numbers right-aligned at full width,
    /// the widest text columns narrowed until the lines fit and their cells wrapped onto more lines, at
    /// spaces where they can be. When that would squeeze text under 16 characters, records instead.
    public static func wrappedTable(columns: [String], rows: [[Value]], width: Int) -> [String] {
        let numeric = numericColumns(columns, rows)
        let cells = rows.map { r in columns.indices.map { i in i < r.count ? cell(r[i]) : "" } }
        var widths = columns.indices.map { i in
            max(columns[i].count, cells.map { $0[i].split(separator: "\n", omittingEmptySubsequences: false).map(\.count).max() ?? 0 }.max() ?? 0)
        }
        let floor = columns.indices.map { i in numeric[i] ? widths[i] : min(widths[i], max(8, columns[i].count)) }
        let natural = widths
        while widths.reduce(0, +) + 3 * max(0, widths.count - 1) > width,
              let m = widths.indices.filter({ widths[$0] > floor[$0] }).max(by: { widths[$0] < widths[$1] }) {
            widths[m] -= 1
        }
        // Too many columns to be read as a table (still too wide, or text squeezed under 16 characters):
        // records, one `column | value` line each, as psql's expanded auto mode does.
        if widths.reduce(0, +) + 3 * max(0, widths.count - 1) > width || widths.indices.contains(where: { widths[$0] < min(natural[$0], 16) }) {
            return verticalLines(columns: columns, rows: rows, width: width) + ["(\(rows.count) row\(rows.count == 1 ? "" : "s"))"]
        }
        var out = [columns.indices.map { pad(columns[$0], widths[$0], right: numeric[$0]) }.joined(separator: " | ").trailingSpacesTrimmed,
                   widths.map { String(repeating: "-", count: $0) }.joined(separator: "-+-")]
        for r in cells {
            let wrapped = columns.indices.map { numeric[$0] ? [r[$0]] : wrap(r[$0], widths[$0]) }
            let height = wrapped.map(\.count).max() ?? 1
            for k in 0..<height {
                out.append(columns.indices.map { i in pad(k < wrapped[i].count ? wrapped[i][k] : "", widths[i], right: numeric[i]) }
                    .joined(separator: " | ").trailingSpacesTrimmed)
            }
        }
        out.append("(\(rows.count) row\(rows.count == 1 ? "" : "s"))")
        return out
    }

    /// Text in lines of at most `width` characters: its own line breaks kept, broken at the last space that
    /// fits, or hard where a word is longer than the line.
    static func wrap(_ text: String, _ width: Int) -> [String] {
        let w = max(1, width)
        var out: [String] = []
        for piece in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var rest = Substring(piece)
            while rest.count > w {
                let head = rest.prefix(w + 1)
                if let space = head.lastIndex(of: " "), space > rest.startIndex {
                    out.append(String(rest[..<space]))
                    rest = rest[rest.index(after: space)...]
                } else {
                    out.append(String(rest.prefix(w)))
                    rest = rest.dropFirst(w)
                }
            }
            out.append(String(rest))
        }
        return out.isEmpty ? [""] : out
    }

    /// Records as `column | value` lines under a `-[ row N ]-` rule, the whole value on as many lines as it
    /// needs (wrapped to `width` when given).
    public static func verticalLines(columns: [String], rows: [[Value]], width: Int? = nil) -> [String] {
        let w = columns.map(\.count).max() ?? 0
        var out: [String] = []
        for (n, r) in rows.enumerated() {
            out.append("-[ row \(n + 1) ]" + String(repeating: "-", count: 30))
            for (c, v) in zip(columns, r) {
                let text = cell(v)
                let lines = width.map { wrap(text, max(20, $0 - w - 3)) } ?? text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                for (k, l) in lines.enumerated() {
                    out.append((k == 0 ? c.padding(toLength: w, withPad: " ", startingAt: 0) : String(repeating: " ", count: w)) + " | " + l)
                }
            }
        }
        return out
    }

    /// A statement's result table (SHOW, DESCRIBE, EXPLAIN …) as lines in an output mode: CSV with a header,
    /// one JSON object per row, records for vertical, or an aligned table (table and changelog modes) that
    /// fits `screenColumns` by wrapping when given, else cuts text at `maxWidth`.
    public static func statementLines(columns: [String], rows: [[Value]], mode: OutputMode, maxWidth: Int = 40, screenColumns: Int? = nil) -> [String] {
        switch mode {
        case .csv:
            return [columns.map(csvField).joined(separator: ",")] + rows.map { r in r.map { csvField(cell($0)) }.joined(separator: ",") }
        case .jsonl:
            return rows.map { r in
                var o = OrderedDictionary<String, Value>()
                for (c, v) in zip(columns, r) { o[c] = v }
                return JSONWriter.string(object: o)
            }
        case .vertical where screenColumns != nil:
            return verticalLines(columns: columns, rows: rows, width: screenColumns)
        case .table, .vertical, .changelog, .live:
            if let screenColumns { return wrappedTable(columns: columns, rows: rows, width: screenColumns) }
            return [table(columns: columns, rows: rows, maxWidth: maxWidth)]
        }
    }

    static func clip(_ s: String, _ w: Int) -> String {
        // Most cells: no line break and fewer bytes than the width (so fewer characters too).
        if s.utf8.count <= w, !s.utf8.contains(0x0A) { return s }
        let flat = s.replacingOccurrences(of: "\n", with: " ")
        return flat.count <= w ? flat : String(flat.prefix(max(1, w - 1))) + "…"
    }
}


/// Prints the rows of an attached query as they arrive, in the shell's output mode.
///
/// Table and changelog modes size their columns from the first rows (text at most `maxWidth` characters,
/// narrowed to fit the terminal, longer values cut with an ellipsis; numbers right-aligned and never cut),
/// and repeat the header every screenful. Colour (bold header, green `+`, red `-`, dim NULL) is used only when asked for.
public final class RowPrinter: @unchecked Sendable {
    public let mode: OutputMode
    private let write: (String) -> Void
    private let color: Bool
    private let screenRows: Int
    private let screenColumns: Int
    private let maxWidth: Int
    private let windowed: Bool
    private var widths: [Int] = []
    private var numeric: [Bool] = []
    private var columns: [String] = []
    private var linesSinceHeader = Int.max
    private var previousFiring: [[Value]] = []
    private var record = 0
    private var csvHeaderDone = false

    /// Columns shown as ISO times (window bounds) in every mode but jsonl, which keeps the raw numbers.
    private let timeColumns: Set<String>

    public init(mode: OutputMode, windowed: Bool, color: Bool, screenRows: Int = 40, screenColumns: Int = 120, maxWidth: Int = 30,
                timeColumns: [String] = [], write: @escaping (String) -> Void) {
        self.mode = mode
        self.timeColumns = Set(timeColumns)
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
        if mode == .jsonl {
            for i in 0..<batch.count { write(batch.jsonLine(i)) }
            return
        }
        let rows = self.rows(batch)
        switch mode {
        case .jsonl:
            break
        case .csv:
            if !csvHeaderDone { write(columns.map(OutputFormat.csvField).joined(separator: ",")); csvHeaderDone = true }
            var line: [UInt8] = []
            for r in rows {
                line.removeAll(keepingCapacity: true)
                for (k, v) in r.enumerated() {
                    if k > 0 { line.append(UInt8(ascii: ",")) }
                    ResultCSVWriter.writeField(v, into: &line)
                }
                write(String(decoding: line, as: UTF8.self))
            }
        case .vertical:
            let w = columns.map(\.count).max() ?? 0
            for r in rows {
                record += 1
                write(paint("-[ row \(record) ]" + String(repeating: "-", count: max(0, min(screenColumns, 40) - 10)), "2"))
                for (c, v) in zip(columns, r) {
                    write(c.padding(toLength: w, withPad: " ", startingAt: 0) + " | " + cellText(v, limit: screenColumns - w - 3))
                }
            }
        case .table, .live:
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

    /// The batch's rows as cells under `columns` (set from the first batch: the SELECT list, or every key
    /// the first rows have when `*` or `changed_col` shapes them), window bounds made ISO times. A flat
    /// schema's rows are its cells as they are, without an object per row.
    private func rows(_ batch: ResultBatch) -> [[Value]] {
        let schema = batch.schema
        let flat = schema.isFlat && !schema.columns.contains { $0.omitNull }
        if columns.isEmpty {
            if flat {
                columns = schema.names
            } else {
                var names: [String] = []
                for i in 0..<batch.count { for k in batch.object(i).keys where !names.contains(k) { names.append(k) } }
                columns = names
            }
        }
        let time = columns.map { !timeColumns.isEmpty && timeColumns.contains($0) }
        func shown(_ v: Value, _ k: Int) -> Value {
            if k < time.count, time[k], case .int(let ns) = v { return .string(TimeFormat.iso8601(nanos: ns)) }
            return v
        }
        guard flat, columns.count == schema.width else {
            return (0..<batch.count).map { i in
                let o = batch.object(i)
                return columns.indices.map { k in shown(o[columns[k]] ?? .null, k) }
            }
        }
        return (0..<batch.count).map { i in batch.cells(i).enumerated().map { k, v in shown(v, k) } }
    }

    private func cellText(_ v: Value, limit: Int) -> String {
        let t = OutputFormat.clip(OutputFormat.cell(v), max(1, limit))
        return v.isNull ? paint(t, "2") : t
    }

    private func sizeColumns(_ rows: [[Value]], extra: Int) {
        guard widths.isEmpty else { return }
        let sample = rows.prefix(50)
        numeric = OutputFormat.numericColumns(columns, sample)
        widths = columns.indices.map { i in
            // Numbers are as wide as the widest of the first rows; text up to maxWidth.
            if numeric[i] { return max(columns[i].count, sample.map { OutputFormat.cell($0[i]).count }.max() ?? 0) }
            return min(maxWidth, max(columns[i].count, sample.map { OutputFormat.clip(OutputFormat.cell($0[i]), maxWidth).count }.max() ?? 0))
        }
        // Narrow the widest text columns until a line fits the terminal.
        while widths.reduce(0, +) + 3 * max(0, widths.count - 1) + extra > screenColumns,
              let m = widths.indices.filter({ !numeric[$0] }).max(by: { widths[$0] < widths[$1] }), widths[m] > 4 {
            widths[m] -= 1
        }
    }

    private func line(_ r: [Value], mark: String?) {
        if linesSinceHeader >= screenRows - 2 {
            let head = columns.indices.map { i in OutputFormat.pad(OutputFormat.clip(columns[i], widths[i]), widths[i], right: numeric[i]) }
                .joined(separator: " | ")
            write(paint((mark == nil ? "" : "  ") + head, "1"))
            write((mark == nil ? "" : "  ") + widths.map { String(repeating: "-", count: $0) }.joined(separator: "-+-"))
            linesSinceHeader = 0
        }
        let cells = zip(r, widths).map { v, w -> String in
            // A number is never cut (a wider one than the first rows had pushes the line instead).
            let number = OutputFormat.isNumber(v)
            let t = number ? OutputFormat.cell(v) : OutputFormat.clip(OutputFormat.cell(v), w)
            let padded = OutputFormat.pad(t, w, right: number)
            return v.isNull ? paint(padded, "2") : padded
        }
        var text = cells.joined(separator: " | ")
        if let mark { text = paint(mark, mark == "+" ? "32" : "31") + " " + text }
        write(text)
        linesSinceHeader += 1
    }
}

extension String {
    var trailingSpacesTrimmed: String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
