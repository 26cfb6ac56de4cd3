/// The pattern language of `date_format` and `date_parse`, read in one place: the engine formats and parses with
/// it, and the Flink translator maps it to Java's `DateTimeFormatter` letters (where `YYYY`, `DD` and `hh` mean
/// other things than here).
public enum DateFormatPattern {
    /// One field of a date-time, as the pattern names it.
    public enum Field: Sendable, Equatable {
        case year4, year2, month, day, hour, minute, second, millis
    }

    public enum Piece: Sendable, Equatable {
        case field(Field)
        case literal(Character)
    }

    /// Tokens in the order they are tried at each position (longest and most specific first). `hh` is the
    /// hour 0–23 here, `mi` the minute.
    static let tokens: [(String, Field)] = [
        ("YYYY", .year4), ("yyyy", .year4), ("%Y", .year4), ("SSS", .millis), ("YY", .year2), ("yy", .year2),
        ("MM", .month), ("%m", .month), ("DD", .day), ("dd", .day), ("%d", .day),
        ("HH", .hour), ("hh", .hour), ("%H", .hour), ("mm", .minute), ("mi", .minute), ("%M", .minute),
        ("ss", .second), ("%S", .second),
    ]

    /// The pattern as fields and literal characters.
    /// - Complexity: O(n × tokens) for a pattern of n characters.
    public static func pieces(_ pattern: String) -> [Piece] {
        var out: [Piece] = []
        var rest = Substring(pattern)
        outer: while let c = rest.first {
            for (tok, field) in tokens where rest.hasPrefix(tok) {
                out.append(.field(field))
                rest = rest.dropFirst(tok.count)
                continue outer
            }
            out.append(.literal(c))
            rest = rest.dropFirst()
        }
        return out
    }
}
