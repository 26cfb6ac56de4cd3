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
        public var description: String { line > 0 ? "CSV line \(line): \(message)" : message }
    }

    public let header: [String]
    public private(set) var rows: [OrderedDictionary<String, Value>] = []
    public private(set) var failures: [Failure] = []

    /// Reads CSV text whole (tests, small inline data); files go through `EventFile`, which reads the same
    /// way line by line.
    public init(text: String) throws(Failure) {
        let file = EventFile(reader: LineReader.text(text), format: .csv)
        var rows: [OrderedDictionary<String, Value>] = []
        var failures: [Failure] = []
        while let r = file.next() {
            switch r {
            case .row(let row, _): rows.append(row)
            case .rejected(let line, let reason): failures.append(Failure(line: line, message: reason))
            case .json: break
            }
        }
        if let f = file.failure { throw Failure(line: 0, message: f) }
        guard !file.header.isEmpty else { throw Failure(line: 1, message: "no header line") }
        header = file.header
        self.rows = rows
        self.failures = failures
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

}

extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
