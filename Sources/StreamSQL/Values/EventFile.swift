import OrderedCollections

/// The one reader of event and table files: JSON Lines or CSV (with a header), read line by line through
/// `LineReader`, so every entry point (`query --input`, `run`, `-e`/`-f --input`, `.replay`, the dashboard
/// replay, `CREATE TABLE … FROM`) agrees on line ends, byte-order marks, limits and rejection reasons.
///
/// Each call of `next()` gives one record: a JSON line to decode (the engine decodes it into a row of the
/// stream's layout, reading only the fields queries use), a CSV row already typed, or a rejected line with
/// its number and reason. `failure` says why reading stopped early (binary data, a read error, a CSV header
/// that cannot be used, a quoted CSV field never closed); callers report it as an error.
public final class EventFile {
    public enum Format: Sendable { case jsonLines, csv

        /// CSV for a `.csv` file name, JSON Lines otherwise.
        public init(path: String) { self = path.lowercased().hasSuffix(".csv") ? .csv : .jsonLines }
    }

    public enum Record {
        /// A JSON line (bytes valid until the next call of `next()`).
        case json(LineReader.Line)
        /// A CSV row and the line it starts on.
        case row(OrderedDictionary<String, Value>, line: Int)
        /// A line that is not an event: its number and why.
        case rejected(line: Int, reason: String)

        /// The line number the record starts on.
        public var line: Int {
            switch self {
            case .json(let l): return l.number
            case .row(_, let n), .rejected(let n, _): return n
            }
        }
    }

    public let format: Format
    public let reader: LineReader
    public var name: String { reader.name }
    /// The CSV header (empty for JSON Lines, or before the first record is read).
    public private(set) var header: [String] = []
    private var csv: CSVRecords?
    private var csvFailure: String?

    public var failure: String? { reader.failure ?? csvFailure }
    public var bytesRead: Int { reader.bytesRead }

    public init(path: String, format: Format? = nil, maxLineBytes: Int = LineReader.defaultMaxLineBytes) throws(StreamSQLError) {
        reader = try LineReader(path: path, maxLineBytes: maxLineBytes)
        self.format = format ?? Format(path: path)
        if self.format == .csv { csv = CSVRecords() }
    }

    public init(reader: LineReader, format: Format) {
        self.reader = reader
        self.format = format
        if format == .csv { csv = CSVRecords() }
    }

    public func next() -> Record? {
        guard csv != nil else { return nextJSON() }
        while csvFailure == nil {
            guard let r = csv?.next(reader) else { return nil }
            switch r {
            case .rejected(let line, let reason): return .rejected(line: line, reason: reason)
            case .fatal(let message): csvFailure = "\(name): \(message)"; return nil
            case .cells(let cells, let line):
                if header.isEmpty {
                    let names = cells.map { $0.trimmingSpaces() }
                    if let dup = Dictionary(grouping: names, by: { $0 }).first(where: { $0.value.count > 1 })?.key {
                        csvFailure = "\(name): CSV line \(line): duplicate column '\(dup)' in header"
                        return nil
                    }
                    header = names
                    continue
                }
                if cells.count == 1 && cells[0].isEmpty { continue }  // blank line
                guard cells.count == header.count else {
                    return .rejected(line: line, reason: "expected \(header.count) cells, found \(cells.count)")
                }
                var row = OrderedDictionary<String, Value>(minimumCapacity: header.count)
                for (h, c) in zip(header, cells) { row[h] = CSVReader.typed(c) }
                return .row(row, line: line)
            }
        }
        return nil
    }

    private func nextJSON() -> Record? {
        while let item = reader.next() {
            switch item {
            case .tooLong(let number, _, _):
                return .rejected(line: number, reason: "line longer than the limit of \(reader.maxLineBytes) bytes (--max-line-bytes); skipped")
            case .line(let line):
                if line.isBlank { continue }
                return .json(line)
            }
        }
        return nil
    }
}

/// CSV records (RFC 4180) over a line reader: a quoted field may hold separators, quotes (`""`) and line
/// ends; a field is quoted only when its first character is a quote (a quote elsewhere is an ordinary
/// character). A quoted field still open at the end of the file is an error that names the line it opened on.
/// Cells must be valid UTF-8; a record that is not is rejected with the byte offset.
struct CSVRecords {
    enum Result {
        case cells([String], line: Int)
        case rejected(line: Int, reason: String)
        case fatal(String)
    }

    var separator: UInt8 = UInt8(ascii: ",")

    mutating func next(_ reader: LineReader) -> Result? {
        var cells: [String] = []
        var cell: [UInt8] = []
        var inQuotes = false
        var fieldStart = true
        var firstLine = 0
        var recordBytes = 0
        var badUTF8: Int? = nil
        var tooLong = false

        func finishCell() {
            cells.append(String(decoding: cell, as: UTF8.self))
            cell.removeAll(keepingCapacity: true)
        }

        while let item = reader.next() {
            let line: LineReader.Line
            switch item {
            case .tooLong(let number, _, _):
                if !inQuotes {
                    return .rejected(line: number, reason: "line longer than the limit of \(reader.maxLineBytes) bytes (--max-line-bytes); skipped")
                }
                tooLong = true
                continue
            case .line(let l): line = l
            }
            // The record's bytes, with a line end between its lines (a one-line record of exactly the limit fits).
            if firstLine == 0 { firstLine = line.number } else { recordBytes += 1 }
            recordBytes += line.bytes.count
            if recordBytes > reader.maxLineBytes && !tooLong { tooLong = true; cell = []; cells = [] }
            if inQuotes && !tooLong { cell.append(10) }
            let b = line.bytes
            if badUTF8 == nil, let at = UTF8Check.firstInvalid(b) { badUTF8 = line.offset + at }
            var i = 0
            // Past the limit the record is only scanned for where it ends, not kept.
            while i < b.count {
                let c = b[i]
                if inQuotes {
                    if c == UInt8(ascii: "\"") {
                        if i + 1 < b.count && b[i + 1] == UInt8(ascii: "\"") { if !tooLong { cell.append(c) }; i += 2; continue }
                        inQuotes = false
                    } else if !tooLong {
                        cell.append(c)
                    }
                } else if c == separator {
                    if !tooLong { finishCell() }
                    fieldStart = true
                    i += 1
                    continue
                } else if c == UInt8(ascii: "\"") && fieldStart {
                    inQuotes = true
                } else if !tooLong {
                    cell.append(c)
                }
                fieldStart = false
                i += 1
            }
            if inQuotes { continue }
            if tooLong {
                return .rejected(line: firstLine, reason: "record of over \(reader.maxLineBytes) bytes is longer than the limit; skipped")
            }
            finishCell()
            if let at = badUTF8 { return .rejected(line: firstLine, reason: "invalid UTF-8 at byte \(at + 1) of the file") }
            return .cells(cells, line: firstLine)
        }
        if inQuotes {
            return .fatal("CSV line \(firstLine): a quoted field opened on this line is never closed (the rest of the file was read into it); nothing from that line on was loaded")
        }
        return nil
    }
}

/// Where a byte sequence stops being valid UTF-8.
enum UTF8Check {
    /// The index of the first byte that does not start or continue a valid UTF-8 sequence, or nil.
    static func firstInvalid(_ b: some RandomAccessCollection<UInt8>) -> Int? {
        var i = b.startIndex
        var n = 0
        // ASCII fast path: the common case has no byte over 0x7F.
        if !b.contains(where: { $0 >= 0x80 }) { return nil }
        while i != b.endIndex {
            let c = b[i]
            if c < 0x80 { i = b.index(after: i); n += 1; continue }
            let need: Int
            var low: UInt8 = 0x80, high: UInt8 = 0xBF
            switch c {
            case 0xC2...0xDF: need = 1
            case 0xE0: need = 2; low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: need = 2
            case 0xED: need = 2; high = 0x9F
            case 0xF0: need = 3; low = 0x90
            case 0xF1...0xF3: need = 3
            case 0xF4: need = 3; high = 0x8F
            default: return n
            }
            var j = b.index(after: i)
            for k in 0..<need {
                guard j != b.endIndex else { return n }
                let x = b[j]
                if k == 0 { guard x >= low && x <= high else { return n } } else { guard x >= 0x80 && x <= 0xBF else { return n } }
                j = b.index(after: j)
            }
            i = j
            n += need + 1
        }
        return nil
    }
}
