import Foundation
@testable import StreamSQL

/// Token- and byte-level mutations of SQL text. The tokens are found by a rough scanner of its own (words,
/// numbers, quoted strings, comments, operators, spaces), so that broken text can still be cut into tokens.
struct SQLMutator {
    var rng: SplitMix64
    /// Inputs are cut to this many bytes, so that no mutation grows one without end.
    static let maxBytes = 8192

    static let keywords = ["SELECT", "FROM", "WHERE", "GROUP BY", "HAVING", "ORDER BY", "LIMIT", "AS", "AND", "OR", "NOT", "CASE",
                           "WHEN", "THEN", "ELSE", "END", "IS", "NULL", "IN", "BETWEEN", "LIKE", "JOIN", "LEFT JOIN", "ON", "OVER",
                           "PARTITION BY", "DISTINCT", "MATCH_RECOGNIZE", "PATTERN", "DEFINE", "MEASURES", "WITHIN", "SUBSET",
                           "CREATE", "STREAM", "TABLE", "FUNCTION", "QUERY", "DROP", "INSERT INTO", "VALUES", "JSON", "EXPLAIN",
                           "WITH", "TIMESTAMP", "TumblingWindow", "CountingWindow", "SessionWindow", "SlidingWindow", "unnest",
                           "PERMUTE", "ONE ROW PER MATCH", "AFTER MATCH SKIP", "CAST", "TRUE", "FALSE", "*", "PRIMARY KEY", "FILE"]
    static let operators = ["(", ")", ",", ".", ";", "+", "-", "*", "/", "%", "=", "==", "!=", "<>", "<", ">", "<=", ">=", "||", "[", "]",
                            "{", "}", "'", "\"", "`", "--", "/*", "*/", "?", "$", "^", "|", "::", "->", "\\", "@", "#", ":"]
    static let numbers = ["0", "-0", "1e309", "-1e309", "9223372036854775807", "9223372036854775808", "-9223372036854775809",
                          "0.0000000000000000000000000001", "1e-400", "18446744073709551616", "00012", "1.", ".5", "0x10", "1e", "NaN", "Infinity"]
    /// Bytes that are not valid UTF-8 on their own, and NUL.
    static let badBytes: [[UInt8]] = [[0xFF], [0xC0, 0x80], [0x80], [0xE2, 0x82], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0x00],
                                      [0xEF, 0xBB, 0xBF], [0xF0, 0x9F, 0x98, 0x80], [0xC3, 0xA9]]

    mutating func int(_ upTo: Int) -> Int { Int(rng.next() % UInt64(max(1, upTo))) }
    mutating func pick<T>(_ xs: [T]) -> T { xs[int(xs.count)] }

    /// The text cut into tokens; joining them gives the text back.
    static func tokens(_ b: [UInt8]) -> [[UInt8]] {
        var out: [[UInt8]] = []
        var i = 0
        func isWord(_ c: UInt8) -> Bool { c == 95 || (c >= 48 && c <= 57) || (c | 32 >= 97 && c | 32 <= 122) || c >= 0x80 }
        while i < b.count {
            let start = i
            let c = b[i]
            if c == 32 || c == 9 || c == 10 || c == 13 {
                while i < b.count, [32, 9, 10, 13].contains(b[i]) { i += 1 }
            } else if c == 39 || c == 34 || c == 96 {
                i += 1
                while i < b.count && b[i] != c { i += 1 }
                i = min(i + 1, b.count)
            } else if c == 45 && i + 1 < b.count && b[i + 1] == 45 {
                while i < b.count && b[i] != 10 { i += 1 }
            } else if isWord(c) {
                while i < b.count && isWord(b[i]) { i += 1 }
            } else {
                i += 1
                if i < b.count, [UInt8(ascii: "="), UInt8(ascii: ">"), UInt8(ascii: "|")].contains(b[i]) { i += 1 }
            }
            out.append(Array(b[start..<i]))
        }
        return out
    }

    /// One to four mutations of `text`; `other` is the statement a splice takes its tail from.
    mutating func mutate(_ text: String, other: String) -> [UInt8] {
        var toks = SQLMutator.tokens(Array(text.utf8))
        var bytes: [UInt8]? = nil
        for _ in 0..<(1 + int(4)) {
            if let b = bytes { toks = SQLMutator.tokens(b); bytes = nil }
            let n = toks.count
            switch int(13) {
            case 0 where n > 0: toks.remove(at: int(n))
            case 1 where n > 0:
                let i = int(n)
                toks.insert(contentsOf: Array(repeating: toks[i], count: 1 + int(int(10) == 0 ? 40 : 3)), at: i)
            case 2 where n > 1: toks.swapAt(int(n), int(n))
            case 3: toks.insert(Array((" " + pick(SQLMutator.keywords) + " ").utf8), at: int(n + 1))
            case 4: toks.insert(Array(pick(SQLMutator.operators).utf8), at: int(n + 1))
            case 5:
                let o = SQLMutator.tokens(Array(other.utf8))
                toks = Array(toks.prefix(int(n + 1))) + Array(o.suffix(int(o.count + 1)))
            case 6 where n > 0:
                // A number or word replaced by an odd one.
                let i = int(n)
                toks[i] = Array(pick(SQLMutator.numbers + ["a", "`a b`", "``", "'", "\"unterminated", "x.y.z", "a[0]", "tags[999999999999]"]).utf8)
            case 7:
                var b = toks.flatMap { $0 }
                b.insert(contentsOf: pick(SQLMutator.badBytes), at: int(b.count + 1))
                bytes = b
            case 8:
                var b = toks.flatMap { $0 }
                if !b.isEmpty { b[int(b.count)] = UInt8(truncatingIfNeeded: rng.next()) }
                bytes = b
            case 9:
                var b = toks.flatMap { $0 }
                if !b.isEmpty { b.removeSubrange(int(b.count)..<b.count) }
                bytes = b
            case 10 where n > 0:
                // A token wrapped in parentheses, or a run of open parentheses.
                let i = int(n)
                if int(4) == 0 { toks.insert(Array(String(repeating: "(", count: 1 + int(300)).utf8), at: i) } else { toks[i] = [40] + toks[i] + [41] }
            case 11:
                toks.insert(Array(pick([" /* ", " -- \n", "\n", "\t", "  ", "\r\n", "'", "''", "\\", "\u{00A0}", "\u{200B}"]).utf8), at: int(n + 1))
            default:
                if n > 1 {
                    let i = int(n), j = int(n)
                    let (a, b) = (min(i, j), max(i, j))
                    toks.removeSubrange(a..<b)
                }
            }
        }
        let out = bytes ?? toks.flatMap { $0 }
        return Array(out.prefix(SQLMutator.maxBytes))
    }
}
