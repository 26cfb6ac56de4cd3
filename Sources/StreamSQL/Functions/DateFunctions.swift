import Foundation

/// Date and time functions. Inputs may be timestamps, date-time strings (ISO-8601 or
/// `YYYY-MM-DD HH:MM:SS`, or a bare date) or epoch numbers; results that are points in time are
/// `YYYY-MM-DD HH:MM:SS` strings in UTC, as the reference returns them.
enum DateFunctions {
    static func f(_ name: String, _ aliases: [String] = [], _ args: ClosedRange<Int>, _ sig: String, _ summary: String,
                  deterministic: Bool = true, _ impl: ScalarImpl) -> FunctionInfo {
        FunctionInfo(name, aliases: aliases, category: "datetime", args: args, signature: sig, summary: summary,
                     deterministic: deterministic, impl: impl)
    }

    static func part(_ pick: @escaping @Sendable (TimeFormat.Parts, Int64) -> Int64) -> ScalarImpl {
        .unary { v in
            guard let ns = v.asTimestamp else { return .null }
            return .int(pick(TimeFormat.parts(nanos: ns), ns))
        }
    }

    static func dayOfWeek(_ ns: Int64) -> Int64 {  // Monday = 1 … Sunday = 7
        let days = TimeFormat.floorDivMod(TimeFormat.floorDivMod(ns, 1_000_000_000).0, 86400).0
        let w = (days + 3) % 7  // 1970-01-01 was a Thursday (index 3 with Monday = 0)
        return (w < 0 ? w + 7 : w) + 1
    }

    static func dayOfYear(_ p: TimeFormat.Parts) -> Int64 {
        TimeFormat.daysFromCivil(p.year, p.month, p.day) - TimeFormat.daysFromCivil(p.year, 1, 1) + 1
    }

    /// Adds `n` units to a time; months and years clamp the day to the month's end. Nil for an unknown
    /// unit, and (noted as a fault) for a time Int64 nanoseconds cannot hold.
    static func add(_ ns: Int64, _ n: Int64, _ unit: String) -> Int64? {
        func beyond() -> Int64? { FunctionFaults.note(TimeParse.outOfRangeReason); return nil }
        var u = unit.lowercased()
        if u.hasSuffix("s") && u.count > 2 { u.removeLast() }
        switch u {
        case "year", "yy", "yyyy", "month", "mon", "mm", "quarter", "qq":
            // Checked: a count no time can reach gives NULL, never a trap.
            let (months, o1) = n.multipliedReportingOverflow(by: u.hasPrefix("y") ? 12 : (u.hasPrefix("q") ? 3 : 1))
            var p = TimeFormat.parts(nanos: ns)
            let (total, o2) = (p.year * 12 + (p.month - 1)).addingReportingOverflow(months)
            guard !o1, !o2, abs(total) < 1 << 40 else { return beyond() }
            p.year = total >= 0 ? total / 12 : (total - 11) / 12
            p.month = total - p.year * 12 + 1
            p.day = min(p.day, TimeParse.daysIn(month: p.month, year: p.year))
            return TimeFormat.nanos(from: p) ?? beyond()
        default:
            guard let mult = unitNanos(u) else { return nil }
            let (r, o) = n.multipliedReportingOverflow(by: mult)
            guard !o else { return beyond() }
            let (s, o2) = ns.addingReportingOverflow(r)
            return o2 ? beyond() : s
        }
    }

    static func unitNanos(_ u: String) -> Int64? {
        switch u {
        case "week", "wk", "ww": return 7 * 86_400_000_000_000
        case "day", "dd", "d": return 86_400_000_000_000
        case "hour", "hh", "h": return 3_600_000_000_000
        case "minute", "mi", "n", "min": return 60_000_000_000
        case "second", "ss", "s", "sec": return 1_000_000_000
        case "millisecond", "ms": return 1_000_000
        case "microsecond", "us": return 1_000
        case "nanosecond", "ns": return 1
        default: return nil
        }
    }

    /// Formats with tokens YYYY, YY, MM, DD, HH, hh, mm, ss, SSS (also accepts %Y %m %d %H %M %S): see
    /// `DateFormatPattern`.
    static func format(_ ns: Int64, _ pattern: String) -> String {
        let p = TimeFormat.parts(nanos: ns)
        let pad = TimeFormat.pad
        var out = ""
        for piece in DateFormatPattern.pieces(pattern) {
            switch piece {
            case .literal(let c): out.append(c)
            case .field(.year4): out += pad(p.year, 4)
            case .field(.year2): out += pad(p.year % 100, 2)
            case .field(.month): out += pad(p.month, 2)
            case .field(.day): out += pad(p.day, 2)
            case .field(.hour): out += pad(p.hour, 2)
            case .field(.minute): out += pad(p.minute, 2)
            case .field(.second): out += pad(p.second, 2)
            case .field(.millis): out += pad(p.nanos / 1_000_000, 3)
            }
        }
        return out
    }

    /// Parses text laid out as `pattern` (same tokens as `format`).
    static func parse(_ text: String, _ pattern: String) -> Int64? {
        var p = TimeFormat.Parts(year: 1970, month: 1, day: 1, hour: 0, minute: 0, second: 0, nanos: 0)
        var t = Substring(text), f = Substring(pattern)
        func take(_ n: Int) -> Int64? {
            let d = t.prefix(n)
            guard d.count == n, let v = Int64(d) else { return nil }
            t = t.dropFirst(n)
            return v
        }
        let fields: [(String, Int, WritableKeyPath<TimeFormat.Parts, Int64>)] = [
            ("YYYY", 4, \.year), ("yyyy", 4, \.year), ("%Y", 4, \.year), ("MM", 2, \.month), ("%m", 2, \.month),
            ("DD", 2, \.day), ("dd", 2, \.day), ("%d", 2, \.day), ("HH", 2, \.hour), ("hh", 2, \.hour), ("%H", 2, \.hour),
            ("mm", 2, \.minute), ("mi", 2, \.minute), ("%M", 2, \.minute), ("ss", 2, \.second), ("%S", 2, \.second),
        ]
        outer: while !f.isEmpty {
            for (tok, n, kp) in fields where f.hasPrefix(tok) {
                guard let v = take(n) else { return nil }
                p[keyPath: kp] = v
                f = f.dropFirst(tok.count)
                continue outer
            }
            guard t.first == f.first else { return nil }
            t = t.dropFirst(); f = f.dropFirst()
        }
        guard t.isEmpty, (1...12).contains(p.month), p.day >= 1, p.day <= TimeParse.daysIn(month: p.month, year: p.year),
              p.hour < 24, p.minute < 60, p.second < 61 else { return nil }
        guard let t = TimeFormat.nanos(from: p) else { FunctionFaults.note(TimeParse.outOfRangeReason); return nil }
        return t
    }

    /// Seconds east of UTC for a zone at an instant: an IANA name (daylight saving applied) or ±HH:MM.
    static func zoneOffset(_ zone: String, at ns: Int64) -> Int64? {
        let z = zone.trimmingSpaces()
        if z.uppercased() == "UTC" || z.uppercased() == "Z" { return 0 }
        if let sign = z.first, sign == "+" || sign == "-" {
            let parts = z.dropFirst().split(separator: ":")
            guard let h = Int64(parts.first ?? ""), (0...18).contains(h) else { return nil }
            let m = parts.count > 1 ? (Int64(parts[1]) ?? 0) : 0
            guard (0..<60).contains(m) else { return nil }
            return (h * 3600 + m * 60) * (sign == "-" ? -1 : 1)
        }
        guard let tz = TimeZone(identifier: z) else { return nil }
        return Int64(tz.secondsFromGMT(for: Date(timeIntervalSince1970: Double(ns) / 1e9)))
    }

    static func nowNanos() -> Int64 { Int64(Date().timeIntervalSince1970 * 1e9) }

    static func text(_ ns: Int64?) -> Value { ns.map { .string(TimeFormat.sqlDateTime(nanos: $0)) } ?? .null }

    static let all: [FunctionInfo] = [
        f("now", ["current_timestamp"], 0...0, "now()", "The current time (wall clock, UTC) as a timestamp", deterministic: false,
          .nullary { .timestamp(nowNanos()) }),
        f("current_time", [], 0...0, "current_time()", "The current time of day, HH:MM:SS (UTC)", deterministic: false,
          .nullary { .string(String(TimeFormat.sqlDateTime(nanos: nowNanos()).suffix(8))) }),
        f("current_date", [], 0...0, "current_date()", "Today's date, YYYY-MM-DD (UTC)", deterministic: false,
          .nullary { .string(String(TimeFormat.sqlDateTime(nanos: nowNanos()).prefix(10))) }),
        f("year", [], 1...1, "year(t)", "Year of a date-time", part { p, _ in p.year }),
        f("month", [], 1...1, "month(t)", "Month 1-12", part { p, _ in p.month }),
        f("day", ["dayofmonth"], 1...1, "day(t)", "Day of the month 1-31", part { p, _ in p.day }),
        f("hour", [], 1...1, "hour(t)", "Hour 0-23", part { p, _ in p.hour }),
        f("minute", [], 1...1, "minute(t)", "Minute 0-59", part { p, _ in p.minute }),
        f("second", [], 1...1, "second(t)", "Second 0-59", part { p, _ in p.second }),
        f("dayofweek", [], 1...1, "dayofweek(t)", "Day of the week, Monday = 1 … Sunday = 7", part { _, ns in dayOfWeek(ns) }),
        f("dayofyear", [], 1...1, "dayofyear(t)", "Day of the year 1-366", part { p, _ in dayOfYear(p) }),
        f("week", ["weekofyear"], 1...1, "week(t)", "ISO week of the year 1-53", part { p, ns in
            let doy = dayOfYear(p), dow = dayOfWeek(ns)
            let w = (doy - dow + 10) / 7
            if w < 1 { return 52 }
            return w
        }),
        f("extract", [], 2...2, "extract(unit, t)", "One part of a date-time: year, month, day, hour, minute, second, dayofweek, dayofyear", .binary { u, v in
            guard let unit = Fn.str(u), let ns = v.asTimestamp else { return .null }
            let p = TimeFormat.parts(nanos: ns)
            switch unit.lowercased() {
            case "year": return .int(p.year)
            case "month": return .int(p.month)
            case "day": return .int(p.day)
            case "hour": return .int(p.hour)
            case "minute": return .int(p.minute)
            case "second": return .int(p.second)
            case "dayofweek", "dow": return .int(dayOfWeek(ns))
            case "dayofyear", "doy": return .int(dayOfYear(p))
            default: return .null
            }
        }),
        f("date_add", ["dateadd"], 3...3, "date_add(t, n, unit)", "t plus n units (year, month, week, day, hour, minute, second; plurals too)", .ternary { t, n, u in
            guard let ns = t.asTimestamp, let k = Fn.int(n), let unit = Fn.str(u) else { return .null }
            return text(add(ns, k, unit))
        }),
        f("date_sub", ["datesub"], 3...3, "date_sub(t, n, unit)", "t minus n units", .ternary { t, n, u in
            guard let ns = t.asTimestamp, let k = Fn.int(n), let unit = Fn.str(u) else { return .null }
            guard k != Int64.min else { FunctionFaults.note(TimeParse.outOfRangeReason); return .null }
            return text(add(ns, -k, unit))
        }),
        f("date_diff", ["datediff"], 3...3, "date_diff(end, start, unit)", "Whole units from start to end (end - start)", .ternary { e, s, u in
            guard let a = e.asTimestamp, let b = s.asTimestamp, let unit = Fn.str(u) else { return .null }
            var un = unit.lowercased()
            if un.hasSuffix("s") && un.count > 2 { un.removeLast() }
            switch un {
            case "year", "month":
                let pa = TimeFormat.parts(nanos: a), pb = TimeFormat.parts(nanos: b)
                let months = (pa.year - pb.year) * 12 + (pa.month - pb.month)
                return .int(un == "year" ? months / 12 : months)
            default:
                guard let m = unitNanos(un) else { return .null }
                // Times more than 292 years apart differ by more than Int64 nanoseconds hold: divide first.
                let (d, o) = a.subtractingReportingOverflow(b)
                if !o { return .int(d / m) }
                let (whole, o2) = (a / m).subtractingReportingOverflow(b / m)
                guard !o2 else { FunctionFaults.note("date_diff result out of range"); return .null }
                return .int(whole + (a % m - b % m) / m)
            }
        }),
        f("date_format", [], 2...2, "date_format(t, pattern)", "Format a date-time with YYYY, MM, DD, HH, mm, ss", .binary { t, p in
            guard let ns = t.asTimestamp, let pat = Fn.str(p) else { return .null }
            return .string(format(ns, pat))
        }),
        f("date_parse", ["str_to_date"], 2...2, "date_parse(s, pattern)", "Read a date-time laid out as pattern; NULL when it does not fit", .binary { s, p in
            guard let str = Fn.str(s), let pat = Fn.str(p) else { return .null }
            return text(parse(str, pat))
        }),
        f("from_unixtime", [], 1...1, "from_unixtime(seconds)", "Date-time text (UTC) of epoch seconds", .unary { v in
            guard let d = Fn.num(v) else { return .null }
            // Beyond ±9.2e9 s (and ±∞, NaN) no Int64 nanosecond time holds it.
            guard abs(d) < 9.2e9 else { FunctionFaults.note(TimeParse.outOfRangeReason); return .null }
            return text(Int64(d * 1e9))
        }),
        f("unix_timestamp", ["to_unixtime"], 0...1, "unix_timestamp([t])", "Epoch seconds of t (or of now)", deterministic: false, .variadic { a in
            if a.isEmpty { return .int(nowNanos() / 1_000_000_000) }
            return a[0].asTimestamp.map { .int($0 / 1_000_000_000) } ?? .null
        }),
        f("convert_tz", [], 2...2, "convert_tz(t, 'Area/City')", "The date-time t (UTC) as local time in a time zone (IANA name or ±HH:MM)", .binary { t, z in
            guard let ns = t.asTimestamp, let zone = Fn.str(z), let offset = zoneOffset(zone, at: ns) else { return .null }
            let (local, o) = ns.addingReportingOverflow(offset * 1_000_000_000)
            guard !o else { FunctionFaults.note(TimeParse.outOfRangeReason); return .null }
            return text(local)
        }),
        f("to_timestamp", [], 1...1, "to_timestamp(x)", "A timestamp from text or an epoch number", .unary { v in
            v.asTimestamp.map(Value.timestamp) ?? .null
        }),
    ]
}
