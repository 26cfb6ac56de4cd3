extension Parser {
    /// MATCH_RECOGNIZE ( [PARTITION BY …] ORDER BY … [MEASURES …] [ONE ROW | ALL ROWS PER MATCH]
    /// [AFTER MATCH SKIP …] PATTERN (…) [SUBSET …] [WITHIN …] DEFINE … )
    mutating func parseMatchRecognize() throws(StreamSQLError) -> MatchRecognizeClause {
        let kw = advance()
        try expectOp("(", "after MATCH_RECOGNIZE")
        var mr = MatchRecognizeClause(
            partitionBy: [], orderBy: [], measures: [], allRows: false, afterMatch: .pastLastRow,
            pattern: .sequence([]), subsets: [], withinNanos: nil, withinRange: .none, defines: [], range: kw.range)
        var sawPattern = false
        if acceptWord("partition") {
            try expectWord("by", "after PARTITION")
            repeat { mr.partitionBy.append(try parseExpr()) } while acceptOp(",")
        }
        if peek.isWord("order") {
            _ = advance()
            try expectWord("by", "after ORDER")
            mr.orderBy = try parseOrderList()
        }
        if acceptWord("measures") {
            repeat {
                let e = try parseExpr()
                try expectWord("as", "and a name for the measure (MEASURES expr AS name)")
                let name = try anyName("a measure name after AS")
                mr.measures.append(SelectItem(expr: e, alias: name, range: e.range))
            } while acceptOp(",")
        }
        if peek.isWord("one") {
            _ = advance()
            try expectWord("row", "after ONE"); try expectWord("per", "after ONE ROW"); try expectWord("match", "after ONE ROW PER")
        } else if peek.isWord("all") {
            _ = advance()
            try expectWord("rows", "after ALL"); try expectWord("per", "after ALL ROWS"); try expectWord("match", "after ALL ROWS PER")
            mr.allRows = true
        }
        if acceptWord("after") {
            try expectWord("match", "after AFTER"); try expectWord("skip", "after AFTER MATCH")
            if acceptWord("past") {
                try expectWord("last", "after SKIP PAST"); try expectWord("row", "after SKIP PAST LAST")
                mr.afterMatch = .pastLastRow
            } else if acceptWord("to") {
                if acceptWord("next") {
                    try expectWord("row", "after SKIP TO NEXT")
                    mr.afterMatch = .toNextRow
                } else if acceptWord("first") {
                    mr.afterMatch = .toFirst(try identifier("a pattern variable after SKIP TO FIRST").0)
                } else if acceptWord("last") {
                    mr.afterMatch = .toLast(try identifier("a pattern variable after SKIP TO LAST").0)
                } else {
                    mr.afterMatch = .toLast(try identifier("NEXT ROW, FIRST x or LAST x after SKIP TO").0)
                }
            } else {
                throw expected("PAST LAST ROW or TO … after AFTER MATCH SKIP")
            }
        }
        if peek.isWord("pattern") {
            _ = advance()
            try expectOp("(", "after PATTERN")
            mr.pattern = try parsePatternAlternation()
            try expectOp(")", "to close PATTERN (…)")
            sawPattern = true
        }
        while acceptWord("subset") {
            repeat {
                let (name, _) = try identifier("a subset name after SUBSET")
                try expectOp("=", "after the subset name")
                try expectOp("(", "before the subset's variables")
                var vars: [String] = []
                repeat { vars.append(try identifier("a pattern variable").0) } while acceptOp(",")
                try expectOp(")", "after the subset's variables")
                mr.subsets.append((name, vars))
            } while acceptOp(",") && !peek.isWord("within") && !peek.isWord("define")
        }
        if peek.isWord("within") {
            let w = advance()
            let (nanos, r) = try parseDurationValue(context: "WITHIN")
            mr.withinNanos = nanos
            mr.withinRange = w.range.union(r)
        }
        if acceptWord("define") {
            repeat {
                let name = try anyName("a pattern variable in DEFINE")
                try expectWord("as", "after the pattern variable in DEFINE (DEFINE A AS condition)")
                mr.defines.append((name, try parseExpr()))
            } while acceptOp(",")
        }
        let close = peek
        guard acceptOp(")") else {
            if !sawPattern { throw error("MATCH_RECOGNIZE needs a PATTERN (…) clause", at: peek.range) }
            throw expected("')' to close MATCH_RECOGNIZE (clauses go PARTITION BY, ORDER BY, MEASURES, ROWS PER MATCH, AFTER MATCH, PATTERN, SUBSET, WITHIN, DEFINE)")
        }
        if !sawPattern { throw error("MATCH_RECOGNIZE needs a PATTERN (…) clause", at: kw.range.union(close.range)) }
        mr.range = kw.range.union(close.range)
        return mr
    }

    /// A duration: `'5s'`, `'1 minute'`, `1 MINUTES`, `INTERVAL '5' SECOND`.
    mutating func parseDurationValue(context: String) throws(StreamSQLError) -> (Int64, SourceRange) {
        _ = acceptWord("interval")
        let t = advance()
        switch t.kind {
        case .string, .dstring:
            var text = t.text
            var r = t.range
            if peek.kind == .word, Durations.unit(peek.text) != nil { let u = advance(); text += " " + u.text; r = r.union(u.range) }
            guard let n = Durations.parse(text) else {
                if Durations.isTooLong(text) { throw error(Durations.tooLong(text, in: context), at: r) }
                throw error("invalid duration '\(t.text)' in \(context) (examples: '500ms', '5s', '2m', '1h')", at: t.range)
            }
            return (n, r)
        case .integer, .float:
            guard peek.kind == .word, let unit = Durations.unit(peek.text) else {
                throw error("expected a time unit after \(t.text) in \(context) (e.g. 5 SECONDS)", at: peek.range)
            }
            let u = advance()
            let v = (Double(t.text) ?? 0) * Double(unit)
            guard v < Durations.limit else { throw error(Durations.tooLong("\(t.text) \(u.text)", in: context), at: t.range.union(u.range)) }
            return (Int64(v), t.range.union(u.range))
        default:
            throw error("expected a duration after \(context), found \(describe(t))", at: t.range)
        }
    }

    mutating func parsePatternAlternation() throws(StreamSQLError) -> PatternNode {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Parser.maxDepth else { throw error("pattern nested too deeply", at: peek.range) }
        var alts = [try parsePatternSequence()]
        while acceptOp("|") { alts.append(try parsePatternSequence()) }
        return alts.count == 1 ? alts[0] : .alternation(alts)
    }

    mutating func parsePatternSequence() throws(StreamSQLError) -> PatternNode {
        var items: [PatternNode] = []
        while true {
            let t = peek
            if t.isOp(")") || t.isOp("|") || t.isOp(",") || t.kind == .eof { break }
            items.append(try parsePatternQuantified())
        }
        guard !items.isEmpty else { throw expected("a pattern variable") }
        return items.count == 1 ? items[0] : .sequence(items)
    }

    mutating func parsePatternQuantified() throws(StreamSQLError) -> PatternNode {
        var node = try parsePatternPrimary()
        var stacked = 0
        while true {
            var minN = 0
            var maxN: Int? = nil
            if acceptOp("*") { minN = 0; maxN = nil }
            else if acceptOp("+") { minN = 1; maxN = nil }
            else if acceptOp("?") { minN = 0; maxN = 1 }
            else if peek.isOp("{") {
                let open = advance()
                if peek.isOp("-") { throw error("pattern exclusion {- … -} is not supported", at: open.range) }
                if peek.isOp(",") {
                    _ = advance()
                    minN = 0
                    maxN = try patternInt()
                } else {
                    minN = try patternInt()
                    if acceptOp(",") {
                        maxN = peek.isOp("}") ? nil : try patternInt()
                    } else {
                        maxN = minN
                    }
                }
                try expectOp("}", "to close the quantifier")
                if let m = maxN, m < minN { throw error("quantifier {\(minN),\(m)}: the maximum is below the minimum", at: open.range) }
            } else {
                return node
            }
            let reluctant = acceptOp("?")
            stacked += 1
            guard depth + stacked <= Parser.maxDepth else { throw error("pattern nested too deeply (quantifiers stacked on one another)", at: peek.range) }
            node = .quantified(node, min: minN, max: maxN, reluctant: reluctant)
        }
    }

    mutating func patternInt() throws(StreamSQLError) -> Int {
        let t = peek
        guard t.kind == .integer, let n = Int(t.text), n <= 10_000 else {
            throw error("expected a repetition count (0 to 10000) in the quantifier, found \(describe(t))", at: t.range)
        }
        _ = advance()
        return n
    }

    mutating func parsePatternPrimary() throws(StreamSQLError) -> PatternNode {
        let t = peek
        if t.isOp("(") {
            _ = advance()
            let inner = try parsePatternAlternation()
            try expectOp(")", "to close the pattern group")
            return inner
        }
        if t.isOp("{-") { throw error("pattern exclusion {- … -} is not supported", at: t.range) }
        if t.isOp("^") { _ = advance(); return .anchorStart }
        if t.isOp("$") { _ = advance(); return .anchorEnd }
        if t.isWord("permute") && peek(1).isOp("(") {
            _ = advance(); _ = advance()
            var items: [PatternNode] = []
            repeat { items.append(try parsePatternAlternation()) } while acceptOp(",")
            try expectOp(")", "to close PERMUTE (…)")
            return .permute(items)
        }
        if t.kind == .word || t.kind == .quoted {
            _ = advance()
            return .symbol(t.text, t.range)
        }
        throw expected("a pattern variable")
    }
}

/// Durations in the reference's forms: `500ms`, `5s`, `2m`, `1h`, `1d`, and unit words
/// (`5 seconds`, `1 minute`). Values are nanoseconds.
public enum Durations {
    public static func unit(_ word: String) -> Int64? {
        switch word.lowercased() {
        case "ns", "nanosecond", "nanoseconds": return 1
        case "us", "µs", "microsecond", "microseconds": return 1_000
        case "ms", "millisecond", "milliseconds", "millis": return 1_000_000
        case "s", "sec", "secs", "second", "seconds": return 1_000_000_000
        case "m", "min", "mins", "minute", "minutes": return 60_000_000_000
        case "h", "hr", "hrs", "hour", "hours": return 3_600_000_000_000
        case "d", "day", "days": return 86_400_000_000_000
        default: return nil
        }
    }

    /// Durations are shorter than this many nanoseconds (about 285 years), so that they, and times a
    /// duration apart, fit in Int64.
    public static let limit: Double = 9e18

    /// What a duration of `limit` or more is told.
    public static func tooLong(_ text: String, in context: String) -> String {
        "duration '\(text)' in \(context) is too long (at most 104,166 days)"
    }

    /// Parses `'1.5s'`, `'1h30m'`, `'5 minutes'`; nil when malformed, not positive or too long.
    public static func parse(_ text: String, allowZero: Bool = false) -> Int64? {
        guard let total = total(text, allowZero: allowZero), total >= (allowZero ? 0 : 1), total < limit else { return nil }
        return Int64(total)
    }

    /// Whether `text` is a well-formed duration that is too long to hold (`parse` gives nil for it).
    public static func isTooLong(_ text: String) -> Bool { total(text, allowZero: false).map { $0 >= limit } ?? false }

    /// The nanoseconds `text` spells, as a Double (possibly beyond Int64, or +∞), or nil when malformed.
    private static func total(_ text: String, allowZero: Bool) -> Double? {
        var total: Double = 0
        var s = Substring(text.trimmingSpaces())
        guard !s.isEmpty else { return nil }
        if allowZero && s.allSatisfy({ $0 == "0" }) { return 0 }
        while !s.isEmpty {
            let num = s.prefix(while: { $0.isNumber || $0 == "." })
            guard !num.isEmpty, let v = Double(num) else { return nil }
            s = s.dropFirst(num.count)
            while s.first == " " { s = s.dropFirst() }
            let u = s.prefix(while: { $0.isLetter || $0 == "µ" })
            guard let mult = unit(String(u)) else { return nil }
            s = s.dropFirst(u.count)
            while s.first == " " { s = s.dropFirst() }
            total += v * Double(mult)
        }
        return total
    }
}
