/// Recursive-descent parser for the StreamSQL dialect.
///
/// Every loop consumes at least one token or stops, and expression nesting is capped at
/// `maxDepth`, so any input ends in a statement or a `StreamSQLError` — never a crash or a hang.
public struct Parser {
    public static let maxDepth = 200

    let source: String
    var tokens: [Token]
    var pos = 0
    var depth = 0

    public init(_ source: String) throws(StreamSQLError) {
        self.source = source
        self.tokens = try Lexer.tokenize(source)
    }

    /// Parses exactly one statement (a trailing `;` is allowed).
    public static func parse(_ sql: String) throws(StreamSQLError) -> Statement {
        var p = try Parser(sql)
        let s = try p.parseStatement()
        _ = p.acceptOp(";")
        guard p.peek.kind == .eof else {
            throw p.error("unexpected '\(p.peek.text)' after the end of the statement", at: p.peek.range)
        }
        return s
    }

    // MARK: token helpers

    var peek: Token { tokens[pos] }
    func peek(_ n: Int) -> Token { tokens[min(pos + n, tokens.count - 1)] }

    mutating func advance() -> Token {
        let t = tokens[pos]
        if pos < tokens.count - 1 { pos += 1 }
        return t
    }

    func error(_ message: String, at range: SourceRange) -> StreamSQLError {
        StreamSQLError(.syntax, "sql parsing failed: " + message, at: range, in: source)
    }

    func describe(_ t: Token) -> String {
        switch t.kind {
        case .eof: return "end of input"
        case .string: return "string '\(t.text)'"
        case .dstring: return "string \"\(t.text)\""
        case .quoted: return "`\(t.text)`"
        case .parameter: return "@\(t.text)"
        default: return "'\(t.text)'"
        }
    }

    func expected(_ what: String) -> StreamSQLError {
        error("expected \(what), found \(describe(peek))", at: peek.range)
    }

    mutating func acceptWord(_ w: String) -> Bool {
        if peek.isWord(w) { pos += 1; return true }
        return false
    }

    mutating func acceptOp(_ o: String) -> Bool {
        if peek.isOp(o) { pos += 1; return true }
        return false
    }

    mutating func expectWord(_ w: String, _ context: String) throws(StreamSQLError) {
        guard acceptWord(w) else { throw expected("\(w) \(context)") }
    }

    mutating func expectOp(_ o: String, _ context: String) throws(StreamSQLError) {
        guard acceptOp(o) else { throw expected("'\(o)' \(context)") }
    }

    /// Words that end an expression or a clause and so cannot be implicit aliases or bare names.
    static let reserved: Set<String> = [
        "select", "from", "where", "group", "by", "having", "order", "limit", "with", "as", "and", "or", "not",
        "case", "when", "then", "else", "end", "is", "null", "in", "between", "like", "join", "inner", "left",
        "on", "over", "distinct", "match_recognize", "union", "asc", "desc", "true", "false", "global",
        "cross", "right", "full", "outer", "partition", "within",
    ]

    static func isReserved(_ t: Token) -> Bool { t.kind == .word && reserved.contains(t.text.lowercased()) }

    /// An identifier: a bare non-reserved word or a backticked name.
    mutating func identifier(_ what: String) throws(StreamSQLError) -> (String, SourceRange) {
        let t = peek
        if t.kind == .quoted || (t.kind == .word && !Parser.isReserved(t)) {
            pos += 1
            return (t.text, t.range)
        }
        throw expected(what)
    }

    /// A name in a position where keywords cannot be meant (after AS, a DEFINE variable): any word.
    mutating func anyName(_ what: String) throws(StreamSQLError) -> String {
        let t = peek
        guard t.kind == .word || t.kind == .quoted else { throw expected(what) }
        pos += 1
        return t.text
    }

    // MARK: statements

    public mutating func parseStatement() throws(StreamSQLError) -> Statement {
        let t = peek
        if t.kind == .eof { throw error("empty statement", at: t.range) }
        if t.isWord("select") { return .select(try parseSelect()) }
        if t.isWord("create") && (peek(1).isWord("function") || (peek(1).isWord("or") && peek(3).isWord("function"))) {
            return try parseCreateFunction()
        }
        if t.isWord("drop") && peek(1).isWord("function") {
            _ = advance(); _ = advance()
            var ifExists = false
            if acceptWord("if") { try expectWord("exists", "after IF"); ifExists = true }
            let (name, r) = try identifier("a function name after DROP FUNCTION")
            return .dropFunction(name: name, ifExists: ifExists, range: r)
        }
        if t.isWord("create") { return try parseCreate() }
        if t.isWord("drop") {
            _ = advance()
            let kind = try catalogKind("STREAM, TABLE, QUERY or FUNCTION after DROP")
            var ifExists = false
            if acceptWord("if") { try expectWord("exists", "after IF"); ifExists = true }
            let (name, r) = try identifier("a name after DROP \(kind.rawValue)")
            return .drop(kind, name: name, ifExists: ifExists, range: r)
        }
        if t.isWord("show") && peek(1).isWord("windows") {
            _ = advance(); _ = advance()
            let (name, r) = try identifier("a query name after SHOW WINDOWS")
            return .showWindows(query: name, range: r)
        }
        if t.isWord("set") && peek(1).kind == .parameter { return try parseSetParameter() }
        if t.isWord("show") && peek(1).isWord("parameters") {
            _ = advance(); _ = advance()
            return .showParameters
        }
        if t.isWord("show") && !peek(1).isWord("functions") {
            _ = advance()
            let w = peek
            let kinds: [String: CatalogKind] = ["streams": .stream, "tables": .table, "queries": .query]
            guard w.kind == .word, let k = kinds[w.text.lowercased()] else { throw expected("STREAMS, TABLES, QUERIES, FUNCTIONS, WINDOWS or PARAMETERS after SHOW") }
            _ = advance()
            return .show(k)
        }
        if (t.isWord("describe") || t.isWord("desc")) && !peek(1).isWord("function") {
            _ = advance()
            // EXTENDED is a word only when a name follows it (a stream may be called extended).
            let extended = peek.isWord("extended") && (peek(1).kind == .word || peek(1).kind == .quoted) && acceptWord("extended")
            _ = acceptWord("stream") || acceptWord("table") || acceptWord("query")
            let (name, r) = try identifier("a stream, table or query name after DESCRIBE")
            return .describe(name: name, extended: extended, range: r)
        }
        if (t.isWord("stop") || t.isWord("start")) && peek(1).isWord("query") {
            let stop = advance().isWord("stop")
            _ = advance()
            let (name, r) = try identifier("a query name")
            return stop ? .stopQuery(name: name, range: r) : .startQuery(name: name, range: r)
        }
        if t.isWord("insert") { return try parseInsert() }
        if t.isWord("show") && peek(1).isWord("functions") {
            _ = advance(); _ = advance()
            if acceptWord("like") {
                let p = peek
                guard p.kind == .string || p.kind == .dstring else { throw expected("a pattern in quotes after LIKE") }
                _ = advance()
                return .showFunctions(like: p.text)
            }
            return .showFunctions(like: nil)
        }
        if (t.isWord("describe") || t.isWord("desc")) && peek(1).isWord("function") {
            _ = advance(); _ = advance()
            let (name, r) = try identifier("a function name after DESCRIBE FUNCTION")
            return .describeFunction(name: name, range: r)
        }
        if t.isWord("explain") {
            _ = advance()
            if acceptWord("flink") {
                guard peek.isWord("select") else { throw expected("a SELECT after EXPLAIN FLINK") }
                return .explainFlink(try parseSelect())
            }
            if acceptWord("diff") {
                let (name, r) = try identifier("the name of a running query after EXPLAIN DIFF")
                try expectWord("as", "and the edited query (EXPLAIN DIFF name AS SELECT …)")
                guard peek.isWord("select") else { throw expected("SELECT after AS") }
                return .explainDiff(name: name, query: try parseSelect(), range: r)
            }
            if peek.isWord("row") && peek(1).kind != .op {
                _ = advance()
                let (name, r) = try identifier("the name of a running query after EXPLAIN ROW (EXPLAIN ROW q1 1)")
                var n = 1
                if peek.kind == .integer {
                    let t = advance()
                    guard let k = Int(t.text), k >= 1 else { throw error("the row number counts from 1 (the latest result)", at: t.range) }
                    n = k
                }
                return .explainRow(query: name, n: n, range: r)
            }
            guard peek.isWord("select") else { throw expected("a SELECT after EXPLAIN") }
            return .explain(try parseSelect())
        }
        if t.isWord("set") {
            _ = advance()
            let (name, r) = try identifier("a setting or @parameter after SET (SET lineage = on, SET @threshold = 0.8)")
            _ = acceptOp("=") || acceptWord("to")
            let v = peek
            guard v.kind == .word || v.kind == .string || v.kind == .integer else { throw expected("a value (SET \(name) = on)") }
            _ = advance()
            return .set(name: name, value: v.text, range: r)
        }
        if t.kind == .word {
            let known = ["SELECT", "CREATE", "DROP", "SHOW", "DESCRIBE", "EXPLAIN", "INSERT", "STOP", "START", "SET"]
            let hint = closestNames(to: t.text, in: known, max: 1)
            var e = error("unknown statement '\(t.text)'; expected SELECT", at: t.range)
            e.suggestions = hint
            throw e
        }
        throw expected("a statement (SELECT …)")
    }

    mutating func parseSelect() throws(StreamSQLError) -> SelectStatement {
        let start = peek.range.start
        try expectWord("select", "")
        let distinct = acceptWord("distinct")
        _ = acceptWord("all")
        var items: [SelectItem] = []
        repeat {
            items.append(try parseSelectItem())
        } while acceptOp(",")

        guard acceptWord("from") else {
            // `SELECT a FRM s`: the misspelt FROM was read as an alias of the last item.
            if let last = items.last, let alias = last.alias, alias.count <= 5, editDistance(alias.lowercased(), "from") <= 2,
               let aliasToken = tokens[..<pos].last(where: { $0.text == alias }), peek.kind == .word || peek.kind == .quoted {
                var e = error("missing FROM: '\(alias)' reads as an alias here; expected source identifier after FROM", at: aliasToken.range)
                e.suggestions = ["FROM"]
                throw e
            }
            if peek.kind == .eof {
                throw error("expected FROM after the select list (a query reads FROM a stream)", at: peek.range)
            }
            if peek.kind == .word || peek.kind == .quoted {
                throw error("missing FROM before \(describe(peek)): expected source identifier after FROM", at: peek.range)
            }
            throw expected("FROM after the select list")
        }
        let from = try parseFrom()
        var stmt = SelectStatement(
            distinct: distinct, items: items, from: from, matchRecognize: nil, whereClause: nil, groupBy: [],
            window: nil, windowOver: nil, having: nil, orderBy: [], limit: nil, limitRange: .none, with: [],
            range: .none)

        if peek.isWord("match_recognize") { stmt.matchRecognize = try parseMatchRecognize() }
        if acceptWord("where") { stmt.whereClause = try parseExpr() }
        if peek.isWord("group") {
            _ = advance()
            try expectWord("by", "after GROUP")
            try parseGroupBy(into: &stmt)
        } else if peek.isWord("global") {
            stmt.window = try parseGlobalWindow()
        }
        if peek.isWord("with") { stmt.with = try parseWith() }
        if acceptWord("having") { stmt.having = try parseExpr() }
        if peek.isWord("order") {
            _ = advance()
            try expectWord("by", "after ORDER")
            stmt.orderBy = try parseOrderList()
        }
        if peek.isWord("limit") {
            let lt = advance()
            let t = peek
            guard t.kind == .integer, let n = Int(t.text) else {
                throw error("LIMIT needs a non-negative whole number, found \(describe(t))", at: t.range)
            }
            _ = advance()
            stmt.limit = n
            stmt.limitRange = lt.range.union(t.range)
        }
        if peek.isWord("emit") { stmt.emit = try parseEmit() }
        if peek.isWord("with") {
            guard stmt.with.isEmpty else { throw error("WITH options given twice", at: peek.range) }
            stmt.with = try parseWith()
        }
        if peek.isWord("emit") {
            guard stmt.emit == nil else { throw error("EMIT given twice", at: peek.range) }
            stmt.emit = try parseEmit()
        }
        stmt.range = SourceRange(start, tokens[max(0, pos - 1)].range.end)
        if peek.kind != .eof && !peek.isOp(";") {
            let t = peek
            let clauseOrder = "clauses go in the order FROM, MATCH_RECOGNIZE, WHERE, GROUP BY, WITH, HAVING, ORDER BY, LIMIT, EMIT"
            if t.kind == .word, ["where", "group", "having", "order", "limit", "match_recognize"].contains(t.text.lowercased()) {
                throw error("unexpected \(t.text.uppercased()) here; \(clauseOrder)", at: t.range)
            }
            throw error("unexpected \(describe(t)) after the query", at: t.range)
        }
        return stmt
    }

    mutating func parseSelectItem() throws(StreamSQLError) -> SelectItem {
        let start = peek.range
        if peek.isOp("*") {
            _ = advance()
            return SelectItem(expr: Expr(.star(qualifier: nil), start), alias: nil, range: start)
        }
        if peek.kind == .word || peek.kind == .quoted, peek(1).isOp("."), peek(2).isOp("*") {
            let q = advance()
            _ = advance()
            let s = advance()
            let r = q.range.union(s.range)
            return SelectItem(expr: Expr(.star(qualifier: q.text), r), alias: nil, range: r)
        }
        if peek.kind == .eof || peek.isWord("from") {
            throw expected("a column or expression in the select list")
        }
        let e = try parseExpr()
        var alias: String? = nil
        if acceptWord("as") {
            let t = peek
            guard t.kind == .word || t.kind == .quoted || t.kind == .string || t.kind == .dstring else {
                throw expected("an alias after AS")
            }
            _ = advance()
            alias = t.text
        } else if peek.kind == .quoted || (peek.kind == .word && !Parser.isReserved(peek)) {
            alias = advance().text
        }
        return SelectItem(expr: e, alias: alias, range: e.range)
    }

    mutating func parseFrom() throws(StreamSQLError) -> FromClause {
        let t = peek
        guard t.kind == .word || t.kind == .quoted, !(t.kind == .word && Parser.isReserved(t)) else {
            throw error("expected source identifier after FROM, found \(describe(t))", at: t.range)
        }
        _ = advance()
        var from = FromClause(source: t.text, alias: nil, range: t.range, joins: [])
        // `q.late`, `s.rejected`: a system stream (the engine resolves the name).
        if peek.isOp("."), peek(1).kind == .word || peek(1).kind == .quoted {
            _ = advance()
            let suffix = advance()
            from.source += "." + suffix.text
            from.range = t.range.union(suffix.range)
        }
        from.alias = try parseOptionalAlias()
        while true {
            let jstart = peek.range
            var kind = JoinKind.inner
            if acceptWord("join") {
            } else if peek.isWord("inner") && peek(1).isWord("join") {
                pos += 2
            } else if peek.isWord("left") {
                _ = advance()
                _ = acceptWord("outer")
                try expectWord("join", "after LEFT")
                kind = .left
            } else if peek.isWord("right") || peek.isWord("full") || peek.isWord("cross") {
                throw error("\(peek.text.uppercased()) JOIN is not available; a stream joins a table with JOIN or LEFT JOIN", at: peek.range)
            } else {
                break
            }
            let (name, nr) = try identifier("a table name after JOIN")
            let alias = try parseOptionalAlias()
            try expectWord("on", "and a join condition after the joined table")
            let cond = try parseExpr()
            from.joins.append(JoinClause(kind: kind, source: name, alias: alias, on: cond, range: jstart.union(nr)))
        }
        return from
    }

    mutating func parseOptionalAlias() throws(StreamSQLError) -> String? {
        if acceptWord("as") { return try identifier("an alias after AS").0 }
        if peek.kind == .quoted || (peek.kind == .word && !Parser.isReserved(peek)) {
            // A bare word after the source is an alias, except a GLOBAL-less window clause keyword and
            // an EMIT clause (`FROM s EMIT CHANGES`).
            if peek.isWord("emit"), ["changes", "every", "final"].contains(where: { peek(1).isWord($0) }) { return nil }
            return advance().text
        }
        return nil
    }

    mutating func parseGroupBy(into stmt: inout SelectStatement) throws(StreamSQLError) {
        repeat {
            if peek.isWord("global") {
                guard stmt.window == nil else { throw error("only one window per query", at: peek.range) }
                stmt.window = try parseGlobalWindow()
                continue
            }
            let e = try parseExpr()
            if case .call(let name, let args, _, let over, _) = e.kind, name.lowercased().hasSuffix("window") {
                guard stmt.window == nil else { throw error("only one window per query", at: e.range) }
                stmt.window = WindowSpec(name: name, args: args, trigger: nil, range: e.range)
                if let over, over.partitionBy.isEmpty, let when = over.when, name.lowercased() == "slidingwindow" {
                    stmt.window?.when = when
                } else if let over {
                    stmt.windowOver = over.range
                }
                if peek.isWord("over") {
                    let o = advance()
                    var r = o.range
                    if peek.isOp("(") {
                        var level = 0
                        repeat {
                            let t = advance()
                            if t.isOp("(") { level += 1 } else if t.isOp(")") { level -= 1 }
                            r = r.union(t.range)
                            if t.kind == .eof { break }
                        } while level > 0
                    }
                    stmt.windowOver = r
                }
            } else {
                stmt.groupBy.append(e)
            }
        } while acceptOp(",")
    }

    /// `EMIT CHANGES | EMIT EVERY '5s' | EMIT FINAL`.
    mutating func parseEmit() throws(StreamSQLError) -> EmitClause {
        let e = advance()
        if acceptWord("changes") { return EmitClause(mode: .changes, range: e.range.union(tokens[pos - 1].range)) }
        if acceptWord("final") { return EmitClause(mode: .final, range: e.range.union(tokens[pos - 1].range)) }
        if acceptWord("every") {
            let d = try parseExpr()
            return EmitClause(mode: .every(d), range: e.range.union(d.range))
        }
        throw error("EMIT takes CHANGES, EVERY '<duration>' or FINAL, found \(describe(peek))", at: peek.range)
    }

    mutating func parseGlobalWindow() throws(StreamSQLError) -> WindowSpec {
        let g = advance()
        try expectWord("window", "after GLOBAL")
        guard acceptWord("trigger") else {
            throw error("GLOBAL WINDOW needs TRIGGER WHEN <condition> to say when it fires", at: g.range.union(tokens[pos - 1].range))
        }
        try expectWord("when", "after TRIGGER (GLOBAL WINDOW TRIGGER WHEN <condition>)")
        let cond = try parseExpr()
        return WindowSpec(name: "GlobalWindow", args: [], trigger: cond, range: g.range.union(cond.range))
    }

    mutating func parseWith() throws(StreamSQLError) -> [(String, Value, SourceRange)] {
        _ = advance()
        try expectOp("(", "after WITH")
        var out: [(String, Value, SourceRange)] = []
        repeat {
            let (key, kr) = try identifier("an option name in WITH (…)")
            try expectOp("=", "after option \(key)")
            let t = advance()
            let v: Value
            switch t.kind {
            case .string, .dstring: v = .string(t.text)
            case .integer: v = Int64(t.text).map(Value.int) ?? .double(Double(t.text) ?? 0)
            case .float: v = .double(Double(t.text) ?? 0)
            case .word where t.isWord("true") || t.isWord("false"): v = .bool(t.isWord("true"))
            case .word: v = .string(t.text)
            default: throw error("expected a value for option \(key), found \(describe(t))", at: t.range)
            }
            out.append((key, v, kr.union(t.range)))
        } while acceptOp(",")
        try expectOp(")", "to close WITH (…)")
        return out
    }

    mutating func parseOrderList() throws(StreamSQLError) -> [OrderItem] {
        var items: [OrderItem] = []
        repeat {
            let e = try parseExpr()
            var desc = false
            if acceptWord("desc") { desc = true } else { _ = acceptWord("asc") }
            items.append(OrderItem(expr: e, descending: desc))
        } while acceptOp(",")
        return items
    }
}
