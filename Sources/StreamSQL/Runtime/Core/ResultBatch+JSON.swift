/// Writes a batch's result rows as JSON objects straight from its cells, byte for byte what
/// `JSONWriter.write(object: batch.object(i))` writes, without building an `OrderedDictionary` per row.
///
/// The keys are escaped once. A schema whose rows are not one key per column — `*` or an object spread
/// into the row, or two columns with one name (the later value takes the earlier place) — goes through
/// `object(_:)` as before.
///
/// ```swift
/// let writer = ResultJSONWriter(schema: query.schema)
/// var out: [UInt8] = []
/// for i in 0..<batch.count { writer.write(batch, row: i, into: &out); out.append(10) }
/// ```
public struct ResultJSONWriter: Sendable {
    public let schema: ResultSchema
    private let direct: Bool
    /// `"name":` per column, escaped.
    private let keys: [[UInt8]]

    public init(schema: ResultSchema) {
        self.schema = schema
        direct = schema.isFlat
        keys = schema.names.map { n in
            var k: [UInt8] = []
            JSONWriter.writeString(n, into: &k)
            k.append(UInt8(ascii: ":"))
            return k
        }
    }

    /// Appends row `i` of `batch` (whose schema must be this writer's) as one JSON object.
    public func write(_ batch: ResultBatch, row i: Int, into out: inout [UInt8]) {
        guard direct, batch.schema.width == keys.count else {
            JSONWriter.write(object: batch.object(i), into: &out)
            return
        }
        out.append(UInt8(ascii: "{"))
        let base = i * keys.count
        var first = true
        batch.values.withUnsafeBufferPointer { cells in
            for k in 0..<keys.count {
                let v = cells[base + k]
                if schema.columns[k].omitNull && v.isNull { continue }
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                out.append(contentsOf: keys[k])
                JSONWriter.write(v, into: &out)
            }
        }
        out.append(UInt8(ascii: "}"))
    }
}
