/// Arithmetic on nanosecond times that never traps: Swift stops the process on Int64 overflow, and an
/// event time is outside data. Windows accept only times whose window bounds fit (see
/// `WindowCore.eventTime(of:_:accepting:)`); the watermark and processing-time steps saturate.
enum TimeMath {
    /// `a + b`, clamped to Int64's range.
    @inline(__always) static func add(_ a: Int64, _ b: Int64) -> Int64 {
        let (r, o) = a.addingReportingOverflow(b)
        return o ? (b > 0 ? .max : .min) : r
    }

    /// `a - b`, clamped to Int64's range.
    @inline(__always) static func sub(_ a: Int64, _ b: Int64) -> Int64 {
        let (r, o) = a.subtractingReportingOverflow(b)
        return o ? (b > 0 ? .min : .max) : r
    }

    /// ⌊a / b⌋ for b > 0, for every a (negating Int64.min would trap).
    @inline(__always) static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return a % b != 0 && a < 0 ? q - 1 : q
    }

    /// The sum of non-negative `parts`, or nil when it does not fit.
    static func sum(_ parts: Int64...) -> Int64? {
        var total: Int64 = 0
        for p in parts {
            let (r, o) = total.addingReportingOverflow(p)
            if o { return nil }
            total = r
        }
        return total
    }
}
