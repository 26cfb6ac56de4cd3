import Foundation
import StreamSQL

/// Expression translation state for one query.
struct ExprContext {
    let sql: String
    let time: FlinkTranslator.TimeSpec
    let translator: FlinkTranslator
    var aliases: Set<String> = []
    /// In a join: the stream's own name in the FROM clause (its alias, or the stream's name), which its
    /// fields are qualified with so that a column both sides have is not ambiguous.
    var streamQualifier: String?
    /// Over a temporal join's view: table aliases (lower-cased → as written); their columns are ALIAS__COLUMN.
    var viewTables: [String: String] = [:]
    /// The joined tables' names in the query (their aliases, lower-cased).
    var joinAliases: Set<String> = []
    /// In HAVING: the select items, whose aliases stand for their expressions.
    var havingItems: [SelectItem]?
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

    /// A field of the stream. One that no line of its input has is NULL in this engine, with no type Flink could
    /// give it: refused (in a join the usual cause is a table column written without its table's name).
    func field(_ n: String, _ range: SourceRange) throws(StreamSQLError) -> String {
        if !fieldTypes.isEmpty, fieldTypes[n] == nil, patternVariable == nil, !inPattern {
            throw refuse("a field no line of the input has (NULL in this engine; a table's column needs its table's name: t.\(n))", range)
        }
        return field(n)
    }

    func field(_ n: String) -> String {
        let base = "`\(n)`"
        if let v = patternVariable { return "\(v).\(base)" }
        if let q = streamQualifier, !inPattern, fieldTypes[n] != nil { return "`\(q)`.\(base)" }
        return base
    }

    /// Whether `e` is a boolean for sure (a comparison, a logical operator, a BOOLEAN field, …).
    func isBoolean(_ e: Expr) -> Bool {
        switch e.kind {
        case .literal(.bool): return true
        case .name(let n, _): return fieldTypes[n] == .boolean
        case .binary(let op, _, _): return [.eq, .ne, .lt, .le, .gt, .ge, .and, .or].contains(op)
        case .unary(.not, _), .isNull, .inList, .between, .like: return true
        case .caseWhen(_, let ws, let other): return ws.allSatisfy { isBoolean($0.1) } && (other.map(isBoolean) ?? true)
        case .cast(_, let t): return FlinkTranslator.FieldType.declared(t) == .boolean
        case .call(let n, let args, _, _, _):
            switch n.lowercased() {
            case "coalesce", "nullif", "greatest", "least": return !args.isEmpty && args.allSatisfy(isBoolean)
            case "if": return args.count == 3 && isBoolean(args[1]) && isBoolean(args[2])
            default: return false
            }
        default: return false
        }
    }

    /// A condition (WHERE, HAVING, ON, DEFINE, CASE WHEN, the operands of AND, OR and NOT) with this engine's
    /// truthiness: a boolean is itself, NULL is unknown, and any other value is true — so a non-boolean `x`
    /// becomes `x IS NOT NULL` in effect (NULL when x is NULL, for three-valued AND, OR and NOT).
    mutating func predicate(_ e: Expr) throws(StreamSQLError) -> String {
        switch e.kind {
        case .binary(let op, let a, let b) where op == .and || op == .or:
            return "(" + (try predicate(a)) + " \(op.rawValue) " + (try predicate(b)) + ")"
        case .unary(.not, let a): return "NOT (" + (try predicate(a)) + ")"
        case .literal(.null): return "CAST(NULL AS BOOLEAN)"
        default:
            let x = try expr(e)
            return isBoolean(e) ? x : "(CASE WHEN \(x) IS NULL THEN CAST(NULL AS BOOLEAN) ELSE TRUE END)"
        }
    }

    /// HAVING may name a select alias; Flink wants the aggregate itself.
    mutating func havingPredicate(_ e: Expr, items: [SelectItem]) throws(StreamSQLError) -> String {
        havingItems = items
        defer { havingItems = nil }
        return try predicate(e)
    }

    mutating func expr(_ e: Expr) throws(StreamSQLError) -> String {
        switch e.kind {
        case .literal(let v): return literal(v)
        case .name(let n, _):
            if let items = havingItems, let i = items.first(where: { $0.alias?.lowercased() == n.lowercased() }) {
                havingItems = nil
                defer { havingItems = items }
                return try expr(i.expr)
            }
            return try field(n, e.range)
        case .star: throw refuse("'*' here", e.range)
        case .parameter(let n): throw refuse("parameter @\(n) (the engine substitutes parameters before translating)", e.range)
        case .member(let base, let f):
            if case .name(let q, _) = base.kind {
                if let a = viewTables[q.lowercased()] { return "`\(a)__\(f)`" }
                if aliases.contains(q.lowercased()) && patternVariable == nil {
                    return streamQualifier.map { "`\($0)`.`\(f)`" } ?? field(f)
                }
                if translator.tables.keys.contains(q.lowercased()) || joinAliases.contains(q.lowercased()) || inPattern { return "`\(q)`.`\(f)`" }
                return field(q) + ".`\(f)`"
            }
            return try expr(base) + ".`\(f)`"
        case .index(let base, let i):
            // Flink arrays are 1-based; ours (and the reference's) 0-based.
            if case .literal(.int(let k)) = i.kind, k >= 0 { return try expr(base) + "[\(k + 1)]" }
            if case .literal(.string(let k)) = i.kind { return try expr(base) + ".`\(k)`" }
            return try expr(base) + "[" + (try expr(i)) + " + 1]"
        case .unary(let op, let a):
            return op == .not ? try predicate(e) : "(" + op.rawValue + (try expr(a)) + ")"
        case .binary(let op, _, _) where op == .and || op == .or:
            return try predicate(e)
        case .binary(let op, let a, let b):
            if op == .eq || op == .ne {
                if case .literal(.null) = b.kind { return "(" + (try expr(a)) + (op == .eq ? " IS NULL)" : " IS NOT NULL)") }
            }
            let x = try expr(a), y = try expr(b)
            switch op {
            // Ours always divides as decimals, and by zero gives NULL (Flink: Infinity, or a failed job for MOD).
            // A literal divisor is folded here: Flink's planner fails on a divisor that folds to NULL.
            case .div:
                if case .literal(let v) = b.kind, let d = v.asDouble { return d == 0 ? "CAST(NULL AS DOUBLE)" : "(CAST(\(x) AS DOUBLE) / \(y))" }
                return "(CAST(\(x) AS DOUBLE) / NULLIF(CAST(\(y) AS DOUBLE), 0))"
            case .mod:
                if case .literal(let v) = b.kind, let d = v.asDouble { return d == 0 ? "CAST(NULL AS BIGINT)" : "MOD(\(x), \(y))" }
                return "MOD(\(x), NULLIF(\(y), 0))"
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
            for (c, v) in whens { s += " WHEN " + (op == nil ? try predicate(c) : try expr(c)) + " THEN " + (try expr(v)) }
            if let other { s += " ELSE " + (try expr(other)) }
            return s + " END"
        case .cast(let a, let t):
            guard let ft = FlinkTranslator.FieldType.declared(t) else { throw refuse("CAST to \(t)", e.range) }
            return "CAST(" + (try expr(a)) + " AS \(ft))"
        case .arrayLiteral(let xs): return "ARRAY[" + (try xs.map { x throws(StreamSQLError) in try expr(x) }).joined(separator: ", ") + "]"
        case .objectLiteral: throw refuse("an object literal", e.range)
        case .lambda: throw refuse("a lambda (x -> …)", e.range)
        case .aggregateFilter(let call, let cond): return try expr(call) + " FILTER (WHERE " + expr(cond) + ")"
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
            return "((CAST(UNIX_TIMESTAMP(DATE_FORMAT(\(col), 'yyyy-MM-dd HH:mm:ss')) AS BIGINT) * 1000 + CAST(DATE_FORMAT(\(col), 'SSS') AS BIGINT)) * 1000000)"
        }
        if let agg = ExprContext.aggregates[name], over == nil {
            if inPattern {
                let arg = ["avg", "stddev", "stddevs", "stddevp", "var", "varp", "vars"].contains(name) && args.count == 1
                    ? "CAST(" + (try expr(args[0])) + " AS DOUBLE)" : try list()
                return (semantics.map { $0.uppercased() + " " } ?? "") + agg + "(" + arg + ")"
            }
            guard windowed || patternVariable != nil else { throw refuse("aggregate \(name)(…) outside a window", e.range) }
            if name == "collect" && patternVariable != nil { throw refuse("collect in a CountingWindow", e.range) }
            // Ours averages (and takes deviations of) integers as decimals; Flink keeps an integer column's type.
            if ["avg", "stddev", "stddevs", "stddevp", "var", "varp", "vars"].contains(name), args.count == 1 {
                return agg + "(" + (distinct ? "DISTINCT " : "") + "CAST(" + (try expr(args[0])) + " AS DOUBLE))"
            }
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
            let arg = name == "acc_avg" ? "CAST(" + (try expr(args[0])) + " AS DOUBLE)" : try expr(args[0])
            return acc + "(" + arg + ") " + overText + " ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"
        }
        if FlinkTranslator.refusedFunctions.contains(name) {
            throw refuse("\(name)(…)", e.range)
        }
        if inPattern, ["first", "last", "prev", "next"].contains(name) {
            return (semantics.map { $0.uppercased() + " " } ?? "") + name.uppercased() + "(" + (try list()) + ")"
        }
        if inPattern, FlinkTranslator.refusedPatternFunctions.contains(name) { throw refuse("\(name.uppercased())()", e.range) }
        if let part = ExprContext.timeParts[name], args.count == 1 { return "CAST(DATE_FORMAT(" + (try timestamp(args[0], for: name)) + ", '\(part)') AS BIGINT)" }
        if name == "date_format", args.count == 2 { return try dateFormat(e, args[0], args[1]) }
        switch name {
        case "if" where args.count == 3:  // a condition by our truthiness
            return "IF(" + (try predicate(args[0])) + ", " + (try expr(args[1])) + ", " + (try expr(args[2])) + ")"
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
