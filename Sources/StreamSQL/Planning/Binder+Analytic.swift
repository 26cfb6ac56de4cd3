extension Binder {
    /// Binds an analytic call: registers it with the query and returns a reference to its value.
    mutating func bindAnalytic(_ f: FunctionInfo, _ args: [Expr], over: OverClause?, range: SourceRange, scope: AnalyticScope) throws(StreamSQLError) -> BoundExpr {
        guard let kind = BoundAnalyticCall.Kind(rawValue: f.name) else { throw notSupported("analytic function \(f.name)", range) }
        func constBool(_ e: Expr, _ what: String) throws(StreamSQLError) -> Bool {
            guard case .literal(let v) = e.kind else { throw planError("\(what) of \(f.name) must be true or false", e.range) }
            switch v {
            case .bool(let b): return b
            case .int(let i): return i != 0
            case .string(let s) where s.lowercased() == "true" || s.lowercased() == "false": return s.lowercased() == "true"
            default: throw planError("\(what) of \(f.name) must be true or false", e.range)
            }
        }
        func isStar(_ e: Expr) -> Bool {
            if case .star = e.kind { return true }
            if case .literal(.string("*")) = e.kind { return true }
            return false
        }
        var call = BoundAnalyticCall(kind: kind, values: [], names: [], wholeEvent: false, ignoreNull: false, lagOffset: 1,
                                     lagDefault: nil, start: nil, reset: nil, partitionBy: [], when: nil, inWhere: scope.inWhere)
        switch kind {
        case .lag:
            call.values = [try bind(args[0])]
            if args.count > 1 {
                guard case .literal(let v) = args[1].kind, let n = v.asInt, n >= 1, n <= 10_000 else {
                    throw planError("lag's offset must be a whole number from 1 to 10000", args[1].range)
                }
                call.lagOffset = Int(n)
            }
            if args.count > 2 { call.lagDefault = try bind(args[2]) }
            if args.count > 3 { call.ignoreNull = try constBool(args[3], "the fourth argument (ignoreNull)") }
        case .latest, .firstSeen:
            call.values = [try bind(args[0])]
        case .recentCount:
            call.values = [try bind(args[0])]
            guard case .literal(.string(let text)) = args[1].kind, let n = Durations.parse(text), n > 0 else {
                if case .literal(.string(let text)) = args[1].kind, Durations.isTooLong(text) {
                    throw planError(Durations.tooLong(text, in: "recent_count"), args[1].range)
                }
                throw planError("recent_count's second argument must be a duration such as '10m' or '30s'", args[1].range)
            }
            call.spanNanos = n
        case .recentCollect:
            call.values = [try bind(args[0]), try bind(args[1])]
            guard case .literal(.string(let text)) = args[2].kind, let n = Durations.parse(text), n > 0 else {
                if case .literal(.string(let text)) = args[2].kind, Durations.isTooLong(text) {
                    throw planError(Durations.tooLong(text, in: "recent_collect"), args[2].range)
                }
                throw planError("recent_collect's third argument must be a duration such as '30m' or '10s'", args[2].range)
            }
            call.spanNanos = n
        case .hadChanged, .changedCol:
            call.ignoreNull = try constBool(args[0], "the first argument (ignoreNull)")
            let rest = Array(args.dropFirst())
            if kind == .changedCol && rest.count != 1 { throw planError("changed_col takes ignoreNull and one value", range) }
            if rest.count == 1 && isStar(rest[0]) && kind == .hadChanged {
                call.wholeEvent = true
                resolver.requireWholeEvent()
            } else {
                for a in rest {
                    if isStar(a) { throw planError("'*' must be the only value of \(f.name)", a.range) }
                    call.values.append(try bind(a))
                }
            }
        case .changedCols:
            guard case .literal(.string(let prefix)) = args[0].kind else {
                throw planError("the first argument of changed_cols is the column prefix, a string", args[0].range)
            }
            call.ignoreNull = try constBool(args[1], "the second argument (ignoreNull)")
            let rest = Array(args.dropFirst(2))
            if rest.count == 1 && isStar(rest[0]) {
                guard aggScope == nil else { throw planError("changed_cols(…, *) is not available in a grouped query", rest[0].range) }
                call.wholeEvent = true
                call.names = [prefix]
                resolver.requireWholeEvent()
            } else {
                for a in rest {
                    if isStar(a) { throw planError("'*' must be the only value of changed_cols", a.range) }
                    call.values.append(try bind(a))
                    call.names.append(prefix + changedColumnName(a))
                }
            }
        case .accSum, .accMax, .accMin, .accCount, .accAvg, .accStddev:
            call.values = [try bind(args[0])]
            if args.count == 2 { throw planError("\(f.name) takes a value, or a value with a start and a reset condition", range) }
            if args.count == 3 {
                call.start = try bind(args[1])
                call.reset = try bind(args[2])
            }
        }
        if let over {
            for p in over.partitionBy { call.partitionBy.append(try bind(p)) }
            if let w = over.when { call.when = try bind(w) }
        }
        if over?.partitionBy.isEmpty ?? true { call.partitionBy = scope.defaultPartition }
        scope.calls.append(call)
        return .analytic(scope.calls.count - 1)
    }

    /// The column name changed_cols gives a value: a field's name, an aggregate's function name.
    func changedColumnName(_ e: Expr) -> String {
        if let p = columnPath(e) {
            return (p.count > 1 && streamNames.contains(p[0].lowercased()) ? Array(p.dropFirst()) : p).joined(separator: ".")
        }
        if case .call(let n, _, _, _, _) = e.kind { return n.lowercased() }
        return e.canonical
    }
}
