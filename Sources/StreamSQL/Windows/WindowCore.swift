/// The groups of one window (or pane, or session) and their aggregate state, column by column.
/// Group `i` is the i-th group seen; its state is element `i` of every column.
final class GroupTable {
    private let index = KeyMap<Void>()
    /// Group keys, initialized for groups `0..<count`.
    private var keyStore = UnsafeMutablePointer<GroupKey>.allocate(capacity: 1)
    let columns: [AggregateColumn]
    private(set) var count = 0
    private var capacity = 0
    private(set) var rows = Cells<Int>()
    private(set) var firstTime = Cells<Int64>()
    private(set) var lastTime = Cells<Int64>()
    private(set) var lastSeen = Cells<Int64>()     // processing time of the group's last row (STATETTL)
    /// Each group's input rows, while the query records lineage (nil otherwise).
    var inputs: GroupInputs? { didSet { inputsRef = inputs.map { .passUnretained($0) } } }
    /// `inputs`, for keeping a row without a retain and release of it per row.
    private(set) var inputsRef: Unmanaged<GroupInputs>?

    /// The columns whose new groups need `start` (the others are zeroed in bulk).
    private let startColumns: [AggregateColumn]

    init(columns: [AggregateColumn]) {
        self.columns = columns
        startColumns = columns.filter(\.needsStart)
    }

    deinit {
        for c in columns { c.removeAll(count: count); c.free() }
        rows.free(); firstTime.free(); lastTime.free(); lastSeen.free()
        keyStore.deinitialize(count: count)
        keyStore.deallocate()
    }

    @inline(__always) func key(_ g: Int) -> GroupKey { keyStore[g] }

    /// Value `i` of group `g`'s key, read in place.
    @inline(__always) func keyValue(_ g: Int, _ i: Int) -> Value {
        switch keyStore[g] {
        case .none: return .null
        case .one(let v): return v
        case .many(let vs): return vs[i]
        }
    }

    @inline(__always) func group(_ key: GroupKey) -> Int? { index.position(of: key) }

    func insert(_ key: GroupKey) -> Int {
        let g = append(key)
        index.append(key, ())
        return g
    }

    private func append(_ key: GroupKey) -> Int {
        let g = count
        if g == capacity {
            let bigger = max(16, capacity * 2)
            for c in columns { c.grow(count: g, to: bigger) }
            rows.grow(count: g, to: bigger); firstTime.grow(count: g, to: bigger)
            lastTime.grow(count: g, to: bigger); lastSeen.grow(count: g, to: bigger)
            let k = UnsafeMutablePointer<GroupKey>.allocate(capacity: bigger)
            k.moveInitialize(from: keyStore, count: g)
            keyStore.deallocate()
            keyStore = k
            capacity = bigger
        }
        count = g + 1
        (keyStore + g).initialize(to: key)
        for c in startColumns { c.start(g) }
        rows[g] = 0; firstTime[g] = 0; lastTime[g] = 0; lastSeen[g] = 0
        return g
    }

    // Id mode (time windows): groups are found by a key id the operator assigns once per key, through
    // an array instead of hashing the key again in every pane and window.
    private(set) var ids: [Int] = []
    private var byId: [Int32] = []

    @inline(__always) func group(id: Int) -> Int? {
        guard id < byId.count else { return nil }
        let g = byId[id]
        return g >= 0 ? Int(g) : nil
    }

    func insert(_ key: GroupKey, id: Int) -> Int {
        let g = append(key)
        ids.append(id)
        if id >= byId.count { byId.append(contentsOf: repeatElement(-1, count: max(id + 1 - byId.count, byId.count / 2 + 16))) }
        byId[id] = Int32(g)
        return g
    }

    /// Gives the groups new ids (after the operator compacted its key ids).
    func remapIds(_ map: [Int: Int]) {
        for i in byId.indices { byId[i] = -1 }
        for (g, old) in ids.enumerated() {
            guard let new = map[old] else { continue }
            ids[g] = new
            if new >= byId.count { byId.append(contentsOf: repeatElement(-1, count: new + 1 - byId.count)) }
            byId[new] = Int32(g)
        }
    }

    /// Empties group `g`'s state (the group stays).
    func reset(_ g: Int) {
        for c in columns { c.reset(g) }
        rows[g] = 0
        inputs?.reset(g)
    }

    /// Folds group `h` of `other` into group `g`.
    func merge(_ g: Int, from other: GroupTable, _ h: Int) {
        let mine = columns, theirs = other.columns
        for k in 0..<mine.count { mine[k].merge(g, from: theirs[k], h) }
        if rows[g] == 0 { firstTime[g] = other.firstTime[h] } else { firstTime[g] = min(firstTime[g], other.firstTime[h]) }
        lastTime[g] = max(lastTime[g], other.lastTime[h])
        rows[g] += other.rows[h]
        lastSeen[g] = max(lastSeen[g], other.lastSeen[h])
        if let inputs, let theirs = other.inputs { inputs.merge(g, from: theirs, h) }
    }

    /// Folds every group of `other` (a pane) into this table by key id, creating groups as needed.
    func mergeAll(from other: GroupTable, targets: inout [Int]) {
        targets.removeAll(keepingCapacity: true)
        for h in 0..<other.count {
            let id = other.ids[h]
            let g = group(id: id) ?? insert(other.key(h), id: id)
            targets.append(g)
            if rows[g] == 0 { firstTime[g] = other.firstTime[h] } else { firstTime[g] = min(firstTime[g], other.firstTime[h]) }
            lastTime[g] = max(lastTime[g], other.lastTime[h])
            rows[g] += other.rows[h]
            lastSeen[g] = max(lastSeen[g], other.lastSeen[h])
        }
        let mine = columns, theirs = other.columns
        for k in 0..<mine.count { mine[k].mergeAll(targets, from: theirs[k]) }
        if let inputs, let theirs = other.inputs {
            for (h, g) in targets.enumerated() { inputs.merge(g, from: theirs, h) }
        }
    }

    /// Moves whenever the table is emptied: group numbers of an earlier epoch name other groups.
    private(set) var epoch = 0

    func removeAll() {
        epoch &+= 1
        index.removeAll()
        for id in ids where id < byId.count { byId[id] = -1 }
        ids.removeAll(keepingCapacity: true)
        keyStore.deinitialize(count: count)
        for c in columns { c.removeAll(count: count) }
        count = 0
        inputs?.removeAll()
    }
}

/// What every window kind shares: the compiled WHERE, keys and aggregate arguments, and turning a
/// fired window into output rows (aggregate row → HAVING → projections → ORDER BY → DISTINCT → LIMIT).
final class WindowCore {
    let q: BoundWindowQuery
    let schema: ResultSchema
    let filter: Condition?
    let keyEvals: [Column]
    /// Per aggregate: its argument (an aggregate without one, such as COUNT(*), reads TRUE).
    let aggArgs: [Column]
    let aggKinds: [AggregateKind]
    /// Per aggregate: its FILTER (WHERE …) (empty or all nil when no aggregate has one).
    let aggFilters: [Condition?]
    let filtersAggregates: Bool
    let projections: [Column]
    let having: Condition?
    let trigger: Condition?
    /// Conditions over input rows that drive the window (StateWindow's begin and end, a sliding window's WHEN).
    let windowConditions: [Condition]
    let order: [(Eval, Bool)]
    let counters: Counters
    let maxGroups: Int
    let clock: Clock
    let eventTime: EventTimeTracker?

    let analytics: AnalyticRunner?
    /// When rows last arrived (processing time), for the inspector's idle time.
    var arrivals = ArrivalStamp()
    /// Where result rows' inputs go when the query records lineage (see `WindowCore+Lineage.swift`).
    let lineage: LineageRecorder?
    /// With lineage: the MIN and MAX aggregates, and how their deciding row is marked.
    let extremeMarks: [(Int, String)]

    init(_ q: BoundWindowQuery, counters: Counters, maxGroups: Int, maxPartitions: Int, clock: Clock, joins: JoinRows? = nil,
         lineage: LineageRecorder? = nil) {
        self.lineage = lineage
        extremeMarks = lineage == nil ? [] : WindowCore.extremeMarks(q)
        let store = q.analytics.isEmpty ? nil : AnalyticValues(count: q.analytics.count)
        let c = ExpressionCompiler(analytics: store, joins: joins)
        analytics = store == nil ? nil : AnalyticRunner(q.analytics, compiler: c, maxPartitions: maxPartitions, counters: counters)
        self.q = q
        schema = q.schema
        filter = q.filter.map(c.condition)
        keyEvals = q.groupKeys.map(c.column)
        aggArgs = q.aggregates.map { $0.argument.map(c.column) ?? Column(slot: -1, eval: { _ in .bool(true) }) }
        let args = aggArgs
        lineage?.decidingMarks = extremeMarks.map { i, text in DecidingMark(text: text, argument: { args[i]($0) }) }
        aggKinds = q.aggregates.map(\.kind)
        aggFilters = q.aggregateFilters.map { $0.map(c.condition) }
        filtersAggregates = aggFilters.contains { $0 != nil }
        projections = q.projections.map(c.column)
        having = q.having.map(c.condition)
        trigger = q.trigger.map(c.condition)
        windowConditions = q.windowConditions.map(c.condition)
        order = q.orderBy.map { (c.compile($0.expr), $0.descending) }
        self.counters = counters
        self.maxGroups = maxGroups
        self.clock = clock
        eventTime = q.time.eventTimeSlot.map { EventTimeTracker(q.time, slot: $0, published: counters) }
        suppressEmpty = q.schema.suppressesEmptyRows
        countsRows = q.aggregates.map { $0.argument == nil && $0.kind.op == .countStar && !$0.kind.distinct }
        let plain = q.having == nil && q.orderBy.isEmpty && !q.distinct && q.analytics.isEmpty && !suppressEmpty
        let slots = q.projections.compactMap { p -> Int? in
            if case .slot(let s, _) = p { return s }
            return nil
        }
        directSlots = plain && slots.count == q.projections.count ? slots : nil
        emission = WindowEmission(q.emit, lateness: q.time.allowedLateness)
    }

    /// When results leave the window (the EMIT clause), with its state (EMIT CHANGES' last rows).
    let emission: WindowEmission

    /// Output rows whose cells are all empty are dropped (changed_col).
    let suppressEmpty: Bool
    /// Per aggregate: COUNT(*), which counts every row without reading anything.
    let countsRows: [Bool]
    /// When every output column is a window bound, a key or an aggregate and nothing filters, orders or
    /// deduplicates the output: the aggregate-row slot of each column, so firing writes results
    /// straight from the group table.
    let directSlots: [Int]?

    @inline(__always) func key(_ row: Row) -> GroupKey {
        switch keyEvals.count {
        case 0: return .none
        case 1: return .one(keyEvals[0](row))
        default: return .many(keyEvals.map { $0(row) })
        }
    }

    // Tables of expired windows, emptied and reused (their arrays keep their capacity), so a window
    // over many keys does not allocate its state again for every window.
    private var tablePool: [GroupTable] = []

    func makeTable() -> GroupTable {
        if let t = tablePool.popLast() { return t }
        let t = GroupTable(columns: aggKinds.map { $0.makeColumn() })
        t.inputs = lineage.map { GroupInputs(cap: $0.limits.inputsPerResult, recorder: $0) }
        return t
    }

    func recycle(_ t: GroupTable) {
        t.removeAll()
        if tablePool.count < 64 { tablePool.append(t) }
    }

    /// The group of `key` in `table`, created if new (nil when the group limit is reached).
    @inline(__always) func group(_ key: GroupKey, in table: GroupTable) -> Int? {
        if let g = table.group(key) { return g }
        guard admitNewGroup(current: table.count) else { return nil }
        return table.insert(key)
    }

    @inline(__always) func accumulate(_ table: GroupTable, _ g: Int, _ row: Row, time: Int64, now: Int64) {
        let cols = table.columns
        if filtersAggregates {
            for i in 0..<aggArgs.count {
                if let f = aggFilters[i], !f(row) { continue }
                if countsRows[i] {
                    unsafeDowncast(cols[i], to: CountColumn.self).addRow(g)
                } else {
                    cols[i].add(g, aggArgs[i](row))
                }
            }
        } else {
            // Without FILTER (WHERE …): the loop as it was before aggregate filters, no test per aggregate.
            for i in 0..<aggArgs.count {
                if countsRows[i] {
                    unsafeDowncast(cols[i], to: CountColumn.self).addRow(g)
                } else {
                    cols[i].add(g, aggArgs[i](row))
                }
            }
        }
        if table.rows[g] == 0 { table.firstTime[g] = time }
        if let inputs = table.inputsRef { inputs._withUnsafeGuaranteedRef { $0.add(g, row) } }
        table.rows[g] += 1
        table.lastTime[g] = time
        table.lastSeen[g] = now
    }

    /// Scratch aggregate row, refilled per group so that firing a window allocates no row per group.
    private var scratch = Row(width: 0)

    /// The aggregate row of group `g`: `[window_start, window_end, keys…, aggregate results…]`.
    func aggregateRow(_ table: GroupTable, _ g: Int, start: Value, end: Value, kind: EmitKind = .final) -> Row {
        fillScratch(table, g, start: start, end: end, rowNumber: 1, kind: kind)
        return scratch
    }

    private func fillScratch(_ table: GroupTable, _ g: Int, start: Value, end: Value, rowNumber: Int, kind: EmitKind = .final) {
        let width = q.aggregateRowWidth
        if scratch.slots.count != width { scratch = Row(width: width) }
        scratch.slots[0] = start
        scratch.slots[1] = end
        scratch.slots[2] = .int(Int64(rowNumber))
        scratch.slots[BoundWindowQuery.emitKindSlot] = WindowEmission.names[Int(kind.rawValue)]
        var k = BoundWindowQuery.firstKeySlot
        let key = table.key(g)
        for i in 0..<keyEvals.count { scratch.slots[k] = key.value(i); k += 1 }
        for c in table.columns { scratch.slots[k] = c.result(g); k += 1 }
    }

    /// Emits one window firing: rows of `groups` (all of the table's when nil), filtered, projected,
    /// ordered and limited.
    func emit(_ table: GroupTable, only groups: [Int]? = nil, start: Value, end: Value, kind: EmitKind = .final,
              into out: inout ResultBatch) {
        let w = schema.width
        let first = out.values.count
        defer { out.mark(kind, fromRow: first / max(1, w)) }
        let n = groups?.count ?? table.count
        out.values.reserveCapacity(first + n * w)
        var sortKeys: [[Value]] = []
        // With lineage: the group of each output row, kept in step through HAVING, ORDER BY, DISTINCT, LIMIT.
        var rowGroups: [Int] = []
        if let direct = directSlots {
            emitColumns(direct, table, only: groups, start: start, end: end, kind: kind, into: &out)
            if lineage != nil { rowGroups = (0..<n).map { groups?[$0] ?? $0 } }
        } else {
            var seen = Set<ArraySlice<Value>>()
            for j in 0..<n {
                fillScratch(table, groups?[j] ?? j, start: start, end: end, rowNumber: j + 1, kind: kind)
                let row = scratch
                analytics?.run(row, inWhere: false)
                if let having, !having(row) { continue }
                let rowStart = out.values.count
                for k in projections.indices { out.values.append(projections[k](row)) }
                if suppressEmpty && out.values[rowStart...].allSatisfy(\.isNull) {
                    out.values.removeLast(w)
                    continue
                }
                if q.distinct && order.isEmpty {
                    if !seen.insert(out.values[rowStart...]).inserted { out.values.removeLast(w); continue }
                }
                if !order.isEmpty { sortKeys.append(order.map { $0.0(row) }) }
                if lineage != nil { rowGroups.append(groups?[j] ?? j) }
            }
        }
        let produced = (out.values.count - first) / max(1, w)
        guard produced > 0 else { return }
        out.firingStarts.append(first / max(1, w))
        if !order.isEmpty {
            var idx = Array(0..<produced)
            idx.sort { a, b in
                for (k, (_, desc)) in order.enumerated() {
                    let r = Value.sortOrder(sortKeys[a][k], sortKeys[b][k])
                    if r != 0 { return desc ? r > 0 : r < 0 }
                }
                return a < b
            }
            let rows = idx.map { Array(out.values[(first + $0 * w)..<(first + ($0 + 1) * w)]) }
            out.values.removeLast(produced * w)
            var kept = Set<[Value]>()
            var keptGroups: [Int] = []
            for (k, r) in rows.enumerated() where !q.distinct || kept.insert(r).inserted {
                out.values.append(contentsOf: r)
                if lineage != nil { keptGroups.append(rowGroups[idx[k]]) }
            }
            rowGroups = keptGroups
        }
        if let limit = q.limit {
            let m = (out.values.count - first) / max(1, w)
            if m > limit { out.values.removeLast((m - limit) * w) }
        }
        if let lineage {
            recordInputs(lineage, table, rowGroups: rowGroups.prefix((out.values.count - first) / max(1, w)), firstRow: first / max(1, w))
        }
    }

    /// Projects one aggregate row (EMIT CHANGES: a group at a time) as a firing of its own; false when
    /// HAVING rejects it or its cells are all empty.
    func project(_ row: Row, kind: EmitKind, into out: inout ResultBatch) -> Bool {
        let w = schema.width
        let rowStart = out.values.count
        if let direct = directSlots {
            // Plain output columns (no HAVING, nothing suppressed): the aggregate row's slots as they are.
            for s in direct { out.values.append(row.slots[s]) }
            out.firingStarts.append(rowStart / max(1, w))
            out.mark(kind, fromRow: rowStart / max(1, w))
            return true
        }
        if let having, !having(row) { return false }
        for k in projections.indices { out.values.append(projections[k](row)) }
        if suppressEmpty && out.values[rowStart...].allSatisfy(\.isNull) {
            out.values.removeLast(w)
            return false
        }
        out.firingStarts.append(rowStart / max(1, w))
        out.mark(kind, fromRow: rowStart / max(1, w))
        return true
    }

    /// `emit` for plain output columns, column by column: each aggregate writes all its results in one call.
    private func emitColumns(_ direct: [Int], _ table: GroupTable, only groups: [Int]?, start: Value, end: Value,
                             kind: EmitKind, into out: inout ResultBatch) {
        let n = groups?.count ?? table.count
        let w = direct.count
        guard n > 0, w > 0 else { return }
        let firstKey = BoundWindowQuery.firstKeySlot, firstAgg = firstKey + keyEvals.count
        let cols = table.columns
        let base = out.values.count
        out.values.append(contentsOf: repeatElement(Value.null, count: n * w))
        out.values.withUnsafeMutableBufferPointer { buf in
            guard let p = buf.baseAddress.map({ $0 + base }) else { return }
            for (c, s) in direct.enumerated() {
                switch s {
                case BoundWindowQuery.windowStartSlot: for j in 0..<n { p[j * w + c] = start }
                case BoundWindowQuery.windowEndSlot: for j in 0..<n { p[j * w + c] = end }
                case BoundWindowQuery.rowNumberSlot: for j in 0..<n { p[j * w + c] = .int(Int64(j + 1)) }
                case BoundWindowQuery.emitKindSlot: for j in 0..<n { p[j * w + c] = WindowEmission.names[Int(kind.rawValue)] }
                case ..<firstAgg: for j in 0..<n { p[j * w + c] = table.keyValue(groups?[j] ?? j, s - firstKey) }
                default: cols[s - firstAgg].writeResults(n, groups: groups, into: p + c, stride: w)
                }
            }
        }
    }

    /// How far windows may fire after processing time moved to `now`: the clock (processing time), or
    /// the watermark when IDLETIMEOUT let it advance (event time); nil when nothing moved.
    func tickLimit(now: Int64) -> Int64? {
        guard let et = eventTime else { return now }
        return et.idleAdvance(now: now) ? et.watermark : nil
    }

    /// The row's event time when it lies in `accepted` (the times whose window bounds Int64 holds);
    /// otherwise nil, with the rejection counted under its reason.
    @inline(__always) func eventTime(of row: Row, _ et: EventTimeTracker, accepting accepted: ClosedRange<Int64>?) -> Int64? {
        switch et.read(row) {
        case .time(let t) where accepted?.contains(t) == true: return t
        case .time, .outOfRange: counters.reject("event time out of range in '\(q.time.eventTimeField ?? "")'", row: row)
        case .invalid: counters.reject("missing or invalid event time in '\(q.time.eventTimeField ?? "")'", row: row)
        }
        return nil
    }

    /// Whether a new group may be created (the state bound); counts the rejection when not.
    func admitNewGroup(current: Int) -> Bool {
        if current < maxGroups { return true }
        counters.reject("group limit reached (\(maxGroups) groups)")
        return false
    }

    /// The state of `key`'s group, made by `make` when the group is new; nil (the row counted as rejected)
    /// when the state bound refuses a new group.
    @inline(__always)
    func groupState<S: AnyObject>(_ key: GroupKey, in groups: inout [GroupKey: S], make: () -> S) -> S? {
        if let s = groups[key] { return s }
        guard admitNewGroup(current: groups.count) else { return nil }
        let s = make()
        groups[key] = s
        return s
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
    private(set) var watermark = Int64.min {
        didSet { published?.watermark.store(watermark, ordering: .relaxed) }
    }
    private var lastArrival: Int64 = 0
    /// Where the watermark is published for readers on other threads (the dashboard header).
    let published: Counters?

    init(_ t: TimeOptions, slot: Int, published: Counters? = nil) {
        self.slot = slot
        self.published = published
        unit = t.unitNanos
        outOfOrder = t.maxOutOfOrderness
        lateness = t.allowedLateness
        idle = t.idleTimeout
    }

    /// An event time as read from a row.
    enum Reading {
        case time(Int64)
        /// The field is missing or not a time.
        case invalid
        /// A time, but one Int64 nanoseconds cannot hold (in TIMEUNIT, beyond 1677–2262, or ±∞).
        case outOfRange
    }

    /// The row's event time in nanoseconds.
    func read(_ row: Row) -> Reading {
        switch row[slot] {
        case .int(let i):
            let (r, o) = i.multipliedReportingOverflow(by: unit)
            return o ? .outOfRange : .time(r)
        case .double(let d):
            if d.isNaN { return .invalid }
            let ns = d * Double(unit)
            return abs(ns) < 9.2e18 ? .time(Int64(ns)) : .outOfRange
        case .string(let s):
            var far = false
            if let t = TimeParse.parse(s, outOfRange: &far) { return .time(t) }
            return far ? .outOfRange : .invalid
        case .timestamp(let t): return .time(t)
        default: return .invalid
        }
    }

    func observe(_ t: Int64, arrival: Int64) {
        lastArrival = arrival
        if maxEventTime.map({ t > $0 }) ?? true {
            maxEventTime = t
            published?.maxEventTime.store(t, ordering: .relaxed)
            let (w, o) = t.subtractingReportingOverflow(outOfOrder)
            if !o && w > watermark { watermark = w }
        }
    }

    /// Lets the watermark advance with processing time after IDLETIMEOUT without rows (saturating at the
    /// end of Int64: a watermark that far has passed every window).
    func idleAdvance(now: Int64) -> Bool {
        let quiet = TimeMath.sub(now, lastArrival)
        guard let idle, let m = maxEventTime, quiet >= idle else { return false }
        let w = TimeMath.sub(TimeMath.add(m, quiet), outOfOrder)
        if w > watermark { watermark = w; return true }
        return false
    }

    func endOfInput() { watermark = Int64.max }
}
