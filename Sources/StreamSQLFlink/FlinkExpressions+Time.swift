import StreamSQL

/// Date-time functions: `hour(t)` and the other parts, `date_format(t, pattern)`.
///
/// Ours read a time from ISO-8601 text, from an epoch number (seconds, ms, µs or ns by its size) or from a window's
/// bounds, and answer in UTC; the export sets `table.local-time-zone=UTC`, so Flink's HOUR and DATE_FORMAT of a
/// `TIMESTAMP(3)` built the same way answer the same. Times are kept to the millisecond, the finest field a
/// pattern shows.
extension ExprContext {
    /// The parts as Java pattern letters: read through DATE_FORMAT, as Flink's HOUR, SECOND, MONTH, … are wrong
    /// before 1970 (HOUR of 1969-12-31 23:35 is 0 there; measured on Flink 2.3.0).
    static let timeParts: [String: String] = [
        "year": "yyyy", "month": "MM", "day": "dd", "dayofmonth": "dd", "hour": "HH", "minute": "mm", "second": "ss",
    ]

    /// `e` as a Flink `TIMESTAMP(3)` in UTC, read as this engine reads a time argument.
    mutating func timestamp(_ e: Expr, for name: String) throws(StreamSQLError) -> String {
        if case .call(let n, let a, _, nil, _) = e.kind, a.isEmpty, ["window_start", "window_end"].contains(n.lowercased()) {
            guard windowed else { throw refuse("\(n.lowercased())() outside a window", e.range) }
            return n.lowercased()  // Flink's window bounds are TIMESTAMP(3) in the local (UTC) zone
        }
        if isText(e) {
            return "CAST(TO_TIMESTAMP_LTZ(" + FlinkTranslator.isoMillis(try expr(e)) + ", 3) AS TIMESTAMP(3))"
        }
        if isNumber(e) {
            // As Value.epochNanos: the number as a double, scaled to nanoseconds by its size (one double
            // multiplication, cut to an integer), NULL beyond what Int64 holds; then milliseconds, rounded down.
            let d = "CAST(" + (try expr(e)) + " AS DOUBLE)"
            let nsd = "(\(d) * CASE WHEN ABS(\(d)) < 1E11 THEN 1E9 WHEN ABS(\(d)) < 1E14 THEN 1E6 WHEN ABS(\(d)) < 1E17 THEN 1E3 ELSE 1E0 END)"
            let ns = "CAST(\(nsd) AS BIGINT)"
            let ms = "CAST((\(ns) - MOD(MOD(\(ns), 1000000) + 1000000, 1000000)) / 1000000 AS BIGINT)"
            return "CAST(TO_TIMESTAMP_LTZ(CASE WHEN ABS(\(nsd)) < 9.2E18 THEN \(ms) END, 3) AS TIMESTAMP(3))"
        }
        throw refuse("\(name)(…) of a value that is not ISO-8601 text, an epoch number or window_start()/window_end()", e.range)
    }

    /// Whether `e` is a number for sure: a numeric literal or a BIGINT or DOUBLE field.
    func isNumber(_ e: Expr) -> Bool {
        switch e.kind {
        case .literal(.int), .literal(.double): return true
        case .name(let n, _): return fieldTypes[n] == .bigint || fieldTypes[n] == .double
        default: return false
        }
    }

    /// `date_format(t, 'pattern')` as Flink's DATE_FORMAT with the pattern in Java's letters: ours `YYYY` is
    /// Java's `yyyy` (Java's is the week year), `DD` is `dd` (Java's is the day of the year), `hh` is `HH` (Java's
    /// is the 12-hour clock), `mi` is `mm`; every other character is quoted, as Java reads letters as fields.
    mutating func dateFormat(_ e: Expr, _ t: Expr, _ pattern: Expr) throws(StreamSQLError) -> String {
        guard case .literal(.string(let p)) = pattern.kind else {
            throw refuse("date_format with a pattern that is not literal text", pattern.range)
        }
        var java = "", quoted = ""
        func flush() {
            if !quoted.isEmpty { java += "'" + quoted.replacingOccurrences(of: "'", with: "''") + "'" }
            quoted = ""
        }
        for piece in DateFormatPattern.pieces(p) {
            switch piece {
            case .literal(let c): quoted.append(c)
            case .field(let f):
                flush()
                switch f {
                case .year4: java += "yyyy"
                case .year2: java += "yy"
                case .month: java += "MM"
                case .day: java += "dd"
                case .hour: java += "HH"
                case .minute: java += "mm"
                case .second: java += "ss"
                case .millis: java += "SSS"
                }
            }
        }
        flush()
        return "DATE_FORMAT(" + (try timestamp(t, for: "date_format")) + ", " + literal(.string(java)) + ")"
    }
}
