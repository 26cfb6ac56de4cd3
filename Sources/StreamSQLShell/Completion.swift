import StreamSQLScenarios

/// What Tab offers, from where the cursor is: after SHOW what can be shown, after FROM or JOIN the
/// streams and tables, after `alias.` that source's columns, in an expression the columns of the
/// statement's sources (untyped streams' columns come from the fields their events held), and inside a
/// dot-command its own arguments. A pure function of the text and a catalog snapshot, so tests call it
/// without a terminal; `Repl` feeds it readline's line.
struct Completer: Sendable {
    /// The names completion knows, read from the engine before each prompt.
    struct Catalog: Sendable {
        var streams: [String] = []
        var tables: [String] = []
        var queries: [String] = []
        var functions: [String] = []
        /// Columns by lower-cased stream, table or query name.
        var columns: [String: [String]] = [:]
        /// Declared panes (`.pane drop NAME`).
        var panes: [String] = []
    }

    let catalog: Catalog

    static let statementStarts = ["SELECT", "CREATE", "DROP", "SHOW", "DESCRIBE", "EXPLAIN", "INSERT", "STOP", "START"]
    static let showables = ["STREAMS", "TABLES", "QUERIES", "FUNCTIONS"]
    static let catalogKinds = ["STREAM", "TABLE", "QUERY", "FUNCTION"]
    /// Words that end a source in FROM/JOIN (so they are not taken for its alias).
    static let clauseWords: Set<String> = ["WHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "JOIN", "LEFT", "INNER", "ON", "WINDOW", "WITH",
                                           "MATCH_RECOGNIZE", "PARTITION", "EMIT", "UNION", "AS", "OVER", "SELECT", "FROM", "TRIGGER"]

    /// Candidates for `word`, the text being completed; `before` is the statement up to it (earlier lines
    /// of an unfinished statement included), `after` the rest of the line (where FROM may follow).
    func candidates(before: String, after: String = "", word: String) -> [String] {
        let trimmed = before.drop { $0 == " " || $0 == "\t" || $0 == "\n" }
        if trimmed.isEmpty && word.hasPrefix(".") { return DotCommands.names }
        if trimmed.hasPrefix(".") { return dotArguments(String(trimmed), word: word) }
        return sql(before: before, after: after, word: word)
    }

    // MARK: SQL

    func sql(before: String, after: String, word: String) -> [String] {
        let toks = Completer.words(before)
        let prev = toks.last?.uppercased() ?? ""
        let prev2 = toks.count > 1 ? toks[toks.count - 2].uppercased() : ""
        let c = catalog
        if toks.isEmpty { return Completer.statementStarts }
        if let dot = word.lastIndex(of: ".") {
            let qualifier = String(word[..<dot])
            guard let source = Completer.sources(in: Completer.words(before + " " + word + after))
                    .first(where: { $0.alias.lowercased() == qualifier.lowercased() || $0.name.lowercased() == qualifier.lowercased() })
            else { return [] }
            return (c.columns[source.name.lowercased()] ?? []).map { qualifier + "." + $0 }
        }
        switch prev {
        case "SHOW": return Completer.showables
        case "FROM", "JOIN": return c.streams + c.tables
        case "INTO": return c.streams
        case "DROP": return Completer.catalogKinds
        case "STOP", "START": return ["QUERY"]
        case "CREATE": return Completer.catalogKinds + ["OR"]
        case "OR" where prev2 == "CREATE": return ["REPLACE"]
        case "REPLACE" where prev2 == "OR": return Completer.catalogKinds
        case "EXPLAIN": return ["SELECT", "FLINK", "DIFF"]
        case "DIFF" where prev2 == "EXPLAIN": return c.queries
        case "DESCRIBE", "DESC": return Completer.catalogKinds + ["EXTENDED"] + c.streams + c.tables + c.queries
        case "EXTENDED": return ["STREAM", "TABLE", "QUERY"] + c.streams + c.tables + c.queries
        case "STREAM" where ["DROP", "DESCRIBE", "DESC", "EXTENDED"].contains(prev2): return c.streams
        case "TABLE" where ["DROP", "DESCRIBE", "DESC", "EXTENDED"].contains(prev2): return c.tables
        case "QUERY" where ["DROP", "DESCRIBE", "DESC", "EXTENDED", "STOP", "START"].contains(prev2): return c.queries
        case "FUNCTION" where ["DROP", "DESCRIBE", "DESC"].contains(prev2): return c.functions
        default: break
        }
        // An expression: the columns of the statement's sources (all known columns when it names none yet),
        // the sources' aliases, functions and keywords.
        let sources = Completer.sources(in: Completer.words(before + " " + word + after))
        var names: [String]
        if sources.isEmpty {
            names = c.columns.values.flatMap { $0 } + c.streams + c.tables + c.queries
        } else {
            names = sources.flatMap { c.columns[$0.name.lowercased()] ?? [] } + sources.map(\.alias).filter { !$0.isEmpty }
        }
        names += c.functions + Repl.keywords
        var seen = Set<String>()
        return names.filter { seen.insert($0).inserted }
    }

    /// The sources a statement reads: each name after FROM or JOIN with its alias (`FROM s AS a`, `JOIN t b`).
    static func sources(in toks: [String]) -> [(name: String, alias: String)] {
        var out: [(String, String)] = []
        var i = 0
        while i < toks.count {
            let t = toks[i].uppercased()
            if (t == "FROM" || t == "JOIN"), i + 1 < toks.count, isName(toks[i + 1]) {
                let name = toks[i + 1]
                var alias = ""
                var j = i + 2
                if j < toks.count, toks[j].uppercased() == "AS" { j += 1 }
                if j < toks.count, isName(toks[j]), !clauseWords.contains(toks[j].uppercased()) { alias = toks[j] }
                out.append((name, alias))
                i = j
            } else {
                i += 1
            }
        }
        return out
    }

    static func isName(_ s: String) -> Bool {
        guard let f = s.first else { return false }
        return (f.isLetter || f == "_") && !clauseWords.contains(s.uppercased())
    }

    /// The words and punctuation of SQL text; strings and comments are left out, a dotted name is one word.
    static func words(_ text: String) -> [String] {
        var out: [String] = []
        var cur = ""
        var it = Array(text)[...]
        func flush() { if !cur.isEmpty { out.append(cur); cur = "" } }
        while let c = it.popFirst() {
            if c == "'" || c == "\"" || c == "`" {
                flush()
                while let d = it.popFirst(), d != c {}
                if c == "`" { out.append("`q") }
            } else if c == "-", it.first == "-" {
                flush()
                while let d = it.popFirst(), d != "\n" {}
            } else if c.isLetter || c.isNumber || c == "_" || c == "." {
                cur.append(c)
            } else {
                flush()
                if !c.isWhitespace { out.append(String(c)) }
            }
        }
        flush()
        return out
    }

    // MARK: dot-commands

    /// The arguments of a dot-command: the word at `args.count` (0 is the first after the command).
    func dotArguments(_ before: String, word: String) -> [String] {
        let parts = before.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard let command = parts.first.flatMap({ DotCommands.named($0)?.name }) else { return [] }
        let args = Array(parts.dropFirst())
        let c = catalog
        switch (command, args.count) {
        case (".mode", 0): return OutputMode.allCases.map(\.rawValue)
        case (".timer", 0), (".pager", 0): return ["on", "off"]
        case (".help", 0): return DotCommands.all.map { String($0.name.dropFirst()) }
        case (".gen", 0): return Scenarios.names + ["stop"]
        case (".layout", 0): return ["columns"]
        case (".whatif", 0): return c.queries
        case (".schema", 0): return c.streams + c.tables + c.queries + c.functions
        case (".whatif", 1): return ["AS"]
        case (".whatif", _):
            // After `.whatif NAME AS` comes a SELECT: complete it as SQL.
            let sql = args.dropFirst(2).joined(separator: " ")
            return self.sql(before: sql + " ", after: "", word: word)
        case (".set", 0): return ShellSettings.help.map(\.0)
        case (".set", 1): return ShellSettings.values(of: args[0])
        case (".replay", let n) where n >= 1:
            if args.last?.uppercased() == "INTO" { return c.streams }
            if args.last?.uppercased() == "BY" { return c.columns.values.flatMap { $0 } }
            return ["INTO", "BY", "max"]
        case (".pane", 0): return ["add", "drop"]
        case (".pane", 1) where args[0].lowercased() == "drop": return c.panes
        case (".pane", 2) where args[0].lowercased() == "add": return WidgetKind.allCases.map(\.rawValue)
        case (".pane", 3) where args[0].lowercased() == "add": return c.queries
        case (".pane", let n) where n >= 4 && args[0].lowercased() == "add":
            let options = WidgetKind(rawValue: args[2].lowercased())?.options.map { $0.name + "=" } ?? []
            // After `option=` (readline breaks words at '=') its value: the query's columns.
            if before.hasSuffix("=") { return c.columns[args[3].lowercased()] ?? [] }
            return options
        default: return []
        }
    }
}
