/// Writes a batch's result rows as CSV lines straight from its cells: a header of the SELECT list's
/// names (`*` left out), then per row one field per name — NULL as `NULL`, strings bare, numbers as the
/// JSON writer spells them (integral doubles without a fraction), arrays and objects as JSON. A field
/// holding a comma, a quote, CR or LF is quoted, its quotes doubled (RFC 4180).
///
/// A schema whose rows are not one field per column (`*` or an object spread into the row, or two
/// columns with one name) reads each named column from `object(_:)`, as before.
///
/// ```swift
/// let csv = ResultCSVWriter(schema: query.schema)
/// var out = csv.header; out.append(10)
/// for i in 0..<batch.count { csv.write(batch, row: i, into: &out); out.append(10) }
/// ```
public struct ResultCSVWriter: Sendable {
    public let schema: ResultSchema
    /// The header line's names (without a newline): the tag column first when there is one.
    public let names: [String]
    /// The header line, fields quoted as needed, without a newline.
    public let header: [UInt8]
    /// Rows are one field per column, so the writer reads cells by position.
    private let direct: Bool
    /// `tag,` already quoted: the first field of every line.
    private let tagField: [UInt8]

    /// `tagColumn` and `tag` put a first column (named `tagColumn`) holding `tag` on every line, as `run`
    /// does with `query` and the query's name.
    public init(schema: ResultSchema, tagColumn: String? = nil, tag: String = "") {
        self.schema = schema
        let columns = schema.names.filter { $0 != "*" }
        direct = schema.isFlat
        names = (tagColumn.map { [$0] } ?? []) + columns
        var h: [UInt8] = []
        for (k, n) in names.enumerated() {
            if k > 0 { h.append(UInt8(ascii: ",")) }
            ResultCSVWriter.writeField(n, into: &h)
        }
        header = h
        var t: [UInt8] = []
        if tagColumn != nil {
            ResultCSVWriter.writeField(tag, into: &t)
            t.append(UInt8(ascii: ","))
        }
        tagField = t
    }

    /// Appends row `i` of `batch` (whose schema must be this writer's) as one CSV line without its newline.
    public func write(_ batch: ResultBatch, row i: Int, into out: inout [UInt8]) {
        out.append(contentsOf: tagField)
        guard direct, batch.schema.width == schema.width else {
            let o = batch.object(i)
            for (k, name) in schema.names.lazy.filter({ $0 != "*" }).enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                ResultCSVWriter.writeField(o[name] ?? .null, into: &out)
            }
            return
        }
        let width = schema.width
        let base = i * width
        batch.values.withUnsafeBufferPointer { cells in
            for k in 0..<width {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                ResultCSVWriter.writeField(cells[base + k], into: &out)
            }
        }
    }

    /// A value as one CSV field: NULL as `NULL`, else its text, quoted when it needs to be.
    public static func writeField(_ v: Value, into out: inout [UInt8]) {
        switch v {
        case .null: out.append(contentsOf: "NULL".utf8)
        case .string(let s): writeField(s, into: &out)
        case .int, .double, .bool: v.writeText(into: &out)   // never holds a character to quote
        default:
            let start = out.count
            v.writeText(into: &out)
            quoteIfNeeded(&out, from: start)
        }
    }

    /// Text as one CSV field: quoted, with its quotes doubled, when it holds a comma, a quote, CR or LF.
    public static func writeField(_ s: String, into out: inout [UInt8]) {
        var s = s
        s.withUTF8 { b in
            if b.contains(where: needsQuotes) { appendQuoted(b, into: &out) } else { out.append(contentsOf: b) }
        }
    }

    /// `text` in quotes, its quotes doubled.
    private static func appendQuoted(_ text: some Sequence<UInt8>, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for c in text {
            out.append(c)
            if c == UInt8(ascii: "\"") { out.append(c) }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// `s` as one CSV field.
    public static func field(_ s: String) -> String {
        var out: [UInt8] = []
        writeField(s, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    private static func needsQuotes(_ c: UInt8) -> Bool {
        c == UInt8(ascii: ",") || c == UInt8(ascii: "\"") || c == 0x0A || c == 0x0D
    }

    /// Quotes the field written from `start` to the end of `out` when it needs it (rare: JSON text with a
    /// comma or a quote), shifting it in place.
    @inline(never) private static func quoteIfNeeded(_ out: inout [UInt8], from start: Int) {
        guard out[start...].contains(where: needsQuotes) else { return }
        let text = Array(out[start...])
        out.removeSubrange(start...)
        appendQuoted(text, into: &out)
    }
}

extension ResultSchema {
    /// A row's fields are its cells in column order: no `*` or object spread into the row, no name twice.
    /// Writers then read cells by position instead of building `ResultBatch.object(_:)`.
    public var isFlat: Bool {
        let names = self.names
        return !columns.contains { $0.spread || $0.spreadsObjects || $0.name == "*" } && Set(names).count == names.count
    }
}
