import OrderedCollections

/// Reads CSV text with a header line (RFC 4180 quoting: `"a ""b"""`, quoted newlines and commas).
///
/// Cells are typed by their text: empty is NULL, `true`/`false` are bools, integers and decimals are
/// numbers, anything else is a string. Rows with a different number of cells than the header are
/// reported with their line number instead of being guessed at.
public struct CSVReader {
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let line: Int
        public let message: String
        public var description: String { "CSV line \(line): \(message)" }
    }

    public let header: [String]
    public private(set) var rows: [OrderedDictionary<String, Value>] = []
    public private(set) var failures: [Failure] = []

    public init(text: String, separator: UInt8 = UInt8(ascii: ",")) throws(Failure) {
        let records = CSVReader.records(Array(text.utf8), separator: separator)
        guard let first = records.first else { throw Failure(line: 1, message: "no header line") }
        header = first.cells.map { $0.trimmingSpaces() }
        if let dup = Dictionary(grouping: header, by: { $0 }).first(where: { $0.value.count > 1 })?.key {
            throw Failure(line: 1, message: "duplicate column '\(dup)' in header")
        }
        for rec in records.dropFirst() {
            if rec.cells.count == 1 && rec.cells[0].isEmpty { continue }  // blank line
            guard rec.cells.count == header.count else {
                failures.append(Failure(line: rec.line, message: "expected \(header.count) cells, found \(rec.cells.count)"))
                continue
            }
            var row = OrderedDictionary<String, Value>()
            for (h, c) in zip(header, rec.cells) { row[h] = CSVReader.typed(c) }
            rows.append(row)
        }
    }

    static func typed(_ cell: String) -> Value {
        let t = cell.trimmingSpaces()
        if t.isEmpty { return .null }
        if t == "true" || t == "TRUE" { return .bool(true) }
        if t == "false" || t == "FALSE" { return .bool(false) }
        if let i = Int64(t) { return .int(i) }
        if let d = Double(t), d.isFinite, t.first != "+", !t.contains(where: { $0.isLetter && $0 != "e" && $0 != "E" }) {
            return .double(d)
        }
        return .string(cell)
    }

    struct Record { var cells: [String]; var line: Int }

    static func records(_ b: [UInt8], separator: UInt8) -> [Record] {
        var out: [Record] = []
        var cells: [String] = []
        var cell: [UInt8] = []
        var i = 0, line = 1, recLine = 1
        var inQuotes = false
        while i < b.count {
            let c = b[i]
            if inQuotes {
                if c == UInt8(ascii: "\"") {
                    if i + 1 < b.count && b[i + 1] == UInt8(ascii: "\"") { cell.append(c); i += 2; continue }
                    inQuotes = false
                } else {
                    if c == 10 { line += 1 }
                    cell.append(c)
                }
                i += 1
                continue
            }
            switch c {
            case UInt8(ascii: "\""): inQuotes = true
            case separator:
                cells.append(String(decoding: cell, as: UTF8.self)); cell.removeAll(keepingCapacity: true)
            case 13: break
            case 10:
                cells.append(String(decoding: cell, as: UTF8.self)); cell.removeAll(keepingCapacity: true)
                out.append(Record(cells: cells, line: recLine))
                cells.removeAll()
                line += 1
                recLine = line
            default: cell.append(c)
            }
            i += 1
        }
        if !cell.isEmpty || !cells.isEmpty {
            cells.append(String(decoding: cell, as: UTF8.self))
            out.append(Record(cells: cells, line: recLine))
        }
        return out
    }
}

extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
