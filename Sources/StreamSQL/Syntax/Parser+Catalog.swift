/// Statements that define or change the catalog: CREATE (streams, tables, queries, functions), INSERT, SET @parameter.
extension Parser {
    /// `SET @name = expression` (the expression must be a constant; the engine checks that).
    mutating func parseSetParameter() throws(StreamSQLError) -> Statement {
        _ = advance()
        let p = peek
        guard p.kind == .parameter else { throw expected("a parameter after SET (SET @threshold = 0.8)") }
        _ = advance()
        guard acceptOp("=") || acceptWord("to") else { throw expected("'=' after SET @\(p.text)") }
        return .setParameter(name: p.text, value: try parseExpr(), range: p.range)
    }

    mutating func catalogKind(_ what: String) throws(StreamSQLError) -> CatalogKind {
        for k in [CatalogKind.stream, .table, .query, .function] where acceptWord(k.rawValue) { return k }
        throw expected(what)
    }

    mutating func parseColumns() throws(StreamSQLError) -> [ColumnDefinition] {
        var cols: [ColumnDefinition] = []
        guard acceptOp("(") else { return cols }
        repeat {
            let (name, r) = try identifier("a column name")
            let ty = peek
            guard ty.kind == .word else { throw expected("a type for column \(name) (int, float, string, bool, timestamp, array, object)") }
            _ = advance()
            if acceptOp("(") {
                while !peek.isOp(")") && peek.kind != .eof { _ = advance() }
                try expectOp(")", "after the type size")
            }
            if cols.contains(where: { $0.name == name }) { throw error("column '\(name)' appears twice", at: r) }
            cols.append(ColumnDefinition(name: name, typeName: ty.text, range: r.union(ty.range)))
        } while acceptOp(",")
        try expectOp(")", "to close the column list")
        return cols
    }

    mutating func parseCreate() throws(StreamSQLError) -> Statement {
        let start = advance()
        var options = CreateOptions()
        if acceptWord("or") { try expectWord("replace", "after CREATE OR"); options.orReplace = true }
        let kind = try catalogKind("STREAM, TABLE, QUERY or FUNCTION after CREATE\(options.orReplace ? " OR REPLACE" : "")")
        let (name, nr) = try identifier("a name after CREATE \(kind.rawValue)")
        let range = start.range.union(nr)
        switch kind {
        case .stream:
            if acceptWord("as") {
                guard peek.isWord("select") else { throw expected("SELECT after AS") }
                return .createStream(name: name, columns: [], query: try parseSelect(), options: options, range: range)
            }
            let cols = try parseColumns()
            if peek.isWord("with") { options.with = try parseWith() }
            return .createStream(name: name, columns: cols, query: nil, options: options, range: range)
        case .table:
            let cols = try parseColumns()
            var key: [String] = []
            if acceptWord("primary") {
                try expectWord("key", "after PRIMARY")
                try expectOp("(", "after PRIMARY KEY")
                repeat { key.append(try identifier("a key column").0) } while acceptOp(",")
                try expectOp(")", "to close PRIMARY KEY (…)")
            }
            if acceptWord("from") {
                try expectWord("file", "after FROM (CREATE TABLE t FROM FILE 'path')")
                let f = peek
                guard f.kind == .string || f.kind == .dstring else { throw expected("a file path in quotes after FROM FILE") }
                _ = advance()
                return .createTable(name: name, columns: cols, primaryKey: key, file: f.text, query: nil, options: options, range: range)
            }
            if acceptWord("as") {
                guard peek.isWord("select") else { throw expected("SELECT after AS") }
                return .createTable(name: name, columns: cols, primaryKey: key, file: nil, query: try parseSelect(), options: options, range: range)
            }
            throw expected("FROM FILE 'path' or AS SELECT … to say where the table's rows come from")
        case .query:
            try expectWord("as", "and the query (CREATE QUERY name AS SELECT …)")
            guard peek.isWord("select") else { throw expected("SELECT after AS") }
            return .createQuery(name: name, query: try parseSelect(), options: options, range: range)
        case .function:
            throw error("use CREATE FUNCTION name(params) AS expression", at: range)
        }
    }

    /// INSERT INTO stream [(a, b)] VALUES (…), (…) | INSERT INTO stream JSON '{…}' [, '{…}']
    mutating func parseInsert() throws(StreamSQLError) -> Statement {
        _ = advance()
        try expectWord("into", "after INSERT")
        let (name, nr) = try identifier("a stream name after INSERT INTO")
        var cols: [String] = []
        if acceptOp("(") {
            repeat { cols.append(try identifier("a column name").0) } while acceptOp(",")
            try expectOp(")", "to close the column list")
        }
        if acceptWord("json") {
            var docs: [String] = []
            repeat {
                let t = peek
                guard t.kind == .string || t.kind == .dstring else { throw expected("a JSON object in quotes after JSON") }
                _ = advance()
                docs.append(t.text)
            } while acceptOp(",")
            return .insert(stream: name, columns: cols, rows: [], json: docs, range: nr)
        }
        try expectWord("values", "or JSON after the stream name")
        var rows: [[Expr]] = []
        repeat {
            try expectOp("(", "before the values of a row")
            var vals: [Expr] = []
            repeat { vals.append(try parseExpr()) } while acceptOp(",")
            try expectOp(")", "after the values of a row")
            rows.append(vals)
        } while acceptOp(",")
        return .insert(stream: name, columns: cols, rows: rows, json: [], range: nr)
    }

    /// CREATE [OR REPLACE] FUNCTION name(p1, p2, …) AS expression [COMMENT 'text']
    mutating func parseCreateFunction() throws(StreamSQLError) -> Statement {
        let start = advance()
        var orReplace = false
        if acceptWord("or") { try expectWord("replace", "after CREATE OR"); orReplace = true }
        try expectWord("function", "")
        let (name, nr) = try identifier("a function name after CREATE FUNCTION")
        try expectOp("(", "and the parameter list after the function name")
        var params: [String] = []
        if !peek.isOp(")") {
            repeat {
                let (p, pr) = try identifier("a parameter name")
                if params.contains(where: { $0.caseInsensitiveEquals(p) }) { throw error("parameter '\(p)' appears twice", at: pr) }
                params.append(p)
            } while acceptOp(",")
        }
        try expectOp(")", "to close the parameter list")
        try expectWord("as", "and the function body (CREATE FUNCTION f(x) AS x * 2)")
        let body = try parseExpr()
        let bytes = Array(source.utf8)
        let bodyText = String(decoding: bytes[body.range.start..<min(body.range.end, bytes.count)], as: UTF8.self)
        var comment: String? = nil
        if acceptWord("comment") {
            let c = peek
            guard c.kind == .string || c.kind == .dstring else { throw expected("the comment text in quotes") }
            _ = advance()
            comment = c.text
        }
        return .createFunction(FunctionDefinition(name: name, parameters: params, body: body, bodyText: bodyText, comment: comment,
                                                  orReplace: orReplace, range: start.range.union(nr)))
    }
}
