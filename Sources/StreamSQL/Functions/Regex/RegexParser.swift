/// The syntax tree of a regular expression (RE2 syntax, as Go's `regexp` accepts it).
indirect enum RegexNode: Sendable {
    case empty
    case char(UInt32, fold: Bool)
    case any(newline: Bool)
    case cls(RegexClass)
    case assert(RegexAssert)
    case group(RegexNode, slot: Int?)
    case concat([RegexNode])
    case alt([RegexNode])
    case rep(RegexNode, min: Int, max: Int, greedy: Bool)  // max -1: unbounded
}

enum RegexAssert: Sendable { case textStart, textEnd, lineStart, lineEnd, wordBoundary, notWordBoundary }

/// A set of scalars: sorted inclusive ranges, optionally negated and case-folded.
struct RegexClass: Sendable {
    var ranges: [ClosedRange<UInt32>] = []
    var negated = false
    var fold = false

    func contains(_ c: UInt32) -> Bool {
        var hit = has(c)
        if !hit && fold { hit = has(RegexCase.lower(c)) || has(RegexCase.upper(c)) }
        return hit != negated
    }

    private func has(_ c: UInt32) -> Bool {
        for r in ranges where r.contains(c) { return true }
        return false
    }
}

enum RegexCase {
    static func lower(_ c: UInt32) -> UInt32 {
        if c < 128 { return (c >= 65 && c <= 90) ? c + 32 : c }
        return single(Unicode.Scalar(c)?.properties.lowercaseMapping) ?? c
    }

    static func upper(_ c: UInt32) -> UInt32 {
        if c < 128 { return (c >= 97 && c <= 122) ? c - 32 : c }
        return single(Unicode.Scalar(c)?.properties.uppercaseMapping) ?? c
    }

    private static func single(_ s: String?) -> UInt32? {
        guard let s else { return nil }
        let u = s.unicodeScalars
        return u.count == 1 ? u.first?.value : nil
    }
}

/// Why a pattern does not compile.
public struct RegexError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ d: String) { description = "invalid regular expression: " + d }
}

/// Parses a pattern into a `RegexNode` without recursion: groups live on an explicit stack whose depth is
/// capped (`maxNesting`), repeat counts are capped at 1000 as in RE2, and the compiled size is estimated on
/// the way so `(a{1000}){1000}` is refused before any program is built.
struct RegexParser {
    static let maxNesting = 200
    static let maxRepeat = 1000
    static let maxSize = 100_000

    private struct Frame {
        var alts: [RegexNode] = []
        var altSize = 0
        var items: [RegexNode] = []
        var sizes: [Int] = []
        var slot: Int?
        var savedFlags: Flags
        var lastWasRepeat = false
    }

    struct Flags { var fold = false, dotNL = false, multiline = false }

    private var s: [UInt32]
    private var i = 0
    private(set) var groupCount = 0
    private(set) var names: [String: Int] = [:]
    private var flags = Flags()

    init(_ pattern: String) { s = pattern.unicodeScalars.map(\.value) }

    static func size(_ a: Int, times b: Int) -> Int {
        let (m, o) = a.multipliedReportingOverflow(by: b)
        return o ? Int.max / 4 : m
    }

    mutating func parse() throws(RegexError) -> RegexNode {
        var stack = [Frame(savedFlags: flags)]
        outer: while i < s.count {
            let c = s[i]
            i += 1
            guard var top = stack.popLast() else { throw RegexError("internal") }
            switch c {
            case 0x28:  // (
                guard stack.count + 1 < Self.maxNesting else { throw RegexError("nesting depth above \(Self.maxNesting)") }
                var frame = Frame(savedFlags: flags)
                if peek(0x3F) {  // ?
                    i += 1
                    if peek(0x50) || peek(0x3C) {  // P< or <
                        if peek(0x50) { i += 1 }
                        guard peek(0x3C) else { throw RegexError("invalid named group") }
                        i += 1
                        var name = ""
                        while i < s.count, s[i] != 0x3E {
                            guard let u = Unicode.Scalar(s[i]), u == "_" || u.properties.isAlphabetic || ("0"..."9").contains(u) else {
                                throw RegexError("invalid named group name")
                            }
                            name.unicodeScalars.append(u)
                            i += 1
                        }
                        guard i < s.count, !name.isEmpty, names[name] == nil else { throw RegexError("invalid named group") }
                        i += 1
                        groupCount += 1
                        names[name] = groupCount
                        frame.slot = groupCount
                    } else {
                        var on = true, sawFlag = false
                        var f = flags
                        loop: while true {
                            guard i < s.count else { throw RegexError("missing closing )") }
                            let d = s[i]
                            i += 1
                            switch d {
                            case 0x69: f.fold = on; sawFlag = true
                            case 0x73: f.dotNL = on; sawFlag = true
                            case 0x6D: f.multiline = on; sawFlag = true
                            case 0x55: throw RegexError("flag U is not supported")
                            case 0x2D:
                                guard on else { throw RegexError("invalid flags") }
                                on = false; sawFlag = false
                            case 0x29:  // (?flags)
                                guard sawFlag || on else { throw RegexError("invalid flags") }
                                flags = f
                                stack.append(top)
                                continue outer
                            case 0x3A:  // (?flags:
                                if !on && !sawFlag { throw RegexError("invalid flags") }
                                break loop
                            default: throw RegexError("invalid or unsupported group syntax")
                            }
                        }
                        frame.savedFlags = flags
                        flags = f
                        stack.append(top)
                        stack.append(frame)
                        continue
                    }
                } else {
                    groupCount += 1
                    frame.slot = groupCount
                }
                stack.append(top)
                stack.append(frame)
                continue
            case 0x29:  // )
                guard var parent = stack.popLast() else { throw RegexError("unexpected )") }
                let (body, size) = Self.finish(top)
                flags = top.savedFlags
                parent.items.append(.group(body, slot: top.slot))
                parent.sizes.append(size + (top.slot == nil ? 0 : 2))
                parent.lastWasRepeat = false
                top = parent
            case 0x7C:  // |
                let (body, size) = Self.concat(top)
                top.alts.append(body)
                top.altSize += size + 2
                top.items = []; top.sizes = []; top.lastWasRepeat = false
            case 0x2A, 0x2B, 0x3F:  // * + ?
                try repeatLast(&top, min: c == 0x2B ? 1 : 0, max: c == 0x3F ? 1 : -1, op: c)
            case 0x7B:  // {
                if let (lo, hi) = try braces() {
                    try repeatLast(&top, min: lo, max: hi, op: c)
                } else {
                    push(&top, .char(c, fold: false))
                }
            case 0x2E: push(&top, .any(newline: flags.dotNL))
            case 0x5E: push(&top, .assert(flags.multiline ? .lineStart : .textStart))
            case 0x24: push(&top, .assert(flags.multiline ? .lineEnd : .textEnd))
            case 0x5B: push(&top, .cls(try charClass()))
            case 0x5C: push(&top, try escape())
            default: push(&top, literal(c))
            }
            var size = top.altSize
            for n in top.sizes { size = min(Int.max / 4, size + n) }
            for f in stack { size = min(Int.max / 4, size + f.altSize + f.sizes.reduce(0, { min(Int.max / 4, $0 + $1) })) }
            guard size <= Self.maxSize else { throw RegexError("pattern too large (over \(Self.maxSize) steps)") }
            stack.append(top)
        }
        guard stack.count == 1, let root = stack.first else { throw RegexError("missing closing )") }
        return Self.finish(root).0
    }

    private func peek(_ c: UInt32) -> Bool { i < s.count && s[i] == c }

    private func literal(_ c: UInt32) -> RegexNode {
        flags.fold && RegexCase.lower(c) != RegexCase.upper(c) ? .char(RegexCase.lower(c), fold: true) : .char(c, fold: false)
    }

    private mutating func push(_ f: inout Frame, _ n: RegexNode) {
        f.items.append(n)
        f.sizes.append(1)
        f.lastWasRepeat = false
    }

    private static func concat(_ f: Frame) -> (RegexNode, Int) {
        let size = f.sizes.reduce(0) { min(Int.max / 4, $0 + $1) }
        switch f.items.count {
        case 0: return (.empty, 0)
        case 1: return (f.items[0], size)
        default: return (.concat(f.items), size)
        }
    }

    private static func finish(_ f: Frame) -> (RegexNode, Int) {
        let (last, size) = concat(f)
        if f.alts.isEmpty { return (last, size) }
        return (.alt(f.alts + [last]), min(Int.max / 4, f.altSize + size))
    }

    private mutating func repeatLast(_ f: inout Frame, min lo: Int, max hi: Int, op: UInt32) throws(RegexError) {
        guard let last = f.items.popLast(), let size = f.sizes.popLast() else {
            throw RegexError("missing argument to repetition operator")
        }
        if f.lastWasRepeat { throw RegexError("invalid nested repetition operator") }
        var greedy = true
        if peek(0x3F) { i += 1; greedy = false }
        f.items.append(.rep(last, min: lo, max: hi, greedy: greedy))
        f.sizes.append(Self.size(size + 1, times: Swift.max(1, Swift.max(lo, hi))))
        f.lastWasRepeat = true
    }

    /// `{m}`, `{m,}`, `{m,n}` after the `{`; nil (and nothing consumed) when it is a literal brace.
    private mutating func braces() throws(RegexError) -> (Int, Int)? {
        let start = i
        func number() -> Int? {
            var n = 0, any = false
            while i < s.count, s[i] >= 0x30, s[i] <= 0x39 {
                n = Swift.min(n * 10 + Int(s[i] - 0x30), 1_000_000); any = true; i += 1
            }
            return any ? n : nil
        }
        guard let lo = number() else { i = start; return nil }
        var hi = lo
        if peek(0x2C) {
            i += 1
            if peek(0x7D) { hi = -1 } else if let h = number() { hi = h } else { i = start; return nil }
        }
        guard peek(0x7D) else { i = start; return nil }
        i += 1
        guard lo <= Self.maxRepeat, hi <= Self.maxRepeat, hi == -1 || lo <= hi else {
            throw RegexError("invalid repeat count (at most \(Self.maxRepeat))")
        }
        return (lo, hi)
    }

    private static let digit: [ClosedRange<UInt32>] = [0x30...0x39]
    private static let word: [ClosedRange<UInt32>] = [0x30...0x39, 0x41...0x5A, 0x5F...0x5F, 0x61...0x7A]
    private static let space: [ClosedRange<UInt32>] = [0x09...0x0A, 0x0C...0x0D, 0x20...0x20]

    /// A Perl class letter (`d w s` and their negations), or nil.
    private static func perl(_ c: UInt32) -> RegexClass? {
        switch c {
        case 0x64: return RegexClass(ranges: digit)
        case 0x44: return RegexClass(ranges: digit, negated: true)
        case 0x77: return RegexClass(ranges: word)
        case 0x57: return RegexClass(ranges: word, negated: true)
        case 0x73: return RegexClass(ranges: space)
        case 0x53: return RegexClass(ranges: space, negated: true)
        default: return nil
        }
    }

    /// A single escaped scalar (after the backslash), as in Go: punctuation stands for itself.
    private mutating func escapedScalar(_ c: UInt32) throws(RegexError) -> UInt32 {
        switch c {
        case 0x6E: return 0x0A
        case 0x74: return 0x09
        case 0x72: return 0x0D
        case 0x66: return 0x0C
        case 0x76: return 0x0B
        case 0x61: return 0x07
        case 0x78:  // \xHH or \x{H…}
            var hex = ""
            if peek(0x7B) {
                i += 1
                while i < s.count, s[i] != 0x7D, let u = Unicode.Scalar(s[i]) { hex.unicodeScalars.append(u); i += 1 }
                guard peek(0x7D) else { throw RegexError("invalid escape \\x{") }
                i += 1
            } else {
                for _ in 0..<2 where i < s.count {
                    if let u = Unicode.Scalar(s[i]) { hex.unicodeScalars.append(u) }
                    i += 1
                }
            }
            guard let v = UInt32(hex, radix: 16), Unicode.Scalar(v) != nil else { throw RegexError("invalid escape \\x") }
            return v
        default:
            if c < 0x80, let u = Unicode.Scalar(c), !u.properties.isAlphabetic, !(0x30...0x39).contains(c) { return c }
            throw RegexError("invalid escape sequence \\\(Unicode.Scalar(c).map { String($0) } ?? "?")")
        }
    }

    private mutating func escape() throws(RegexError) -> RegexNode {
        guard i < s.count else { throw RegexError("trailing backslash") }
        let c = s[i]
        i += 1
        switch c {
        case 0x41: return .assert(.textStart)
        case 0x7A: return .assert(.textEnd)
        case 0x62: return .assert(.wordBoundary)
        case 0x42: return .assert(.notWordBoundary)
        default:
            if var k = Self.perl(c) { k.fold = false; return .cls(k) }
            return literal(try escapedScalar(c))
        }
    }

    private static let posix: [String: [ClosedRange<UInt32>]] = [
        "alpha": [0x41...0x5A, 0x61...0x7A], "digit": digit, "alnum": [0x30...0x39, 0x41...0x5A, 0x61...0x7A],
        "space": [0x09...0x0D, 0x20...0x20], "upper": [0x41...0x5A], "lower": [0x61...0x7A], "word": word,
        "xdigit": [0x30...0x39, 0x41...0x46, 0x61...0x66], "punct": [0x21...0x2F, 0x3A...0x40, 0x5B...0x60, 0x7B...0x7E],
        "blank": [0x09...0x09, 0x20...0x20], "cntrl": [0x00...0x1F, 0x7F...0x7F], "print": [0x20...0x7E],
        "graph": [0x21...0x7E], "ascii": [0x00...0x7F],
    ]

    /// A bracket class after the `[`.
    private mutating func charClass() throws(RegexError) -> RegexClass {
        var k = RegexClass(fold: flags.fold)
        if peek(0x5E) { i += 1; k.negated = true }
        var first = true
        while true {
            guard i < s.count else { throw RegexError("missing closing ]") }
            var c = s[i]
            if c == 0x5D && !first { i += 1; break }
            first = false
            i += 1
            if c == 0x5B, peek(0x3A) {  // [:name:]
                var j = i + 1, name = ""
                while j < s.count, s[j] != 0x3A, let u = Unicode.Scalar(s[j]) { name.unicodeScalars.append(u); j += 1 }
                var neg = false
                if name.hasPrefix("^") { neg = true; name.removeFirst() }
                if j + 1 < s.count, s[j + 1] == 0x5D, let rs = Self.posix[name] {
                    i = j + 2
                    k.ranges += neg ? Self.complement(rs) : rs
                    continue
                }
                throw RegexError("invalid character class range")
            }
            if c == 0x5C {
                guard i < s.count else { throw RegexError("missing closing ]") }
                let e = s[i]
                i += 1
                if let p = Self.perl(e) { k.ranges += p.negated ? Self.complement(p.ranges) : p.ranges; continue }
                c = try escapedScalar(e)
            }
            var hi = c
            if peek(0x2D), i + 1 < s.count, s[i + 1] != 0x5D {
                i += 1
                hi = s[i]
                i += 1
                if hi == 0x5C {
                    guard i < s.count else { throw RegexError("missing closing ]") }
                    let e = s[i]
                    i += 1
                    hi = try escapedScalar(e)
                }
                guard c <= hi else { throw RegexError("invalid character class range") }
            }
            k.ranges.append(c...hi)
        }
        return k
    }

    private static func complement(_ rs: [ClosedRange<UInt32>]) -> [ClosedRange<UInt32>] {
        var out: [ClosedRange<UInt32>] = []
        var next: UInt32 = 0
        for r in rs.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if r.lowerBound > next { out.append(next...(r.lowerBound - 1)) }
            next = max(next, r.upperBound + 1)
        }
        if next <= 0x10FFFF { out.append(next...0x10FFFF) }
        return out
    }
}
