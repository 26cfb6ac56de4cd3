import OrderedCollections
import StreamSQL

extension FlinkTranslator {
    /// A SQL type in Flink's spelling, inferred from input or declared columns.
    public indirect enum FieldType: Equatable, Sendable, CustomStringConvertible {
        case bigint, double, string, boolean
        case row([(String, FieldType)])
        case array(FieldType)

        public static func == (a: FieldType, b: FieldType) -> Bool { a.description == b.description }

        public var description: String {
            switch self {
            case .bigint: "BIGINT"
            case .double: "DOUBLE"
            case .string: "STRING"
            case .boolean: "BOOLEAN"
            case .row(let fs): "ROW<" + fs.map { "`\($0.0)` \($0.1)" }.joined(separator: ", ") + ">"
            case .array(let t): "ARRAY<\(t)>"
            }
        }

        /// The type of a JSON value (nil for NULL: unknown yet).
        static func of(_ v: Value) -> FieldType? {
            switch v {
            case .int: return .bigint
            case .double: return .double
            case .bool: return .boolean
            case .string, .timestamp: return .string
            case .object(let o):
                return .row(o.map { ($0.key, FieldType.of($0.value) ?? .string) })
            case .array(let a):
                return .array(a.lazy.compactMap(FieldType.of).first ?? .string)
            default: return nil
            }
        }

        /// Two samples of one field: integers and decimals widen to DOUBLE; objects merge their fields.
        func merged(with other: FieldType) -> FieldType {
            switch (self, other) {
            case (.bigint, .double), (.double, .bigint): return .double
            case (.row(let a), .row(let b)):
                var fields = OrderedDictionary<String, FieldType>()
                for (k, t) in a { fields[k] = t }
                for (k, t) in b { fields[k] = fields[k].map { $0.merged(with: t) } ?? t }
                return .row(fields.map { ($0.key, $0.value) })
            default: return self == other ? self : .string
            }
        }

        /// A declared type whose parts the declaration leaves open: an array (its elements' type from the input
        /// file, else text), a timestamp (the JSON text as it came: event time parses it), an object (its fields
        /// from the input file; nil without one).
        static func open(_ name: String, learnt: FieldType?) -> FieldType? {
            switch SQLType(name: name) {
            case .array?:
                if case .array? = learnt { return learnt }
                return .array(.string)
            case .timestamp?:
                if let learnt, learnt == .bigint || learnt == .double { return learnt }
                return .string
            case .object?:
                if case .row? = learnt { return learnt }
                return nil
            default: return nil
            }
        }

        /// The type a declared column (`CREATE STREAM s (name type, …)`, `CAST(x AS type)`) maps to.
        public static func declared(_ name: String) -> FieldType? {
            switch name.lowercased() {
            case "int", "integer", "bigint", "long", "smallint", "tinyint": return .bigint
            case "float", "double", "real", "decimal", "numeric": return .double
            case "string", "varchar", "text", "char": return .string
            case "bool", "boolean": return .boolean
            default: return nil
            }
        }
    }

    /// Fields seen across records, in first-seen order, each with the type all its values fit.
    struct InferredFields {
        private(set) var fields = OrderedDictionary<String, FieldType>()

        mutating func add(_ record: OrderedDictionary<String, Value>) {
            for (k, v) in record {
                guard let t = FieldType.of(v) else { continue }
                fields[k] = fields[k].map { $0.merged(with: t) } ?? t
            }
        }

        var list: [(String, FieldType)] { fields.map { ($0.key, $0.value) } }
    }

    /// Field types of a stream: its declared columns, or every JSON object of its input file. The whole file is
    /// read (through the engine's one file reader): a field whose first values are whole numbers and later ones
    /// decimals is a DOUBLE. Each stream's file is read once per translation.
    mutating func schema(of stream: String, range: SourceRange, sql: String) throws(StreamSQLError) -> [(String, FieldType)] {
        let key = stream.lowercased()
        if let d = declared[key] { return d }
        if let known = inferred[key] { return known }
        guard let path = inputs[key] else {
            throw StreamSQLError(.plan, "Flink needs the fields of stream \(stream): give its input file (--input \(stream)=FILE; for a Kafka source, a sample of its events) "
                                 + "or declare its columns (CREATE STREAM \(stream) (name type, …))", at: range, in: sql)
        }
        let file: EventFile
        do { file = try EventFile(path: path, format: .jsonLines) } catch {
            throw StreamSQLError(.io, error.message, at: range, in: sql)
        }
        var fields = InferredFields()
        while let record = file.next() {
            // Lines that are not JSON objects are skipped, as the Flink source skips them (json.ignore-parse-errors).
            guard case .json(let line) = record,
                  case .object(let o)? = try? JSONReader.parse(bytes: line.bytes) else { continue }
            fields.add(o)
        }
        if let failure = file.failure { throw StreamSQLError(.io, failure, at: range, in: sql) }
        guard !fields.fields.isEmpty else {
            throw StreamSQLError(.io, "no JSON objects in \(path) to learn stream \(stream)'s fields from", at: range, in: sql)
        }
        inferred[key] = fields.list
        return fields.list
    }
}
