/// What the binder needs to know about the query's source: how to give a field a slot.
public protocol FieldResolver {
    /// The slot of a top-level event field (allocating one if the stream has none yet).
    mutating func slot(for field: String) -> Int
    /// Asks the stream to keep whole events (for `SELECT *`).
    mutating func requireWholeEvent()
    /// A typed stream's declared columns: a field outside them is an error. Nil: any field may appear.
    var declaredFields: [String]? { get }
    /// The stream's name, for errors.
    var sourceName: String { get }
}

extension FieldResolver {
    public var declaredFields: [String]? { nil }
    public var sourceName: String { "the stream" }
}

/// A bound query, by pipeline kind.
public enum BoundQuery: Sendable {
    case row(BoundRowQuery)
    case windowed(BoundWindowQuery)
    case match(BoundMatchQuery)
}

/// The bound form of a row-at-a-time query.
public struct BoundRowQuery: Sendable {
    public var schema: ResultSchema
    public var projections: [BoundExpr]
    /// Index of the projection that is `unnest(…)`, if any.
    public var unnestColumn: Int?
    public var filter: BoundExpr?
    public var distinct: Bool
    public var limit: Int?
    /// ORDER BY over output columns, applied to the rows one event produces.
    public var orderBy: [(column: Int, descending: Bool)]
    /// Analytic calls, referenced from expressions as `.analytic(i)`.
    public var analytics: [BoundAnalyticCall] = []
    public var joins: [BoundJoin] = []
    /// With joins: ORDER BY and LIMIT apply to the rows of one event.
    public var joinOrder: BoundJoinOrder?
}

/// Resolves a parsed SELECT against its source: names to slots, functions to the registry, and the
/// clause rules (what may appear where). Errors carry the position of the offending expression.
public struct Binder<R: FieldResolver> {
    public let source: String
    public let functions: FunctionRegistry
    public var resolver: R
    let streamNames: [String]   // the source name and its alias (qualifiers that may prefix a field)
    /// Set while binding the output of a grouped query.
    var aggScope: AggregateScope?
    /// Collects the analytic calls of the query being bound.
    var analyticScope: AnalyticScope?
    /// Set while binding DEFINE, MEASURES and the outer select list of MATCH_RECOGNIZE.
    var patternScope: PatternScope?
    /// Tables that may be joined (lower-cased names).
    public var knownTables: Set<String> { Set(tableStates.keys) }
    /// Join aliases (and table names) to their join index.
    var joinAliases: [String: Int] = [:]
    /// Arguments of the SQL-defined functions being expanded, innermost last.
    var udfArguments: [[String: BoundExpr]] = []
    /// Plan-size accounting (Binder+Limits): current `bind` recursion, nodes bound so far, and the
    /// outermost SQL-defined function being expanded (named in the error when a limit is hit).
    var bindDepth = 0
    var boundNodes = 0
    var expanding: String?
    /// Lambda parameters in scope (lower-cased name, variable number), innermost last.
    var lambdaScope: [(String, Int)] = []
    var lambdaCount = 0
    /// Tables that `lookup_rows` may read, by lower-cased name.
    public var tableStates: [String: TableState] = [:]
    /// Session parameters, for `@name` in what planning did not substitute (SQL-defined functions' bodies,
    /// INSERT values); the names met are added to `usedParameters` (lower-cased).
    public var parameters = ParameterValues()
    var usedParameters: Set<String> = []

    public init(source: String, functions: FunctionRegistry, resolver: R, streamNames: [String]) {
        self.source = source
        self.functions = functions
        self.resolver = resolver
        self.streamNames = streamNames.map { $0.lowercased() }
    }

    func planError(_ msg: String, _ range: SourceRange, suggestions: [String] = []) -> StreamSQLError {
        StreamSQLError(.plan, msg, at: range, in: source, suggestions: suggestions)
    }

    func notSupported(_ feature: String, _ range: SourceRange) -> StreamSQLError {
        StreamSQLError(.notSupported, feature, at: range, in: source)
    }

    // MARK: validation shared by every query shape

    /// Checks function names, arity and nesting rules over an unbound expression tree.
    /// `inAggregate`/`inAnalytic` name the enclosing stateful call, if any.
    func validate(_ e: Expr, inAggregate: String? = nil, inAnalytic: String? = nil, windowed: Bool, groupKeys: [String]) throws(StreamSQLError) {
        switch e.kind {
        case .literal, .name, .star, .parameter: return
        case .unary(_, let a): try validate(a, inAggregate: inAggregate, inAnalytic: inAnalytic, windowed: windowed, groupKeys: groupKeys)
        case .binary(_, let a, let b), .like(let a, let b, _), .index(let a, let b):
            try validate(a, inAggregate: inAggregate, inAnalytic: inAnalytic, windowed: windowed, groupKeys: groupKeys)
            try validate(b, inAggregate: inAggregate, inAnalytic: inAnalytic, windowed: windowed, groupKeys: groupKeys)
        case .isNull(let a, _), .cast(let a, _), .member(let a, _):
            try validate(a, inAggregate: inAggregate, inAnalytic: inAnalytic, windowed: windowed, groupKeys: groupKeys)
        case .inList(let a, let xs, _):
            for x in [a] + xs { try validate(x, inAggregate: inAggregate, inAnalytic: inAnalytic, windowed: windowed, groupKeys: groupKeys) }
        case .between(let a, let b, let c, _):
            for x in [a, b, c] { try validate(x, inAggregate: inAggregate, inAnalytic: inAnalytic, windowed: windowed, groupKeys: groupKeys) }
        case .caseWhen(let op, let whens, let other):
            var all: [Expr] = []
            if let op { all.append(op) }
            for (c, v) in whens { all.append(c); all.append(v) }
            if let other { all.append(other) }
            for x in all { try validate(x, inAggregate: inAggregate, inAnalytic: inAnalytic, windowed: windowed, groupKeys: groupKeys) }
        case .arrayLiteral(let xs):
            for x in xs { try validate(x, inAggregate: inAggregate, inAnalytic: inAnalytic, windowed: windowed, groupKeys: groupKeys) }
        case .objectLiteral(let fs):
            for (_, x) in fs { try validate(x, inAggregate: inAggregate, inAnalytic: inAnalytic, windowed: windowed, groupKeys: groupKeys) }
        case .aggregateFilter(let call, let cond):
            guard case .call(let name, _, _, nil, _) = call.kind, functions.lookup(name)?.kind == .aggregate else {
                throw planError("FILTER (WHERE …) follows an aggregate function, as in count(*) FILTER (WHERE x > 0)", e.range)
            }
            try validate(call, inAggregate: inAggregate, inAnalytic: inAnalytic, windowed: windowed, groupKeys: groupKeys)
            if contains(cond, kind: .aggregate) || contains(cond, kind: .analytic) {
                throw planError("an aggregate's FILTER (WHERE …) tests each input row; it cannot hold an aggregate or analytic function", cond.range)
            }
            try validate(cond, inAggregate: name, inAnalytic: inAnalytic, windowed: false, groupKeys: [])
        case .lambda(_, let body):
            if contains(body, kind: .aggregate) || contains(body, kind: .analytic) {
                throw planError("a lambda's body (x -> …) is evaluated per array element and cannot hold an aggregate or analytic function", body.range)
            }
            try validate(body, inAggregate: inAggregate, inAnalytic: inAnalytic, windowed: windowed, groupKeys: groupKeys)
        case .call(let name, let args, _, let over, _):
            let f = try lookupFunction(name, args: args, range: e.range)
            var agg = inAggregate, ana = inAnalytic
            switch f.kind {
            case .aggregate:
                if let outer = inAggregate {
                    throw planError("aggregate function calls cannot be nested: \(name)(…) inside \(outer)(…)", e.range)
                }
                agg = name
            case .analytic:
                if let outer = inAnalytic {
                    throw planError("analytic functions cannot be nested in \(name)(…) within \(outer)(…); compute it in a column of its own", e.range)
                }
                if let outer = inAggregate {
                    throw planError("analytic functions cannot be nested inside aggregate \(outer)(…)", e.range)
                }
                ana = name
                if windowed { try checkAnalyticArgumentsInWindow(name, args, groupKeys: groupKeys) }
            default:
                if over != nil { throw planError("OVER (…) applies to analytic functions only; \(name) is a \(f.kind.rawValue) function", over!.range) }
            }
            if let over {
                for p in over.partitionBy { try validate(p, windowed: false, groupKeys: []) }
                if let w = over.when { try validate(w, windowed: false, groupKeys: []) }
            }
            for a in args { try validate(a, inAggregate: agg, inAnalytic: ana, windowed: windowed, groupKeys: groupKeys) }
        }
    }

    /// In a windowed query an analytic function runs on window results, so its value argument must be
    /// an aggregate or a GROUP BY key, not a raw column of the input rows.
    func checkAnalyticArgumentsInWindow(_ name: String, _ args: [Expr], groupKeys: [String]) throws(StreamSQLError) {
        let valueArgs: [Expr]
        switch name.lowercased() {
        case "had_changed", "changed_col": valueArgs = Array(args.dropFirst())
        case "changed_cols": valueArgs = Array(args.dropFirst(2))
        default: valueArgs = args.prefix(1).map { $0 }
        }
        for a in valueArgs {
            if let raw = rawColumn(in: a), !groupKeys.contains(raw) {
                throw planError("analytic function \(name)(…) in a windowed query reads the raw column '\(raw)'; use an aggregate (e.g. \(name)(avg(\(raw)))) or a GROUP BY key", a.range)
            }
        }
    }

    /// A column reference outside any aggregate call, if the expression has one.
    func rawColumn(in e: Expr) -> String? {
        switch e.kind {
        case .name(let n, _): return n
        case .member:
            return columnPath(e).map { parts in
                let p = parts.first.map { streamNames.contains($0.lowercased()) } == true && parts.count > 1 ? Array(parts.dropFirst()) : parts
                return p.joined(separator: ".")
            }
        case .call(let name, let args, _, _, _):
            if functions.lookup(name)?.kind == .aggregate { return nil }
            for a in args { if let r = rawColumn(in: a) { return r } }
            return nil
        case .unary(_, let a), .isNull(let a, _), .cast(let a, _): return rawColumn(in: a)
        case .binary(_, let a, let b), .like(let a, let b, _): return rawColumn(in: a) ?? rawColumn(in: b)
        default: return nil
        }
    }

    func lookupFunction(_ name: String, args: [Expr], range: SourceRange) throws(StreamSQLError) -> FunctionInfo {
        guard let f = functions.lookup(name) else {
            throw planError("unknown function \(name)", range, suggestions: closestNames(to: name, in: functions.all.map(\.name)))
        }
        if args.count < f.minArgs || (f.maxArgs.map { args.count > $0 } ?? false) {
            throw planError("\(f.name) takes \(f.arityText), got \(args.count): \(f.signature)", range)
        }
        if f.name != "count" {
            for a in args { if case .star = a.kind, f.name != "changed_cols", f.name != "had_changed" {
                throw planError("'*' is only allowed in COUNT(*), not in \(f.name)(…)", a.range)
            } }
        }
        return f
    }

    /// `a.b.c` as name parts, when the expression is a pure name path.
    func columnPath(_ e: Expr) -> [String]? {
        switch e.kind {
        case .name(let n, _): return [n]
        case .member(let base, let field): return columnPath(base).map { $0 + [field] }
        default: return nil
        }
    }

    /// Whether any call in the tree has the given kind.
    func contains(_ e: Expr, kind: FunctionKind) -> Bool {
        var found = false
        visit(e) { x in
            if case .call(let n, _, _, _, _) = x.kind, functions.lookup(n)?.kind == kind { found = true }
        }
        return found
    }

    /// Calls `f` on `e` and every expression below it (the parser bounds the depth).
    func visit(_ e: Expr, _ f: (Expr) -> Void) {
        f(e)
        e.kind.forEachChild { visit($0, f) }
    }

    // MARK: naming

    /// An output column; a top-level `changed_col` leaves out NULLs and `changed_cols` spreads its columns.
    func outputColumn(_ item: SelectItem, name: String) -> ResultColumn {
        if case .call(let fname, _, _, _, _) = item.expr.kind {
            switch fname.lowercased() {
            case "changed_col": return ResultColumn(name: name, spread: false, omitNull: true)
            case "changed_cols": return ResultColumn(name: name, spread: true, omitNull: true)
            default: break
            }
        }
        return ResultColumn(name: name, spread: false)
    }

    /// The output name of a select item: its alias, else a column's name (a nested path keeps its dotted
    /// text), else an unaliased string literal's text, else the expression exactly as written.
    func outputName(_ item: SelectItem) -> String {
        if let a = item.alias { return a }
        switch item.expr.kind {
        case .name(let n, _): return n
        case .literal(.string(let s)): return s
        default:
            if let parts = columnPath(item.expr) {
                let p = parts.count > 1 && streamNames.contains(parts[0].lowercased()) ? Array(parts.dropFirst()) : parts
                return p.joined(separator: ".")
            }
            let b = Array(source.utf8)
            let r = item.expr.range
            guard r.start >= 0, r.end <= b.count else { return "expr" }
            return String(decoding: b[r.start..<r.end], as: UTF8.self)
        }
    }

    // MARK: binding expressions

    public mutating func bind(_ e: Expr) throws(StreamSQLError) -> BoundExpr {
        try enterBind(e)
        defer { bindDepth -= 1 }
        return try bindNode(e)
    }

    mutating func bindNode(_ e: Expr) throws(StreamSQLError) -> BoundExpr {
        if let v = lambdaVariable(e) { return .lambdaVar(v) }
        if case .member(let base, let field) = e.kind, let v = lambdaVariable(base) { return .member(.lambdaVar(v), field) }
        if let scope = aggScope, let r = try bindInAggregateScope(e, scope) { return r }
        if let scope = patternScope, let r = try bindInPatternScope(e, scope) { return r }
        switch e.kind {
        case .aggregateFilter:
            throw planError("FILTER (WHERE …) belongs to an aggregate of a grouped or windowed query", e.range)
        case .literal(let v): return .literal(v)
        case .parameter(let n):
            usedParameters.insert(n.lowercased())
            return .literal(try parameters.value(n, at: e.range, in: source))
        case .name(let n, _):
            if let args = udfArguments.last {
                guard let b = args[n.lowercased()] else {
                    throw planError("'\(n)' is not a parameter of the function", e.range)
                }
                return b
            }
            return try fieldSlot(n, e.range)
        case .star:
            throw planError("'*' is not a value here", e.range)
        case .member(let base, let field):
            if case .name(let q, _) = base.kind, let j = joinAliases[q.lowercased()] {
                return .member(.joinRow(j), field)
            }
            if case .name(let q, let quoted) = base.kind, !quoted, streamNames.contains(q.lowercased()) {
                return try fieldSlot(field, e.range)
            }
            return .member(try bind(base), field)
        case .index(let base, let idx):
            return .index(try bind(base), try bind(idx))
        case .unary(let op, let a):
            let x = try bind(a)
            if op == .plus { return x }
            return .unary(op, x)
        case .binary(let op, let a, let b):
            // `x = nil` / `x = NULL` test for NULL, as in the reference (and `!= nil` for NOT NULL).
            if op == .eq || op == .ne {
                if case .literal(.null) = b.kind { return .isNull(try bind(a), negated: op == .ne) }
                if case .literal(.null) = a.kind { return .isNull(try bind(b), negated: op == .ne) }
            }
            return .binary(op, try bind(a), try bind(b))
        case .isNull(let a, let neg): return .isNull(try bind(a), negated: neg)
        case .inList(let a, let xs, let neg):
            var bx: [BoundExpr] = []
            for x in xs { bx.append(try bind(x)) }
            return .inList(try bind(a), bx, negated: neg)
        case .between(let a, let lo, let hi, let neg):
            return .between(try bind(a), try bind(lo), try bind(hi), negated: neg)
        case .like(let a, let p, let neg):
            return .like(try bind(a), try bind(p), negated: neg)
        case .caseWhen(let op, let whens, let other):
            var bw: [(BoundExpr, BoundExpr)] = []
            for (c, v) in whens { bw.append((try bind(c), try bind(v))) }
            return .caseWhen(operand: try op.map { x throws(StreamSQLError) in try bind(x) } ?? nil, whens: bw,
                             otherwise: try other.map { x throws(StreamSQLError) in try bind(x) } ?? nil)
        case .cast(let a, let typeName):
            guard let t = SQLType(name: typeName) else {
                throw planError("unknown type '\(typeName)' in CAST (types: \(SQLType.spellings))", e.range)
            }
            return .cast(try bind(a), t)
        case .call(let name, let args, _, let over, _):
            return try bindCall(e, name: name, args: args, over: over)
        case .arrayLiteral(let xs):
            var b: [BoundExpr] = []
            for x in xs { b.append(try bind(x)) }
            return .arrayLiteral(b)
        case .objectLiteral(let fs):
            var b: [(String, BoundExpr)] = []
            for (k, x) in fs { b.append((k, try bind(x))) }
            return .objectLiteral(b)
        case .lambda:
            throw planError("a lambda (x -> …) is only allowed as the last argument of \(HigherOrderFunction.allCases.map(\.rawValue).joined(separator: " or "))", e.range)
        }
    }

    /// A top-level field of the event, read from its slot. On a typed stream the field must be declared:
    /// otherwise the error names the stream's columns and the closest one.
    mutating func fieldSlot(_ field: String, _ range: SourceRange) throws(StreamSQLError) -> BoundExpr {
        if let declared = resolver.declaredFields, !declared.contains(field) {
            let exact = declared.first { $0.lowercased() == field.lowercased() }
            throw planError("\(resolver.sourceName) has no column '\(field)' (its columns: \(declared.joined(separator: ", ")))", range,
                            suggestions: exact.map { [$0] } ?? closestNames(to: field, in: declared))
        }
        return .slot(resolver.slot(for: field), name: field)
    }

    /// The lambda variable a bare name refers to, innermost first.
    func lambdaVariable(_ e: Expr) -> Int? {
        guard !lambdaScope.isEmpty, case .name(let n, _) = e.kind else { return nil }
        let lower = n.lowercased()
        return lambdaScope.last(where: { $0.0 == lower })?.1
    }

    /// `array_transform(a, x -> …)` and the other functions that take a lambda.
    mutating func bindHigherOrder(_ kind: HigherOrderFunction, _ args: [Expr], range: SourceRange) throws(StreamSQLError) -> BoundExpr {
        guard args.count == 2, case .lambda(let param, let body) = args[1].kind else {
            throw planError("\(kind.rawValue) takes an array and a lambda, e.g. \(kind.rawValue)(items, x -> x.price * 2)", range)
        }
        let array = try bind(args[0])
        lambdaCount += 1
        let v = lambdaCount
        lambdaScope.append((param.lowercased(), v))
        defer { lambdaScope.removeLast() }
        return .higherOrder(kind, array: array, variable: v, body: try bind(body))
    }

    /// `lookup_rows('table', 'column', value)`: the rows of a table whose column equals the value.
    mutating func bindLookupRows(_ args: [Expr], range: SourceRange) throws(StreamSQLError) -> BoundExpr {
        guard case .literal(.string(let name)) = args[0].kind else {
            throw planError("lookup_rows' first argument is a table name in quotes, e.g. lookup_rows('products', 'category', category)", args[0].range)
        }
        guard let table = tableStates[name.lowercased()] else {
            throw planError("no table named '\(name)'", args[0].range, suggestions: closestNames(to: name, in: Array(tableStates.keys)))
        }
        guard case .literal(.string(let column)) = args[1].kind else {
            throw planError("lookup_rows' second argument is a column name in quotes", args[1].range)
        }
        return .tableRows(table, column: column, key: try bind(args[2]))
    }

    // MARK: queries

    static var eventTimeOptions: Set<String> { ["timestamp", "timeunit", "maxoutoforderness", "allowedlateness", "idletimeout", "statettl"] }

    /// Binds a SELECT. Row queries bind fully; clauses whose pipelines are not built yet are checked
    /// for errors first and then reported as "not supported yet".
    public mutating func bindSelect(_ s: SelectStatement) throws(StreamSQLError) -> BoundQuery {
        let windowed = s.window != nil
        let groupKeyNames = s.groupBy.compactMap { columnPath($0)?.joined(separator: ".") }

        if let w = s.window, w.trigger == nil {
            let known = ["TumblingWindow", "SlidingWindow", "CountingWindow", "SessionWindow", "StateWindow"]
            if !known.contains(where: { $0.caseInsensitiveEquals(w.name) }) {
                throw planError("unknown window function \(w.name)", w.range, suggestions: closestNames(to: w.name, in: known))
            }
        }
        if let r = s.windowOver {
            throw planError("OVER(...) on a GROUP BY window is not supported; OVER belongs to analytic functions such as lag(x) OVER (PARTITION BY k)", r)
        }
        if let mr = s.matchRecognize, let e = s.emit {
            _ = mr
            throw planError("EMIT applies to windowed queries, not to MATCH_RECOGNIZE", e.range)
        }
        if let mr = s.matchRecognize, windowed || !s.groupBy.isEmpty {
            throw planError("MATCH_RECOGNIZE cannot be combined with GROUP BY or a window", mr.range)
        }
        for (k, _, r) in s.with where !Binder.eventTimeOptions.contains(k.lowercased()) {
            throw planError("unknown option \(k) in WITH (options: TIMESTAMP, TIMEUNIT, MAXOUTOFORDERNESS, ALLOWEDLATENESS, IDLETIMEOUT, STATETTL)", r)
        }

        if let mr = s.matchRecognize {
            if let j = s.from.joins.first { throw notSupported("MATCH_RECOGNIZE with JOIN", j.range) }
            return .match(try bindMatchRecognize(s, mr))
        }
        let joins = try bindJoins(s.from)

        // Validate every expression (names, arity, nesting) before anything else.
        var names = Set<String>()
        var unnestAt: Int? = nil
        for (i, item) in s.items.enumerated() {
            if case .star = item.expr.kind { continue }
            try validate(item.expr, windowed: windowed, groupKeys: groupKeyNames)
            let n = outputName(item)
            if !names.insert(n).inserted {
                throw planError("duplicate output column '\(n)'; give one of them another alias", item.range)
            }
            if case .call(let fname, _, _, _, _) = item.expr.kind, functions.lookup(fname)?.kind == .table {
                if unnestAt != nil { throw planError("only one unnest(…) per query", item.range) }
                unnestAt = i
            }
        }
        if let w = s.whereClause {
            try validate(w, windowed: false, groupKeys: [])
            if contains(w, kind: .aggregate) {
                throw planError("aggregate functions are not allowed in WHERE; filter on aggregates with HAVING", w.range)
            }
        }
        for g in s.groupBy { try validate(g, windowed: false, groupKeys: []) }
        if let t = s.window?.trigger { try validate(t, windowed: false, groupKeys: []) }
        if let h = s.having { try validate(h, windowed: windowed, groupKeys: groupKeyNames) }
        for o in s.orderBy { try validate(o.expr, windowed: windowed, groupKeys: groupKeyNames) }

        if let g = s.groupBy.first(where: { contains($0, kind: .analytic) }) {
            throw planError("analytic functions are not allowed in GROUP BY", g.range)
        }
        if let h = s.having, contains(h, kind: .analytic) {
            throw planError("analytic functions are not allowed in HAVING; compute them in the select list and filter in a derived query", h.range)
        }
        let analytics = AnalyticScope()
        analyticScope = analytics
        defer { analyticScope = nil }
        let grouped = s.window != nil || !s.groupBy.isEmpty || s.having != nil
            || s.items.contains { contains($0.expr, kind: .aggregate) }
        if grouped {
            var w = try bindWindowed(s)
            w.joins = joins
            return .windowed(w)
        }
        if let (_, _, r) = s.with.first {
            throw planError("WITH (…) event-time options apply to windowed queries; this query has no window", r)
        }
        if let e = s.emit {
            throw planError("EMIT says when a window speaks; this query has no window or aggregate (add GROUP BY TumblingWindow('1m'))", e.range)
        }

        // Row query.
        var columns: [ResultColumn] = []
        var projections: [BoundExpr] = []
        for item in s.items {
            if case .star(let q) = item.expr.kind {
                if let q, let j = joinAliases[q.lowercased()] {
                    columns.append(ResultColumn(name: "\(q).*", spread: true))
                    projections.append(.joinRow(j))
                    continue
                }
                if let q, !streamNames.contains(q.lowercased()) {
                    throw planError("unknown source '\(q)' in \(q).*", item.range)
                }
                resolver.requireWholeEvent()
                columns.append(ResultColumn(name: "*", spread: true))
                projections.append(.wholeEvent)
                continue
            }
            let name = outputName(item)
            if case .call(let fname, let args, _, _, _) = item.expr.kind, functions.lookup(fname)?.kind == .table {
                columns.append(ResultColumn(name: item.alias ?? name, spread: false, spreadsObjects: true))
                projections.append(try bind(args[0]))
                continue
            }
            columns.append(outputColumn(item, name: name))
            projections.append(try bind(item.expr))
        }
        analytics.inWhere = true
        let filter = try s.whereClause.map { w throws(StreamSQLError) in try bind(w) }
        analytics.inWhere = false
        var order: [(Int, Bool)] = []
        if !joins.isEmpty {
            // With a join, ORDER BY and LIMIT pick among the table rows one event matches.
            var keys: [(BoundExpr, Bool)] = []
            for o in s.orderBy {
                let key = columnPath(o.expr)?.joined(separator: ".")
                if let key, let i = columns.firstIndex(where: { $0.name == key }) {
                    keys.append((projections[i], o.descending))
                } else {
                    keys.append((try bind(o.expr), o.descending))
                }
            }
            var q = BoundRowQuery(schema: ResultSchema(columns: columns), projections: projections, unnestColumn: unnestAt,
                                  filter: filter, distinct: s.distinct, limit: nil, orderBy: [], analytics: analytics.calls)
            q.joins = joins
            q.joinOrder = BoundJoinOrder(keys: keys, limit: s.limit)
            return .row(q)
        }
        for o in s.orderBy {
            let key: String? = columnPath(o.expr)?.joined(separator: ".")
            if let key, let i = columns.firstIndex(where: { $0.name == key }) {
                order.append((i, o.descending))
            } else if case .literal(.int(let n)) = o.expr.kind, n >= 1, n <= columns.count {
                order.append((Int(n) - 1, o.descending))
            } else {
                throw planError("ORDER BY in a row query sorts the rows one event produces and must name an output column", o.expr.range)
            }
        }
        return .row(BoundRowQuery(schema: ResultSchema(columns: columns), projections: projections, unnestColumn: unnestAt,
                                  filter: filter, distinct: s.distinct, limit: s.limit, orderBy: order, analytics: analytics.calls))
    }
}
