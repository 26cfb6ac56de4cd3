import StreamSQL

/// MATCH_RECOGNIZE: passed through with the pattern's time as the ORDER BY column; constructs Flink lacks refused.
extension FlinkTranslator {
    func matchRecognize(_ s: SelectStatement, _ mr: MatchRecognizeClause, from: String, ctx: inout ExprContext) throws(StreamSQLError) -> String {
        let sql = ctx.sql
        if mr.allRows { throw refuse("ALL ROWS PER MATCH", mr.range, sql) }
        guard mr.orderBy.count == 1, case .name(let o, _) = mr.orderBy[0].expr.kind, ctx.time.eventField == nil || o == ctx.time.eventField else {
            throw refuse("ORDER BY a column other than the query's event time in MATCH_RECOGNIZE", mr.orderBy.first?.expr.range ?? mr.range, sql)
        }
        if s.whereClause != nil || s.window != nil { throw refuse("WHERE or a window around MATCH_RECOGNIZE", s.range, sql) }
        ctx.inPattern = true
        // `SELECT *` gives the measures, as this engine (and the reference) does; Flink would add the partition columns.
        let selected: String
        if s.items.count == 1, case .star = s.items[0].expr.kind {
            selected = mr.measures.map { "`\($0.alias ?? ctx.outputName($0))`" }.joined(separator: ", ")
        } else {
            selected = try items(s.items, ctx: &ctx)
        }
        var text = "SELECT " + selected + "\nFROM " + from + " MATCH_RECOGNIZE (\n"
        if !mr.partitionBy.isEmpty {
            text += "  PARTITION BY " + (try mr.partitionBy.map { e throws(StreamSQLError) in try ctx.expr(e) }).joined(separator: ", ") + "\n"
        }
        // The time column: processing time (arrival order, as this engine matches) or, with WITHIN, event time.
        text += "  ORDER BY \(ctx.time.column)\n"
        if !mr.measures.isEmpty { text += "  MEASURES " + (try items(mr.measures, ctx: &ctx)).replacingOccurrences(of: "`", with: "") + "\n" }
        text += "  ONE ROW PER MATCH\n"
        switch mr.afterMatch {
        case .pastLastRow: text += "  AFTER MATCH SKIP PAST LAST ROW\n"
        case .toNextRow: text += "  AFTER MATCH SKIP TO NEXT ROW\n"
        case .toFirst(let v): text += "  AFTER MATCH SKIP TO FIRST \(v)\n"
        case .toLast(let v): text += "  AFTER MATCH SKIP TO LAST \(v)\n"
        }
        if lastIsGreedy(mr.pattern) { throw refuse("a greedy quantifier on the pattern's last element", mr.range, sql) }
        text += "  PATTERN (" + (try pattern(mr.pattern, mr, sql)) + ")"
        // Ours keeps a match whose span equals WITHIN; Flink's must be shorter: 1 ms more (times are whole ms).
        if let w = mr.withinNanos { text += " WITHIN \(FlinkTranslator.interval(w / 1_000_000 * 1_000_000 + 1_000_000))" }
        text += "\n"
        if !mr.subsets.isEmpty {
            text += "  SUBSET " + mr.subsets.map { "\($0.0) = (\($0.1.joined(separator: ", ")))" }.joined(separator: ", ") + "\n"
        }
        let defines = try mr.defines.map { d throws(StreamSQLError) in "\(d.0) AS " + (try ctx.predicate(d.1)) }
        text += "  DEFINE " + defines.joined(separator: ",\n    ") + "\n)"
        return text
    }

    func lastIsGreedy(_ p: PatternNode) -> Bool {
        switch p {
        case .sequence(let xs): return xs.last.map(lastIsGreedy) ?? false
        case .quantified(_, let min, let max, let reluctant): return !reluctant && max != min
        default: return false
        }
    }

    func pattern(_ p: PatternNode, _ mr: MatchRecognizeClause, _ sql: String) throws(StreamSQLError) -> String {
        switch p {
        case .symbol(let s, _): return s
        case .sequence(let xs): return try xs.map { x throws(StreamSQLError) in try pattern(x, mr, sql) }.joined(separator: " ")
        case .alternation(let xs): return "(" + (try xs.map { x throws(StreamSQLError) in try pattern(x, mr, sql) }).joined(separator: " | ") + ")"
        case .quantified(let x, let min, let max, let reluctant):
            let inner = try pattern(x, mr, sql)
            let q: String
            switch (min, max) {
            case (0, nil): q = "*"
            case (1, nil): q = "+"
            case (0, 1): q = "?"
            case (let a, nil): q = "{\(a),}"
            case (let a, let b?) where a == b: q = "{\(a)}"
            case (let a, let b?): q = "{\(a),\(b)}"
            }
            return inner + q + (reluctant ? "?" : "")
        case .permute: throw refuse("PERMUTE", mr.range, sql)
        case .anchorStart, .anchorEnd: throw refuse("pattern anchors ^ and $", mr.range, sql)
        }
    }
}
