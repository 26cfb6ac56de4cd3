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

/// Splits statement text into tokens. Works on UTF-8 bytes; never crashes on any input: bad input
/// becomes a `StreamSQLError` with the position of the offending character.
public struct Lexer {
    public static let maxLength = 16 * 1024 * 1024

    public static func tokenize(_ source: String) throws(StreamSQLError) -> [Token] {
        let b = Array(source.utf8)
        guard b.count <= maxLength else {
            throw StreamSQLError(.syntax, "sql parsing failed: statement is longer than \(maxLength / 1024 / 1024) MB", at: SourceRange(0, 1), in: source)
        }
        var out: [Token] = []
        var i = 0
        func err(_ msg: String, _ at: Int, _ len: Int = 1) -> StreamSQLError {
            StreamSQLError(.syntax, "sql parsing failed: " + msg, at: SourceRange(at, at + len), in: source)
        }
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
                guard i + 1 < b.count else { throw err("unterminated comment", start, 2) }
                i += 2
                continue
            }
            if isIdentStart(c) {
                while i < b.count && isIdentPart(b[i]) { i += 1 }
                out.append(Token(kind: .word, text: text(start, i), range: SourceRange(start, i)))
                continue
            }
            if c >= 48 && c <= 57 || (c == UInt8(ascii: ".") && i + 1 < b.count && b[i + 1] >= 48 && b[i + 1] <= 57) {
                var isFloat = false
                while i < b.count && b[i] >= 48 && b[i] <= 57 { i += 1 }
                if i < b.count && b[i] == UInt8(ascii: ".") && i + 1 < b.count && b[i + 1] >= 48 && b[i + 1] <= 57 {
                    isFloat = true
                    i += 1
                    while i < b.count && b[i] >= 48 && b[i] <= 57 { i += 1 }
                } else if i < b.count && b[i] == UInt8(ascii: ".") && !(i + 1 < b.count && isIdentStart(b[i + 1])) {
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
                if i < b.count && isIdentStart(b[i]) {
                    // "5s" or "10abc": a number glued to letters. Durations belong in quotes.
                    var j = i
                    while j < b.count && isIdentPart(b[j]) { j += 1 }
                    throw err("invalid number '\(text(start, j))' (durations are written in quotes, e.g. '5s')", start, j - start)
                }
                out.append(Token(kind: isFloat ? .float : .integer, text: text(start, i), range: SourceRange(start, i)))
                continue
            }
            switch c {
            case UInt8(ascii: "'"), UInt8(ascii: "\""), UInt8(ascii: "`"):
                var value: [UInt8] = []
                i += 1
                var closed = false
                while i < b.count {
                    let d = b[i]
                    if d == c {
                        if i + 1 < b.count && b[i + 1] == c { value.append(c); i += 2; continue }  // '' escape
                        i += 1
                        closed = true
                        break
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
                guard closed else {
                    let what = c == UInt8(ascii: "`") ? "quoted identifier" : "string literal"
                    throw err("unterminated \(what): missing closing \(String(UnicodeScalar(c)))", start, 1)
                }
                let s = String(decoding: value, as: UTF8.self)
                if c == UInt8(ascii: "`") && s.isEmpty { throw err("empty quoted identifier", start, 2) }
                let kind: Token.Kind = c == UInt8(ascii: "'") ? .string : (c == UInt8(ascii: "\"") ? .dstring : .quoted)
                out.append(Token(kind: kind, text: s, range: SourceRange(start, i)))
                continue
            default: break
            }
            let two = i + 1 < b.count ? text(i, i + 2) : ""
            if ["<=", ">=", "<>", "!=", "==", "||", "{-", "-}", "=>", "->"].contains(two) {
                out.append(Token(kind: .op, text: two, range: SourceRange(i, i + 2)))
                i += 2
                continue
            }
            if "+-*/%=<>(),.[];{}?|^$:".utf8.contains(c) {
                out.append(Token(kind: .op, text: String(UnicodeScalar(c)), range: SourceRange(i, i + 1)))
                i += 1
                continue
            }
            // Not valid anywhere in a statement.
            var len = 1
            if c >= 0xC0 { while i + len < b.count && b[i + len] & 0xC0 == 0x80 { len += 1 } }
            let shown = text(i, i + len)
            throw err("unexpected character '\(shown)'", i, len)
        }
        out.append(Token(kind: .eof, text: "", range: SourceRange(b.count, b.count)))
        return out
    }

    @inline(__always) static func isIdentStart(_ c: UInt8) -> Bool {
        (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95 || c >= 0xC0
    }

    @inline(__always) static func isIdentPart(_ c: UInt8) -> Bool {
        isIdentStart(c) || (c >= 48 && c <= 57) || (c >= 0x80)
    }
}
