import DequeModule
import OrderedCollections

/// Runs a query's analytic calls: per call, per partition state, bounded by a partition cap with
/// least-recently-used eviction (counted).
///
/// `OVER (WHEN c)`: on rows where `c` is not true the partition's state stays as it is and the call
/// returns its previous output. Partition keys are typed (the number 1 and the string "1" differ).
final class AnalyticRunner {
    let calls: [Call]
    let store: AnalyticValues
    let whereCalls: [Int]
    let selectCalls: [Int]

    init(_ bound: [BoundAnalyticCall], compiler: ExpressionCompiler, maxPartitions: Int, counters: Counters) {
        calls = bound.map { Call($0, compiler: compiler, maxPartitions: maxPartitions, counters: counters) }
        store = compiler.analytics ?? AnalyticValues(count: bound.count)
        whereCalls = bound.indices.filter { bound[$0].inWhere }
        selectCalls = bound.indices.filter { !bound[$0].inWhere }
    }

    var isEmpty: Bool { calls.isEmpty }

    /// Lineage: remember the previous row each lag / had_changed / changed_col call compares with.
    func keepPreviousRows() {
        for c in calls where [.lag, .hadChanged, .changedCol, .changedCols].contains(c.spec.kind) { c.keepsRows = true }
    }

    /// The previous rows the calls of the last event used, with the function that used each.
    var previousRows: [(function: String, row: Row)] {
        calls.compactMap { c in c.keepsRows ? c.used.map { (c.spec.kind.rawValue, $0) } : nil }
    }
    /// WHERE calls an analytic function: then every call advances before the filter (the reference's order).
    var hasWhereCalls: Bool { !whereCalls.isEmpty }
    /// first_seen remembers at most this many values per partition, then starts over (counted).
    static let maxSeenPerPartition = 10_000
    var partitions: Int { calls.reduce(0) { $0 + $1.partitions.count } }

    /// Evaluates every call of WHERE (before the filter) or of the select list.
    @inline(__always) func run(_ row: Row, inWhere: Bool) {
        for i in inWhere ? whereCalls : selectCalls { store.values[i] = calls[i].evaluate(row) }
    }

    final class Partition {
        var history: [Value] = []          // lag: the last `offset` values, oldest first
        var last: [Value]? = nil           // had_changed / changed_col(s): baseline per value
        var lastObject: OrderedDictionary<String, Value>? = nil
        var latest: Value = .null
        var started = false
        var count: Int64 = 0
        var numeric: Int64 = 0
        var sum: Double = 0
        var extreme: Double = 0
        var lastOutput: Value = .null
        var lastUse = 0
        var seen = Set<Value>()            // first_seen
        var times = Deque<Int64>()         // recent_count: event times inside the span, oldest first
        var timed = Deque<(Int64, Value)>() // recent_collect: (time, value) inside the span, oldest first
        var mean: Double = 0, m2: Double = 0  // acc_stddev (Welford)
        var prev: Value = .null            // lag(x, 1), and the baseline of single-value had_changed / changed_col
        var hasPrev = false
        var prevRow: Row? = nil            // lineage: the row lag / had_changed / changed_col compared with
    }

    final class Call {
        let spec: BoundAnalyticCall
        let values: [Column]
        let partitionBy: [Column]
        let when: Condition?
        let start: Condition?
        let reset: Condition?
        let lagDefault: Eval?
        let partitions = KeyMap<Partition>()
        let single = Partition()
        let maxPartitions: Int
        let counters: Counters
        var clock = 0

        init(_ s: BoundAnalyticCall, compiler: ExpressionCompiler, maxPartitions: Int, counters: Counters) {
            spec = s
            values = s.values.map(compiler.column)
            partitionBy = s.partitionBy.map(compiler.column)
            when = s.when.map(compiler.condition)
            start = s.start.map(compiler.condition)
            reset = s.reset.map(compiler.condition)
            lagDefault = s.lagDefault.map(compiler.compile)
            self.maxPartitions = max(1, maxPartitions)
            self.counters = counters
        }

        func partition(_ row: Row) -> Partition {
            if partitionBy.isEmpty { return single }
            clock &+= 1
            let i = partitions.position(of: partitionBy, in: row) { key in
                if partitions.count >= maxPartitions { evict() }
                return partitions.append(key, Partition())
            }
            let p = partitions[position: i]
            p.lastUse = clock
            return p
        }

        /// Drops the least recently used tenth of the partitions.
        @inline(never) func evict() {
            let n = max(1, partitions.count / 10)
            let victims = zip(partitions.keys, partitions.values).sorted { $0.1.lastUse < $1.1.lastUse }.prefix(n).map(\.0)
            for k in victims { partitions.removeValue(forKey: k) }
            counters.evicted.add(victims.count, ordering: .relaxed)
        }

        func evaluate(_ row: Row) -> Value {
            let p = partition(row)
            if let when, !when(row) { return p.lastOutput }
            if keepsRows { used = p.prevRow; p.prevRow = row }
            let out = compute(p, row)
            p.lastOutput = out
            return out
        }

        /// Lineage on: keep, per partition, the row lag / had_changed / changed_col compare with, and the
        /// one the last evaluation used.
        var keepsRows = false
        var used: Row? = nil

        private func compute(_ p: Partition, _ row: Row) -> Value {
            switch spec.kind {
            case .lag where spec.lagOffset == 1:
                // The common lag(x): one previous value, no history array.
                let v = values[0](row)
                let out = p.hasPrev ? p.prev : (lagDefault?(row) ?? .null)
                if !(spec.ignoreNull && v.isNull) { p.prev = v; p.hasPrev = true }
                return out
            case .lag:
                let v = values[0](row)
                let n = spec.lagOffset
                let out = p.history.count >= n ? p.history[p.history.count - n] : (lagDefault?(row) ?? .null)
                if !(spec.ignoreNull && v.isNull) {
                    p.history.append(v)
                    if p.history.count > n { p.history.removeFirst(p.history.count - n) }
                }
                return out
            case .recentCount:
                guard let t = TimeParse.nanos(values[0](row)) else { return .int(Int64(p.times.count)) }
                p.times.append(t)
                if p.times.count > 1, t < p.times[p.times.count - 2] {
                    // Out of order: keep the deque sorted (rare; a short insertion).
                    var i = p.times.count - 1
                    while i > 0, p.times[i - 1] > p.times[i] { p.times.swapAt(i - 1, i); i -= 1 }
                }
                let newest = p.times[p.times.count - 1]
                // Near the start of Int64 time nothing lies a whole span before the newest: keep all.
                let (cutoff, early) = newest.subtractingReportingOverflow(spec.spanNanos)
                while !early, let first = p.times.first, first <= cutoff { p.times.removeFirst() }
                if p.times.count > 100_000 { p.times.removeFirst(p.times.count - 100_000) }
                return .int(Int64(p.times.count))
            case .recentCollect:
                let v = values[0](row)
                guard let t = TimeParse.nanos(values[1](row)) else { return .array(p.timed.map(\.1)) }
                if !v.isNull {
                    p.timed.append((t, v))
                    var i = p.timed.count - 1
                    while i > 0, p.timed[i - 1].0 > p.timed[i].0 { p.timed.swapAt(i - 1, i); i -= 1 }
                }
                // The span ends at the newest time seen, so a late row does not bring back expired values.
                let newest = max(t, p.timed.last?.0 ?? t)
                let (cutoff, early) = newest.subtractingReportingOverflow(spec.spanNanos)
                while !early, let first = p.timed.first, first.0 <= cutoff { p.timed.removeFirst() }
                if p.timed.count > 10_000 { p.timed.removeFirst(p.timed.count - 10_000) }
                return .array(p.timed.map(\.1))
            case .latest:
                let v = values[0](row)
                if !v.isNull { p.latest = v }
                return p.latest
            case .hadChanged where values.count == 1:
                return .bool(singleChanged(p, values[0](row)))
            case .hadChanged:
                if spec.wholeEvent { return .bool(objectChanged(p, row.whole ?? [:])) }
                return .bool(valuesChanged(p, values.map { $0(row) }).contains(true))
            case .changedCol:
                let v = values[0](row)
                return singleChanged(p, v) ? v : .null
            case .changedCols:
                var out = OrderedDictionary<String, Value>()
                if spec.wholeEvent {
                    let obj = row.whole ?? [:]
                    let before = p.lastObject
                    var now = before ?? [:]
                    for (k, v) in obj {
                        if spec.ignoreNull && v.isNull { continue }
                        if before?[k] != v || before?[k] == nil { out[spec.names[0] + k] = v }
                        now[k] = v
                    }
                    p.lastObject = now
                } else {
                    let vs = values.map { $0(row) }
                    for (i, changed) in valuesChanged(p, vs).enumerated() where changed { out[spec.names[i]] = vs[i] }
                }
                return out.isEmpty ? .null : .object(out)
            case .accSum, .accMax, .accMin, .accCount, .accAvg, .accStddev:
                return accumulate(p, row)
            case .firstSeen:
                let v = values[0](row)
                if v.isNull { return .null }
                if p.seen.contains(v) { return .bool(false) }
                if p.seen.count >= AnalyticRunner.maxSeenPerPartition {
                    p.seen.removeAll(keepingCapacity: true)
                    counters.evicted.add(1, ordering: .relaxed)
                }
                p.seen.insert(v)
                return .bool(true)
            }
        }

        /// Which values differ from the partition's baseline (the first row: all that are not NULL);
        /// with ignoreNull a NULL is no change and keeps the baseline.
        private func valuesChanged(_ p: Partition, _ vs: [Value]) -> [Bool] {
            let first = p.last == nil
            var base = p.last ?? Array(repeating: Value.null, count: vs.count)
            var changed = Array(repeating: false, count: vs.count)
            var sawValue = false
            for (i, v) in vs.enumerated() {
                if spec.ignoreNull && v.isNull { continue }
                sawValue = true
                changed[i] = first || base[i] != v
                base[i] = v
            }
            if !first || sawValue { p.last = base }
            return changed
        }

        /// `valuesChanged` for one value, without arrays (the hot case).
        @inline(__always) private func singleChanged(_ p: Partition, _ v: Value) -> Bool {
            if spec.ignoreNull && v.isNull { return false }
            defer { p.prev = v; p.hasPrev = true }
            return !p.hasPrev || p.prev != v
        }

        /// had_changed(…, *): compares the event field by field; an added or dropped field is a change.
        private func objectChanged(_ p: Partition, _ obj: OrderedDictionary<String, Value>) -> Bool {
            var current = obj
            if spec.ignoreNull { current = current.filter { !$0.value.isNull } }
            defer { p.lastObject = current }
            guard let before = p.lastObject else { return true }
            return before != current
        }

        private func accumulate(_ p: Partition, _ row: Row) -> Value {
            if let reset, reset(row) {
                p.started = false
                p.count = 0; p.numeric = 0; p.sum = 0; p.extreme = 0; p.mean = 0; p.m2 = 0
                return accResult(p)
            }
            if !p.started { p.started = start.map { $0(row) } ?? true }
            if p.started {
                let v = values[0](row)
                if !v.isNull {
                    p.count += 1
                    if let d = v.asDouble {
                        p.extreme = p.numeric == 0 ? d : (spec.kind == .accMax ? max(p.extreme, d) : min(p.extreme, d))
                        p.numeric += 1
                        p.sum += d
                        let delta = d - p.mean
                        p.mean += delta / Double(p.numeric)
                        p.m2 += delta * (d - p.mean)
                    }
                }
            }
            return accResult(p)
        }

        private func accResult(_ p: Partition) -> Value {
            switch spec.kind {
            case .accCount: return .int(p.count)
            case .accSum: return p.numeric == 0 ? .null : Fn.real(p.sum)
            case .accAvg: return p.numeric == 0 ? .null : Fn.real(p.sum / Double(p.numeric))
            case .accStddev: return p.numeric < 2 ? .null : Fn.real((p.m2 / Double(p.numeric - 1)).squareRoot())
            default: return p.numeric == 0 ? .null : .double(p.extreme)
            }
        }
    }
}
