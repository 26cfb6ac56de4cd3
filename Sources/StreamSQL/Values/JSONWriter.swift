import OrderedCollections

/// Writes values as compact JSON. Keys keep their order (a result row's keys follow the SELECT list);
/// NaN and ±infinity, which JSON cannot express, are written as `null`; timestamps as ISO-8601 strings.
public enum JSONWriter {
    public static func string(_ v: Value) -> String {
        var out: [UInt8] = []
        write(v, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    public static func string(object: OrderedDictionary<String, Value>) -> String {
        var out: [UInt8] = []
        write(object: object, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    public static func write(object: OrderedDictionary<String, Value>, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        var first = true
        for (k, v) in object {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            writeString(k, into: &out)
            out.append(UInt8(ascii: ":"))
            write(v, into: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    public static func write(_ v: Value, into out: inout [UInt8]) {
        switch v {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .int(let i): writeInt(i, into: &out)
        case .double(let d):
            if d.isFinite { writeDouble(d, into: &out) } else { out.append(contentsOf: "null".utf8) }
        case .string(let s): writeString(s, into: &out)
        case .timestamp(let ns): writeString(TimeFormat.iso8601(nanos: ns), into: &out)
        case .array(let a):
            out.append(UInt8(ascii: "["))
            for (i, e) in a.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                write(e, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let o): write(object: o, into: &out)
        }
    }

    static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// Decimal digits of `i`, as `String(i)` spells them, without making a String.
    public static func writeInt(_ i: Int64, into out: inout [UInt8]) {
        if i < 0 { out.append(UInt8(ascii: "-")) }
        // The magnitude as unsigned, so that Int64.min needs no special case.
        var m = i.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)   // 24 bytes: room for 20 digits
        var n = 0
        withUnsafeMutableBytes(of: &digits) { d in
            repeat {
                d[23 - n] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: m % 10)
                m /= 10
                n += 1
            } while m > 0
            // A typed buffer, so that the append is a copy of n bytes, not a generic walk of a slice.
            out.append(contentsOf: UnsafeBufferPointer(start: d.baseAddress!.assumingMemoryBound(to: UInt8.self) + (24 - n), count: n))
        }
    }

    static let pow10: [Double] = [1, 10, 100, 1e3, 1e4, 1e5, 1e6]
    static let ipow10: [UInt64] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000]

    /// A finite double as `String(d)` spells it (the shortest digits that read back as `d`), without
    /// making a String for the common case: a magnitude in [0.001, 1e15) with at most six decimals. The
    /// fewest decimals k for which m = d·10^k rounded gives back d (m / 10^k, both exact, is correctly
    /// rounded, so the k-decimal text reads back as d) are the shortest digits, and below 2^50 no other
    /// number with k decimals reads back as d. Anything else goes through `String(d)`.
    public static func writeDouble(_ d: Double, into out: inout [UInt8]) {
        let a = d.magnitude
        if a >= 0.001 && a < 1e15 {
            for k in 0..<pow10.count {
                let m = (a * pow10[k]).rounded()
                guard m < 1_125_899_906_842_624 else { break }   // 2^50
                if m / pow10[k] == a {
                    let n = UInt64(m)
                    if d < 0 { out.append(UInt8(ascii: "-")) }
                    writeInt(Int64(n / ipow10[k]), into: &out)
                    out.append(UInt8(ascii: "."))
                    if k == 0 { out.append(UInt8(ascii: "0")); return }
                    var f = n % ipow10[k]
                    var digits: (UInt64, UInt64) = (0, 0)
                    withUnsafeMutableBytes(of: &digits) { b in
                        for j in stride(from: k - 1, through: 0, by: -1) {
                            b[j] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: f % 10)
                            f /= 10
                        }
                        out.append(contentsOf: UnsafeBufferPointer(start: b.baseAddress!.assumingMemoryBound(to: UInt8.self), count: k))
                    }
                    return
                }
            }
        }
        out.append(contentsOf: String(d).utf8)
    }

    public static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Most strings need no escape: copy them whole.
        var s = s
        let plain = s.withUTF8 { b -> Bool in
            for c in b where c < 0x20 || c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") { return false }
            out.append(contentsOf: b)
            return true
        }
        if plain {
            out.append(UInt8(ascii: "\""))
            return
        }
        for c in s.utf8 {
            switch c {
            case UInt8(ascii: "\""): out.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): out.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0..<0x20:
                out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(c >> 4)], hex[Int(c & 15)]])
            default: out.append(c)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
