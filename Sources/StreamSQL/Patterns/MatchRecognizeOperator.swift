/// MATCH_RECOGNIZE: finds the pattern in each partition's rows (in arrival order) and emits one row
/// per match, or every matched row.
///
/// Matching follows SQL:2016's preferment: at the earliest start, the match that the pattern's
/// priorities prefer (greedy, reluctant, left alternative first). It runs as a Pike-style simulation:
/// partial matches ("threads") advance together row by row in priority order; when a thread
/// completes, lower-priority threads are cut, and the match is emitted once no higher-priority thread
/// can still produce a preferred one (so a greedy `A+` is emitted when it stops growing, or at end of
/// input). After a match the AFTER MATCH SKIP rule picks where the search resumes, and the rows from
/// there are run again.
///
/// Bounded: rows held, partial matches and partitions per query each have a cap with a counted policy;
/// partial matches older than WITHIN are dropped even in idle partitions.
final class MatchRecognizeOperator: QueryOperator {
    let q: BoundMatchQuery
    let schema: ResultSchema
    let program: PatternProgram
    let ctx = MatchContext()
    let store: AnalyticValues
    let defines: [Condition?]
    let measures: [Eval]
    let projections: [Column]
    let partitionBy: [Column]
    let orderBy: Eval?
    let counters: Counters
    let historyFree: Bool
    let definesAreHistoryFree: [Bool]
    let definesUsePrev: [Bool]
    let usesPrevAnywhere: Bool
    let limits: Limits
    private let epsilon: [[Int]]?
    /// When every match must start with one variable whose DEFINE reads only the current row: that DEFINE.
    private let quickStart: Condition?
    private let partitions = KeyMap<Partition>()
    private var single: Partition?
    private var clock = 0
    private var maxTime = Int64.min
    private var sinceSweep = 0

    struct Limits {
        var rowsPerPartition = 100_000
        var threadsPerPartition = 1_000
        var partitions = 1_000_000
    }

    struct Thread {
        var pc: Int
        var start: Int
        var assignments: [(row: Int, symbol: Int)]
    }

    final class Partition {
        var rows = RowBuffer()
        var times: [Int64] = []         // event time of each buffered row (parallel to rows)
        var timeBase = 0
        var threads: [Thread] = []
        var best: Thread? = nil
        var bestEnd = 0
        var cursor = 0                   // next absolute row index to run
        var searchFrom = 0               // where new matches may start
        var matchNumber: Int64 = 0
        var lastUse = 0

        func time(_ i: Int) -> Int64 {
            let k = i - timeBase
            return k >= 0 && k < times.count ? times[k] : Int64.min
        }
    }

    /// Where each match's rows go, with their pattern variables, when the query records lineage.
    let lineage: LineageRecorder?

    init(_ q: BoundMatchQuery, counters: Counters, limits: Limits, lineage: LineageRecorder? = nil) {
        self.lineage = lineage
        self.q = q
        schema = q.schema
        program = q.program
        store = AnalyticValues(count: q.measures.count)
        let c = ExpressionCompiler(analytics: store, match: ctx)
        defines = q.defines.map { $0.map(c.condition) }
        measures = q.measures.map { c.compile($0.1) }
        projections = q.projections.map(c.column)
        partitionBy = q.partitionBy.map(c.column)
        orderBy = q.orderBy.map(c.compile)
        self.counters = counters
        self.limits = limits
        definesAreHistoryFree = q.defines.map { $0.map(MatchRecognizeOperator.isHistoryFree) ?? true }
        definesUsePrev = q.defines.map { $0.map(MatchRecognizeOperator.usesPrev) ?? false }
        historyFree = definesAreHistoryFree.allSatisfy { $0 }
        usesPrevAnywhere = definesUsePrev.contains(true) || q.measures.contains { MatchRecognizeOperator.usesPrev($0.1) }
        ctx.symbolNames = q.program.symbols
        epsilon = MatchRecognizeOperator.epsilonTable(q.program.ops)
        if let e = epsilon, e[0].count == 1, case .symbol(let s) = q.program.ops[e[0][0]], let d = defines[s],
           definesAreHistoryFree[s], !definesUsePrev[s] {
            quickStart = d
        } else {
            quickStart = nil
        }
        ctx.defaultFinal = !q.allRows
    }

    var explain: String {
        "MATCH_RECOGNIZE over \(program.symbols.count) pattern variable\(program.symbols.count == 1 ? "" : "s") (\(program.ops.count) steps), "
            + (q.allRows ? "all rows per match" : "one row per match")
            + (q.withinNanos.map { ", within \(fmt($0))" } ?? "")
    }

    var stateSize: StateSize {
        var threads = 0, rows = 0
        for p in partitions.values { threads += p.threads.count; rows += p.rows.count }
        if let s = single { threads += s.threads.count; rows += s.rows.count }
        return StateSize(groups: partitions.count + (single == nil ? 0 : 1), openWindows: threads, bufferedRows: rows)
    }

    var needsTicks: Bool { q.withinNanos != nil }

    static func usesPrev(_ e: BoundExpr) -> Bool {
        if case .navigate(.prev, _) = e { return true }
        var found = false
        e.forEachChild { if usesPrev($0) { found = true } }
        return found
    }

    static func isHistoryFree(_ e: BoundExpr) -> Bool {
        switch e {
        case .navigate(.prev, let inner): return isHistoryFree(inner)
        case .navigate, .patternAggregate, .classifier, .matchNumber: return false
        case .literal, .slot, .wholeEvent, .analytic, .joinRow, .lambdaVar: return true
        case .higherOrder(_, let a, _, let body): return isHistoryFree(a) && isHistoryFree(body)
        case .tableRows(_, _, let key): return isHistoryFree(key)
        case .member(let a, _), .unary(_, let a), .isNull(let a, _), .cast(let a, _): return isHistoryFree(a)
        case .index(let a, let b), .binary(_, let a, let b), .like(let a, let b, _): return isHistoryFree(a) && isHistoryFree(b)
        case .inList(let a, let xs, _): return isHistoryFree(a) && xs.allSatisfy(isHistoryFree)
        case .between(let a, let b, let c, _): return isHistoryFree(a) && isHistoryFree(b) && isHistoryFree(c)
        case .caseWhen(let o, let ws, let other):
            return (o.map(isHistoryFree) ?? true) && ws.allSatisfy { isHistoryFree($0.0) && isHistoryFree($0.1) } && (other.map(isHistoryFree) ?? true)
        case .call(_, let args): return args.allSatisfy(isHistoryFree)
        case .arrayLiteral(let xs): return xs.allSatisfy(isHistoryFree)
        case .objectLiteral(let fs): return fs.allSatisfy { isHistoryFree($0.1) }
        }
    }

    // MARK: rows in

    func process(_ row: Row, into out: inout ResultBatch) -> Bool {
        guard let t = eventTime(row) else {
            counters.reject("event time out of range in '\(q.orderByText)'")
            return true
        }
        let p = partition(for: row)
        if t > maxTime { maxTime = t }
        sinceSweep += 1
        if sinceSweep >= 4096, q.withinNanos != nil { sinceSweep = 0; sweep(into: &out) }
        if let d = quickStart, q.maxPrev <= 1, !usesPrevAnywhere, p.threads.isEmpty, p.best == nil, p.rows.count == 0,
           p.cursor == p.rows.endIndex {
            ctx.current = p.cursor
            if !d(row) {
                // Nothing pending and no match can start here: the row is not kept at all.
                p.rows.skip()
                p.cursor += 1
                p.searchFrom = max(p.searchFrom, p.cursor)
                p.times.removeAll(keepingCapacity: true)
                p.timeBase = p.cursor
                return true
            }
        }
        p.rows.append(row)
        p.times.append(t)
        if p.rows.count > limits.rowsPerPartition { shed(p) }
        run(p, into: &out)
        return true
    }

    private func partition(for row: Row) -> Partition {
        if partitionBy.isEmpty {
            if let s = single { return s }
            let s = Partition(); single = s; return s
        }
        clock &+= 1
        let i = partitions.position(of: partitionBy, in: row) { key in
            if partitions.count >= limits.partitions { evictPartitions() }
            return partitions.append(key, Partition())
        }
        let p = partitions[position: i]
        p.lastUse = clock
        return p
    }

    /// The ORDER BY value as nanoseconds (numbers are milliseconds, or TIMEUNIT's unit); 0 when it is no
    /// time, nil when it is a time Int64 nanoseconds cannot hold (never wrapped into another time).
    private func eventTime(_ row: Row) -> Int64? {
        if q.withinNanos == nil { return 0 }  // only WITHIN reads event time
        guard let o = orderBy else { return 0 }
        switch o(row) {
        case .int(let i):
            let (ns, o) = i.multipliedReportingOverflow(by: q.timeUnitNanos)
            return o ? nil : ns
        case .double(let d):
            if d.isNaN { return 0 }
            let x = d * Double(q.timeUnitNanos)
            return abs(x) < 9e18 ? Int64(x) : nil
        case .string(let s):
            var far = false
            let t = TimeParse.parse(s, outOfRange: &far)
            return far ? nil : t ?? 0
        case .timestamp(let t): return t
        default: return 0
        }
    }

    /// Whether more than WITHIN passed from `start` to `now`, for any two times (their difference may
    /// not fit in Int64).
    @inline(__always) private func outOfTime(_ start: Int64, _ now: Int64, _ w: Int64) -> Bool {
        let (d, o) = now.subtractingReportingOverflow(start)
        return o ? now > start : d > w
    }

    // MARK: matching

    /// Follows jumps and splits from `pc` (priority order) and collects the threads that wait on a row
    /// (`symbol`) or have completed (`match`).
    private func closure(_ t: Thread, at index: Int, atEnd: Bool, into out: inout [Thread]) {
        if let table = epsilon {
            for pc in table[t.pc] { out.append(Thread(pc: pc, start: t.start, assignments: t.assignments)) }
            return
        }
        var visited = Set<Int>()
        func go(_ pc: Int) {
            guard visited.insert(pc).inserted else { return }
            switch program.ops[pc] {
            case .jump(let x): go(x)
            case .split(let a, let b): go(a); go(b)
            case .anchorStart: if index == 0 { go(pc + 1) }
            case .anchorEnd: if atEnd { go(pc + 1) } else { out.append(Thread(pc: pc, start: t.start, assignments: t.assignments)) }
            case .symbol, .match: out.append(Thread(pc: pc, start: t.start, assignments: t.assignments))
            }
        }
        go(t.pc)
    }

    /// For patterns without anchors: the rows-consuming or final steps reachable from each step
    /// without consuming a row, in priority order (computed once).
    private static func epsilonTable(_ ops: [PatternProgram.Op]) -> [[Int]]? {
        if ops.contains(where: { $0 == .anchorStart || $0 == .anchorEnd }) { return nil }
        return ops.indices.map { start in
            var visited = Set<Int>()
            var out: [Int] = []
            func go(_ pc: Int) {
                guard visited.insert(pc).inserted else { return }
                switch ops[pc] {
                case .jump(let x): go(x)
                case .split(let a, let b): go(a); go(b)
                default: out.append(pc)
                }
            }
            go(start)
            return out
        }
    }

    // Thread lists reused from row to row (their capacity stays), so stepping a match allocates no list.
    private var freshScratch: [Thread] = []
    private var nextScratch: [Thread] = []
    private var reachedScratch: [Thread] = []

    private func run(_ p: Partition, into out: inout ResultBatch) {
        defer { trim(p) }
        var fresh = freshScratch, next = nextScratch, reached = reachedScratch
        freshScratch = []; nextScratch = []; reachedScratch = []
        defer { freshScratch = fresh; nextScratch = next; reachedScratch = reached }
        var seen = Set<Int>()
        while p.cursor < p.rows.endIndex {
            let i = p.cursor
            p.cursor += 1
            guard let row = p.rows[i] else { continue }
            if p.threads.isEmpty && p.best == nil, let d = quickStart {
                // The common miss: no partial match and the pattern's only first variable does not hold here.
                ctx.current = i
                if !d(row) {
                    if i >= p.searchFrom { p.searchFrom = i + 1 }
                    continue
                }
            }
            fresh.removeAll(keepingCapacity: true)
            if p.best == nil && i >= p.searchFrom {
                closure(Thread(pc: 0, start: i, assignments: []), at: i, atEnd: false, into: &fresh)
            }
            next.removeAll(keepingCapacity: true)
            seen.removeAll(keepingCapacity: true)
            let now = p.time(i)
            let held = p.threads.count
            for k in 0..<(held + fresh.count) {
                let t = k < held ? p.threads[k] : fresh[k - held]
                guard case .symbol(let s) = program.ops[t.pc] else { continue }  // empty matches are ignored
                if let w = q.withinNanos, outOfTime(p.time(t.start), now, w) { continue }
                if !define(s, thread: t, row: i, in: p, current: row) { continue }
                var moved = t
                moved.pc += 1
                moved.assignments.append((i, s))
                reached.removeAll(keepingCapacity: true)
                closure(moved, at: i + 1, atEnd: false, into: &reached)
                var matched = false
                for r in reached {
                    if case .match = program.ops[r.pc] {
                        p.best = r
                        p.bestEnd = i
                        matched = true
                        break
                    }
                    if historyFree {
                        // Threads at the same step from the same start behave alike from here: keep the
                        // first (preferred). Few threads are compared directly, many through a set.
                        if next.count < 16 {
                            if next.contains(where: { $0.pc == r.pc && $0.start == r.start }) { continue }
                        } else {
                            if seen.isEmpty { for x in next { seen.insert(x.pc &* 1_000_003 &+ x.start) } }
                            guard seen.insert(r.pc &* 1_000_003 &+ r.start).inserted else { continue }
                        }
                    }
                    next.append(r)
                }
                if matched { break }  // lower-priority threads cannot produce a preferred match
            }
            if next.count > limits.threadsPerPartition {
                counters.evicted.add(next.count - limits.threadsPerPartition, ordering: .relaxed)
                next.removeLast(next.count - limits.threadsPerPartition)
            }
            swap(&p.threads, &next)
            if p.best != nil && p.threads.isEmpty { emitBest(p, into: &out) }
        }
    }

    private func define(_ s: Int, thread t: Thread, row i: Int, in p: Partition, current: Row) -> Bool {
        guard let d = defines[s] else { return true }  // a variable without DEFINE matches any row
        ctx.current = i
        if definesUsePrev[s] || !definesAreHistoryFree[s] { ctx.rows = p.rows }
        if !definesAreHistoryFree[s] {
            ctx.assignments = t.assignments
            ctx.assignments.append((i, s))
            ctx.visible = ctx.assignments.count
        }
        ctx.matchNumber = p.matchNumber + 1
        return d(current)
    }

    /// Emits the preferred match and resumes the search where AFTER MATCH SKIP says.
    private func emitBest(_ p: Partition, into out: inout ResultBatch) {
        guard let m = p.best else { return }
        p.best = nil
        p.threads = []
        p.matchNumber += 1
        ctx.rows = p.rows
        ctx.assignments = m.assignments
        ctx.matchNumber = p.matchNumber
        let firstRow = out.count
        if q.allRows {
            for k in 0..<m.assignments.count {
                ctx.visible = k + 1
                ctx.current = m.assignments[k].row
                guard let r = p.rows[ctx.current] else { continue }
                for (j, f) in measures.enumerated() { store.values[j] = f(r) }
                for f in projections { out.values.append(f(r)) }
            }
        } else {
            ctx.visible = m.assignments.count
            ctx.current = m.assignments.last?.row ?? m.start
            if let r = p.rows[ctx.current] {
                for (j, f) in measures.enumerated() { store.values[j] = f(r) }
                for f in projections { out.values.append(f(r)) }
            }
        }
        if let lineage { recordMatch(lineage, m, p, rows: firstRow..<out.count) }
        let last = m.assignments.last?.row ?? m.start
        var resume: Int
        switch q.afterMatch {
        case .pastLastRow: resume = last + 1
        case .toNextRow: resume = m.start + 1
        case .toFirst(let name), .toLast(let name):
            let syms = q.symbolSet(name)
            let rows = m.assignments.filter { syms.contains($0.symbol) }.map(\.row)
            let target: Int? = { if case .toFirst = q.afterMatch { return rows.first } else { return rows.last } }()
            resume = target ?? (last + 1)
            if resume <= m.start { resume = m.start + 1 }  // never loop on the same match
        }
        p.searchFrom = resume
        p.cursor = resume
    }

    /// Lineage of a match's result rows: the match's rows with their pattern variables, each marked with
    /// the DEFINE it satisfied (ALL ROWS PER MATCH: the row a result row stands for is marked `current`).
    private func recordMatch(_ lineage: LineageRecorder, _ m: Thread, _ p: Partition, rows: Range<Int>) {
        var inputs: [LineageInput] = []
        for a in m.assignments {
            guard let r = p.rows[a.row] else { continue }
            let name = program.symbols[a.symbol]
            inputs.append(lineage.input(r, role: name, marks: defines[a.symbol] == nil ? [] : ["DEFINE \(name)"], now: false))
        }
        for (k, r) in rows.enumerated() {
            var these = inputs
            if q.allRows, k < these.count { these[k].marks.append("current") }
            lineage.record(row: r, inputs: these)
        }
    }

    /// Drops rows no thread, no pending match and no PREV can still reach.
    private func trim(_ p: Partition) {
        var keep = min(p.cursor, p.searchFrom)
        for t in p.threads { keep = min(keep, t.start) }
        if let b = p.best { keep = min(keep, b.start) }
        keep -= q.maxPrev
        if keep > p.rows.base {
            p.rows.drop(before: keep)
            let n = keep - p.timeBase
            if n >= 64 && n * 2 > p.times.count {
                p.times.removeFirst(n)
                p.timeBase = keep
            }
        }
    }

    /// Over the row cap: forget the oldest rows and the partial matches that use them (counted).
    private func shed(_ p: Partition) {
        let cut = p.rows.endIndex - limits.rowsPerPartition
        let before = p.threads.count
        p.threads.removeAll { $0.start < cut }
        if let b = p.best, b.start < cut { p.best = nil }
        counters.evicted.add(before - p.threads.count + 1, ordering: .relaxed)
        p.searchFrom = max(p.searchFrom, cut)
        p.cursor = max(p.cursor, cut)
        let n = cut - p.timeBase
        if n > 0 && n <= p.times.count { p.times.removeFirst(n); p.timeBase = cut }
        p.rows.drop(before: cut)
    }

    private func evictPartitions() {
        let idle = zip(partitions.keys, partitions.values).filter { $0.1.threads.isEmpty && $0.1.best == nil }
        let victims = idle.sorted { $0.1.lastUse < $1.1.lastUse }.prefix(max(1, partitions.count / 10)).map(\.0)
        for k in victims { partitions.removeValue(forKey: k) }
        counters.evicted.add(victims.count, ordering: .relaxed)
    }

    /// WITHIN for idle partitions: partial matches that can no longer complete in time are dropped,
    /// which may make a pending match final.
    private func sweep(into out: inout ResultBatch) {
        guard let w = q.withinNanos else { return }
        for p in allPartitions() where !p.threads.isEmpty {
            p.threads.removeAll { outOfTime(p.time($0.start), maxTime, w) }
            if p.threads.isEmpty && p.best != nil {
                emitBest(p, into: &out)
                run(p, into: &out)
            }
        }
    }

    /// Whether more than `limit` passed from `start` to `now`. Times are any Int64 (event times from data), so
    /// the difference may not fit: then it is far over the limit if `now` is later, and not if it is earlier.
    static func elapsed(from start: Int64, to now: Int64, over limit: Int64) -> Bool {
        let (d, overflow) = now.subtractingReportingOverflow(start)
        return overflow ? now > start : d > limit
    }

    private func allPartitions() -> [Partition] { Array(partitions.values) + (single.map { [$0] } ?? []) }

    func onTick(now: Int64, into out: inout ResultBatch) { sweep(into: &out) }

    /// End of input: pending matches are final; the search resumes after each, over the rows held.
    func finish(into out: inout ResultBatch) {
        for p in allPartitions() {
            var guardCount = 0
            while guardCount < 1_000_000 {
                guardCount += 1
                // Threads that can finish at the end of input (`$`) complete now.
                var ended: [Thread] = []
                for t in p.threads { closure(t, at: p.cursor, atEnd: true, into: &ended) }
                if p.best == nil, let m = ended.first(where: { if case .match = program.ops[$0.pc] { return true } else { return false } }),
                   !m.assignments.isEmpty {
                    p.best = m
                }
                guard p.best != nil else { break }
                emitBest(p, into: &out)
                run(p, into: &out)
            }
        }
    }
}
