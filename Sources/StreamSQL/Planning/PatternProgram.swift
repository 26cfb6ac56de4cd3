/// A MATCH_RECOGNIZE pattern compiled to a small program for a Pike-style matcher.
///
/// Instructions are tried in priority order: `split(a, b)` prefers `a`. Greedy quantifiers prefer
/// another repetition, reluctant ones prefer to stop; alternation prefers its left branch. Bounded
/// repetitions are unrolled (at most `maxInstructions` in all), PERMUTE becomes the alternation of
/// its orderings (lexicographic, as SQL:2016 orders them), and a SUBSET name is the alternation of its
/// variables.
public struct PatternProgram: Sendable {
    public enum Op: Sendable, Equatable {
        case symbol(Int)          // consume one row that satisfies the variable's DEFINE
        case split(Int, Int)
        case jump(Int)
        case anchorStart
        case anchorEnd
        case match
    }
    public var ops: [Op]
    public var symbols: [String]

    public static let maxInstructions = 5_000

    public struct CompileError: Error { public var message: String }

    public static func compile(_ node: PatternNode, symbols: [String], subsets: [String: [String]]) throws(CompileError) -> PatternProgram {
        var b = Builder(symbols: symbols, subsets: subsets)
        try b.emit(node)
        b.ops.append(.match)
        return PatternProgram(ops: b.ops, symbols: symbols)
    }

    struct Builder {
        var ops: [Op] = []
        let symbols: [String]
        let subsets: [String: [String]]

        mutating func add(_ op: Op) throws(CompileError) -> Int {
            guard ops.count < PatternProgram.maxInstructions else {
                throw CompileError(message: "pattern too large after expanding repetitions (more than \(PatternProgram.maxInstructions) steps)")
            }
            ops.append(op)
            return ops.count - 1
        }

        mutating func emit(_ node: PatternNode) throws(CompileError) {
            switch node {
            case .symbol(let name, _):
                if let members = subsets[name.lowercased()] {
                    try emit(.alternation(members.map { .symbol($0, .none) }))
                    return
                }
                guard let i = symbols.firstIndex(where: { $0.caseInsensitiveEquals(name) }) else {
                    throw CompileError(message: "unknown pattern variable \(name)")
                }
                _ = try add(.symbol(i))
            case .sequence(let items):
                for item in items { try emit(item) }
            case .alternation(let alts):
                // split L1, next; L1: alt0; jump end; next: split L2, …
                var jumps: [Int] = []
                for (k, alt) in alts.enumerated() {
                    if k < alts.count - 1 {
                        let split = try add(.split(0, 0))
                        ops[split] = .split(split + 1, 0)
                        try emit(alt)
                        jumps.append(try add(.jump(0)))
                        ops[split] = .split(split + 1, ops.count)
                    } else {
                        try emit(alt)
                    }
                }
                for j in jumps { ops[j] = .jump(ops.count) }
            case .quantified(let inner, let minN, let maxN, let reluctant):
                for _ in 0..<minN { try emit(inner) }
                if let maxN {
                    // Optional copies: each may be skipped; nested so that skipping one skips the rest.
                    var exits: [Int] = []
                    for _ in minN..<maxN {
                        let split = try add(.split(0, 0))
                        exits.append(split)
                        try emit(inner)
                    }
                    let end = ops.count
                    for s in exits { ops[s] = reluctant ? .split(end, s + 1) : .split(s + 1, end) }
                } else {
                    // loop: split body, end; body; jump loop
                    let split = try add(.split(0, 0))
                    try emit(inner)
                    _ = try add(.jump(split))
                    let end = ops.count
                    ops[split] = reluctant ? .split(end, split + 1) : .split(split + 1, end)
                }
            case .permute(let items):
                guard items.count <= 6 else { throw CompileError(message: "PERMUTE of more than 6 items is not supported") }
                let orders = permutations(Array(items.indices))
                try emit(.alternation(orders.map { order in .sequence(order.map { items[$0] }) }))
            case .anchorStart:
                _ = try add(.anchorStart)
            case .anchorEnd:
                _ = try add(.anchorEnd)
            }
        }

        func permutations(_ xs: [Int]) -> [[Int]] {
            if xs.count <= 1 { return [xs] }
            var out: [[Int]] = []
            for (i, x) in xs.enumerated() {
                var rest = xs
                rest.remove(at: i)
                for p in permutations(rest) { out.append([x] + p) }
            }
            return out
        }
    }
}
