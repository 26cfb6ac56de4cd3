/// A value's text (what `description` gives: strings bare, containers as JSON, integral doubles without a
/// fraction) appended as UTF-8 bytes, with the JSON writer's number formatting: one formatter for every
/// writer (JSON Lines, CSV, table cells), none of them through Foundation.
extension Value {
    public func writeText(into out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .int(let i): JSONWriter.writeInt(i, into: &out)
        case .double(let d): Value.writeText(double: d, into: &out)
        case .string(let s):
            var s = s
            s.withUTF8 { out.append(contentsOf: $0) }
        case .timestamp(let ns): out.append(contentsOf: TimeFormat.iso8601(nanos: ns).utf8)
        case .array, .object: JSONWriter.write(self, into: &out)
        }
    }

    /// `formatDouble`'s text: NaN, +Inf, -Inf; an integral magnitude under 10^15 as an integer (-0 as 0);
    /// anything else the shortest digits that read back as `d`, as `String(d)` spells them.
    public static func writeText(double d: Double, into out: inout [UInt8]) {
        if d.isNaN { out.append(contentsOf: "NaN".utf8); return }
        if d.isInfinite { out.append(contentsOf: (d > 0 ? "+Inf" : "-Inf").utf8); return }
        if d == d.rounded(), d.magnitude < 1e15 {
            JSONWriter.writeInt(Int64(d), into: &out)   // Safe: |d| < 10^15 fits
            return
        }
        JSONWriter.writeDouble(d, into: &out)
    }
}
