import DequeModule
/// The match that DEFINE and MEASURES expressions are evaluated against: the partition's rows, the
/// rows mapped to each variable so far, and which of them are visible (RUNNING vs FINAL).
final class MatchContext {
    var rows: RowBuffer = RowBuffer()
    /// (absolute row index, variable) for the rows of the match, in order.
    var assignments: [(row: Int, symbol: Int)] = []
    /// How many assignments RUNNING semantics see (ALL ROWS PER MATCH: up to the current row).
    var visible = 0
    /// The row an unqualified column and PREV refer to.
    var current = 0
    var matchNumber: Int64 = 0
    var symbolNames: [String] = []
    /// Aggregates default to FINAL (ONE ROW PER MATCH and DEFINE) or RUNNING (ALL ROWS PER MATCH).
    var defaultFinal = true

    func row(_ nav: PatternNavigation) -> Row? {
        switch nav {
        case .prev(let n): return rows[current - n]
        case .last(let syms):
            var k = visible - 1
            while k >= 0 {
                let a = assignments[k]
                if syms.map({ $0.contains(a.symbol) }) ?? true { return rows[a.row] }
                k -= 1
            }
            return nil
        case .first(let syms):
            for k in 0..<visible {
                let a = assignments[k]
                if syms.map({ $0.contains(a.symbol) }) ?? true { return rows[a.row] }
            }
            return nil
        }
    }

    func aggregate(_ kind: AggregateKind, symbols: [Int]?, argument: Eval?, final: Bool?) -> Value {
        let upTo = (final ?? defaultFinal) ? assignments.count : visible
        let acc = kind.make()
        for k in 0..<upTo {
            let a = assignments[k]
            guard symbols.map({ $0.contains(a.symbol) }) ?? true, let r = rows[a.row] else { continue }
            acc.add(argument.map { $0(r) } ?? .bool(true))
        }
        return acc.result()
    }

    func classifier() -> Value {
        guard visible > 0 else { return .null }
        return .string(symbolNames[assignments[visible - 1].symbol])
    }
}

/// A partition's rows, addressed by absolute index; old rows are dropped from the front at once, so a
/// partition holds (and keeps alive) only rows a match can still use.
struct RowBuffer {
    private(set) var base = 0
    private var rows = Deque<Row>()

    var endIndex: Int { base + rows.count }

    subscript(i: Int) -> Row? {
        let k = i - base
        return k >= 0 && k < rows.count ? rows[k] : nil
    }

    mutating func append(_ r: Row) { rows.append(r) }

    /// Counts a row that is not kept (only when nothing is held).
    mutating func skip() {
        precondition(count == 0, "skip only when the buffer is empty")
        base += 1
    }

    /// Forgets rows before absolute index `i`.
    mutating func drop(before i: Int) {
        let n = min(i - base, rows.count)
        guard n > 0 else { return }
        rows.removeFirst(n)
        base += n
    }

    var count: Int { rows.count }
}
