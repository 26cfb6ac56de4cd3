/// Equality, hashing and ordering of values.
///
/// Numbers compare by value across int and float (`1 == 1.0`). Values of different kinds are
/// never equal; ordering across kinds uses a fixed kind rank so sorting is total.
extension Value: Equatable {
    public static func == (lhs: Value, rhs: Value) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.int(let a), .int(let b)): return a == b
        case (.double(let a), .double(let b)): return a == b
        case (.int(let a), .double(let b)): return Double(a) == b
        case (.double(let a), .int(let b)): return a == Double(b)
        case (.string(let a), .string(let b)): return a == b
        case (.timestamp(let a), .timestamp(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)): return a == b
        default: return false
        }
    }
}

extension Value: Hashable {
    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0 as UInt8)
        case .bool(let b): hasher.combine(1 as UInt8); hasher.combine(b)
        case .int(let i): hasher.combine(2 as UInt8); hasher.combine(Double(i))
        case .double(let d): hasher.combine(2 as UInt8); hasher.combine(d)
        case .string(let s): hasher.combine(3 as UInt8); hasher.combine(s)
        case .timestamp(let t): hasher.combine(4 as UInt8); hasher.combine(t)
        case .array(let a): hasher.combine(5 as UInt8); hasher.combine(a)
        case .object(let o): hasher.combine(6 as UInt8); hasher.combine(o)
        }
    }
}

extension Value {
    var kindRank: Int {
        switch self {
        case .null: return 0
        case .bool: return 1
        case .int, .double: return 2
        case .string: return 3
        case .timestamp: return 4
        case .array: return 5
        case .object: return 6
        }
    }

    /// SQL comparison: nil when either side is NULL or the kinds are not comparable
    /// (a string against a number, say), so that the comparison is "not true".
    @inlinable public func compare(to other: Value) -> Int? {
        switch (self, other) {
        case (.double(let a), .double(let b)): return a < b ? -1 : (a > b ? 1 : (a == b ? 0 : nil))
        case (.int(let a), .int(let b)): return a < b ? -1 : (a > b ? 1 : 0)
        case (.int(let a), .double(let b)):
            let x = Double(a); return x < b ? -1 : (x > b ? 1 : (x == b ? 0 : nil))
        case (.double(let a), .int(let b)):
            let y = Double(b); return a < y ? -1 : (a > y ? 1 : (a == y ? 0 : nil))
        case (.string(let a), .string(let b)): return a < b ? -1 : (a > b ? 1 : 0)
        case (.bool(let a), .bool(let b)): return a == b ? 0 : (!a ? -1 : 1)
        case (.timestamp(let a), .timestamp(let b)): return a < b ? -1 : (a > b ? 1 : 0)
        case (.timestamp(let a), .string(let s)):
            guard let b = TimeParse.parse(s) else { return nil }
            return a < b ? -1 : (a > b ? 1 : 0)
        case (.string(let s), .timestamp(let b)):
            guard let a = TimeParse.parse(s) else { return nil }
            return a < b ? -1 : (a > b ? 1 : 0)
        case (.array(let a), .array(let b)):
            for (x, y) in zip(a, b) {
                guard let c = x.compare(to: y) else { return nil }
                if c != 0 { return c }
            }
            return a.count < b.count ? -1 : (a.count > b.count ? 1 : 0)
        default: return nil
        }
    }

    /// A total order for ORDER BY and sorting functions: NULL first, then by kind, then by value.
    public static func sortOrder(_ a: Value, _ b: Value) -> Int {
        if let c = a.compare(to: b) { return c }
        let ra = a.kindRank, rb = b.kindRank
        if ra != rb { return ra < rb ? -1 : 1 }
        if case .double(let x) = a, case .double(let y) = b {  // NaN sorts last
            if x.isNaN && y.isNaN { return 0 }
            return x.isNaN ? 1 : -1
        }
        return 0
    }
}
