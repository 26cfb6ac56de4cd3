import Foundation

/// How a function is evaluated, which decides where the binder allows it.
public enum FunctionKind: String, Sendable {
    case scalar        // one value per row
    case aggregate     // folds the rows of a window or group
    case analytic      // keeps state across rows (lag, had_changed, acc_*)
    case window        // reads the current window (window_start, window_end, row_number)
    case table         // expands one row into many (unnest)
    case macro         // expanded by the binder before the query runs (expr)
}

/// A scalar implementation. Fixed arities get their own cases so the compiled call does not build an
/// argument array per row.
public enum ScalarImpl: Sendable {
    case nullary(@Sendable () -> Value)
    case unary(@Sendable (Value) -> Value)
    case binary(@Sendable (Value, Value) -> Value)
    case ternary(@Sendable (Value, Value, Value) -> Value)
    case variadic(@Sendable ([Value]) -> Value)
}

/// One entry of the function registry: metadata as data (the shell's `\help`, completion and
/// `SHOW FUNCTIONS` read it) plus the implementation.
public struct FunctionInfo: Sendable {
    public let name: String
    public let aliases: [String]
    public let kind: FunctionKind
    public let category: String
    public let minArgs: Int
    public let maxArgs: Int?          // nil: any number
    public let signature: String
    public let summary: String
    public let impl: ScalarImpl?
    /// Whether the same arguments always give the same result (constant folding is allowed).
    public let deterministic: Bool
    /// Set for SQL-defined functions (`CREATE FUNCTION`): the body is expanded where the function is called.
    public let definition: FunctionDefinition?
    /// Where the function comes from: built-in, SQL-defined or registered from Swift.
    public let origin: Origin

    public enum Origin: String, Sendable { case builtin = "built-in", sql = "SQL", native = "Swift" }

    public init(_ name: String, aliases: [String] = [], kind: FunctionKind = .scalar, category: String,
                args: ClosedRange<Int>, variadic: Bool = false, signature: String, summary: String,
                deterministic: Bool = true, impl: ScalarImpl?, definition: FunctionDefinition? = nil, origin: Origin = .builtin) {
        self.name = name
        self.aliases = aliases
        self.kind = kind
        self.category = category
        self.minArgs = args.lowerBound
        self.maxArgs = variadic ? nil : args.upperBound
        self.signature = signature
        self.summary = summary
        self.impl = impl
        self.deterministic = deterministic
        self.definition = definition
        self.origin = origin
    }

    public var arityText: String {
        if let m = maxArgs {
            return m == minArgs ? "\(minArgs) argument\(minArgs == 1 ? "" : "s")" : "\(minArgs) to \(m) arguments"
        }
        return "at least \(minArgs) argument\(minArgs == 1 ? "" : "s")"
    }
}

/// Name → function, case-insensitive, with aliases. The built-in table is shared and immutable;
/// each engine layers its own registrations (SQL-defined and native functions) over it.
public struct FunctionRegistry: Sendable {
    private var byName: [String: FunctionInfo] = [:]

    public init() {}

    public static let builtins: FunctionRegistry = {
        var r = FunctionRegistry()
        for f in MathFunctions.all + StringFunctions.all + ConversionFunctions.all + DateFunctions.all
            + JSONFunctions.all + ArrayFunctions.all + ConditionalFunctions.all + HashFunctions.all + StatefulFunctionNames.all
        {
            r.register(f)
        }
        return r
    }()

    public mutating func remove(_ name: String) {
        guard let f = lookup(name) else { return }
        byName[f.name.lowercased()] = nil
        for a in f.aliases { byName[a.lowercased()] = nil }
    }

    public mutating func register(_ f: FunctionInfo) {
        byName[f.name.lowercased()] = f
        for a in f.aliases { byName[a.lowercased()] = f }
    }

    public func lookup(_ name: String) -> FunctionInfo? { byName[name.lowercased()] }

    /// Every function once (aliases folded), sorted by name.
    public var all: [FunctionInfo] {
        var seen = Set<String>()
        return byName.values.filter { seen.insert($0.name).inserted }.sorted { $0.name < $1.name }
    }

    public var names: [String] { Array(byName.keys) }
}

/// Helpers shared by the function files.
enum Fn {
    static func num(_ v: Value) -> Double? {
        switch v {
        case .int(let i): return Double(i)
        case .double(let d): return d
        case .string(let s): return Double(s.trimmingSpaces())
        case .bool(let b): return b ? 1 : 0
        default: return nil
        }
    }

    static func int(_ v: Value) -> Int64? {
        switch v {
        case .int(let i): return i
        case .double(let d): return d.isFinite && abs(d) < 9.2e18 ? Int64(d) : nil
        case .string(let s):
            let t = s.trimmingSpaces()
            if let i = Int64(t) { return i }
            if let d = Double(t), d.isFinite, abs(d) < 9.2e18 { return Int64(d) }
            return nil
        case .bool(let b): return b ? 1 : 0
        default: return nil
        }
    }

    static func str(_ v: Value) -> String? {
        switch v {
        case .null: return nil
        case .string(let s): return s
        default: return v.description
        }
    }

    /// The text a string or hash function works on. Numbers and booleans read as their text; an array or
    /// object is not text, so the result is NULL and counted (the reference's string functions fail on
    /// them and give NULL without a word; `length` and the array functions take them instead).
    static func text(_ v: Value) -> String? {
        switch v {
        case .null: return nil
        case .string(let s): return s
        case .array, .object:
            FunctionFaults.note("text function given an array or object")
            return nil
        default: return v.description
        }
    }

    /// A double result; NaN and infinities become NULL ("invalid domains give NULL, never NaN").
    @inline(__always) static func real(_ d: Double) -> Value { d.isFinite ? .double(d) : .null }

    static func math1(_ f: @escaping @Sendable (Double) -> Double) -> ScalarImpl {
        .unary { v in
            guard let x = num(v) else { return .null }
            return real(f(x))
        }
    }
}
