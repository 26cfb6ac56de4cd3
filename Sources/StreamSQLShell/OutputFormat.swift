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

    static func clip(_ s: String, _ w: Int) -> String {
        let flat = s.replacingOccurrences(of: "\n", with: " ")
        return flat.count <= w ? flat : String(flat.prefix(max(1, w - 1))) + "…"
    }
}
