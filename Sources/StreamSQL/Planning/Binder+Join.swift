/// A stream–table join after binding.
public struct BoundJoin: Sendable {
    public var table: String
    public var left: Bool
    /// Equality conjuncts of ON: stream-side expressions and the table columns they equal (hash lookup).
    public var streamKeys: [BoundExpr]
    public var tableKeys: [String]
    /// The rest of ON, tested on each candidate row.
    public var residual: BoundExpr?
}

/// Per-event ORDER BY and LIMIT of a row query with a join ("the least-loaded matching agent").
public struct BoundJoinOrder: Sendable {
    public var keys: [(BoundExpr, Bool)]
    public var limit: Int?
}

extension Binder {
    /// Binds the joins of FROM: each table gets an index; `alias.col` then reads the matched row.
    mutating func bindJoins(_ from: FromClause) throws(StreamSQLError) -> [BoundJoin] {
        var out: [BoundJoin] = []
        for (i, j) in from.joins.enumerated() {
            guard knownTables.contains(j.source.lowercased()) else {
                throw StreamSQLError(.catalog, "unknown table \(j.source) (create it with CREATE TABLE … FROM FILE or AS SELECT)", at: j.range, in: source,
                                     suggestions: closestNames(to: j.source, in: Array(knownTables)))
            }
            let alias = (j.alias ?? j.source).lowercased()
            if joinAliases[alias] != nil || streamNames.contains(alias) {
                throw planError("the name \(alias) is used twice in FROM; give the table another alias", j.range)
            }
            joinAliases[alias] = i
            if j.alias != nil { joinAliases[j.source.lowercased()] = joinAliases[j.source.lowercased()] ?? i }
            // Split ON into conjuncts; `stream side = alias.col` becomes a hash key.
            var conjuncts: [Expr] = []
            func split(_ e: Expr) {
                if case .binary(.and, let a, let b) = e.kind { split(a); split(b) } else { conjuncts.append(e) }
            }
            split(j.on)
            var join = BoundJoin(table: j.source, left: j.kind == .left, streamKeys: [], tableKeys: [], residual: nil)
            var rest: [Expr] = []
            for c in conjuncts {
                if case .binary(.eq, let a, let b) = c.kind {
                    if let col = tableColumn(b, alias: alias), !mentionsJoin(a) {
                        join.streamKeys.append(try bind(a)); join.tableKeys.append(col); continue
                    }
                    if let col = tableColumn(a, alias: alias), !mentionsJoin(b) {
                        join.streamKeys.append(try bind(b)); join.tableKeys.append(col); continue
                    }
                }
                rest.append(c)
            }
            for r in rest { try validate(r, windowed: false, groupKeys: []) }
            if let first = rest.first {
                let combined = rest.dropFirst().reduce(first) { Expr(.binary(.and, $0, $1), $0.range.union($1.range)) }
                join.residual = try bind(combined)
            }
            out.append(join)
        }
        return out
    }

    /// `alias.col` of the join being bound, as the column name.
    func tableColumn(_ e: Expr, alias: String) -> String? {
        if case .member(let base, let field) = e.kind, case .name(let n, _) = base.kind, n.lowercased() == alias { return field }
        return nil
    }

    func mentionsJoin(_ e: Expr) -> Bool {
        var found = false
        visit(e) { x in
            if case .member(let base, _) = x.kind, case .name(let n, _) = base.kind, joinAliases[n.lowercased()] != nil { found = true }
        }
        return found
    }
}
