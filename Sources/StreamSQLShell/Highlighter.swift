import StreamSQL

/// Colours the line being typed (readline's redisplay hook calls it through `Repl`): keywords bold blue,
/// strings green, numbers cyan, comments dim, and names the catalog does not know red — except names the
/// statement itself defines (after AS, a source's alias, the name a CREATE makes) and the word still being
/// typed at the end of the line. Dot-command lines are left as they are. A pure function of the text and a
/// catalog snapshot, so tests call it without a terminal.
struct Highlighter: Sendable {
    static let keyword = "\u{1B}[1;34m", string = "\u{1B}[32m", number = "\u{1B}[36m", comment = "\u{1B}[2m"
    static let unknown = "\u{1B}[31m", reset = "\u{1B}[0m"

    /// Column types a CREATE may declare.
    static let typeNames: Set<String> = ["STRING", "VARCHAR", "TEXT", "INT", "INTEGER", "BIGINT", "DOUBLE", "FLOAT", "REAL", "DECIMAL",
                                         "NUMERIC", "BOOLEAN", "BOOL", "ARRAY", "OBJECT", "ANY"]
    /// Upper-cased keywords, and lower-cased names the catalog knows.
    let keywords: Set<String>
    let names: Set<String>

    init(catalog: Completer.Catalog, keywords: [String]) {
        self.keywords = Set(keywords.map { $0.uppercased() }).union(Highlighter.typeNames)
        var n = Set<String>()
        for list in [catalog.streams, catalog.tables, catalog.queries, catalog.functions] { for s in list { n.insert(s.lowercased()) } }
        for cols in catalog.columns.values { for c in cols { n.insert(c.lowercased()) } }
        // A query's result stream and system streams (`q.late`, `s.rejected`) are read by these names.
        n.formUnion(["late", "rejected", "stream"])
        names = n
    }

    /// `line` with ANSI colours; `context` is the unfinished statement's earlier lines (names it defines count).
    func highlight(_ line: String, context: String = "") -> String {
        guard !line.trimmingCharacters(in: .whitespaces).hasPrefix("."), context.isEmpty || !context.hasPrefix(".") else { return line }
        let bytes = Array(line.utf8)
        let tokens = Lexer.displayTokens(line)
        let defined = definedNames(Lexer.displayTokens(context) + tokens)
        var out = ""
        var at = 0
        func gap(_ upTo: Int) {
            guard upTo > at else { return }
            // Between tokens there are only white space and comments.
            let text = String(decoding: bytes[at..<upTo], as: UTF8.self)
            out += text.allSatisfy(\.isWhitespace) ? text : Highlighter.comment + text + Highlighter.reset
            at = upTo
        }
        for (i, t) in tokens.enumerated() {
            let start = min(max(t.range.start, at), bytes.count), end = min(max(t.range.end, start), bytes.count)
            gap(start)
            let text = String(decoding: bytes[start..<end], as: UTF8.self)
            let colour: String?
            switch t.kind {
            case .string, .dstring: colour = Highlighter.string
            case .integer, .float: colour = Highlighter.number
            case .word:
                let typing = i == tokens.count - 1 && end == bytes.count
                let dotted = i > 0 && tokens[i - 1].isOp(".")
                if keywords.contains(t.text.uppercased()) && !dotted { colour = Highlighter.keyword }
                else if typing || dotted || names.contains(t.text.lowercased()) || defined.contains(t.text.lowercased()) { colour = nil }
                else { colour = Highlighter.unknown }
            default: colour = nil
            }
            out += colour.map { $0 + text + Highlighter.reset } ?? text
            at = end
        }
        gap(bytes.count)
        return out
    }

    /// Names the statement makes: after AS, a FROM/JOIN source's alias, after CREATE … STREAM/TABLE/QUERY/FUNCTION.
    func definedNames(_ tokens: [Token]) -> Set<String> {
        var out = Set<String>()
        for (i, t) in tokens.enumerated() where t.kind == .word || t.kind == .quoted {
            guard i > 0 else { continue }
            let p = tokens[i - 1]
            if p.isWord("AS") || ["STREAM", "TABLE", "QUERY", "FUNCTION", "EXISTS"].contains(where: { p.isWord($0) }) { out.insert(t.text.lowercased()) }
            // `FROM s x`, `JOIN t x`: the word after a source that is not a clause keyword.
            if i > 1, p.kind == .word, tokens[i - 2].isWord("FROM") || tokens[i - 2].isWord("JOIN"),
               !Completer.clauseWords.contains(t.text.uppercased()) { out.insert(t.text.lowercased()) }
            // What a CREATE declares before any SELECT: a stream's or table's columns, a function's parameters.
            if p.isOp("(") || p.isOp(","), tokens.first?.isWord("CREATE") == true, !tokens[..<i].contains(where: { $0.isWord("SELECT") }) {
                out.insert(t.text.lowercased())
            }
        }
        return out
    }
}
