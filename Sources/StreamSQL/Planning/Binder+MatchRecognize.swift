/// The bound form of a MATCH_RECOGNIZE query.
public struct BoundMatchQuery: Sendable {
    public var partitionBy: [BoundExpr]
    public var orderBy: BoundExpr?
    public var timeUnitNanos: Int64
    public var program: PatternProgram
    /// DEFINE per pattern variable (nil: matches any row).
    public var defines: [BoundExpr?]
    public var measures: [(String, BoundExpr)]
    public var allRows: Bool
    public var afterMatch: AfterMatchSkip
    public var subsets: [String: [Int]]
    public var withinNanos: Int64?
    /// The largest PREV offset, so that many earlier rows are kept.
    public var maxPrev: Int
    public var schema: ResultSchema
    public var projections: [BoundExpr]
    /// The ORDER BY column as written, naming it in rejection reasons.
    public var orderByText = ""

    func symbolSet(_ name: String) -> [Int] {
        if let s = subsets[name.lowercased()] { return s }
        return program.symbols.indices.filter { program.symbols[$0].caseInsensitiveEquals(name) }
    }
}

/// Pattern variables and subsets visible while binding DEFINE and MEASURES.
final class PatternScope {
    let symbols: [String]
    let subsets: [String: [Int]]
    var maxPrev = 1
    /// Measure names usable by the outer SELECT (bound as `.analytic(i)`).
    var measureNames: [String: Int] = [:]
    var outer = false

    init(symbols: [String], subsets: [String: [Int]]) {
        self.symbols = symbols
        self.subsets = subsets
    }

    func set(_ name: String) -> [Int]? {
        if let s = subsets[name.lowercased()] { return s }
        if let i = symbols.firstIndex(where: { $0.caseInsensitiveEquals(name) }) { return [i] }
        return nil
    }
}

extension Binder {
    /// In DEFINE and MEASURES: `A.v`, PREV/FIRST/LAST, CLASSIFIER(), MATCH_NUMBER() and aggregates over
    /// the match. In the outer SELECT: measure names. Returns nil to bind `e` normally.
    mutating func bindInPatternScope(_ e: Expr, _ scope: PatternScope) throws(StreamSQLError) -> BoundExpr? {
        if scope.outer {
            if case .name(let n, _) = e.kind, let i = scope.measureNames[n] ?? scope.measureNames.first(where: { $0.key.caseInsensitiveEquals(n) })?.value {
                return .analytic(i)
            }
            return nil
        }
        switch e.kind {
        case .member(let base, let field):
            if case .name(let sym, _) = base.kind, let set = scope.set(sym) {
                return .navigate(.last(set), try fieldSlot(field, e.range))
            }
            return nil
        case .call(let name, let args, let distinct, _, let semantics):
            switch name.lowercased() {
            case "prev", "next", "first", "last":
                guard args.count == 1 || args.count == 2 else { throw planError("\(name.uppercased()) takes a value and an optional offset", e.range) }
                var offset = 1
                if args.count == 2 {
                    guard case .literal(let v) = args[1].kind, let n = v.asInt, n >= 0, n <= 1000 else {
                        throw planError("the offset of \(name.uppercased()) must be a whole number from 0 to 1000", args[1].range)
                    }
                    offset = Int(n)
                }
                let lower = name.lowercased()
                if lower == "next" { throw planError("NEXT looks ahead, which a stream cannot do; express the condition on the next variable instead", e.range) }
                if lower == "prev" {
                    scope.maxPrev = max(scope.maxPrev, offset)
                    return .navigate(.prev(offset), try bind(args[0]))
                }
                guard offset <= 1 || args.count == 1 else { throw planError("FIRST and LAST with an offset are not supported", e.range) }
                var symbols: [Int]? = nil
                var inner = args[0]
                if case .member(let base, let field) = args[0].kind, case .name(let sym, _) = base.kind, let set = scope.set(sym) {
                    symbols = set
                    inner = Expr(.name(field, quoted: false), args[0].range)
                }
                let bound = try bind(inner)
                return .navigate(lower == "first" ? .first(symbols) : .last(symbols), bound)
            case "classifier":
                guard args.isEmpty else { throw planError("CLASSIFIER() takes no arguments", e.range) }
                return .classifier
            case "match_number":
                guard args.isEmpty else { throw planError("MATCH_NUMBER() takes no arguments", e.range) }
                return .matchNumber
            default:
                guard let f = functions.lookup(name), f.kind == .aggregate else { return nil }
                let star = args.first.map { if case .star = $0.kind { return true } else { return false } } ?? true
                guard var kind = AggregateKind.named(f.name, star: star, distinct: distinct) else { return nil }
                if args.count == 2, case .literal(let p) = args[1].kind, let d = p.asDouble {
                    try checkParameter(of: kind, d, p, args[1].range)
                    kind.parameter = d
                }
                var symbols: [Int]? = nil
                var argument: BoundExpr? = nil
                if !star, let a = args.first {
                    if case .member(let base, let field) = a.kind, case .name(let sym, _) = base.kind, let set = scope.set(sym) {
                        symbols = set
                        argument = try fieldSlot(field, a.range)
                    } else {
                        argument = try bind(a)
                    }
                }
                let final: Bool? = semantics.map { $0 == "final" }
                return .patternAggregate(kind, symbols: symbols, argument: argument, final: final)
            }
        default:
            return nil
        }
    }

    mutating func bindMatchRecognize(_ s: SelectStatement, _ mr: MatchRecognizeClause) throws(StreamSQLError) -> BoundMatchQuery {
        if !s.groupBy.isEmpty || s.window != nil || s.having != nil {
            throw planError("MATCH_RECOGNIZE cannot be combined with GROUP BY, a window or HAVING", mr.range)
        }
        if s.whereClause != nil {
            throw planError("WHERE after MATCH_RECOGNIZE is not supported; filter rows in DEFINE", s.whereClause!.range)
        }
        guard !mr.orderBy.isEmpty else {
            throw planError("MATCH_RECOGNIZE needs ORDER BY (the event-time column rows arrive in)", mr.range)
        }
        if mr.orderBy.contains(where: \.descending) {
            throw planError("MATCH_RECOGNIZE ORDER BY … DESC is not supported: rows are matched in arrival order", mr.range)
        }
        // Variables: those in PATTERN, in order of first appearance; subsets expand to them.
        var symbols: [String] = []
        let subsetNames = Set(mr.subsets.map { $0.0.lowercased() })
        func collect(_ n: PatternNode) {
            switch n {
            case .symbol(let name, _):
                if !subsetNames.contains(name.lowercased()) && !symbols.contains(where: { $0.caseInsensitiveEquals(name) }) { symbols.append(name) }
            case .sequence(let xs), .alternation(let xs), .permute(let xs): xs.forEach(collect)
            case .quantified(let x, _, _, _): collect(x)
            case .anchorStart, .anchorEnd: break
            }
        }
        collect(mr.pattern)
        for (_, members) in mr.subsets {
            for m in members where !symbols.contains(where: { $0.caseInsensitiveEquals(m) }) { symbols.append(m) }
        }
        var subsets: [String: [Int]] = [:]
        for (name, members) in mr.subsets {
            subsets[name.lowercased()] = members.compactMap { m in symbols.firstIndex { $0.caseInsensitiveEquals(m) } }
        }
        for (name, _) in mr.defines where !symbols.contains(where: { $0.caseInsensitiveEquals(name) }) {
            throw planError("DEFINE \(name): \(name) does not appear in PATTERN", mr.range)
        }
        let program: PatternProgram
        do {
            program = try PatternProgram.compile(mr.pattern, symbols: symbols, subsets: mr.subsets.reduce(into: [:]) { $0[$1.0.lowercased()] = $1.1 })
        } catch {
            throw planError(error.message, mr.range)
        }
        let scope = PatternScope(symbols: symbols, subsets: subsets)
        patternScope = scope
        defer { patternScope = nil }
        var partition: [BoundExpr] = []
        for e in mr.partitionBy { partition.append(try bind(e)) }
        let order = try bind(mr.orderBy[0].expr)
        var defines: [BoundExpr?] = Array(repeating: nil, count: symbols.count)
        for (name, cond) in mr.defines {
            guard let i = symbols.firstIndex(where: { $0.caseInsensitiveEquals(name) }) else { continue }
            defines[i] = try bind(cond)
        }
        var measures: [(String, BoundExpr)] = []
        for m in mr.measures {
            let name = m.alias ?? m.expr.canonical
            if measures.contains(where: { $0.0 == name }) { throw planError("duplicate measure '\(name)'", m.range) }
            measures.append((name, try bind(m.expr)))
        }
        // The outer SELECT sees the measures (and, with ALL ROWS PER MATCH, the input row's fields).
        scope.outer = true
        for (i, m) in measures.enumerated() { scope.measureNames[m.0] = i }
        var columns: [ResultColumn] = []
        var projections: [BoundExpr] = []
        for item in s.items {
            if case .star = item.expr.kind {
                if mr.allRows {
                    resolver.requireWholeEvent()
                    columns.append(ResultColumn(name: "*", spread: true))
                    projections.append(.wholeEvent)
                }
                for (i, m) in measures.enumerated() {
                    columns.append(ResultColumn(name: m.0, spread: false))
                    projections.append(.analytic(i))
                }
                continue
            }
            if !mr.allRows {
                var bad: Expr? = nil
                visit(item.expr) { x in
                    if case .name(let n, _) = x.kind, !measures.contains(where: { $0.0.caseInsensitiveEquals(n) }) { bad = bad ?? x }
                }
                if let bad, case .name(let n, _) = bad.kind {
                    throw planError("'\(n)' is not a measure; with ONE ROW PER MATCH the select list can use MEASURES columns only",
                                    bad.range, suggestions: closestNames(to: n, in: measures.map(\.0)))
                }
            }
            columns.append(ResultColumn(name: outputName(item), spread: false))
            projections.append(try bind(item.expr))
        }
        var seen = Set<String>()
        for c in columns where !c.spread {
            if !seen.insert(c.name).inserted { throw planError("duplicate output column '\(c.name)'", s.range) }
        }
        var unit: Int64 = 1_000_000
        for (k, v, r) in s.with {
            if k.lowercased() == "timeunit" {
                guard let u = v.asString, let n = Durations.unit(u) else { throw planError("TIMEUNIT must be ns, us, ms, s, m, h or d", r) }
                unit = n
            } else {
                throw planError("WITH (\(k)) does not apply to MATCH_RECOGNIZE (only TIMEUNIT, for a numeric ORDER BY column)", r)
            }
        }
        return BoundMatchQuery(partitionBy: partition, orderBy: order, timeUnitNanos: unit, program: program, defines: defines,
                               measures: measures, allRows: mr.allRows, afterMatch: mr.afterMatch, subsets: subsets,
                               withinNanos: mr.withinNanos, maxPrev: scope.maxPrev, schema: ResultSchema(columns: columns),
                               projections: projections, orderByText: canonicalWithoutQualifier(mr.orderBy[0].expr))
    }
}
