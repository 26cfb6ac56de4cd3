/// A token: its kind, its text (identifier name without backticks, string value without quotes and
/// with escapes resolved, operator spelling) and where it is.
public struct Token: Sendable {
    public enum Kind: Sendable, Equatable {
        case word          // bare identifier or keyword; keywords are contextual and matched case-insensitively
        case quoted        // `backtick identifier`
        case string        // 'single-quoted' literal
        case dstring       // "double-quoted" literal (a string in this dialect, not an identifier)
        case integer
        case float
        case op            // operators and punctuation
        case parameter     // @name: a session parameter (text is the name without '@')
        case eof
    }
    public let kind: Kind
    public let text: String
    public let range: SourceRange

    public func isWord(_ w: String) -> Bool { kind == .word && text.caseInsensitiveEquals(w) }
    public func isOp(_ o: String) -> Bool { kind == .op && text == o }
}

extension String {
    @inlinable func caseInsensitiveEquals(_ other: String) -> Bool {
        let a = self.utf8, b = other.utf8
        guard a.count == b.count else { return false }
        for (x, y) in zip(a, b) {
            let lx = x >= 65 && x <= 90 ? x + 32 : x
            let ly = y >= 65 && y <= 90 ? y + 32 : y
            if lx != ly { return false }
        }
        return true
    }
}

/// Splits statement text into tokens. Works on UTF-8 bytes; never crashes on any input.
///
/// `tokenize` turns bad input into a `StreamSQLError` with the position of the offending character. The
/// statement scanner walks the same lexer with `next()`, which reports bad input as a `Lexeme.problem` and
/// goes on, so that an open quote or comment at the end of a buffer is something to wait for, not an error.
public struct Lexer {
    public static let maxLength = 16 * 1024 * 1024

    /// Input no token can be made of. The lexer reports it and carries on after it.
    enum Problem: Equatable {
        case unterminatedComment
        /// A quote (`'`, `"` or `` ` ``) never closed: the rest of the input was read into it.
        case unterminatedQuote(UInt8)
        case emptyQuotedIdentifier
        case invalidNumber(String)
        case unexpectedCharacter(String)

        var message: String {
            switch self {
            case .unterminatedComment: return "unterminated comment"
            case .unterminatedQuote(let c):
                let what = c == UInt8(ascii: "`") ? "quoted identifier" : "string literal"
                return "unterminated \(what): missing closing \(String(UnicodeScalar(c)))"
            case .emptyQuotedIdentifier: return "empty quoted identifier"
            case .invalidNumber(let t): return "invalid number '\(t)' (durations are written in quotes, e.g. '5s')"
            case .unexpectedCharacter(let t): return "unexpected character '\(t)'"
            }
        }
    }

    /// One step of the lexer: a token, or a problem with where it is.
    enum Lexeme {
        case token(Token)
        case problem(Problem, SourceRange)

        var start: Int {
            switch self {
            case .token(let t): return t.range.start
            case .problem(_, let r): return r.start
            }
        }
    }

    let b: [UInt8]
    /// Where the next lexeme (or the white space and comments before it) starts.
    var offset: Int

    init(bytes: [UInt8], offset: Int = 0) {
        self.b = bytes
        self.offset = offset
    }

    public static func tokenize(_ source: String) throws(StreamSQLError) -> [Token] {
        let bytes = Array(source.utf8)
        guard bytes.count <= maxLength else {
            throw StreamSQLError(.syntax, "sql parsing failed: statement is longer than \(maxLength / 1024 / 1024) MB", at: SourceRange(0, 1), in: source)
        }
        var lexer = Lexer(bytes: bytes)
        var out: [Token] = []
        while let lexeme = lexer.next() {
            switch lexeme {
            case .token(let t): out.append(t)
            case .problem(let p, let r): throw StreamSQLError(.syntax, "sql parsing failed: " + p.message, at: r, in: source)
            }
        }
        out.append(Token(kind: .eof, text: "", range: SourceRange(bytes.count, bytes.count)))
        return out
    }

    /// The tokens of text being typed, for display (the shell's syntax highlighting): never throws; a quote
    /// not yet closed is a string to the end, other input no token can be made of is left out (as are
    /// white space and comments, the gaps between tokens).
    public static func displayTokens(_ source: String) -> [Token] {
        var lexer = Lexer(bytes: Array(source.utf8))
        var out: [Token] = []
        while let lexeme = lexer.next() {
            switch lexeme {
            case .token(let t): out.append(t)
            case .problem(.unterminatedQuote(let q), let r):
                let kind: Token.Kind = q == UInt8(ascii: "`") ? .quoted : q == UInt8(ascii: "\"") ? .dstring : .string
                out.append(Token(kind: kind, text: "", range: SourceRange(r.start, lexer.b.count)))
            case .problem: continue
            }
        }
        return out
    }

    /// Skips white space and comments; returns the next lexeme, or nil at the end of the input.
    /// Every call that returns a lexeme moves `offset` past it.
    mutating func next() -> Lexeme? {
        var i = offset
        defer { offset = i }
        func text(_ s: Int, _ e: Int) -> String { String(decoding: b[s..<e], as: UTF8.self) }
        while i < b.count {
            let c = b[i]
            if c == 32 || c == 9 || c == 10 || c == 13 || c == 12 { i += 1; continue }
            let start = i
            if c == UInt8(ascii: "-") && i + 1 < b.count && b[i + 1] == UInt8(ascii: "-") {
                while i < b.count && b[i] != 10 { i += 1 }
                continue
            }
            if c == UInt8(ascii: "/") && i + 1 < b.count && b[i + 1] == UInt8(ascii: "*") {
                i += 2
                while i + 1 < b.count && !(b[i] == UInt8(ascii: "*") && b[i + 1] == UInt8(ascii: "/")) { i += 1 }
                guard i + 1 < b.count else { i = b.count; return .problem(.unterminatedComment, SourceRange(start, start + 2)) }
                i += 2
                continue
            }
            if Lexer.isIdentStart(c) {
                while i < b.count && Lexer.isIdentPart(b[i]) { i += 1 }
                return .token(Token(kind: .word, text: text(start, i), range: SourceRange(start, i)))
            }
            if c >= 48 && c <= 57 || (c == UInt8(ascii: ".") && i + 1 < b.count && b[i + 1] >= 48 && b[i + 1] <= 57) {
                var isFloat = false
                while i < b.count && b[i] >= 48 && b[i] <= 57 { i += 1 }
                if i < b.count && b[i] == UInt8(ascii: ".") && i + 1 < b.count && b[i + 1] >= 48 && b[i + 1] <= 57 {
                    isFloat = true
                    i += 1
                    while i < b.count && b[i] >= 48 && b[i] <= 57 { i += 1 }
                } else if i < b.count && b[i] == UInt8(ascii: ".") && !(i + 1 < b.count && Lexer.isIdentStart(b[i + 1])) {
                    isFloat = true  // "3." is a float; "arr.3x" is not a number
                    i += 1
                }
                if i < b.count && (b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E")) {
                    var j = i + 1
                    if j < b.count && (b[j] == UInt8(ascii: "+") || b[j] == UInt8(ascii: "-")) { j += 1 }
                    if j < b.count && b[j] >= 48 && b[j] <= 57 {
                        isFloat = true
                        i = j
                        while i < b.count && b[i] >= 48 && b[i] <= 57 { i += 1 }
                    }
                }
                if i < b.count && Lexer.isIdentStart(b[i]) {
                    // "5s" or "10abc": a number glued to letters. Durations belong in quotes.
                    while i < b.count && Lexer.isIdentPart(b[i]) { i += 1 }
                    return .problem(.invalidNumber(text(start, i)), SourceRange(start, i))
                }
                return .token(Token(kind: isFloat ? .float : .integer, text: text(start, i), range: SourceRange(start, i)))
            }
            if c == UInt8(ascii: "'") || c == UInt8(ascii: "\"") || c == UInt8(ascii: "`") {
                return quoted(c, &i)
            }
            if c == UInt8(ascii: "@") && i + 1 < b.count && Lexer.isIdentStart(b[i + 1]) {
                i += 1
                while i < b.count && Lexer.isIdentPart(b[i]) { i += 1 }
                return .token(Token(kind: .parameter, text: text(start + 1, i), range: SourceRange(start, i)))
            }
            let two = i + 1 < b.count ? text(i, i + 2) : ""
            if ["<=", ">=", "<>", "!=", "==", "||", "{-", "-}", "=>", "->"].contains(two) {
                i += 2
                return .token(Token(kind: .op, text: two, range: SourceRange(start, i)))
            }
            if "+-*/%=<>(),.[];{}?|^$:".utf8.contains(c) {
                i += 1
                return .token(Token(kind: .op, text: String(UnicodeScalar(c)), range: SourceRange(start, i)))
            }
            // Not valid anywhere in a statement.
            var len = 1
            if c >= 0xC0 { while i + len < b.count && b[i + len] & 0xC0 == 0x80 { len += 1 } }
            i += len
            return .problem(.unexpectedCharacter(text(start, i)), SourceRange(start, i))
        }
        return nil
    }

    /// A quoted string or identifier from its opening quote at `i`: `''` (or the doubled quote) and, outside
    /// backquotes, backslash escapes.
    private func quoted(_ c: UInt8, _ i: inout Int) -> Lexeme {
        let start = i
        var value: [UInt8] = []
        i += 1
        while i < b.count {
            let d = b[i]
            if d == c {
                if i + 1 < b.count && b[i + 1] == c { value.append(c); i += 2; continue }  // '' escape
                i += 1
                let s = String(decoding: value, as: UTF8.self)
                if c == UInt8(ascii: "`") && s.isEmpty { return .problem(.emptyQuotedIdentifier, SourceRange(start, i)) }
                let kind: Token.Kind = c == UInt8(ascii: "'") ? .string : (c == UInt8(ascii: "\"") ? .dstring : .quoted)
                return .token(Token(kind: kind, text: s, range: SourceRange(start, i)))
            }
            if d == UInt8(ascii: "\\") && c != UInt8(ascii: "`") && i + 1 < b.count {
                let e = b[i + 1]
                switch e {
                case UInt8(ascii: "n"): value.append(10)
                case UInt8(ascii: "t"): value.append(9)
                case UInt8(ascii: "r"): value.append(13)
                case UInt8(ascii: "\\"), UInt8(ascii: "'"), UInt8(ascii: "\""): value.append(e)
                default: value.append(d); value.append(e)
                }
                i += 2
                continue
            }
            value.append(d)
            i += 1
        }
        return .problem(.unterminatedQuote(c), SourceRange(start, start + 1))
    }

    @inline(__always) static func isIdentStart(_ c: UInt8) -> Bool {
        (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95 || c >= 0xC0
    }

    @inline(__always) static func isIdentPart(_ c: UInt8) -> Bool {
        isIdentStart(c) || (c >= 48 && c <= 57) || (c >= 0x80)
    }
}
