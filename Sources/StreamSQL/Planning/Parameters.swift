/// Session parameters (`SET @threshold = 0.8`, then `WHERE temp > @threshold`): constants bound when a
/// query is planned. A plan replaces every `@name` in its SELECT by the value's literal before binding, so a
/// parameter stands wherever a literal may (a window's size, a pattern's WITHIN, a function's constant
/// argument), and records which parameters it used, so that changing one restarts the queries that use it.
public struct ParameterValues: Sendable, Equatable {
    struct Entry: Sendable, Equatable {
        var name: String
        var value: Value
    }
    /// By lower-cased name: the name as first set, and the value.
    private var values: [String: Entry] = [:]

    public init() {}

    public subscript(_ name: String) -> Value? { values[name.lowercased()]?.value }

    public mutating func set(_ name: String, _ value: Value) {
        let key = name.lowercased()
        values[key] = Entry(name: values[key]?.name ?? name, value: value)
    }

    /// Every parameter, by name.
    public var all: [(name: String, value: Value)] {
        values.keys.sorted().compactMap { k in values[k].map { ($0.name, $0.value) } }
    }

    /// The value of `@name` at `range`, or an error naming the parameters that exist.
    func value(_ name: String, at range: SourceRange, in sql: String) throws(StreamSQLError) -> Value {
        if let v = self[name] { return v }
        let known = all.map { "@" + $0.name }
        throw StreamSQLError(.plan, "unknown parameter @\(name); define it first (SET @\(name) = …)"
                             + (known.isEmpty ? "" : "; parameters: " + known.joined(separator: ", ")),
                             at: range, in: sql, suggestions: closestNames(to: "@" + name, in: known))
    }
}

/// Replaces the parameters of a SELECT by their values' literals (keeping each one's source range).
struct ParameterSubstitution {
    let values: ParameterValues
    let sql: String
    /// The parameters met, lower-cased.
    private(set) var used: Set<String> = []

    init(values: ParameterValues, sql: String) {
        self.values = values
        self.sql = sql
    }

    mutating func select(_ s: SelectStatement) throws(StreamSQLError) -> SelectStatement {
        var s = s
        for i in s.items.indices { s.items[i].expr = try expr(s.items[i].expr) }
        for i in s.from.joins.indices { s.from.joins[i].on = try expr(s.from.joins[i].on) }
        if var m = s.matchRecognize {
            m.partitionBy = try exprs(m.partitionBy)
            for i in m.orderBy.indices { m.orderBy[i].expr = try expr(m.orderBy[i].expr) }
            for i in m.measures.indices { m.measures[i].expr = try expr(m.measures[i].expr) }
            for i in m.defines.indices { m.defines[i].1 = try expr(m.defines[i].1) }
            s.matchRecognize = m
        }
        if let w = s.whereClause { s.whereClause = try expr(w) }
        s.groupBy = try exprs(s.groupBy)
        if var w = s.window {
            w.args = try exprs(w.args)
            if let t = w.trigger { w.trigger = try expr(t) }
            if let c = w.when { w.when = try expr(c) }
            s.window = w
        }
        if let h = s.having { s.having = try expr(h) }
        for i in s.orderBy.indices { s.orderBy[i].expr = try expr(s.orderBy[i].expr) }
        if var e = s.emit, case .every(let d) = e.mode {
            e.mode = .every(try expr(d))
            s.emit = e
        }
        return s
    }

    private mutating func exprs(_ es: [Expr]) throws(StreamSQLError) -> [Expr] {
        var out: [Expr] = []
        out.reserveCapacity(es.count)
        for e in es { out.append(try expr(e)) }
        return out
    }

    /// The expression with its parameters replaced; the same object when it has none. Recursion follows
    /// the tree's height, which the parser bounds (`Parser.maxDepth`).
    mutating func expr(_ e: Expr) throws(StreamSQLError) -> Expr {
        if case .parameter(let n) = e.kind {
            used.insert(n.lowercased())
            return Expr(.literal(try values.value(n, at: e.range, in: sql)), e.range)
        }
        guard e.mentionsParameter else { return e }
        let k: ExprKind
        switch e.kind {
        case .literal, .name, .star, .parameter: return e
        case .unary(let op, let a): k = .unary(op, try expr(a))
        case .binary(let op, let a, let b): k = .binary(op, try expr(a), try expr(b))
        case .isNull(let a, let n): k = .isNull(try expr(a), negated: n)
        case .inList(let a, let xs, let n): k = .inList(try expr(a), try exprs(xs), negated: n)
        case .between(let a, let b, let c, let n): k = .between(try expr(a), try expr(b), try expr(c), negated: n)
        case .like(let a, let b, let n): k = .like(try expr(a), try expr(b), negated: n)
        case .caseWhen(let op, let whens, let other):
            var ws: [(Expr, Expr)] = []
            for (c, v) in whens { ws.append((try expr(c), try expr(v))) }
            k = .caseWhen(operand: try op.map { (x) throws(StreamSQLError) in try expr(x) }, whens: ws,
                          otherwise: try other.map { (x) throws(StreamSQLError) in try expr(x) })
        case .cast(let a, let t): k = .cast(try expr(a), typeName: t)
        case .call(let name, let args, let distinct, let over, let sem):
            var o = over
            if var ov = o {
                ov.partitionBy = try exprs(ov.partitionBy)
                if let w = ov.when { ov.when = try expr(w) }
                o = ov
            }
            k = .call(name: name, args: try exprs(args), distinct: distinct, over: o, semantics: sem)
        case .aggregateFilter(let a, let w): k = .aggregateFilter(try expr(a), where: try expr(w))
        case .member(let a, let f): k = .member(try expr(a), f)
        case .index(let a, let b): k = .index(try expr(a), try expr(b))
        case .arrayLiteral(let xs): k = .arrayLiteral(try exprs(xs))
        case .objectLiteral(let fs):
            var out: [(String, Expr)] = []
            for (n, v) in fs { out.append((n, try expr(v))) }
            k = .objectLiteral(out)
        case .lambda(let p, let body): k = .lambda(param: p, body: try expr(body))
        }
        return Expr(k, e.range)
    }
}
