/// A compiled expression: reads slots of a row, returns a value.
public typealias Eval = (Row) -> Value
/// A compiled predicate: the truthiness of an expression, without boxing a Bool in a Value.
public typealias Predicate = (Row) -> Bool

/// A compiled expression for the per-event paths of operators: a plain field is read from its slot
/// with no call, anything else runs the compiled closure. Kept in arrays as a struct, the closure is
/// called as compiled — an array of bare closures calls each through a thunk that copies the row.
struct Column {
    /// The field's slot when the expression is a plain field, else -1.
    let slot: Int
    let eval: Eval

    @inline(__always) func callAsFunction(_ row: Row) -> Value { slot >= 0 ? row[slot] : eval(row) }
}

/// A compiled predicate kept in an array or an optional (see `Column`).
struct Condition {
    let test: Predicate
    @inline(__always) func callAsFunction(_ row: Row) -> Bool { test(row) }
}

/// Turns bound expressions into closures. One compiler serves WHERE, SELECT and every later clause.
///
/// Specialisations (a slot compared with a numeric constant, arithmetic on a slot and a constant,
/// constant LIKE patterns, folded constant sub-expressions) are faster routes to the same result as
/// the general path in `Ops`; `CompilerTests` checks that both agree.
public struct ExpressionCompiler {
    /// Where the query's analytic calls leave their values for the current row.
    let analytics: AnalyticValues?
    /// The match being evaluated (MATCH_RECOGNIZE DEFINE and MEASURES).
    let match: MatchContext?
    /// The table rows the query's JOINs matched for the current event.
    let joins: JoinRows?
    /// Where each lambda in scope keeps the element being visited.
    var lambdaElements: [Int: LambdaElement] = [:]

    public init() { analytics = nil; match = nil; joins = nil }
    init(analytics: AnalyticValues?, match: MatchContext? = nil, joins: JoinRows? = nil) {
        self.analytics = analytics
        self.match = match
        self.joins = joins
    }

    // MARK: values

    /// `e` compiled for an operator's per-event path (see `Column`).
    func column(_ e: BoundExpr) -> Column {
        if case .slot(let s, _) = e { return Column(slot: s, eval: compile(e)) }
        return Column(slot: -1, eval: compile(e))
    }

    func condition(_ e: BoundExpr) -> Condition { Condition(test: compilePredicate(e)) }

    public func compile(_ e: BoundExpr) -> Eval {
        if let c = fold(e) { return { _ in c } }
        return compileNode(e)
    }

    /// Compiles `e` itself without folding it (its sub-expressions still fold).
    func compileNode(_ e: BoundExpr) -> Eval {
        switch e {
        case .literal(let v): return { _ in v }
        case .slot(let i, _): return { row in row[i] }
        case .wholeEvent:
            return { row in row.whole.map(Value.object) ?? .null }
        case .analytic(let i):
            guard let store = analytics else { return { _ in .null } }
            return { _ in store.values[i] }
        case .navigate(let nav, let inner):
            guard let m = match else { return { _ in .null } }
            let f = compile(inner)
            return { _ in m.row(nav).map(f) ?? .null }
        case .patternAggregate(let kind, let symbols, let argument, let final):
            guard let m = match else { return { _ in .null } }
            let arg = argument.map(compile)
            return { _ in m.aggregate(kind, symbols: symbols, argument: arg, final: final) }
        case .classifier:
            guard let m = match else { return { _ in .null } }
            return { _ in m.classifier() }
        case .joinRow(let i):
            guard let j = joins else { return { _ in .null } }
            return { _ in j.row(i) }
        case .matchNumber:
            guard let m = match else { return { _ in .null } }
            return { _ in .int(m.matchNumber) }
        case .member(let base, let field):
            if case .slot(let i, _) = base { return { row in Ops.member(row[i], field) } }
            if case .joinRow(let j) = base, let store = joins {
                // `t.col`: the column's position is looked up once per table version, then read by row.
                var cachedVersion = -1
                var column = -1
                return { _ in
                    store.withMatch(j) { snap, i in
                        if snap.version != cachedVersion {
                            cachedVersion = snap.version
                            column = snap.columnIndex[field] ?? -1
                        }
                        return column >= 0 ? snap.columnValues[column][i] : .null
                    } ?? .null
                }
            }
            let b = compile(base)
            return { row in Ops.member(b(row), field) }
        case .index(let base, let idx):
            let b = compile(base), x = compile(idx)
            return { row in Ops.index(b(row), x(row)) }
        case .unary(.not, let a):
            let p = compile(a)
            return { row in Ops.not(p(row)) }
        case .unary(_, let a):
            let p = compile(a)
            return { row in Ops.negate(p(row)) }
        case .binary(let op, let a, let b):
            return compileBinary(op, a, b)
        case .isNull(let a, let neg):
            let p = compile(a)
            return { row in .bool(p(row).isNull != neg) }
        case .inList(let a, let xs, let neg):
            let p = compile(a)
            if xs.allSatisfy({ fold($0) != nil }) {
                let consts = xs.compactMap { fold($0) }
                let set = Set(consts.filter { !$0.isNull })
                let hasNull = consts.contains { $0.isNull }
                let allSimple = consts.allSatisfy { v in
                    switch v { case .string, .bool, .null: return true; default: return false }
                }
                if allSimple {  // exact hashing is the same as equality for these kinds
                    return { row in
                        let v = p(row)
                        if v.isNull { return .null }
                        if set.contains(v) { return .bool(!neg) }
                        return hasNull ? .null : .bool(neg)
                    }
                }
                return { row in
                    let r = Ops.inList(p(row), consts)
                    return neg ? Ops.not(r) : r
                }
            }
            let ls = xs.map(compile)
            return { row in
                let r = Ops.inList(p(row), ls.map { $0(row) })
                return neg ? Ops.not(r) : r
            }
        case .between(let a, let lo, let hi, let neg):
            let p = compile(a), l = compile(lo), h = compile(hi)
            return { row in
                let v = p(row)
                let r = Ops.and(Ops.compare(.ge, v, l(row)), Ops.compare(.le, v, h(row)))
                return neg ? Ops.not(r) : r
            }
        case .like(let a, let pat, let neg):
            let p = compile(a)
            if let c = fold(pat) {
                guard case .string(let ps) = c else { return { _ in .null } }
                let m = LikePattern(ps)
                return { row in
                    guard case .string(let s) = p(row) else { return .null }
                    return .bool(m.matches(s) != neg)
                }
            }
            let pp = compile(pat)
            return { row in
                guard case .string(let s) = p(row), case .string(let ps) = pp(row) else { return .null }
                return .bool(LikePattern(ps).matches(s) != neg)
            }
        case .caseWhen(let operand, let whens, let otherwise):
            let other = otherwise.map(compile) ?? { _ in .null }
            if let operand {
                let o = compile(operand)
                let arms = whens.map { (compile($0.0), compile($0.1)) }
                return { row in
                    let v = o(row)
                    for (w, t) in arms where Ops.compare(.eq, v, w(row)).isTruthy { return t(row) }
                    return other(row)
                }
            }
            let arms = whens.map { (compilePredicate($0.0), compile($0.1)) }
            return { row in
                for (c, t) in arms where c(row) { return t(row) }
                return other(row)
            }
        case .cast(let a, let t):
            let p = compile(a)
            return { row in p(row).castNoting(to: t) }
        case .call(let f, let args):
            return compileCall(f, args)
        case .lambdaVar(let v):
            guard let element = lambdaElements[v] else { return { _ in .null } }
            return { _ in element.value }
        case .higherOrder(let kind, let array, let v, let body):
            return compileHigherOrder(kind, array, v, body)
        case .tableRows(let table, let column, let key):
            let k = compile(key)
            var snapshot = table.snapshot
            return { row in
                if table.version.load(ordering: .acquiring) != snapshot.version { snapshot = table.snapshot }
                return .array(snapshot.rows(where: column, equals: k(row)))
            }
        case .arrayLiteral(let xs):
            let ps = xs.map(compile)
            return { row in .array(ps.map { $0(row) }) }
        case .objectLiteral(let fs):
            let ps = fs.map { ($0.0, compile($0.1)) }
            return { row in
                var o = OrderedDictionary<String, Value>()
                for (k, p) in ps { o[k] = p(row) }
                return .object(o)
            }
        }
    }

    func compileHigherOrder(_ kind: HigherOrderFunction, _ array: BoundExpr, _ v: Int, _ body: BoundExpr) -> Eval {
        let a = compile(array)
        let element = LambdaElement()
        var inner = self
        inner.lambdaElements[v] = element
        let f = inner.compile(body)
        return { row in
            guard case .array(let xs) = a(row) else { return .null }
            defer { element.value = .null }
            switch kind {
            case .transform:
                return .array(xs.map { x in element.value = x; return f(row) })
            case .filter:
                return .array(xs.filter { x in element.value = x; return Ops.truth(f(row)) == true })
            case .any, .all:
                // One element decides (TRUE for any, FALSE for all); otherwise NULL if one was unknown.
                let decisive = kind == .any
                var sawNull = false
                for x in xs {
                    element.value = x
                    switch Ops.truth(f(row)) {
                    case decisive?: return .bool(decisive)
                    case nil: sawNull = true
                    default: break
                    }
                }
                return sawNull ? .null : .bool(!decisive)
            }
        }
    }

    func compileBinary(_ op: BinaryOp, _ a: BoundExpr, _ b: BoundExpr) -> Eval {
        switch op {
        case .and:
            let x = compile(a), y = compile(b)
            return { row in
                let l = x(row)
                if Ops.truth(l) == false { return .bool(false) }
                return Ops.and(l, y(row))
            }
        case .or:
            let x = compile(a), y = compile(b)
            return { row in
                let l = x(row)
                if Ops.truth(l) == true { return .bool(true) }
                return Ops.or(l, y(row))
            }
        case .concat:
            let x = compile(a), y = compile(b)
            return { row in Ops.concat(x(row), y(row)) }
        case .eq, .ne, .lt, .le, .gt, .ge:
            let x = compile(a), y = compile(b)
            return { row in Ops.compare(op, x(row), y(row)) }
        case .add, .sub, .mul, .div, .mod:
            // slot ⊕ float constant: the common shape of `temperature * 1.8 + 32`.
            if case .slot(let i, _) = a, let c = fold(b), case .double(let k) = c {
                return { row in
                    switch row[i] {
                    case .double(let d): return Ops.arithD(op, d, k)
                    case .int(let n): return Ops.arithD(op, Double(n), k)
                    default: return Ops.arith(op, row[i], c)
                    }
                }
            }
            let x = compile(a)
            if let c = fold(b), case .double(let k) = c {
                return { row in
                    let l = x(row)
                    if case .double(let d) = l { return Ops.arithD(op, d, k) }
                    return Ops.arith(op, l, c)
                }
            }
            let y = compile(b)
            return { row in Ops.arith(op, x(row), y(row)) }
        }
    }

    func compileCall(_ f: FunctionInfo, _ args: [BoundExpr]) -> Eval {
        guard let impl = f.impl else { return { _ in .null } }
        let ps = args.map(compile)
        switch impl {
        case .nullary(let fn): return { _ in fn() }
        case .unary(let fn):
            let a = ps[0]
            return { row in fn(a(row)) }
        case .binary(let fn):
            let a = ps[0], b = ps[1]
            return { row in fn(a(row), b(row)) }
        case .ternary(let fn):
            let a = ps[0], b = ps[1], c = ps[2]
            return { row in fn(a(row), b(row), c(row)) }
        case .variadic(let fn):
            return { row in fn(ps.map { $0(row) }) }
        }
    }

    // MARK: predicates

    /// The truthiness of `e` (NULL is false), with comparisons against constants specialised.
    public func compilePredicate(_ e: BoundExpr) -> Predicate {
        if let c = fold(e) { let t = c.isTruthy; return { _ in t } }
        switch e {
        case .binary(.and, let a, let b):
            let x = compilePredicate(a), y = compilePredicate(b)
            return { row in x(row) && y(row) }
        case .binary(.or, let a, let b):
            let x = compilePredicate(a), y = compilePredicate(b)
            return { row in x(row) || y(row) }
        case .binary(let op, .slot(let i, _), let rhs) where op.isComparison && numericConstant(rhs) != nil:
            let k = numericConstant(rhs)!
            let test = ExpressionCompiler.doubleTest(op)
            let c = Value.double(k)
            return { row in
                switch row[i] {
                case .double(let d): return test(d, k)
                case .int(let n): return test(Double(n), k)
                case .null: return false
                default: return Ops.compare(op, row[i], c).isTruthy
                }
            }
        case .binary(let op, .slot(let i, _), let rhs) where (op == .eq || op == .ne) && stringConstant(rhs) != nil:
            let k = stringConstant(rhs)!
            let c = Value.string(k)
            let want = op == .eq
            return { row in
                if case .string(let s) = row[i] { return (s == k) == want }
                return Ops.compare(op, row[i], c).isTruthy
            }
        case .isNull(let a, let neg):
            if case .slot(let i, _) = a { return { row in row[i].isNull != neg } }
            let p = compile(a)
            return { row in p(row).isNull != neg }
        default:
            let p = compile(e)
            return { row in p(row).isTruthy }
        }
    }

    static func doubleTest(_ op: BinaryOp) -> @Sendable (Double, Double) -> Bool {
        switch op {
        case .eq: return { $0 == $1 }
        case .ne: return { $0 != $1 }
        case .lt: return { $0 < $1 }
        case .le: return { $0 <= $1 }
        case .gt: return { $0 > $1 }
        default: return { $0 >= $1 }
        }
    }

    func numericConstant(_ e: BoundExpr) -> Double? {
        guard let c = fold(e) else { return nil }
        switch c {
        case .double(let d): return d.isNaN ? nil : d
        case .int(let i): return abs(i) < (1 << 53) ? Double(i) : nil
        default: return nil
        }
    }

    func stringConstant(_ e: BoundExpr) -> String? {
        if let c = fold(e), case .string(let s) = c { return s }
        return nil
    }

    // MARK: constant folding

    /// The value of an expression that reads no row and calls only deterministic functions.
    public func fold(_ e: BoundExpr) -> Value? {
        if case .literal(let v) = e { return v }
        guard isConstant(e) else { return nil }
        return compileNode(e)(Row(width: 0))
    }

    func isConstant(_ e: BoundExpr) -> Bool {
        switch e {
        case .literal: return true
        case .slot, .wholeEvent, .analytic, .navigate, .patternAggregate, .classifier, .matchNumber, .joinRow: return false
        case .lambdaVar, .higherOrder, .tableRows: return false
        case .member(let a, _), .unary(_, let a), .isNull(let a, _), .cast(let a, _): return isConstant(a)
        case .index(let a, let b), .binary(_, let a, let b), .like(let a, let b, _): return isConstant(a) && isConstant(b)
        case .inList(let a, let xs, _): return isConstant(a) && xs.allSatisfy(isConstant)
        case .between(let a, let b, let c, _): return isConstant(a) && isConstant(b) && isConstant(c)
        case .caseWhen(let o, let ws, let other):
            return (o.map(isConstant) ?? true) && ws.allSatisfy { isConstant($0.0) && isConstant($0.1) } && (other.map(isConstant) ?? true)
        case .call(let f, let args): return f.deterministic && f.impl != nil && args.allSatisfy(isConstant)
        case .arrayLiteral(let xs): return xs.allSatisfy(isConstant)
        case .objectLiteral(let fs): return fs.allSatisfy { isConstant($0.1) }
        }
    }
}

/// The array element a lambda is visiting (queries evaluate on one thread at a time).
final class LambdaElement {
    var value: Value = .null
}

import OrderedCollections
