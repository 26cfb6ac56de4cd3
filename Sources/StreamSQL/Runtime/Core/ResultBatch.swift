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
