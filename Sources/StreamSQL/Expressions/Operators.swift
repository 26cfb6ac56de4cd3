import OrderedCollections

/// The semantics of SQL operators on values, shared by every compiled form. The compiler's
/// specialised closures must agree with these functions (tests check both paths).
public enum Ops {
    /// `+ - * %` on numbers: int with int stays int (a result that overflows becomes a float),
    /// anything with a float is a float. `/` always gives a float, and division by zero gives NULL.
    /// `+` on two strings concatenates them. Any other mix is NULL.
    @inlinable public static func arith(_ op: BinaryOp, _ a: Value, _ b: Value) -> Value {
        switch (a, b) {
        case (.int(let x), .int(let y)):
            switch op {
            case .add: let (r, o) = x.addingReportingOverflow(y); return o ? .double(Double(x) + Double(y)) : .int(r)
            case .sub: let (r, o) = x.subtractingReportingOverflow(y); return o ? .double(Double(x) - Double(y)) : .int(r)
            case .mul: let (r, o) = x.multipliedReportingOverflow(by: y); return o ? .double(Double(x) * Double(y)) : .int(r)
            case .div: return y == 0 ? .null : .double(Double(x) / Double(y))
            case .mod: return y == 0 ? .null : .int(x.remainderReportingOverflow(dividingBy: y).partialValue)
            default: return .null
            }
        case (.string(let x), .string(let y)) where op == .add:
            return .string(x + y)
        default:
            guard let x = a.asDouble, let y = b.asDouble else { return .null }
            return arithD(op, x, y)
        }
    }

    @inlinable public static func arithD(_ op: BinaryOp, _ x: Double, _ y: Double) -> Value {
        let r: Double
        switch op {
        case .add: r = x + y
        case .sub: r = x - y
        case .mul: r = x * y
        case .div: if y == 0 { return .null }; r = x / y
        case .mod: if y == 0 { return .null }; r = x.truncatingRemainder(dividingBy: y)
        default: return .null
        }
        return r.isFinite ? .double(r) : .null
    }

    /// Comparison: NULL when either side is NULL (or the kinds cannot be compared, except that
    /// values of different kinds are simply not equal).
    @inlinable public static func compare(_ op: BinaryOp, _ a: Value, _ b: Value) -> Value {
        if a.isNull || b.isNull { return .null }
        switch op {
        case .eq, .ne:
            if let c = a.compare(to: b) { return .bool((c == 0) == (op == .eq)) }
            return .bool((a == b) == (op == .eq))
        default:
            guard let c = a.compare(to: b) else { return .null }
            switch op {
            case .lt: return .bool(c < 0)
            case .le: return .bool(c <= 0)
            case .gt: return .bool(c > 0)
            case .ge: return .bool(c >= 0)
            default: return .null
            }
        }
    }

    /// Three-valued logic; non-boolean operands count by truthiness.
    @inlinable public static func truth(_ v: Value) -> Bool? {
        if v.isNull { return nil }
        return v.isTruthy
    }

    @inlinable public static func and(_ a: Value, _ b: Value) -> Value {
        let x = truth(a), y = truth(b)
        if x == false || y == false { return .bool(false) }
        if x == nil || y == nil { return .null }
        return .bool(true)
    }

    @inlinable public static func or(_ a: Value, _ b: Value) -> Value {
        let x = truth(a), y = truth(b)
        if x == true || y == true { return .bool(true) }
        if x == nil || y == nil { return .null }
        return .bool(false)
    }

    @inlinable public static func not(_ a: Value) -> Value {
        guard let x = truth(a) else { return .null }
        return .bool(!x)
    }

    @inlinable public static func negate(_ a: Value) -> Value {
        switch a {
        case .int(let i): return i == Int64.min ? .double(-Double(i)) : .int(-i)
        case .double(let d): return .double(-d)
        default: return .null
        }
    }

    public static func concat(_ a: Value, _ b: Value) -> Value {
        if a.isNull || b.isNull { return .null }
        return .string(a.description + b.description)
    }

    /// `x IN (…)`: true on a match; NULL when x is NULL, or nothing matched and the list has a NULL.
    public static func inList(_ x: Value, _ list: [Value]) -> Value {
        if x.isNull { return .null }
        var sawNull = false
        for v in list {
            if v.isNull { sawNull = true; continue }
            if case .bool(true) = compare(.eq, x, v) { return .bool(true) }
        }
        return sawNull ? .null : .bool(false)
    }

    /// Member access: `obj.field`; NULL when the base is not an object or has no such field.
    @inlinable public static func member(_ base: Value, _ field: String) -> Value {
        if case .object(let o) = base { return o[field] ?? .null }
        return .null
    }

    /// `arr[i]` (0-based; negative counts from the end) and `obj['key']`.
    @inlinable public static func index(_ base: Value, _ idx: Value) -> Value {
        switch (base, idx) {
        case (.array(let a), _):
            guard let i = idx.asInt else { return .null }
            let k = i < 0 ? Int64(a.count) + i : i
            return k >= 0 && k < Int64(a.count) ? a[Int(k)] : .null
        case (.object(let o), .string(let k)): return o[k] ?? .null
        default: return .null
        }
    }
}

/// A compiled LIKE pattern: `%` any run, `_` one character, `\` escapes the next one.
/// Common shapes (exact, prefix, suffix, contains) take a direct path with the same meaning.
public struct LikePattern: Sendable {
    enum Shape: Sendable { case exact(String), prefix(String), suffix(String), contains(String), general([Piece]) }
    enum Piece: Sendable, Equatable { case literal(Character), one, any }
    let shape: Shape

    public init(_ pattern: String) {
        var pieces: [Piece] = []
        var escape = false
        for ch in pattern {
            if escape { pieces.append(.literal(ch)); escape = false; continue }
            switch ch {
            case "\\": escape = true
            case "%": if pieces.last != .any { pieces.append(.any) }
            case "_": pieces.append(.one)
            default: pieces.append(.literal(ch))
            }
        }
        if escape { pieces.append(.literal("\\")) }
        func lit(_ ps: ArraySlice<Piece>) -> String? {
            var s = ""
            for p in ps { guard case .literal(let c) = p else { return nil }; s.append(c) }
            return s
        }
        let n = pieces.count
        if let s = lit(pieces[...]) { shape = .exact(s) }
        else if n >= 1, pieces[n - 1] == .any, let s = lit(pieces[..<(n - 1)]) { shape = .prefix(s) }
        else if n >= 1, pieces[0] == .any, let s = lit(pieces[1...]) { shape = .suffix(s) }
        else if n >= 2, pieces[0] == .any, pieces[n - 1] == .any, let s = lit(pieces[1..<(n - 1)]) { shape = .contains(s) }
        else { shape = .general(pieces) }
    }

    public func matches(_ s: String) -> Bool {
        switch shape {
        case .exact(let p): return s == p
        case .prefix(let p): return s.hasPrefix(p)
        case .suffix(let p): return s.hasSuffix(p)
        case .contains(let p): return p.isEmpty || s.contains(p)
        case .general(let ps): return LikePattern.match(Array(s), ps)
        }
    }

    /// Iterative wildcard matching with backtracking to the last `%` only: O(n·m) worst case.
    static func match(_ s: [Character], _ p: [Piece]) -> Bool {
        var i = 0, j = 0
        var star = -1, mark = 0
        while i < s.count {
            if j < p.count, p[j] == .one || p[j] == .literal(s[i]) {
                i += 1; j += 1
            } else if j < p.count, p[j] == .any {
                star = j; mark = i; j += 1
            } else if star >= 0 {
                j = star + 1; mark += 1; i = mark
            } else {
                return false
            }
        }
        while j < p.count, p[j] == .any { j += 1 }
        return j == p.count
    }
}
