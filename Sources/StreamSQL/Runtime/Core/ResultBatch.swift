import OrderedCollections

/// Result rows of one query, row-major in one flat array (no allocation per row).
///
/// ```swift
/// query.addSink { batch in
///     for i in 0..<batch.count { print(batch.jsonLine(i)) }
/// }
/// ```
public struct ResultBatch: Sendable {
    public let schema: ResultSchema
    public internal(set) var values: [Value]
    /// For window output: the index of the first row of each firing in this batch, ascending.
    public internal(set) var firingStarts: [Int] = []
    /// For window output: what each row is (`emit_kind()`), one per row; empty when every row is a
    /// window's final result, so row queries and windows without an EMIT clause pay nothing for it.
    public internal(set) var kinds: [EmitKind] = []

    /// Row `i`'s kind: final unless an EMIT clause or a late row said otherwise.
    public func kind(_ i: Int) -> EmitKind { kinds.isEmpty ? .final : kinds[i] }

    /// Marks rows from `first` to the end as `kind` (final rows are left unmarked while every row is final).
    mutating func mark(_ kind: EmitKind, fromRow first: Int) {
        let n = count
        guard first < n, kind != .final || !kinds.isEmpty else { return }
        // One row after rows already marked (EMIT CHANGES, row by row): a plain append.
        if kinds.count == first && n == first + 1 { kinds.append(kind); return }
        if kinds.count < first { kinds.append(contentsOf: repeatElement(.final, count: first - kinds.count)) }
        kinds.append(contentsOf: repeatElement(kind, count: n - kinds.count))
    }

    public init(schema: ResultSchema, values: [Value] = []) {
        self.schema = schema
        self.values = values
    }

    public var count: Int { schema.width == 0 ? 0 : values.count / schema.width }
    public var isEmpty: Bool { values.isEmpty }

    /// The cells of row `i`, in schema order.
    public func cells(_ i: Int) -> ArraySlice<Value> {
        values[(i * schema.width)..<((i + 1) * schema.width)]
    }

    /// Row `i` as an ordered object: columns in SELECT order, `*` spread into the event's own fields.
    public func object(_ i: Int) -> OrderedDictionary<String, Value> {
        var o = OrderedDictionary<String, Value>()
        let base = i * schema.width
        for (k, col) in schema.columns.enumerated() {
            let v = values[base + k]
            if col.spread {
                if case .object(let fields) = v { for (fk, fv) in fields { o[fk] = fv } }
            } else if col.spreadsObjects, case .object(let fields) = v {
                for (fk, fv) in fields { o[fk] = fv }
            } else if col.omitNull && v.isNull {
                continue
            } else {
                o[col.name] = v
            }
        }
        return o
    }

    public var objects: [OrderedDictionary<String, Value>] { (0..<count).map(object) }

    public func jsonLine(_ i: Int) -> String { JSONWriter.string(object: object(i)) }
}
