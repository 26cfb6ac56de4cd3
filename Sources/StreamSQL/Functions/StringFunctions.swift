import Foundation

enum StringFunctions {
    static func f(_ name: String, _ aliases: [String] = [], _ args: ClosedRange<Int>, variadic: Bool = false,
                  _ sig: String, _ summary: String, _ impl: ScalarImpl) -> FunctionInfo {
        FunctionInfo(name, aliases: aliases, category: "string", args: args, variadic: variadic, signature: sig,
                     summary: summary, impl: impl)
    }

    static func str1(_ op: @escaping @Sendable (String) -> Value) -> ScalarImpl {
        .unary { v in Fn.text(v).map(op) ?? .null }
    }

    static func str2(_ op: @escaping @Sendable (String, String) -> Value) -> ScalarImpl {
        .binary { a, b in
            guard let x = Fn.text(a), let y = Fn.text(b) else { return .null }
            return op(x, y)
        }
    }

    /// `format(x, '0.00')`: fixed decimals from the pattern; `#,##0` groups thousands.
    static func format(_ x: Double, _ pattern: String) -> String {
        let decimals: Int
        if let dot = pattern.firstIndex(of: ".") {
            decimals = pattern[pattern.index(after: dot)...].filter { $0 == "0" || $0 == "#" }.count
        } else if let n = Int(pattern) {
            decimals = max(0, min(n, 15))
        } else {
            decimals = 0
        }
        var s = String(format: "%.\(decimals)f", x)
        if pattern.contains(",") {
            let neg = s.hasPrefix("-")
            if neg { s.removeFirst() }
            let parts = s.split(separator: ".", maxSplits: 1)
            var intPart = String(parts[0])
            var grouped = ""
            while intPart.count > 3 {
                grouped = "," + intPart.suffix(3) + grouped
                intPart = String(intPart.dropLast(3))
            }
            s = (neg ? "-" : "") + intPart + grouped + (parts.count > 1 ? "." + parts[1] : "")
        }
        return s
    }

    /// The length of a text as `count` measures it; of an array or object, its number of elements.
    static func length(_ v: Value, _ count: (String) -> Int) -> Value {
        switch v {
        case .array(let a): return .int(Int64(a.count))
        case .object(let o): return .int(Int64(o.count))
        default: return Fn.text(v).map { .int(Int64(count($0))) } ?? .null
        }
    }

    /// A built string, or NULL (counted) past `FunctionFaults.maxResultBytes`.
    static func capped(_ s: String) -> Value {
        guard s.utf8.count <= FunctionFaults.maxResultBytes else { return oversize() }
        return .string(s)
    }

    /// The NULL of a result that would pass `FunctionFaults.maxResultBytes`, counted.
    static func oversize() -> Value {
        FunctionFaults.note("result over 10 MB")
        return .null
    }

    /// Pads to `n` characters in one pass over the fill (linear); a result over 10 MB is NULL and counted.
    static func pad(_ a: [Value], left: Bool) -> Value {
        guard let s = Fn.text(a[0]), let n = Fn.int(a[1]) else { return .null }
        let fill = a.count > 2 ? (Fn.text(a[2]) ?? " ") : " "
        let count = s.count
        if n <= Int64(count) { return .string(String(s.prefix(Int(max(0, n))))) }
        guard !fill.isEmpty else { return .string(s) }
        let need = n - Int64(count)
        let fillChars = Array(fill)
        guard need <= Int64(FunctionFaults.maxResultBytes) else { return oversize() }
        var padding = ""
        padding.reserveCapacity(Int(need) * 4)
        var k = 0
        for _ in 0..<Int(need) {
            padding.append(fillChars[k])
            k += 1
            if k == fillChars.count { k = 0 }
        }
        return capped(left ? padding + s : s + padding)
    }

    static let all: [FunctionInfo] = [
        f("concat", [], 1...1, variadic: true, "concat(a, b, …)", "Join values as text; NULL arguments are skipped", .variadic { a in
            var s = ""
            for v in a where !v.isNull {
                guard let t = Fn.text(v) else { return .null }
                s += t
                if s.utf8.count > FunctionFaults.maxResultBytes { return oversize() }
            }
            return .string(s)
        }),
        // `length` counts UTF-8 bytes as the reference does (Go's len); `char_length` counts characters.
        f("length", ["len", "octet_length"], 1...1, "length(s)", "Number of bytes of the UTF-8 text (as the reference); of an array or object, its number of elements", .unary { length($0) { $0.utf8.count } }),
        f("char_length", ["character_length"], 1...1, "char_length(s)", "Number of characters; of an array or object, its number of elements", .unary { length($0) { $0.count } }),
        f("upper", ["ucase"], 1...1, "upper(s)", "Upper case", str1 { .string($0.uppercased()) }),
        f("lower", ["lcase"], 1...1, "lower(s)", "Lower case", str1 { .string($0.lowercased()) }),
        f("trim", [], 1...1, "trim(s)", "Remove leading and trailing white space", str1 { .string($0.trimmingCharacters(in: .whitespacesAndNewlines)) }),
        f("ltrim", [], 1...1, "ltrim(s)", "Remove leading white space", str1 { .string(String($0.drop(while: { $0.isWhitespace }))) }),
        f("rtrim", [], 1...1, "rtrim(s)", "Remove trailing white space", str1 { s in
            var t = Substring(s)
            while let l = t.last, l.isWhitespace { t.removeLast() }
            return .string(String(t))
        }),
        f("format", [], 2...2, "format(x, pattern)", "Format a number: '0.00' gives two decimals, '#,##0' groups thousands", .binary { a, b in
            guard let x = Fn.num(a), let p = Fn.text(b) else { return .null }
            return .string(format(x, p))
        }),
        f("endswith", ["ends_with"], 2...2, "endswith(s, suffix)", "Whether s ends with suffix", str2 { .bool($0.hasSuffix($1)) }),
        f("startswith", ["starts_with"], 2...2, "startswith(s, prefix)", "Whether s starts with prefix", str2 { .bool($0.hasPrefix($1)) }),
        f("indexof", ["index_of"], 2...2, "indexof(s, sub)", "0-based position of sub in s, -1 if absent", str2 { s, sub in
            guard let r = s.range(of: sub) else { return .int(-1) }
            return .int(Int64(s.distance(from: s.startIndex, to: r.lowerBound)))
        }),
        f("substring", ["substr"], 2...3, "substring(s, start [, length])", "Characters from a 0-based start (negative counts from the end)", .variadic { a in
            guard let s = Fn.text(a[0]), let st = Fn.int(a[1]) else { return .null }
            let chars = Array(s)
            var start = Int(max(-Int64(Int32.max), min(st, Int64(Int32.max))))
            if start < 0 { start = max(0, chars.count + start) }
            guard start < chars.count else { return .string("") }
            var end = chars.count
            if a.count > 2 {
                guard let n = Fn.int(a[2]) else { return .null }
                if n < 0 { return .string("") }
                end = min(chars.count, start + Int(min(n, Int64(Int32.max))))
            }
            return .string(String(chars[start..<end]))
        }),
        f("replace", [], 3...3, "replace(s, from, to)", "Replace every occurrence of from with to", .ternary { a, b, c in
            guard let s = Fn.text(a), let x = Fn.text(b), let y = Fn.text(c) else { return .null }
            if x.isEmpty { return .string(s) }
            return .string(s.replacingOccurrences(of: x, with: y))
        }),
        f("split", ["split_to_array", "string_split"], 2...2, "split(s, sep)", "Split s at sep into an array of strings", str2 { s, sep in
            if sep.isEmpty { return .array(s.map { .string(String($0)) }) }
            return .array(s.components(separatedBy: sep).map { .string($0) })
        }),
        f("lpad", [], 2...3, "lpad(s, n [, fill])", "Pad s on the left to n characters (a result over 10 MB is NULL)", .variadic { pad($0, left: true) }),
        f("rpad", [], 2...3, "rpad(s, n [, fill])", "Pad s on the right to n characters (a result over 10 MB is NULL)", .variadic { pad($0, left: false) }),
        f("regexp_matches", ["regexp_like"], 2...2, "regexp_matches(s, pattern)", "Whether s contains a match of the regular expression (RE2 syntax, linear time)", str2 { s, p in
            guard let re = RegexCache.shared.get(p) else { return .null }
            return .bool(re.matches(s))
        }),
        f("regexp_replace", [], 3...3, "regexp_replace(s, pattern, replacement)", "Replace every match ($1 or ${name} refers to a group; result at most 10 MB)", .ternary { a, b, c in
            guard let s = Fn.text(a), let p = Fn.text(b), let r = Fn.text(c), let re = RegexCache.shared.get(p) else { return .null }
            return capped(re.replaceAll(s, with: r))
        }),
        f("regexp_substring", ["regexp_extract"], 2...2, "regexp_substring(s, pattern)", "The first match of the regular expression, or NULL", str2 { s, p in
            guard let re = RegexCache.shared.get(p), let m = re.firstMatch(s) else { return .null }
            return .string(m)
        }),
        f("regexp_count", [], 2...2, "regexp_count(s, pattern)", "Number of non-overlapping matches", str2 { s, p in
            guard let re = RegexCache.shared.get(p) else { return .null }
            return .int(Int64(re.count(s)))
        }),
        f("reverse", [], 1...1, "reverse(s)", "Characters in reverse order", str1 { .string(String($0.reversed())) }),
        f("repeat", [], 2...2, "repeat(s, n)", "s repeated n times (a result over 10 MB is NULL)", .binary { a, b in
            guard let s = Fn.text(a), let n = Fn.int(b), n >= 0 else { return .null }
            let (bytes, over) = Int64(s.utf8.count).multipliedReportingOverflow(by: n)
            guard !over, bytes <= Int64(FunctionFaults.maxResultBytes) else { return oversize() }
            return .string(String(repeating: s, count: Int(n)))
        }),
        f("contains", [], 2...2, "contains(s, sub)", "Whether s contains sub", str2 { .bool($0.contains($1)) }),
    ]
}

/// Compiled regular expressions by pattern text, so a pattern is compiled once, not per row.
/// An invalid pattern is remembered as invalid and gives NULL.
final class RegexCache: @unchecked Sendable {
    static let shared = RegexCache()
    private let lock = NSLock()
    private var cache: [String: Regex?] = [:]

    func get(_ pattern: String) -> Regex? {
        lock.lock()
        defer { lock.unlock() }
        if let hit = cache[pattern] { return hit }
        let re = try? Regex(pattern)
        if cache.count > 1000 { cache.removeAll() }
        cache[pattern] = re
        return re
    }
}
