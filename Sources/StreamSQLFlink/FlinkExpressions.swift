import Foundation
import StreamSQL

/// Expression translation state for one query.
struct ExprContext {
    let sql: String
    let time: FlinkTranslator.TimeSpec
    let translator: FlinkTranslator
    var aliases: Set<String> = []
    /// Types of the source's top-level fields.
    var fieldTypes: [String: FlinkTranslator.FieldType] = [:]
    var windowed = false
    var inPattern = false
    /// Inside a counting window's MEASURES: fields are read through this pattern variable.
    var patternVariable: String?

    init(sql: String, time: FlinkTranslator.TimeSpec, translator: FlinkTranslator) {
        self.sql = sql
        self.time = time
        self.translator = translator
    }

    static let aggregates: [String: String] = [
        "count": "COUNT", "sum": "SUM", "avg": "AVG", "min": "MIN", "max": "MAX",
        "stddev": "STDDEV_SAMP", "stddevs": "STDDEV_SAMP", "stddevp": "STDDEV_POP", "var": "VAR_POP", "varp": "VAR_POP",
        "vars": "VAR_SAMP", "first_value": "FIRST_VALUE", "last_value": "LAST_VALUE", "collect": "ARRAY_AGG",
    ]
    static let scalars: [String: String] = [
        "abs": "ABS", "round": "ROUND", "floor": "FLOOR", "ceil": "CEIL", "ceiling": "CEIL", "power": "POWER",
        "pow": "POWER", "exp": "EXP", "sign": "SIGN", "mod": "MOD",
        "upper": "UPPER", "lower": "LOWER", "trim": "TRIM", "ltrim": "LTRIM", "rtrim": "RTRIM", "length": "CHAR_LENGTH",
        "replace": "REPLACE", "coalesce": "COALESCE", "greatest": "GREATEST",
        "least": "LEAST", "lpad": "LPAD", "rpad": "RPAD", "nullif": "NULLIF", "if": "IF", "reverse": "REVERSE",
    ]
    static let accumulators: [String: String] = ["acc_sum": "SUM", "acc_count": "COUNT", "acc_max": "MAX", "acc_min": "MIN", "acc_avg": "AVG"]

    func refuse(_ what: String, _ range: SourceRange) -> StreamSQLError { translator.refuse(what, range, sql) }

    /// Whether an expression is text for sure: a string literal, a STRING field, or a text function of those.
    func isText(_ e: Expr) -> Bool {
        switch e.kind {
        case .literal(.string): return true
        case .name(let n, _): return fieldTypes[n] == .string
        case .call(let n, let args, _, _, _):
            return ["upper", "lower", "trim", "ltrim", "rtrim", "concat", "substring", "substr", "replace"].contains(n.lowercased())
                && args.first.map(isText) == true
        default: return false
        }
    }

    func containsAggregate(_ e: Expr) -> Bool {
        var found = false
        func walk(_ x: Expr) {
            if case .call(let n, let args, _, let over, _) = x.kind {
                if over == nil && (ExprContext.aggregates[n.lowercased()] != nil || n.lowercased() == "median") { found = true }
                args.forEach(walk)
            }
            switch x.kind {
            case .unary(_, let a), .isNull(let a, _), .cast(let a, _), .member(let a, _): walk(a)
            case .binary(_, let a, let b), .like(let a, let b, _), .index(let a, let b): walk(a); walk(b)
            case .caseWhen(let o, let ws, let other): if let o { walk(o) }; for (c, v) in ws { walk(c); walk(v) }; if let other { walk(other) }
            default: break
            }
        }
        walk(e)
        return found
    }

    func outputName(_ i: SelectItem) -> String {
        switch i.expr.kind {
        case .name(let n, _): return n
        case .member: return i.expr.canonical
        default:
            guard i.range.start >= 0, i.range.end <= sql.utf8.count else { return i.expr.canonical }
            let b = Array(sql.utf8)
            return String(decoding: b[i.range.start..<i.range.end], as: UTF8.self)
        }
    }

    func literal(_ v: Value) -> String {
        switch v {
        case .null: return "NULL"
        case .bool(let b): return b ? "TRUE" : "FALSE"
        case .string(let s): return "'" + s.replacingOccurrences(of: "'", with: "''") + "'"
        case .int(let i): return String(i)
        case .double(let d): return d == d.rounded() && abs(d) < 1e15 ? String(format: "%.1f", d) : "\(d)"
        default: return "'" + v.description.replacingOccurrences(of: "'", with: "''") + "'"
        }
    }

    func field(_ n: String) -> String {
        let base = "`\(n)`"
        return patternVariable.map { "\($0).\(base)" } ?? base
    }

    /// HAVING may name a select alias; Flink wants the aggregate itself.
    mutating func havingExpr(_ e: Expr, items: [SelectItem]) throws(StreamSQLError) -> String {
        if case .name(let n, _) = e.kind, let i = items.first(where: { $0.alias?.lowercased() == n.lowercased() }) { return try expr(i.expr) }
        switch e.kind {
        case .binary(let op, let a, let b):
            let o = op == .ne ? "<>" : (op == .eq ? "=" : op.rawValue)
            return "(" + (try havingExpr(a, items: items)) + " \(o) " + (try havingExpr(b, items: items)) + ")"
        case .unary(.not, let a): return "NOT " + (try havingExpr(a, items: items))
        default: return try expr(e)
        }
    }

    mutating func expr(_ e: Expr) throws(StreamSQLError) -> String {
        switch e.kind {
        case .literal(let v): return literal(v)
        case .name(let n, _): return field(n)
        case .star: throw refuse("'*' here", e.range)
        case .parameter(let n): throw refuse("parameter @\(n) (the engine substitutes parameters before translating)", e.range)
        case .member(let base, let f):
            if case .name(let q, _) = base.kind {
                if aliases.contains(q.lowercased()) && patternVariable == nil { return field(f) }
                if translator.tables.keys.contains(q.lowercased()) || inPattern { return "`\(q)`.`\(f)`" }
                return field(q) + ".`\(f)`"
            }
            return try expr(base) + ".`\(f)`"
        case .index(let base, let i):
            // Flink arrays are 1-based; ours (and the reference's) 0-based.
            if case .literal(.int(let k)) = i.kind, k >= 0 { return try expr(base) + "[\(k + 1)]" }
            if case .literal(.string(let k)) = i.kind { return try expr(base) + ".`\(k)`" }
            return try expr(base) + "[" + (try expr(i)) + " + 1]"
        case .unary(let op, let a):
            return op == .not ? "NOT (" + (try expr(a)) + ")" : "(" + op.rawValue + (try expr(a)) + ")"
        case .binary(let op, let a, let b):
            if op == .eq || op == .ne {
                if case .literal(.null) = b.kind { return "(" + (try expr(a)) + (op == .eq ? " IS NULL)" : " IS NOT NULL)") }
            }
            let x = try expr(a), y = try expr(b)
            switch op {
            case .div: return "(CAST(\(x) AS DOUBLE) / \(y))"   // ours always divides as decimals
            case .mod: return "MOD(\(x), \(y))"
            case .ne: return "(\(x) <> \(y))"
            case .concat: return "CONCAT(\(x), \(y))"
            default: return "(\(x) \(op.rawValue) \(y))"
            }
        case .isNull(let a, let neg): return "(" + (try expr(a)) + (neg ? " IS NOT NULL)" : " IS NULL)")
        case .inList(let a, let xs, let neg):
            let list = try xs.map { x throws(StreamSQLError) in try expr(x) }.joined(separator: ", ")
            return "(" + (try expr(a)) + (neg ? " NOT IN (" : " IN (") + list + "))"
        case .between(let a, let lo, let hi, let neg):
            return "(" + (try expr(a)) + (neg ? " NOT BETWEEN " : " BETWEEN ") + (try expr(lo)) + " AND " + (try expr(hi)) + ")"
        case .like(let a, let p, let neg): return "(" + (try expr(a)) + (neg ? " NOT LIKE " : " LIKE ") + (try expr(p)) + ")"
        case .caseWhen(let op, let whens, let other):
            var s = "CASE"
            if let op { s += " " + (try expr(op)) }
            for (c, v) in whens { s += " WHEN " + (try expr(c)) + " THEN " + (try expr(v)) }
            if let other { s += " ELSE " + (try expr(other)) }
            return s + " END"
        case .cast(let a, let t):
            guard let ft = FlinkTranslator.FieldType.declared(t) else { throw refuse("CAST to \(t)", e.range) }
            return "CAST(" + (try expr(a)) + " AS \(ft))"
        case .arrayLiteral(let xs): return "ARRAY[" + (try xs.map { x throws(StreamSQLError) in try expr(x) }).joined(separator: ", ") + "]"
        case .objectLiteral: throw refuse("an object literal", e.range)
        case .lambda: throw refuse("a lambda (x -> …)", e.range)
        case .call(let name, let args, let distinct, let over, let semantics):
            return try call(e, name.lowercased(), args, distinct: distinct, over: over, semantics: semantics)
        }
    }

    mutating func call(_ e: Expr, _ name: String, _ args: [Expr], distinct: Bool, over: OverClause?,
                       semantics: String?) throws(StreamSQLError) -> String {
        func list() throws(StreamSQLError) -> String {
            try args.map { a throws(StreamSQLError) -> String in
                if case .star = a.kind { return "*" }
                return try expr(a)
            }.joined(separator: ", ")
        }
        if let w = over?.when { throw refuse("OVER (… WHEN …) (an analytic function that skips rows)", w.range) }
        if ["window_start", "window_end"].contains(name) {
            guard windowed else { throw refuse("\(name)() outside a window", e.range) }
            // Ours are Unix nanoseconds, as the reference's; Flink's are TIMESTAMP(3).
            let col = name == "window_start" ? "window_start" : "window_end"
            return "(CAST(UNIX_TIMESTAMP(DATE_FORMAT(\(col), 'yyyy-MM-dd HH:mm:ss')) AS BIGINT) * 1000000000)"
        }
        if let agg = ExprContext.aggregates[name], over == nil {
            if inPattern {
                return (semantics.map { $0.uppercased() + " " } ?? "") + agg + "(" + (try list()) + ")"
            }
            guard windowed || patternVariable != nil else { throw refuse("aggregate \(name)(…) outside a window", e.range) }
            if name == "collect" && patternVariable != nil { throw refuse("collect in a CountingWindow", e.range) }
            return agg + "(" + (distinct ? "DISTINCT " : "") + (try list()) + ")"
        }
        if name == "median" {
            guard windowed, args.count == 1 else { throw refuse("median outside a window", e.range) }
            return "PERCENTILE(" + (try expr(args[0])) + ", 0.5)"
        }
        if name == "percentile" {
            guard windowed, args.count == 2 else { throw refuse("percentile outside a window", e.range) }
            return "PERCENTILE(" + (try expr(args[0])) + ", " + (try expr(args[1])) + ")"
        }
        let partition = try (over?.partitionBy ?? []).map { x throws(StreamSQLError) in try expr(x) }
        let overText = "OVER (" + (partition.isEmpty ? "" : "PARTITION BY " + partition.joined(separator: ", ") + " ") + "ORDER BY \(time.column)"
        if name == "lag" {
            if windowed { throw refuse("lag(…) over window results", e.range) }
            if args.count > 3 { throw refuse("lag's ignoreNull argument (Flink ignores IGNORE NULLS)", args[3].range) }
            var s = "LAG(" + (try expr(args[0]))
            if args.count > 1 { s += ", " + (try expr(args[1])) }
            if args.count > 2 { s += ", " + (try expr(args[2])) }
            return s + ") " + overText + ")"
        }
        if let acc = ExprContext.accumulators[name] {
            if windowed { throw refuse("\(name)(…) over window results", e.range) }
            if args.count > 1 { throw refuse("\(name)'s start and reset conditions", args[1].range) }
            return acc + "(" + (try expr(args[0])) + ") " + overText + " ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"
        }
        if ["had_changed", "changed_col", "changed_cols", "latest", "first_seen", "recent_count", "recent_collect", "acc_stddev"].contains(name) {
            throw refuse("\(name)(…)", e.range)
        }
        if inPattern, ["first", "last", "prev", "next"].contains(name) {
            return (semantics.map { $0.uppercased() + " " } ?? "") + name.uppercased() + "(" + (try list()) + ")"
        }
        if inPattern, ["classifier", "match_number"].contains(name) { throw refuse("\(name.uppercased())()", e.range) }
        switch name {
        case "concat":  // ours skips NULL arguments; Flink's CONCAT would return NULL
            // Text only: numbers print differently (99 here, 99.0 in Flink).
            for a in args where !isText(a) { throw refuse("concat of a value that is not text (numbers print differently in Flink)", a.range) }
            let parts = try args.map { a throws(StreamSQLError) in try expr(a) }
            return "CONCAT_WS(''" + (parts.isEmpty ? "" : ", ") + parts.joined(separator: ", ") + ")"
        case "substring", "substr":  // ours counts from 0, Flink's from 1
            guard args.count >= 2 else { throw refuse("\(name) with \(args.count) argument(s)", e.range) }
            let length = args.count > 2 ? ", " + (try expr(args[2])) : ""
            return "SUBSTRING(" + (try expr(args[0])) + ", (" + (try expr(args[1])) + ") + 1" + length + ")"
        case "sqrt", "ln", "log10":  // ours gives NULL outside the domain, Flink NaN
            let x = try expr(args[0])
            let bad = name == "sqrt" ? "\(x) < 0" : "\(x) <= 0"
            return "CASE WHEN \(bad) THEN NULL ELSE \(name.uppercased())(\(x)) END"
        default: break
        }
        if let f = ExprContext.scalars[name] {
            if name == "round" && args.count == 1 { return "ROUND(" + (try expr(args[0])) + ", 0)" }
            return f + "(" + (try list()) + ")"
        }
        throw refuse("function \(name)(…)", e.range)
    }
}
