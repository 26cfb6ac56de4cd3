/// Calendar arithmetic on nanosecond timestamps without Foundation's formatters (fast, and the same on
/// every platform). Civil-date conversions follow Howard Hinnant's public-domain algorithms.
public enum TimeFormat {
    public static let nanosPerSecond: Int64 = 1_000_000_000

    /// Days since 1970-01-01 for a proleptic Gregorian date.
    public static func daysFromCivil(_ y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (m + 9) % 12
        let doy = (153 * mp + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    /// (year, month 1-12, day 1-31) for days since the epoch.
    public static func civilFromDays(_ z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    public struct Parts: Sendable {
        public var year, month, day, hour, minute, second: Int64
        public var nanos: Int64
    }

    public static func parts(nanos: Int64) -> Parts {
        // Floor division without `nanos - nanosPerSecond`, which overflows near Int64.min.
        let (q, r) = nanos.quotientAndRemainder(dividingBy: nanosPerSecond)
        let secs = r < 0 ? q - 1 : q
        let frac = r < 0 ? r + nanosPerSecond : r
        let days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400
        let rem = secs - days * 86400
        let (y, m, d) = civilFromDays(days)
        return Parts(year: y, month: m, day: d, hour: rem / 3600, minute: (rem % 3600) / 60, second: rem % 60, nanos: frac)
    }

    /// The time of `parts`, or nil outside what Int64 nanoseconds hold (1677-09-21 to 2262-04-11): such a
    /// time is never wrapped into another date.
    public static func nanos(from p: Parts) -> Int64? {
        // The year bound keeps the day arithmetic below far from overflow; the checked steps decide the edges.
        guard p.year > 1600, p.year < 2300, abs(p.hour) < 1 << 20, abs(p.minute) < 1 << 20, abs(p.second) < 1 << 30 else { return nil }
        let days = daysFromCivil(p.year, p.month, p.day)
        let seconds = days * 86400 + p.hour * 3600 + p.minute * 60 + p.second
        let (scaled, o1) = seconds.multipliedReportingOverflow(by: nanosPerSecond)
        let (total, o2) = scaled.addingReportingOverflow(p.nanos)
        return o1 || o2 ? nil : total
    }

    static func pad(_ v: Int64, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    /// `2024-01-15T10:30:00Z`, with fractional seconds only when present.
    public static func iso8601(nanos: Int64) -> String {
        let p = parts(nanos: nanos)
        var s = "\(pad(p.year, 4))-\(pad(p.month, 2))-\(pad(p.day, 2))T\(pad(p.hour, 2)):\(pad(p.minute, 2)):\(pad(p.second, 2))"
        if p.nanos != 0 {
            var f = pad(p.nanos, 9)
            while f.hasSuffix("0") { f.removeLast() }
            s += "." + f
        }
        return s + "Z"
    }

    /// `2024-01-15 10:30:00`: the reference's default date-time text.
    public static func sqlDateTime(nanos: Int64) -> String {
        let p = parts(nanos: nanos)
        return "\(pad(p.year, 4))-\(pad(p.month, 2))-\(pad(p.day, 2)) \(pad(p.hour, 2)):\(pad(p.minute, 2)):\(pad(p.second, 2))"
    }
}

/// Parsing of date-time text: ISO-8601 (`2024-01-15T10:30:00.123Z`, `+08:00` offsets),
/// the SQL form with a space, and a bare date. Returns nanoseconds since the epoch, UTC.
public enum TimeParse {
    /// A time value in nanoseconds since the epoch: ISO-8601 text, or a number of milliseconds (as
    /// `recent_count` and file replays read times).
    public static func nanos(_ v: Value) -> Int64? {
        switch v {
        case .string(let s): return parse(s)
        case .int(let ms): let (r, o) = ms.multipliedReportingOverflow(by: 1_000_000); return o ? nil : r
        case .double(let ms) where ms.isFinite && abs(ms) < 9e12: return Int64(ms * 1_000_000)
        case .timestamp(let ns): return ns
        default: return nil
        }
    }

    public static func parse(_ text: String) -> Int64? {
        var s = text.utf8[...]
        func digits(_ n: Int) -> Int64? {
            var v: Int64 = 0
            for _ in 0..<n {
                guard let c = s.first, c >= 48, c <= 57 else { return nil }
                v = v * 10 + Int64(c - 48)
                s = s.dropFirst()
            }
            return v
        }
        func eat(_ c: UInt8) -> Bool {
            if s.first == c { s = s.dropFirst(); return true }
            return false
        }
        while s.first == 32 { s = s.dropFirst() }
        guard let y = digits(4), eat(45), let mo = digits(2), eat(45), let d = digits(2) else { return nil }
        guard (1...12).contains(mo), d >= 1, d <= daysIn(month: mo, year: y) else { return nil }
        var p = TimeFormat.Parts(year: y, month: mo, day: d, hour: 0, minute: 0, second: 0, nanos: 0)
        var offset: Int64 = 0
        if eat(84) || eat(116) || eat(32) {  // T, t or space
            guard let h = digits(2), eat(58), let mi = digits(2) else { return nil }
            guard h < 24, mi < 60 else { return nil }
            p.hour = h; p.minute = mi
            if eat(58) {
                guard let sec = digits(2), sec < 61 else { return nil }
                p.second = sec
                if eat(46) || eat(44) {
                    var frac: Int64 = 0, n = 0
                    while let c = s.first, c >= 48, c <= 57 {
                        if n < 9 { frac = frac * 10 + Int64(c - 48); n += 1 }
                        s = s.dropFirst()
                    }
                    guard n > 0 else { return nil }
                    while n < 9 { frac *= 10; n += 1 }
                    p.nanos = frac
                }
            }
            while s.first == 32 { s = s.dropFirst() }
            if eat(90) || eat(122) {  // Z
            } else if let sign = s.first, sign == 43 || sign == 45 {
                s = s.dropFirst()
                guard let oh = digits(2) else { return nil }
                _ = eat(58)
                let om = digits(2) ?? 0
                offset = (oh * 3600 + om * 60) * (sign == 45 ? -1 : 1)
            }
        }
        while s.first == 32 { s = s.dropFirst() }
        guard s.isEmpty else { return nil }
        guard let local = TimeFormat.nanos(from: p) else { return nil }
        let (t, o) = local.subtractingReportingOverflow(offset * TimeFormat.nanosPerSecond)
        return o ? nil : t
    }

    public static func isLeap(_ y: Int64) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    public static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
