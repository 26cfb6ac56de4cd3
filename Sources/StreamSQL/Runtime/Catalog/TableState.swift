import Foundation
import OrderedCollections
import Synchronization

/// An immutable version of a table's rows, with a hash index on its key. Joins read one version per
/// event, so a table replaced or updated while queries run is seen consistently.
public final class TableSnapshot: Sendable {
    public let rows: [OrderedDictionary<String, Value>]
    /// The rows as values, boxed once so a join does not box a row per match.
    let values: [Value]
    public let key: [String]
    let index: KeyMap<[Int]>
    public let version: Int
    /// Column-wise copy of the rows (NULL where a row lacks the field), so a join reads `t.col`
    /// by position instead of hashing the column name per row.
    let columnIndex: [String: Int]
    let columnValues: [[Value]]
    /// Column names in first-seen order.
    public var columnNames: [String] { columnIndex.sorted { $0.value < $1.value }.map(\.key) }

    init(rows: [OrderedDictionary<String, Value>], key: [String], version: Int) {
        self.rows = rows
        self.values = rows.map(Value.object)
        self.key = key
        self.version = version
        var ci: [String: Int] = [:]
        for r in rows { for k in r.keys where ci[k] == nil { ci[k] = ci.count } }
        var cols = Array(repeating: Array(repeating: Value.null, count: rows.count), count: ci.count)
        for (i, r) in rows.enumerated() { for (k, v) in r { cols[ci[k]!][i] = v } }
        columnIndex = ci
        columnValues = cols
        let idx = KeyMap<[Int]>()
        if !key.isEmpty {
            for (i, r) in rows.enumerated() { idx.append(i, to: TableSnapshot.keyOf(r, key)) }
        }
        index = idx
    }

    static func keyOf(_ r: OrderedDictionary<String, Value>, _ key: [String]) -> GroupKey {
        key.count == 1 ? .one(r[key[0]] ?? .null) : .many(key.map { r[$0] ?? .null })
    }

    /// Rows whose key columns equal `values` (one per key column).
    func lookup(_ values: [Value]) -> [Int] {
        index[values.count == 1 ? .one(values[0]) : .many(values)] ?? []
    }

    @inline(__always) func lookup(one value: Value) -> [Int]? { index.position(ofOne: value).map { index[position: $0] } }

    /// Hash indexes on other columns, built the first time `rows(where:equals:)` asks for one.
    private let secondary = Mutex<[String: KeyMap<[Value]>]>([:])

    /// The rows (as objects, in table order) whose `column` equals `value`; none for NULL.
    func rows(where column: String, equals value: Value) -> [Value] {
        if value.isNull { return [] }
        if key.count == 1, key[0] == column { return (lookup(one: value) ?? []).map { values[$0] } }
        return secondary.withLock { indexes in
            if let idx = indexes[column] { return idx[.one(value)] ?? [] }
            let idx = KeyMap<[Value]>()
            if let c = columnIndex[column] {
                for (i, v) in columnValues[c].enumerated() where !v.isNull { idx.append(values[i], to: .one(v)) }
            }
            indexes[column] = idx
            return idx[.one(value)] ?? []
        }
    }

    /// A version built from its parts (for `upserting`).
    private init(rows: [OrderedDictionary<String, Value>], values: [Value], key: [String], index: KeyMap<[Int]>, version: Int,
                 columnIndex: [String: Int], columnValues: [[Value]]) {
        self.rows = rows
        self.values = values
        self.key = key
        self.index = index
        self.version = version
        self.columnIndex = columnIndex
        self.columnValues = columnValues
    }

    /// A new version with `row` inserted or replacing the row of the same key. The parts are copied and
    /// changed in place (no rehashing of the other rows), so a table a query keeps up to date costs a copy
    /// per update rather than a rebuild.
    func upserting(_ row: OrderedDictionary<String, Value>) -> TableSnapshot {
        var rs = rows, vs = values, ci = columnIndex, cols = columnValues
        var idx = index     // shared while no key is added: snapshots never change their index
        let position: Int
        if !key.isEmpty, let i = index[TableSnapshot.keyOf(row, key)]?.first {
            position = i
            rs[i] = row
            vs[i] = .object(row)
            for c in cols.indices { cols[c][i] = .null }
        } else {
            position = rs.count
            rs.append(row)
            vs.append(.object(row))
            for c in cols.indices { cols[c].append(.null) }
            if !key.isEmpty {
                idx = index.copy()
                idx.append(position, to: TableSnapshot.keyOf(row, key))
            }
        }
        for (k, v) in row {
            if let c = ci[k] {
                cols[c][position] = v
            } else {
                ci[k] = cols.count
                var column = Array(repeating: Value.null, count: rs.count)
                column[position] = v
                cols.append(column)
            }
        }
        return TableSnapshot(rows: rs, values: vs, key: key, index: idx, version: version + 1, columnIndex: ci, columnValues: cols)
    }
}

/// A named table: where its rows come from and its current version.
public final class TableState: @unchecked Sendable {
    public let name: String
    public let columns: [ColumnDefinition]
    public let origin: String
    /// The file its rows were read from, resolved (FROM FILE tables), for `catalogScript`.
    public internal(set) var sourcePath: String?
    private let lock = NSLock()
    private var current: TableSnapshot
    /// The current snapshot's version, readable without the lock (joins check it per event).
    let version = Atomic<Int>(1)

    init(name: String, columns: [ColumnDefinition], key: [String], rows: [OrderedDictionary<String, Value>], origin: String) {
        self.name = name
        self.columns = columns
        self.origin = origin
        current = TableSnapshot(rows: rows, key: key, version: 1)
    }

    public var snapshot: TableSnapshot { lock.withLock { current } }

    func upsert(_ rows: [OrderedDictionary<String, Value>]) {
        lock.withLock {
            for r in rows { current = current.upserting(r) }
            version.store(current.version, ordering: .releasing)
        }
    }

    func replace(_ rows: [OrderedDictionary<String, Value>]) {
        lock.withLock {
            current = TableSnapshot(rows: rows, key: current.key, version: current.version + 1)
            version.store(current.version, ordering: .releasing)
        }
    }
}

/// Reads table files: CSV with a header, a JSON array of objects, or JSON Lines — through `EventFile`, so
/// CRLF files, byte-order marks, long lines and binary data are handled as for every other file.
public enum TableFile {
    /// The largest JSON-array table file read (it is parsed whole; JSON Lines and CSV are streamed).
    static let maxArrayBytes = 512 * 1024 * 1024

    /// Every row of a table file, or an error naming the file, the first bad line and how many more there are.
    public static func load(_ path: String) throws(StreamSQLError) -> [OrderedDictionary<String, Value>] {
        let file = try EventFile(path: path)
        var out: [OrderedDictionary<String, Value>] = []
        var failures: [String] = []
        var array: [UInt8]? = nil
        while let r = file.next() {
            switch r {
            case .row(let o, _): out.append(o)
            case .rejected(let line, let reason): failures.append("line \(line): \(reason)")
            case .json(let line):
                if array == nil, out.isEmpty, failures.isEmpty, line.bytes.first(where: { $0 != 32 && $0 != 9 }) == UInt8(ascii: "[") {
                    array = []
                }
                if array != nil {
                    array?.append(contentsOf: line.bytes)
                    array?.append(10)
                    if (array?.count ?? 0) > maxArrayBytes {
                        throw StreamSQLError(.io, "\(path): a JSON array table over \(maxArrayBytes / 1024 / 1024) MB; use JSON Lines (one object per line) for large tables")
                    }
                    continue
                }
                do throws(JSONError) {
                    guard case .object(let o) = try JSONReader.parse(bytes: line.bytes) else { throw JSONError(message: "not an object", offset: 0) }
                    out.append(o)
                } catch {
                    failures.append("line \(line.number): \(error)")
                }
            }
        }
        if let f = file.failure { throw StreamSQLError(.io, f) }
        if let first = failures.first {
            throw StreamSQLError(.io, "\(path) \(first)\(failures.count > 1 ? " (and \(failures.count - 1) more)" : "")")
        }
        if file.format == .csv && file.header.isEmpty { throw StreamSQLError(.io, "\(path): CSV line 1: no header line") }
        if let bytes = array {
            let v: Value
            do throws(JSONError) {
                v = try bytes.withUnsafeBufferPointer { b throws(JSONError) in try JSONReader.parse(bytes: b) }
            } catch { throw StreamSQLError(.io, "\(path): \(error.description)") }
            guard case .array(let items) = v else { throw StreamSQLError(.io, "\(path): expected an array of objects") }
            for (i, item) in items.enumerated() {
                guard case .object(let o) = item else { throw StreamSQLError(.io, "\(path): element \(i + 1) is not an object") }
                out.append(o)
            }
        }
        return out
    }
}
