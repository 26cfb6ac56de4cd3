/// A span of the statement text, as UTF-8 byte offsets (start inclusive, end exclusive).
public struct SourceRange: Sendable, Equatable {
    public var start: Int
    public var end: Int
    public init(_ start: Int, _ end: Int) { self.start = start; self.end = max(start, end) }
    public static let none = SourceRange(-1, -1)
    public var isKnown: Bool { start >= 0 }
    public func union(_ o: SourceRange) -> SourceRange {
        guard isKnown else { return o }
        guard o.isKnown else { return self }
        return SourceRange(min(start, o.start), max(end, o.end))
    }
}

/// Every error the engine reports to a user: what phase found it, where, what is wrong, and what
/// would be valid instead.
///
/// `description` is the one-line form (`1:15: expected FROM …`); `rendered()` adds the offending
/// line and a caret under the position, as the shell prints it.
public struct StreamSQLError: Error, Sendable, CustomStringConvertible {
    public enum Phase: String, Sendable {
        case syntax = "syntax error"
        case plan = "plan error"
        case notSupported = "not supported yet"
        case runtime = "runtime error"
        case catalog = "catalog error"
        case io = "input error"
        /// A construct the Flink translation refuses.
        case flink = "Flink translation error"
    }

    public let phase: Phase
    public let message: String
    public let range: SourceRange
    /// The statement text the range points into (empty when not known).
    public let source: String
    /// Alternatives for a misspelt name ("did you mean …").
    public var suggestions: [String]

    public init(_ phase: Phase, _ message: String, at range: SourceRange = .none, in source: String = "", suggestions: [String] = []) {
        self.phase = phase
        self.message = message
        self.range = range
        self.source = source
        self.suggestions = suggestions
    }

    /// 1-based line and column (in characters) of the start of the range.
    public var location: (line: Int, column: Int)? {
        guard range.isKnown, !source.isEmpty else { return nil }
        let bytes = Array(source.utf8)
        let off = min(range.start, bytes.count)
        var line = 1, lineStart = 0
        for i in 0..<off where bytes[i] == 10 { line += 1; lineStart = i + 1 }
        let col = String(decoding: bytes[lineStart..<off], as: UTF8.self).count + 1
        return (line, col)
    }

    public var description: String {
        var s = ""
        if let loc = location { s += "\(loc.line):\(loc.column): " }
        s += phase == .notSupported ? "not supported yet: \(message)" : message
        s += suggestionText
        return s
    }

    /// " (did you mean 'a' or 'b'?)", on one line whatever the names hold: a line break or other control
    /// character inside a name shows as its escape, so the list never breaks in the middle of an entry.
    public var suggestionText: String {
        guard !suggestions.isEmpty else { return "" }
        return " (did you mean \(suggestions.map { "'\($0.escapingControlCharacters)'" }.joined(separator: " or "))?)"
    }

    /// The message with the statement line and a caret under the error position.
    public func rendered() -> String {
        guard let loc = location else { return "\(phase.rawValue): \(description)" }
        return "\(phase.rawValue) at line \(loc.line), column \(loc.column): \(descriptionWithoutLocation)\n" + caretLines(loc)
    }

    /// The error of a statement in a script file, as compilers print theirs: `NAME:LINE:COLUMN: phase: message`
    /// with the script's line and a caret under the spot. `statement` is the statement's text, which starts
    /// at `start` in `script`; an error located in other text is placed at the statement's start.
    public func rendered(file name: String, script: String, statement: String, at start: ScriptPosition) -> String {
        if source == statement, range.isKnown {
            let moved = StreamSQLError(phase, message, at: SourceRange(range.start + start.offset, range.end + start.offset), in: script,
                                       suggestions: suggestions)
            if let loc = moved.location {
                return "\(name):\(loc.line):\(loc.column): \(phase.rawValue): \(descriptionWithoutLocation)\n" + moved.caretLines(loc)
            }
        }
        return "\(name):\(start.line):\(start.column): \(rendered())"
    }

    /// The source line holding `loc` and a caret line under the range, each indented by two spaces.
    private func caretLines(_ loc: (line: Int, column: Int)) -> String {
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
        var text = loc.line - 1 < lines.count ? String(lines[loc.line - 1]) : ""
        if text.hasSuffix("\r") { text.removeLast() }
        let expanded = text.replacingTabs()
        let prefix = String(text.prefix(loc.column - 1)).replacingTabs()
        let marked = String(text.dropFirst(loc.column - 1).prefix(charCount(range)))
        let width = max(1, marked.displayWidth)
        return "  \(expanded)\n  \(String(repeating: " ", count: prefix.displayWidth))\(String(repeating: "^", count: width))"
    }

    var descriptionWithoutLocation: String { message + suggestionText }

    private func charCount(_ r: SourceRange) -> Int {
        let b = Array(source.utf8)
        guard r.start < b.count else { return 1 }
        let e = min(r.end, b.count)
        let t = String(decoding: b[r.start..<e], as: UTF8.self)
        return max(1, t.prefix(while: { $0 != "\n" }).count)
    }
}

extension String {
    /// Terminal columns: East Asian wide characters and emoji take two.
    var displayWidth: Int {
        var w = 0
        for u in unicodeScalars {
            let v = u.value
            if v < 0x300 { w += 1; continue }
            if (0x300...0x36F).contains(v) || v == 0x200B || v == 0x200D { continue }  // combining marks, zero-width
            let wide = (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v) || (0xAC00...0xD7A3).contains(v)
                || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v) || (0xFF00...0xFF60).contains(v)
                || (0xFFE0...0xFFE6).contains(v) || (0x1F300...0x1F64F).contains(v) || (0x1F900...0x1F9FF).contains(v)
                || (0x20000...0x3FFFD).contains(v)
            w += wide ? 2 : 1
        }
        return w
    }

    func replacingTabs() -> String { self.map { $0 == "\t" ? "    " : String($0) }.joined() }

    /// Line breaks, tabs and other control characters as escapes (`\n`), for text shown on one line.
    var escapingControlCharacters: String {
        guard unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else { return self }
        var out = ""
        for u in unicodeScalars {
            switch u {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.properties.generalCategory == .control { out += "\\u{\(String(u.value, radix: 16))}" } else { out.unicodeScalars.append(u) }
            }
        }
        return out
    }
}

/// Closest names by edit distance, for "did you mean".
public func closestNames(to name: String, in candidates: [String], max: Int = 2) -> [String] {
    let n = name.lowercased()
    let limit = Swift.max(1, n.count / 3)
    var scored: [(String, Int)] = []
    for c in candidates {
        let d = editDistance(n, c.lowercased())
        if d <= limit { scored.append((c, d)) }
    }
    scored.sort { a, b in a.1 < b.1 || (a.1 == b.1 && a.0 < b.0) }
    return scored.prefix(max).map { $0.0 }
}

/// Levenshtein distance (over UTF-8 bytes).
public func editDistance(_ a: String, _ b: String) -> Int {
    let x = Array(a.utf8), y = Array(b.utf8)
    if x.isEmpty { return y.count }
    if y.isEmpty { return x.count }
    var prev = Array(0...y.count)
    var cur = prev
    for i in 1...x.count {
        cur[0] = i
        for j in 1...y.count {
            cur[j] = Swift.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
        }
        swap(&prev, &cur)
    }
    return prev[y.count]
}

/// Where something starts in a script: the UTF-8 byte offset (from 0), and the line and column (from 1;
/// the column counts characters, as `StreamSQLError.location` does).
public struct ScriptPosition: Sendable, Equatable {
    public var offset: Int
    public var line: Int
    public var column: Int
    public init(offset: Int, line: Int, column: Int) { self.offset = offset; self.line = line; self.column = column }
}
