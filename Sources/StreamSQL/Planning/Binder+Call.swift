extension Binder {
    /// Binds a function call: scalar functions (SQL-defined ones expanded in place), macros such as
    /// `expr('…')` and the higher-order functions, and the clause rules for aggregate, analytic, window
    /// and table functions. Kept out of `bindNode` so that the frame of the recursive binder stays small.
    @inline(never)
    mutating func bindCall(_ e: Expr, name: String, args: [Expr], over: OverClause?) throws(StreamSQLError) -> BoundExpr {
        let f = try lookupFunction(name, args: args, range: e.range)
        switch f.kind {
        case .aggregate:
            throw planError("aggregate function \(f.name)(…) is not allowed here", e.range)
        case .analytic:
            guard let scope = analyticScope else {
                throw planError("analytic function \(f.name)(…) is not allowed here", e.range)
            }
            return try bindAnalytic(f, args, over: over, range: e.range, scope: scope)
        case .window:
            throw planError("\(f.name)() is only available in a windowed query (GROUP BY …Window(…))", e.range)
        case .table:
            throw planError("unnest(…) must be a whole select item, not part of an expression", e.range)
        case .macro:
            if let h = HigherOrderFunction(rawValue: f.name) { return try bindHigherOrder(h, args, range: e.range) }
            if f.name == "lookup_rows" { return try bindLookupRows(args, range: e.range) }
            guard case .literal(.string(let text)) = args[0].kind else {
                throw planError("\(f.name) takes the expression as constant text, e.g. expr('temperature * 1.8 + 32')", args[0].range)
            }
            var p: Parser
            do { p = try Parser(text) } catch { throw planError("in \(f.name)('…'): \(error.message)", args[0].range) }
            let inner: Expr
            do throws(StreamSQLError) {
                inner = try p.parseExpr()
                guard p.peek.kind == .eof else { throw p.error("unexpected '\(p.peek.text)' after the expression", at: p.peek.range) }
            } catch {
                throw planError("in \(f.name)('…'): \(error.message)", args[0].range)
            }
            try validate(inner, windowed: false, groupKeys: [])
            if contains(inner, kind: .aggregate) || contains(inner, kind: .analytic) {
                throw planError("\(f.name)('…') takes a scalar expression", args[0].range)
            }
            return try bind(inner)
        case .scalar:
            if let def = f.definition {
                guard udfArguments.count < 16 else {
                    throw planError("SQL-defined functions nested more than 16 deep (a function may not call itself)", e.range)
                }
                var bound: [String: BoundExpr] = [:]
                for (p, a) in zip(def.parameters, args) { bound[p.lowercased()] = try bind(a) }
                let outermost = expanding == nil
                if outermost { expanding = f.name; boundNodes = 0 }
                udfArguments.append(bound)
                defer {
                    udfArguments.removeLast()
                    if outermost { expanding = nil }
                }
                let expanded = try bind(def.body)
                if outermost { try checkBoundSize(expanded, e) }
                return expanded
            }
            if f.name == "cast", args.count == 2, case .literal(let tv) = args[1].kind {
                guard let tn = tv.asString, let t = SQLType(name: tn) else {
                    throw planError("unknown type \(tv) in cast (types: \(SQLType.spellings))", args[1].range)
                }
                return .cast(try bind(args[0]), t)
            }
            var bargs: [BoundExpr] = []
            for a in args { bargs.append(try bind(a)) }
            return .call(f, bargs)
        }
    }
}
