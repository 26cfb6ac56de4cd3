import Foundation

/// One piece of a script, in order.
public enum ScriptItem: Sendable, Equatable {
    /// A SQL statement: its text from its first token to its last (no `;`, no comments around it), and
    /// where that text starts in the script.
    case statement(String, at: ScriptPosition)
    /// A shell command: a line whose first character, at the start of a statement, is `.` (`.mode csv`).
    /// The text is the rest of that line without surrounding blank space.
    case command(String, line: Int)
}

/// A script cut into items, and whether its text stops inside an unfinished statement.
public struct ScannedScript: Sendable {
    /// What a text that stops inside a statement leaves open.
    public enum Unfinished: Sendable, Equatable {
        /// A `'…'` or `"…"` literal.
        case string
        /// A `` `…` `` identifier.
        case quotedIdentifier
        /// A `/* …` comment.
        case comment
        /// A statement with no `;` after it.
        case statement
    }

    public var items: [ScriptItem]
    /// Nil when the text ends after a `;`, a command line, or only blank space and comments. A final
    /// statement left open is in `items` all the same (a script runs it; the shell waits for more).
    public var unfinished: Unfinished?

    /// Whether the interactive shell can run the buffer now rather than ask for another line.
    public var isComplete: Bool { unfinished == nil }

    /// The statements' texts, without the commands.
    public var statements: [String] {
        items.compactMap { if case .statement(let s, _) = $0 { return s }; return nil }
    }
}

/// The one statement scanner every entry point uses (the shell, `-e`, `-f`, standard input, `run`, `.read`,
/// `Engine.runScript`, the Flink translator). It walks the SQL lexer, so quotes (with `''` and `\'` escapes),
/// backquotes and comments mean here what they mean to the parser: a `;` inside any of them ends nothing.
///
/// ```swift
/// let scanned = StatementScanner.scan("CREATE STREAM s;\n.mode csv\nSELECT 'a;b' FROM s")
/// // items: .statement("CREATE STREAM s", 1:1), .command(".mode csv", line: 2), .statement("SELECT 'a;b' FROM s", 3:1)
/// // unfinished: .statement (no final ';')
/// ```
/// - Complexity: O(n) in the script's bytes.
public enum StatementScanner {
    public static func scan(_ script: String) -> ScannedScript {
        let bytes = Array(script.utf8)
        var lexer = Lexer(bytes: bytes)
        var lines = LineCounter(bytes: bytes)
        var items: [ScriptItem] = []
        var unfinished: ScannedScript.Unfinished? = nil
        var start: Int? = nil   // first byte of the statement being read
        var end = 0             // just past its last lexeme so far

        func closeStatement() {
            guard let s = start else { return }
            items.append(.statement(String(decoding: bytes[s..<end], as: UTF8.self), at: lines.position(of: s)))
            start = nil
        }

        while let lexeme = lexer.next() {
            let at = lexeme.start
            unfinished = nil
            switch lexeme {
            case .token(let t) where t.isOp(";"):
                closeStatement()
                continue
            case .token(let t) where t.isOp(".") && start == nil:
                // A command runs to the end of its line; what follows starts afresh.
                var e = at
                while e < bytes.count && bytes[e] != 10 { e += 1 }
                let text = String(decoding: bytes[at..<e], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                items.append(.command(text, line: lines.position(of: at).line))
                lexer.offset = e
                continue
            case .problem(.unterminatedComment, _):
                unfinished = .comment
                continue
            case .problem(.unterminatedQuote(let q), _):
                unfinished = q == UInt8(ascii: "`") ? .quotedIdentifier : .string
            default:
                break
            }
            if start == nil { start = at }
            end = lexer.offset
        }
        if start != nil {
            if unfinished == nil { unfinished = .statement }
            closeStatement()
        }
        return ScannedScript(items: items, unfinished: unfinished)
    }
}

/// Line and column of byte offsets asked for in increasing order, counting from where it stopped last.
private struct LineCounter {
    let bytes: [UInt8]
    var scanned = 0
    var line = 1
    var lineStart = 0

    mutating func position(of offset: Int) -> ScriptPosition {
        let target = min(offset, bytes.count)
        while scanned < target {
            if bytes[scanned] == 10 { line += 1; lineStart = scanned + 1 }
            scanned += 1
        }
        let column = String(decoding: bytes[lineStart..<target], as: UTF8.self).count + 1
        return ScriptPosition(offset: target, line: line, column: column)
    }
}
