import Foundation

/// A compiled regular expression with RE2 semantics (leftmost-first, linear time in the input: a Pike VM
/// runs every thread in lock step, so `(a+)+$` costs the same per character as `a+`).
public struct Regex: Sendable {
    let program: RegexProgram
    let names: [String: Int]

    public init(_ pattern: String) throws(RegexError) {
        var p = RegexParser(pattern)
        let node = try p.parse()
        program = RegexProgram(node, groups: p.groupCount)
        names = p.names
    }

    /// The slots (start, end pairs; -1 unset) of the leftmost-first match starting at or after `from`.
    func firstMatch(in s: [UInt32], from: Int) -> [Int]? {
        RegexMatcher(program).run(s, from: from)
    }

    /// Every match as Go's `FindAll` gives them (an empty match right after a match is skipped).
    func allMatches(in s: [UInt32]) -> [[Int]] {
        var out: [[Int]] = []
        var pos = 0, prevEnd = -1
        let m = RegexMatcher(program)
        while pos <= s.count, let a = m.run(s, from: pos) {
            var accept = true
            if a[1] == pos {
                if a[0] == prevEnd { accept = false }
                pos += 1
            } else {
                pos = a[1]
            }
            prevEnd = a[1]
            if accept { out.append(a) }
        }
        return out
    }

    public func matches(_ s: String) -> Bool { firstMatch(in: s.unicodeScalars.map(\.value), from: 0) != nil }

    public func firstMatch(_ s: String) -> String? {
        let u = s.unicodeScalars.map(\.value)
        guard let a = firstMatch(in: u, from: 0) else { return nil }
        return Self.text(u, a[0], a[1])
    }

    public func count(_ s: String) -> Int { allMatches(in: s.unicodeScalars.map(\.value)).count }

    /// Go's `ReplaceAllString`: `$1`, `${1}`, `$name`, `${name}` expand to groups, `$$` to a dollar.
    public func replaceAll(_ s: String, with template: String) -> String {
        let u = s.unicodeScalars.map(\.value)
        let t = Array(template.unicodeScalars)
        var out = String.UnicodeScalarView()
        var last = 0, pos = 0, lastMatchEnd = 0
        let m = RegexMatcher(program)
        while pos <= u.count, let a = m.run(u, from: pos) {
            appendScalars(&out, u, last, a[0])
            if a[1] > lastMatchEnd || a[0] == 0 { expand(&out, t, u, a) }
            last = a[1]
            lastMatchEnd = a[1]
            pos = pos + 1 > a[1] ? pos + 1 : a[1]
        }
        appendScalars(&out, u, last, u.count)
        return String(out)
    }

    private func appendScalars(_ out: inout String.UnicodeScalarView, _ u: [UInt32], _ a: Int, _ b: Int) {
        guard a < b else { return }
        for v in u[a..<b] { if let x = Unicode.Scalar(v) { out.append(x) } }
    }

    private func expand(_ out: inout String.UnicodeScalarView, _ t: [Unicode.Scalar], _ u: [UInt32], _ a: [Int]) {
        var i = 0
        while i < t.count {
            let c = t[i]
            i += 1
            guard c == "$" else { out.append(c); continue }
            if i < t.count, t[i] == "$" { out.append("$"); i += 1; continue }
            var j = i
            let brace = j < t.count && t[j] == "{"
            if brace { j += 1 }
            var name = ""
            while j < t.count, t[j] == "_" || t[j].properties.isAlphabetic || ("0"..."9").contains(t[j]) {
                name.unicodeScalars.append(t[j]); j += 1
            }
            if name.isEmpty || (brace && !(j < t.count && t[j] == "}")) { out.append("$"); continue }
            if brace { j += 1 }
            i = j
            let group = Int(name).flatMap { $0 < 100_000_000 ? $0 : nil } ?? names[name]
            if let g = group, 2 * g + 1 < a.count, a[2 * g] >= 0 { appendScalars(&out, u, a[2 * g], a[2 * g + 1]) }
        }
    }

    static func text(_ u: [UInt32], _ a: Int, _ b: Int) -> String {
        var out = String.UnicodeScalarView()
        if a < b { for v in u[a..<b] { if let x = Unicode.Scalar(v) { out.append(x) } } }
        return String(out)
    }
}

/// One run of the Pike VM over an input.
struct RegexMatcher {
    let prog: RegexProgram

    init(_ p: RegexProgram) { prog = p }

    private struct List {
        var sparse: [Int], dense: [Int], size = 0
        var pcs: [Int] = []
        var caps: [Int] = []
        init(_ n: Int) { sparse = Array(repeating: 0, count: n); dense = Array(repeating: 0, count: n) }
        func has(_ pc: Int) -> Bool { let k = sparse[pc]; return k < size && dense[k] == pc }
        mutating func mark(_ pc: Int) { sparse[pc] = size; dense[size] = pc; size += 1 }
        mutating func clear() { size = 0; pcs.removeAll(keepingCapacity: true); caps.removeAll(keepingCapacity: true) }
    }

    private enum Work { case explore(Int), restore(Int, Int) }

    private static func isWord(_ c: UInt32?) -> Bool {
        guard let c else { return false }
        return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F
    }

    private func holds(_ a: RegexAssert, _ s: [UInt32], _ pos: Int) -> Bool {
        let prev: UInt32? = pos > 0 ? s[pos - 1] : nil
        let next: UInt32? = pos < s.count ? s[pos] : nil
        switch a {
        case .textStart: return pos == 0
        case .textEnd: return pos == s.count
        case .lineStart: return prev == nil || prev == 0x0A
        case .lineEnd: return next == nil || next == 0x0A
        case .wordBoundary: return Self.isWord(prev) != Self.isWord(next)
        case .notWordBoundary: return Self.isWord(prev) == Self.isWord(next)
        }
    }

    private func add(_ l: inout List, _ pc0: Int, _ s: [UInt32], _ pos: Int, _ caps: inout [Int], _ stack: inout [Work]) {
        stack.append(.explore(pc0))
        while let w = stack.popLast() {
            switch w {
            case .restore(let slot, let v): caps[slot] = v
            case .explore(let pc):
                if l.has(pc) { continue }
                l.mark(pc)
                switch prog.ops[pc] {
                case .jmp(let t): stack.append(.explore(t))
                case .split(let x, let y): stack.append(.explore(y)); stack.append(.explore(x))
                case .save(let slot):
                    stack.append(.restore(slot, caps[slot]))
                    caps[slot] = pos
                    stack.append(.explore(pc + 1))
                case .assert(let a): if holds(a, s, pos) { stack.append(.explore(pc + 1)) }
                default:
                    l.pcs.append(pc)
                    l.caps.append(contentsOf: caps)
                }
            }
        }
    }

    func run(_ s: [UInt32], from start: Int) -> [Int]? {
        let n = prog.ops.count, k = prog.slotCount
        var clist = List(n), nlist = List(n)
        var caps = Array(repeating: -1, count: k)
        var stack: [Work] = []
        var matched: [Int]?
        var pos = start
        while true {
            if matched == nil {
                for j in 0..<k { caps[j] = -1 }
                add(&clist, 0, s, pos, &caps, &stack)
            }
            if clist.pcs.isEmpty && (matched != nil || pos >= s.count) { break }
            let c: UInt32? = pos < s.count ? s[pos] : nil
            nlist.clear()
            for t in 0..<clist.pcs.count {
                let pc = clist.pcs[t]
                let ok: Bool
                switch prog.ops[pc] {
                case .match:
                    matched = Array(clist.caps[(t * k)..<(t * k + k)])
                    ok = false
                case .char(let x): ok = c == x
                case .charFold(let x): ok = c.map { RegexCase.lower($0) == x } ?? false
                case .any: ok = c != nil
                case .anyNotNL: ok = c != nil && c != 0x0A
                case .cls(let cl): ok = c.map { cl.contains($0) } ?? false
                default: ok = false
                }
                if case .match = prog.ops[pc] { break }
                if ok {
                    for j in 0..<k { caps[j] = clist.caps[t * k + j] }
                    add(&nlist, pc + 1, s, pos + 1, &caps, &stack)
                }
            }
            swap(&clist, &nlist)
            if pos >= s.count { break }
            pos += 1
            if matched != nil && clist.pcs.isEmpty { break }
        }
        return matched
    }
}
