/// A compiled regular expression: a flat instruction list run by `RegexMatcher` (a Pike VM).
struct RegexProgram: Sendable {
    enum Op: Sendable {
        case char(UInt32)
        case charFold(UInt32)  // the lower-case form
        case any
        case anyNotNL
        case cls(RegexClass)
        case assert(RegexAssert)
        case save(Int)
        case split(Int, Int)  // the first branch has priority
        case jmp(Int)
        case match
    }

    var ops: [Op] = []
    var slotCount = 2

    /// Compiles `node` (whose depth the parser bounded) into `save 0, body, save 1, match`.
    init(_ node: RegexNode, groups: Int) {
        slotCount = 2 * (groups + 1)
        ops.append(.save(0))
        emit(node)
        ops.append(.save(1))
        ops.append(.match)
    }

    private mutating func emit(_ n: RegexNode) {
        switch n {
        case .empty: break
        case .char(let c, let fold): ops.append(fold ? .charFold(c) : .char(c))
        case .any(let nl): ops.append(nl ? .any : .anyNotNL)
        case .cls(let k): ops.append(.cls(k))
        case .assert(let a): ops.append(.assert(a))
        case .group(let body, let slot):
            if let slot { ops.append(.save(2 * slot)) }
            emit(body)
            if let slot { ops.append(.save(2 * slot + 1)) }
        case .concat(let items): for x in items { emit(x) }
        case .alt(let branches):
            var jumps: [Int] = []
            for (k, b) in branches.enumerated() {
                if k == branches.count - 1 { emit(b); break }
                let split = ops.count
                ops.append(.jmp(0))
                emit(b)
                jumps.append(ops.count)
                ops.append(.jmp(0))
                ops[split] = .split(split + 1, ops.count)
            }
            for j in jumps { ops[j] = .jmp(ops.count) }
        case .rep(let x, let lo, let hi, let greedy):
            for _ in 0..<lo { emit(x) }
            if hi == -1 {
                if lo > 0 {  // x{lo,}: the last copy loops back (x+ is x then a loop to it)
                    let bodyStart = ops.count
                    emitLoopTail(x, greedy: greedy, restartAt: nil, lastCopyStart: bodyStart)
                } else {
                    let l = ops.count
                    ops.append(.jmp(0))
                    emit(x)
                    ops.append(.jmp(l))
                    ops[l] = branch(l + 1, ops.count, greedy)
                }
            } else if hi > lo {
                var holes: [Int] = []
                for _ in lo..<hi {
                    holes.append(ops.count)
                    ops.append(.jmp(0))
                    emit(x)
                }
                for h in holes { ops[h] = branch(h + 1, ops.count, greedy) }
            }
        }
    }

    /// After `lo` copies: `L: split(body, out); body; jmp L` — a star on the same atom.
    private mutating func emitLoopTail(_ x: RegexNode, greedy: Bool, restartAt: Int?, lastCopyStart: Int) {
        let l = ops.count
        ops.append(.jmp(0))
        emit(x)
        ops.append(.jmp(l))
        ops[l] = branch(l + 1, ops.count, greedy)
    }

    private func branch(_ body: Int, _ out: Int, _ greedy: Bool) -> Op {
        greedy ? .split(body, out) : .split(out, body)
    }
}
