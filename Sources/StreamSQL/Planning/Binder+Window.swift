extension Binder {
    /// In a grouped query: group keys, aggregates and window functions become slots of the aggregate
    /// row; a bare column that is neither is an error. Returns nil to bind `e` normally.
    mutating func bindInAggregateScope(_ e: Expr, _ scope: AggregateScope) throws(StreamSQLError) -> BoundExpr? {
        let canon = canonicalWithoutQualifier(e)
        if let i = scope.keyCanonicals.firstIndex(of: canon) {
            return .slot(BoundWindowQuery.firstKeySlot + i, name: scope.keyNames[i])
        }
        // `agg(…) FILTER (WHERE cond)`: the aggregate, fed only the rows where cond holds.
        var e = e
        var rowFilter: Expr? = nil
        if case .aggregateFilter(let call, let cond) = e.kind { e = call; rowFilter = cond }
        switch e.kind {
        case .call(let name, let args, let distinct, _, _):
            guard let f = functions.lookup(name) else { return nil }
            if f.kind == .window {
                switch f.name {
                case "window_start": return .slot(BoundWindowQuery.windowStartSlot, name: "window_start")
                case "window_end": return .slot(BoundWindowQuery.windowEndSlot, name: "window_end")
                case "row_number": return .slot(BoundWindowQuery.rowNumberSlot, name: "row_number")
                case "emit_kind": return .slot(BoundWindowQuery.emitKindSlot, name: "emit_kind")
                default: throw notSupported("\(f.name)()", e.range)
                }
            }
            guard f.kind == .aggregate else { return nil }
            let star = args.first.map { if case .star = $0.kind { return true } else { return false } } ?? (f.name == "count")
            guard var kind = AggregateKind.named(f.name, star: star, distinct: distinct)
                ?? (f.origin == .native ? AggregateKind(op: .custom, distinct: distinct, customName: f.name.lowercased()) : nil) else {
                throw notSupported("aggregate \(f.name)", e.range)
            }
            if kind.op == .percentile || kind.op == .nthValue {
                guard args.count == 2, case .literal(let p) = args[1].kind, let d = p.asDouble else {
                    throw planError("the second argument of \(f.name) must be a constant number", args.count > 1 ? args[1].range : e.range)
                }
                try checkParameter(of: kind, d, p, args[1].range)
                kind.parameter = d
            }
            if let i = scope.aggregateCanonicals.firstIndex(of: canon) {
                return .slot(BoundWindowQuery.firstKeySlot + scope.keyNames.count + i, name: canon)
            }
            var argument: BoundExpr? = nil
            var filter: BoundExpr? = nil
            do {
                let saved = aggScope
                aggScope = nil
                defer { aggScope = saved }
                if !star, let a = args.first { argument = try bind(a) }
                if let rowFilter { filter = try bind(rowFilter) }
            }
            scope.aggregateCanonicals.append(canon)
            scope.aggregates.append((kind, argument))
            scope.aggregateFilters.append(filter)
            return .slot(BoundWindowQuery.firstKeySlot + scope.keyNames.count + scope.aggregates.count - 1, name: canon)
        case .name(let n, _):
            if let target = scope.aliases[n], scope.aliasDepth < 8 {
                scope.aliasDepth += 1
                defer { scope.aliasDepth -= 1 }
                return try bind(target)
            }
            throw planError("column '\(n)' must appear in GROUP BY or inside an aggregate (e.g. last_value(\(n)))", e.range,
                            suggestions: closestNames(to: n, in: scope.keyNames + Array(scope.aliases.keys)))
        case .member:
            if let path = columnPath(e) {
                let text = path.joined(separator: ".")
                throw planError("column '\(text)' must appear in GROUP BY or inside an aggregate (e.g. last_value(\(text)))", e.range)
            }
            return nil
        default:
            return nil
        }
    }

    /// percentile's p and nth_value's n, checked before the accumulators turn them into an index.
    func checkParameter(of kind: AggregateKind, _ d: Double, _ p: Value, _ range: SourceRange) throws(StreamSQLError) {
        if kind.op == .percentile && !(0...1).contains(d) {
            throw planError("percentile's p must be between 0 and 1, got \(p)", range)
        }
        if kind.op == .nthValue && (d < 1 || d != d.rounded() || d > 1e9) {
            throw planError("nth_value's n must be a whole number from 1, got \(p)", range)
        }
    }

    /// Canonical text with a leading stream qualifier removed (`stream.deviceId` is `deviceId`).
    func canonicalWithoutQualifier(_ e: Expr) -> String {
        if let parts = columnPath(e), parts.count > 1, streamNames.contains(parts[0].lowercased()) {
            return parts.dropFirst().joined(separator: ".")
        }
        return e.canonical
    }

    func duration(_ e: Expr, _ what: String) throws(StreamSQLError) -> Int64 {
        switch e.kind {
        case .literal(.string(let s)):
            guard let n = Durations.parse(s) else {
                if Durations.isTooLong(s) { throw planError(Durations.tooLong(s, in: what), e.range) }
                throw planError("invalid duration '\(s)' for \(what) (examples: '500ms', '5s', '2m', '1h')", e.range)
            }
            return n
        case .literal(let v) where v.asDouble != nil:
            let d = v.asDouble!
            guard d > 0, d < 9e9 else { throw planError("\(what) must be a positive number of seconds", e.range) }
            return Int64(d * 1e9)
        default:
            throw planError("\(what) must be a duration in quotes, such as '5s'", e.range)
        }
    }

    func windowKind(_ w: WindowSpec) throws(StreamSQLError) -> WindowKind {
        if w.trigger != nil { return .global }
        func arity(_ n: Int, _ sig: String) throws(StreamSQLError) {
            guard w.args.count == n else { throw planError("\(w.name) takes \(n) argument\(n == 1 ? "" : "s"): \(sig)", w.range) }
        }
        switch w.name.lowercased() {
        case "tumblingwindow":
            try arity(1, "TumblingWindow('5s')")
            return .tumbling(size: try duration(w.args[0], "the window size"))
        case "slidingwindow" where w.when != nil:
            try arity(1, "SlidingWindow('10s') OVER (WHEN cond)")
            return .slidingOnRows(size: try duration(w.args[0], "the window size"))
        case "slidingwindow":
            if w.args.count == 1 {
                throw planError("SlidingWindow takes 2 arguments, SlidingWindow('30s', '10s'), or 1 and the rows that trigger it: SlidingWindow('10s') OVER (WHEN cond)", w.range)
            }
            try arity(2, "SlidingWindow('30s', '10s')")
            let size = try duration(w.args[0], "the window size"), slide = try duration(w.args[1], "the slide")
            guard size / slide <= 10_000 else {
                throw planError("SlidingWindow with more than 10,000 windows per event (size / slide) is not allowed", w.range)
            }
            return .sliding(size: size, slide: slide)
        case "countingwindow":
            guard w.args.count == 1 || w.args.count == 2 else {
                throw planError("CountingWindow takes 1 or 2 arguments: CountingWindow(100) or CountingWindow(100, 10)", w.range)
            }
            guard case .literal(let v) = w.args[0].kind, let n = v.asInt, n >= 1, n <= 100_000_000 else {
                throw planError("CountingWindow needs a whole number of rows from 1 to 100,000,000", w.args[0].range)
            }
            guard w.args.count == 2 else { return .counting(Int(n)) }
            guard n <= 100_000 else {
                throw planError("CountingWindow(n, m) keeps the last n rows of each group: n may be at most 100,000", w.args[0].range)
            }
            guard case .literal(let mv) = w.args[1].kind, let m = mv.asInt, m >= 1, m <= n else {
                throw planError("CountingWindow(n, m) fires every m rows: m must be a whole number from 1 to n (\(n))", w.args[1].range)
            }
            return m == n ? .counting(Int(n)) : .countingEvery(size: Int(n), every: Int(m))
        case "sessionwindow":
            guard w.args.count == 1 || w.args.count == 2 else {
                throw planError("SessionWindow takes 1 or 2 arguments: SessionWindow('5m') or SessionWindow('5m', '1h') (gap, maximum duration)", w.range)
            }
            let gap = try duration(w.args[0], "the session gap")
            let max = w.args.count == 2 ? try duration(w.args[1], "the session's maximum duration") : nil
            return .session(gap: gap, maxDuration: max)
        case "statewindow":
            try arity(2, "StateWindow(status = 'start', status = 'stop')")
            return .state
        default:
            throw planError("unknown window function \(w.name)", w.range)
        }
    }

    mutating func timeOptions(_ with: [(String, Value, SourceRange)], window: WindowKind) throws(StreamSQLError) -> TimeOptions {
        var t = TimeOptions()
        for (key, value, range) in with {
            func dur() throws(StreamSQLError) -> Int64 {
                if let s = value.asString, let n = Durations.parse(s, allowZero: true) { return n }
                if let s = value.asString, Durations.isTooLong(s) { throw planError(Durations.tooLong(s, in: key.uppercased()), range) }
                if value == .int(0) { return 0 }
                throw planError("\(key.uppercased()) must be a duration such as '2s'", range)
            }
            switch key.lowercased() {
            case "timestamp":
                guard let f = value.asString, !f.isEmpty else { throw planError("TIMESTAMP names the event-time field, e.g. TIMESTAMP='ts'", range) }
                t.eventTimeField = f
                guard case .slot(let slot, _) = try fieldSlot(f, range) else { break }
                t.eventTimeSlot = slot
            case "timeunit":
                guard let u = value.asString, let n = Durations.unit(u) else {
                    throw planError("TIMEUNIT must be ns, us, ms, s, m, h or d", range)
                }
                t.unitNanos = n
            case "maxoutoforderness": t.maxOutOfOrderness = try dur()
            case "allowedlateness": t.allowedLateness = try dur()
            case "idletimeout": t.idleTimeout = try dur()
            case "statettl": t.stateTTL = try dur()
            default: break
            }
        }
        if t.eventTimeSlot == nil {
            for (key, _, range) in with where ["maxoutoforderness", "allowedlateness"].contains(key.lowercased()) {
                throw planError("\(key.uppercased()) needs event time: add TIMESTAMP='field' to WITH (…)", range)
            }
        }
        return t
    }

    /// The EMIT clause checked against the window: EVERY needs a window on time, CHANGES emits one group
    /// at a time (so nothing may order, cut or deduplicate a whole firing).
    func emitPolicy(_ s: SelectStatement, kind: WindowKind, time: TimeOptions, analytics: Bool) throws(StreamSQLError) -> EmitPolicy {
        guard let e = s.emit else { return .onClose }
        switch e.mode {
        case .final:
            return .final
        case .changes:
            if case .countingEvery = kind {
                throw planError("EMIT CHANGES: each firing of CountingWindow(n, m) is a window of its own, with nothing to update (use CountingWindow(n) or drop EMIT CHANGES)", e.range)
            }
            let cut = !s.orderBy.isEmpty ? "ORDER BY" : s.limit != nil ? "LIMIT" : s.distinct ? "DISTINCT" : analytics ? "an analytic function" : nil
            if let cut {
                throw planError("EMIT CHANGES updates one group at a time; \(cut) works on a whole window's rows (drop it, or use EMIT EVERY)", e.range)
            }
            return .changes
        case .every(let d):
            switch kind {
            case .tumbling, .sliding, .session: break
            default: throw planError("EMIT EVERY needs a window on time (Tumbling, Sliding or Session); a \(kind.name) speaks per row count or trigger", e.range)
            }
            let n = try duration(d, "EMIT EVERY's interval")
            return .every(n)
        }
    }

    /// Binds a grouped query: WHERE over input rows; keys and aggregate arguments over input rows;
    /// SELECT, HAVING, ORDER BY and the trigger over aggregate rows.
    mutating func bindWindowed(_ s: SelectStatement) throws(StreamSQLError) -> BoundWindowQuery {
        let implicit = s.window == nil
        let kind = try s.window.map { w throws(StreamSQLError) in try windowKind(w) } ?? .tumbling(size: 10_000_000_000)
        let time = try timeOptions(s.with, window: kind)
        if time.eventTimeSlot != nil {
            if case .counting = kind { throw planError("a CountingWindow counts rows; TIMESTAMP does not apply to it", s.with.first?.2 ?? s.range) }
            if case .global = kind { throw planError("a GLOBAL WINDOW fires on its trigger; TIMESTAMP does not apply to it", s.with.first?.2 ?? s.range) }
            if case .countingEvery = kind { throw planError("a CountingWindow counts rows; TIMESTAMP does not apply to it", s.with.first?.2 ?? s.range) }
            if case .state = kind { throw planError("a StateWindow follows rows in arrival order; TIMESTAMP does not apply to it", s.with.first?.2 ?? s.range) }
        }
        if case .slidingOnRows = kind, let e = s.emit, case .changes = e.mode {
            throw planError("EMIT CHANGES: each triggering row of SlidingWindow(…) OVER (WHEN …) gets a window of its own, with nothing to update", e.range)
        }
        // StateWindow's conditions and a sliding window's WHEN test input rows, as WHERE does.
        var windowConditions: [BoundExpr] = []
        var conditionExprs: [Expr] = []
        if case .state = kind, let w = s.window { conditionExprs = w.args }
        if case .slidingOnRows = kind, let when = s.window?.when { conditionExprs = [when] }
        do {
            for c in conditionExprs {
                if contains(c, kind: .aggregate) || contains(c, kind: .analytic) {
                    throw planError("\(kind.name)'s conditions test each input row; they cannot hold an aggregate or analytic function", c.range)
                }
                try validate(c, windowed: false, groupKeys: [])
                windowConditions.append(try bind(c))
            }
        }
        let savedAnalytics = analyticScope
        analyticScope = nil  // WHERE and GROUP BY of a grouped query see input rows, where analytics are not allowed
        let filter = try s.whereClause.map { w throws(StreamSQLError) in try bind(w) }
        var keys: [BoundExpr] = []
        var keyNames: [String] = []
        var keyCanon: [String] = []
        for g in s.groupBy {
            if contains(g, kind: .aggregate) { throw planError("GROUP BY cannot contain an aggregate", g.range) }
            keys.append(try bind(g))
            keyCanon.append(canonicalWithoutQualifier(g))
            if let p = columnPath(g) {
                keyNames.append((p.count > 1 && streamNames.contains(p[0].lowercased()) ? Array(p.dropFirst()) : p).joined(separator: "."))
            } else {
                keyNames.append(outputName(SelectItem(expr: g, alias: nil, range: g.range)))
            }
        }
        analyticScope = savedAnalytics
        let scope = AggregateScope(keyCanonicals: keyCanon, keyNames: keyNames)
        aggScope = scope
        defer { aggScope = nil }
        analyticScope?.defaultPartition = (0..<keys.count).map { .slot(BoundWindowQuery.firstKeySlot + $0, name: keyNames[$0]) }

        var columns: [ResultColumn] = []
        var projections: [BoundExpr] = []
        for item in s.items {
            if case .star = item.expr.kind {
                throw planError("SELECT * is not available in a grouped query; name the keys and aggregates", item.range)
            }
            if case .call(let fname, _, _, _, _) = item.expr.kind, functions.lookup(fname)?.kind == .table {
                throw planError("unnest(…) is not available in a grouped query", item.range)
            }
            columns.append(outputColumn(item, name: outputName(item)))
            projections.append(try bind(item.expr))
            if let a = item.alias { scope.aliases[a] = item.expr }
        }
        // GROUP BY keys are always part of the output, as in the reference.
        func selects(_ i: Int) -> Bool {
            projections.contains { if case .slot(let k, _) = $0, k == BoundWindowQuery.firstKeySlot + i { return true } else { return false } }
        }
        for (i, name) in keyNames.enumerated() where !selects(i) && !columns.contains(where: { $0.name == name }) {
            columns.append(ResultColumn(name: name, spread: false))
            projections.append(.slot(BoundWindowQuery.firstKeySlot + i, name: name))
        }
        let having = try s.having.map { h throws(StreamSQLError) in try bind(h) }
        var order: [(BoundExpr, Bool)] = []
        for o in s.orderBy {
            if case .literal(.int(let n)) = o.expr.kind {
                guard n >= 1, n <= projections.count else { throw planError("ORDER BY position \(n) is out of range", o.expr.range) }
                order.append((projections[Int(n) - 1], o.descending))
            } else {
                order.append((try bind(o.expr), o.descending))
            }
        }
        let trigger = try s.window?.trigger.map { t throws(StreamSQLError) in try bind(t) }
        let emit = try emitPolicy(s, kind: kind, time: time, analytics: analyticScope?.calls.isEmpty == false)
        var bound = BoundWindowQuery(
            window: kind, implicitWindow: implicit, time: time, filter: filter, groupKeys: keys, groupKeyNames: keyNames,
            aggregates: scope.aggregates, trigger: trigger, schema: ResultSchema(columns: columns), projections: projections,
            having: having, orderBy: order, limit: s.limit, distinct: s.distinct, analytics: analyticScope?.calls ?? [])
        bound.emit = emit
        bound.aggregateFilters = scope.aggregateFilters
        bound.windowConditions = windowConditions
        return bound
    }
}
