import OrderedCollections

/// A dynamically typed SQL value: what one field of an event or one cell of a result holds.
///
/// Arrays and objects are boxed (`indirect`) so that `MemoryLayout<Value>.stride` stays at 24 bytes:
/// a row of slots is then a compact array that the compiled expressions index directly.
///
/// ```swift
/// let v: Value = .object(["t": .double(21.5), "tags": .array([.string("a")])])
/// ```
public enum Value: Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    /// Nanoseconds since the Unix epoch, UTC.
    case timestamp(Int64)
    indirect case array([Value])
    indirect case object(OrderedDictionary<String, Value>)

    @inlinable public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The SQL type name used in error messages and `typeof`.
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "bool"
        case .int: return "int"
        case .double: return "float"
        case .string: return "string"
        case .timestamp: return "timestamp"
        case .array: return "array"
        case .object: return "object"
        }
    }

    /// The value as a Double when it is numeric (int, float, or a bool counted as 0/1 is *not* numeric).
    @inlinable public var asDouble: Double? {
        switch self {
        case .double(let d): return d
        case .int(let i): return Double(i)
        default: return nil
        }
    }

    /// The value as an Int64 when it is an int or an integral float in range.
    @inlinable public var asInt: Int64? {
        switch self {
        case .int(let i): return i
        case .double(let d):
            guard d.isFinite, d == d.rounded(), abs(d) < 9.2e18 else { return nil }
            return Int64(d)
        default: return nil
        }
    }

    @inlinable public var asString: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    @inlinable public var isNumeric: Bool {
        switch self {
        case .int, .double: return true
        default: return false
        }
    }

    /// Truthiness in WHERE and other predicate positions, as the reference engine does it:
    /// a bool is itself, NULL is false, and any other non-null value is true
    /// (so `WHERE changed_col(true, x)` passes whenever a change happened, even to 0).
    @inlinable public var isTruthy: Bool {
        switch self {
        case .bool(let b): return b
        case .null: return false
        default: return true
        }
    }
}

extension Value: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: Value...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, Value)...) {
        self = .object(OrderedDictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}

extension Value: CustomStringConvertible {
    /// Text form used by `concat`, `cast(x AS string)` and table output: strings bare, floats in
    /// their shortest form without a trailing `.0` (as the reference prints them), containers as JSON.
    public var description: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return Value.formatDouble(d)
        case .string(let s): return s
        case .timestamp(let ns): return TimeFormat.iso8601(nanos: ns)
        case .array, .object: return JSONWriter.string(self)
        }
    }

    /// Shortest round-trip text of a double; integral values print without a fraction.
    public static func formatDouble(_ d: Double) -> String {
        var out: [UInt8] = []
        writeText(double: d, into: &out)
        return String(decoding: out, as: UTF8.self)
    }
}
