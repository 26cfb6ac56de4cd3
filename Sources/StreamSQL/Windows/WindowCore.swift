/// The key of a group: no key, one value, or several. Hashed once per row.
enum GroupKey: Hashable {
    case none
    case one(Value)
    case many([Value])

    func value(_ i: Int) -> Value {
        switch self {
        case .none: return .null
        case .one(let v): return v
        case .many(let vs): return vs[i]
        }
    }
}

/// One group's aggregate state in one window (or pane).
final class GroupState {
    let key: GroupKey
    let accs: [Accumulator]
    var rows = 0
    var firstTime: Int64 = 0
    var lastTime: Int64 = 0
    var lastSeen: Int64 = 0     // processing time of the last row (TTL)
    init(key: GroupKey, accs: [Accumulator]) {
        self.key = key
        self.accs = accs
    }
}

/// Groups in first-seen order with O(1) lookup.
struct GroupTable {
    private(set) var index: [GroupKey: Int] = [:]
    private(set) var states: [GroupState] = []
    var count: Int { states.count }

    subscript(key: GroupKey) -> GroupState? { index[key].map { states[$0] } }

    mutating func insert(_ s: GroupState) {
        index[s.key] = states.count
        states.append(s)
    }

    mutating func remove(_ key: GroupKey) {
        guard let i = index.removeValue(forKey: key) else { return }
        states.remove(at: i)
        for j in i..<states.count { index[states[j].key] = j }
    }

    mutating func removeAll() { index.removeAll(keepingCapacity: true); states.removeAll(keepingCapacity: true) }
}

/// What every window kind shares: the compiled WHERE, keys and aggregate arguments, and turning a
/// fired window into output rows (aggregate row → HAVING → projections → ORDER BY → DISTINCT → LIMIT).
final class WindowCore {
    let q: BoundWindowQuery
    let schema: ResultSchema
    let filter: Predicate?
    let keyEvals: [Eval]
    let aggArgs: [Eval?]
    let aggKinds: [AggregateKind]
    let projections: [Eval]
    let having: Predicate?
    let trigger: Predicate?
    let order: [(Eval, Bool)]
    let counters: Counters
    let maxGroups: Int
    let clock: Clock
    let eventTime: EventTimeTracker?

    init(_ q: BoundWindowQuery, counters: Counters, maxGroups: Int, clock: Clock) {
        let c = ExpressionCompiler()
        self.q = q
        schema = q.schema
        filter = q.filter.map(c.compilePredicate)
        keyEvals = q.groupKeys.map(c.compile)
        aggArgs = q.aggregates.map { $0.argument.map(c.compile) }
        aggKinds = q.aggregates.map(\.kind)
        projections = q.projections.map(c.compile)
        having = q.having.map(c.compilePredicate)
        trigger = q.trigger.map(c.compilePredicate)
        order = q.orderBy.map { (c.compile($0.expr), $0.descending) }
        self.counters = counters
        self.maxGroups = maxGroups
        self.clock = clock
        eventTime = q.time.eventTimeSlot.map { EventTimeTracker(q.time, slot: $0) }
    }

    @inline(__always) func key(_ row: Row) -> GroupKey {
        switch keyEvals.count {
        case 0: return .none
        case 1: return .one(keyEvals[0](row))
        default: return .many(keyEvals.map { $0(row) })
        }
    }

    func newAccumulators() -> [Accumulator] { aggKinds.map { $0.make() } }

    @inline(__always) func accumulate(_ g: GroupState, _ row: Row, time: Int64) {
        for i in 0..<aggArgs.count {
            if let a = aggArgs[i] { g.accs[i].add(a(row)) } else { g.accs[i].add(.bool(true)) }
        }
        if g.rows == 0 { g.firstTime = time }
        g.rows += 1
        g.lastTime = time
    }

    /// The aggregate row of one group: `[window_start, window_end, keys…, aggregate results…]`.
    func aggregateRow(key: GroupKey, accs: [Accumulator], start: Value, end: Value) -> Row {
        var slots = ContiguousArray<Value>()
        slots.reserveCapacity(q.aggregateRowWidth)
        slots.append(start)
        slots.append(end)
        for i in 0..<keyEvals.count { slots.append(key.value(i)) }
        for a in accs { slots.append(a.result()) }
        return Row(slots: slots)
    }

    /// Emits one window firing: the given groups' rows, filtered, projected, ordered and limited.
    func emit(_ groups: [(GroupKey, [Accumulator])], start: Value, end: Value, into out: inout ResultBatch) {
        let w = schema.width
        let first = out.values.count
        var sortKeys: [[Value]] = []
        var seen = Set<ArraySlice<Value>>()
        for (key, accs) in groups {
            let row = aggregateRow(key: key, accs: accs, start: start, end: end)
            if let having, !having(row) { continue }
            let rowStart = out.values.count
            for p in projections { out.values.append(p(row)) }
            if q.distinct && order.isEmpty {
                if !seen.insert(out.values[rowStart...]).inserted { out.values.removeLast(w); continue }
            }
            if !order.isEmpty { sortKeys.append(order.map { $0.0(row) }) }
        }
        let n = (out.values.count - first) / max(1, w)
        guard n > 0 else { return }
        if !order.isEmpty {
            var idx = Array(0..<n)
            idx.sort { a, b in
                for (k, (_, desc)) in order.enumerated() {
                    let r = Value.sortOrder(sortKeys[a][k], sortKeys[b][k])
                    if r != 0 { return desc ? r > 0 : r < 0 }
                }
                return a < b
            }
            let rows = idx.map { Array(out.values[(first + $0 * w)..<(first + ($0 + 1) * w)]) }
            out.values.removeLast(n * w)
            var kept = Set<[Value]>()
            for r in rows where !q.distinct || kept.insert(r).inserted { out.values.append(contentsOf: r) }
        }
        if let limit = q.limit {
            let m = (out.values.count - first) / max(1, w)
            if m > limit { out.values.removeLast((m - limit) * w) }
        }
    }

    /// Whether a new group may be created (the state bound); counts the rejection when not.
    func admitNewGroup(current: Int) -> Bool {
        if current < maxGroups { return true }
        counters.reject("group limit reached (\(maxGroups) groups)")
        return false
    }
}

/// Event time and the watermark for one query.
///
/// The watermark is the largest event time seen (across all keys) minus MAXOUTOFORDERNESS; a window
/// `[start, end)` is complete when the watermark reaches `end`. IDLETIMEOUT lets the watermark follow
/// processing time when no rows arrive, so the last windows of a quiet source still fire.
final class EventTimeTracker {
    let slot: Int
    let unit: Int64
    let outOfOrder: Int64
    let lateness: Int64
    let idle: Int64?
    private(set) var maxEventTime: Int64?
    private(set) var watermark = Int64.min
    private var lastArrival: Int64 = 0

    init(_ t: TimeOptions, slot: Int) {
        self.slot = slot
        unit = t.unitNanos
        outOfOrder = t.maxOutOfOrderness
        lateness = t.allowedLateness
        idle = t.idleTimeout
    }

    /// The row's event time in nanoseconds, or nil when the field is missing or not a time.
    func time(of row: Row) -> Int64? {
        switch row[slot] {
        case .int(let i):
            let (r, o) = i.multipliedReportingOverflow(by: unit)
            return o ? nil : r
        case .double(let d):
            let ns = d * Double(unit)
            return ns.isFinite && abs(ns) < 9.2e18 ? Int64(ns) : nil
        case .string(let s): return TimeParse.parse(s)
        case .timestamp(let t): return t
        default: return nil
        }
    }

    func observe(_ t: Int64, arrival: Int64) {
        lastArrival = arrival
        if maxEventTime.map({ t > $0 }) ?? true {
            maxEventTime = t
            let (w, o) = t.subtractingReportingOverflow(outOfOrder)
            if !o && w > watermark { watermark = w }
        }
    }

    /// Lets the watermark advance with processing time after IDLETIMEOUT without rows.
    func idleAdvance(now: Int64) -> Bool {
        guard let idle, let m = maxEventTime, now - lastArrival >= idle else { return false }
        let w = m + (now - lastArrival) - outOfOrder
        if w > watermark { watermark = w; return true }
        return false
    }

    func endOfInput() { watermark = Int64.max }
}
