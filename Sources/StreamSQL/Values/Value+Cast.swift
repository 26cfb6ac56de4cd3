/// Conversions between value kinds for `CAST(x AS type)` and `cast(x, 'type')`.
public enum SQLType: String, Sendable, CaseIterable {
    case int, float, string, bool, timestamp, array, object

    /// Accepts the usual SQL spellings (`BIGINT`, `DOUBLE`, `VARCHAR`, `BOOLEAN`, …).
    public init?(name: String) {
        switch name.lowercased() {
        case "int", "integer", "bigint", "smallint", "tinyint", "long", "int64", "int32": self = .int
        case "float", "double", "real", "decimal", "numeric", "number", "float64": self = .float
        case "string", "varchar", "text", "char", "str": self = .string
        case "bool", "boolean": self = .bool
        case "timestamp", "datetime", "time", "date": self = .timestamp
        case "array", "list": self = .array
        case "object", "map", "json": self = .object
        default: return nil
        }
    }

    public static let spellings = "int, bigint, float, double, decimal, string, varchar, bool, boolean, timestamp"

    /// "an int", "a float", … for messages.
    var withArticle: String { (self == .int || self == .array || self == .object ? "an " : "a ") + rawValue }
}

extension Value {
    /// The value converted to `type`, or NULL when it cannot be (`CAST('abc' AS int)` is NULL, not an
    /// error, so one bad field never stops a stream).
    public func cast(to type: SQLType) -> Value {
        switch (type, self) {
        case (_, .null): return .null
        case (.int, .int): return self
        case (.int, .double(let d)):
            guard d.isFinite, abs(d) < 9.2e18 else { return .null }
            return .int(Int64(d))
        case (.int, .bool(let b)): return .int(b ? 1 : 0)
        case (.int, .string(let s)):
            let t = s.trimmingSpaces()
            if let i = Int64(t) { return .int(i) }
            if let d = Double(t), d.isFinite, abs(d) < 9.2e18 { return .int(Int64(d)) }
            return .null
        case (.int, .timestamp(let ns)): return .int(ns / 1_000_000)
        case (.float, .int(let i)): return .double(Double(i))
        case (.float, .double): return self
        case (.float, .bool(let b)): return .double(b ? 1 : 0)
        case (.float, .string(let s)):
            guard let d = Double(s.trimmingSpaces()), d.isFinite else { return .null }
            return .double(d)
        case (.float, .timestamp(let ns)): return .double(Double(ns) / 1e6)
        case (.string, .string): return self
        case (.string, _): return .string(description)
        case (.bool, .bool): return self
        case (.bool, .int(let i)): return .bool(i != 0)
        case (.bool, .double(let d)): return .bool(d != 0)
        case (.bool, .string(let s)):
            switch s.trimmingSpaces().lowercased() {
            case "true", "t", "1", "yes", "y": return .bool(true)
            case "false", "f", "0", "no", "n": return .bool(false)
            default: return .null
            }
        case (.timestamp, .timestamp): return self
        case (.timestamp, .string(let s)): return TimeParse.parse(s).map(Value.timestamp) ?? .null
        case (.timestamp, .int), (.timestamp, .double): return Value.epochNanos(self).map(Value.timestamp) ?? .null
        case (.array, .array), (.object, .object): return self
        case (.array, .string(let s)), (.object, .string(let s)):
            guard let v = try? JSONReader.parse(s) else { return .null }
            if type == .array, case .array = v { return v }
            if type == .object, case .object = v { return v }
            return .null
        default: return .null
        }
    }

    /// `CAST(v AS t)` in a query: `cast(to:)`, except that a time out of range for a timestamp is noted
    /// (`FunctionFaults`), so the NULL is counted. Typed streams and tables convert with `cast(to:)`.
    public func castNoting(to type: SQLType) -> Value {
        guard type == .timestamp else { return cast(to: type) }
        switch self {
        case .string, .int, .double: return asTimestamp.map(Value.timestamp) ?? .null
        default: return cast(to: type)
        }
    }

    /// Epoch numbers as nanoseconds, guessing the unit from the magnitude
    /// (seconds below 1e11, milliseconds below 1e14, microseconds below 1e17, else nanoseconds).
    public static func epochNanos(_ v: Value) -> Int64? {
        guard let d = v.asDouble, d.isFinite else { return nil }
        let a = abs(d)
        let ns: Double
        if a < 1e11 { ns = d * 1e9 } else if a < 1e14 { ns = d * 1e6 } else if a < 1e17 { ns = d * 1e3 } else { ns = d }
        guard abs(ns) < 9.2e18 else { return nil }
        return Int64(ns)
    }

    /// A point in time from a timestamp, a date-time string or an epoch number.
    ///
    /// A date-time or epoch number beyond what Int64 nanoseconds hold (1677–2262, ±∞, NaN) is nil, and a
    /// function reading it notes why (`FunctionFaults`), so the NULL it gives is counted.
    public var asTimestamp: Int64? {
        switch self {
        case .timestamp(let t): return t
        case .string(let s):
            var far = false
            let t = TimeParse.parse(s, outOfRange: &far)
            if far { FunctionFaults.note(TimeParse.outOfRangeReason) }
            return t
        case .int, .double:
            guard let t = Value.epochNanos(self) else { FunctionFaults.note(TimeParse.outOfRangeReason); return nil }
            return t
        default: return nil
        }
    }
}
