import DequeModule

/// `CountingWindow(n)`: each group fires on its own n-th row, then starts over.
/// With STATETTL, a group that saw no row for that long (processing time) is dropped (counted).
final class CountingWindowOperator: QueryOperator {
    let core: WindowCore
    let n: Int
    private(set) var groups: GroupTable

    init(core: WindowCore, n: Int) {
        self.core = core
        self.n = n
        groups = core.makeTable()
    }

    var schema: ResultSchema { core.schema }
    var needsTicks: Bool { core.q.time.stateTTL != nil }
    var stateSize: StateSize { StateSize(groups: groups.count, openWindows: groups.count) }
    var explain: String { "counting window of \(n) rows per group\(core.q.time.stateTTL.map { ", idle groups dropped after \(fmt($0))" } ?? "")" }

    func process(_ row: Row, into out: inout ResultBatch) -> Bool {
        if let f = core.filter, !f(row) { return true }
        let now = core.clock.now()
        core.arrivals.stamp(now)
        guard let g = core.group(core.key(row), in: groups) else { return true }
        core.accumulate(groups, g, row, time: now, now: now)
        let emission = core.emission
        if emission.changes {
            emission.change(core, groups, g, window: 0, start: groups.firstTime[g], end: groups.lastTime[g], into: &out)
        }
        if groups.rows[g] >= n {
            if emission.emitsOnClose {
                core.emit(groups, only: [g], start: .int(groups.firstTime[g]), end: .int(groups.lastTime[g]), into: &out)
            } else {
                emission.forget(window: 0, key: groups.key(g))
            }
            groups.reset(g)
        }
        return true
    }

    func onTick(now: Int64, into out: inout ResultBatch) {
        guard let ttl = core.q.time.stateTTL else { return }
        groups = dropIdleGroups(groups, now: now, ttl: ttl, core: core)
    }
}

/// A copy of `table` without the groups idle for `ttl` or longer (counted as evictions).
func dropIdleGroups(_ table: GroupTable, now: Int64, ttl: Int64, core: WindowCore) -> GroupTable {
    let stale = (0..<table.count).filter { TimeMath.sub(now, table.lastSeen[$0]) >= ttl }
    guard !stale.isEmpty else { return table }
    let kept = core.makeTable()
    for g in 0..<table.count where TimeMath.sub(now, table.lastSeen[g]) < ttl {
        let h = kept.insert(table.key(g))
        kept.merge(h, from: table, g)
    }
    core.counters.evicted.add(stale.count, ordering: .relaxed)
    core.recycle(table)
    return kept
}

/// `GLOBAL WINDOW TRIGGER WHEN cond`: after each row, the row's group is tested against the trigger
/// (over its running aggregates); when it holds, the group's result is emitted and its state purged.
final class GlobalWindowOperator: QueryOperator {
    let core: WindowCore
    private(set) var groups: GroupTable

    init(core: WindowCore) {
        self.core = core
        groups = core.makeTable()
    }

    var schema: ResultSchema { core.schema }
    var needsTicks: Bool { core.q.time.stateTTL != nil }
    var stateSize: StateSize { StateSize(groups: groups.count, openWindows: groups.count) }
    var explain: String { "global window per group, fired and purged when its trigger holds" }

    func process(_ row: Row, into out: inout ResultBatch) -> Bool {
        if let f = core.filter, !f(row) { return true }
        let now = core.clock.now()
        core.arrivals.stamp(now)
        guard let g = core.group(core.key(row), in: groups) else { return true }
        core.accumulate(groups, g, row, time: now, now: now)
        let start = Value.int(groups.firstTime[g]), end = Value.int(groups.lastTime[g])
        let emission = core.emission
        if emission.changes {
            emission.change(core, groups, g, window: 0, start: groups.firstTime[g], end: groups.lastTime[g], into: &out)
        }
        if let trig = core.trigger, trig(core.aggregateRow(groups, g, start: start, end: end)) {
            if emission.emitsOnClose {
                core.emit(groups, only: [g], start: start, end: end, into: &out)
            } else {
                emission.forget(window: 0, key: groups.key(g))
            }
            groups.reset(g)
        }
        return true
    }

    func onTick(now: Int64, into out: inout ResultBatch) {
        guard let ttl = core.q.time.stateTTL else { return }
        groups = dropIdleGroups(groups, now: now, ttl: ttl, core: core)
    }
}

/// `CountingWindow(n, m)`: per group, every m-th row once n rows have arrived, the result over the group's
/// last n rows (eKuiper's count window with an interval). Each firing is a window of its own; its bounds
/// are the processing times of its first and last rows.
///
/// - Complexity: O(1) per row between firings; O(n × aggregates) per firing (the last n rows are kept
///   and folded afresh, so every aggregate works, including those that cannot remove a row).
final class SlidingCountWindowOperator: QueryOperator {
    let core: WindowCore
    let size: Int
    let every: Int

    /// One group: its last `size` rows (with their arrival times) and how many rows it has seen.
    private final class Recent {
        var rows = Deque<(row: Row, at: Int64)>()
        var seen = 0
    }
    private var groups: [GroupKey: Recent] = [:]

    init(core: WindowCore, size: Int, every: Int) {
        self.core = core
        self.size = size
        self.every = every
    }

    var schema: ResultSchema { core.schema }
    var stateSize: StateSize { StateSize(groups: groups.count, openWindows: groups.count) }
    var explain: String { "counting window of the last \(size) rows per group, every \(every) rows" }

    func process(_ row: Row, into out: inout ResultBatch) -> Bool {
        if let f = core.filter, !f(row) { return true }
        let now = core.clock.now()
        let key = core.key(row)
        guard let recent = core.groupState(key, in: &groups, make: { Recent() }) else { return true }
        recent.rows.append((row, now))
        if recent.rows.count > size { recent.rows.removeFirst() }
        recent.seen += 1
        guard recent.seen >= size, recent.seen % every == 0 else { return true }
        let table = core.makeTable()
        let g = table.insert(key)
        for (r, at) in recent.rows { core.accumulate(table, g, r, time: at, now: at) }
        core.emit(table, start: .int(table.firstTime[g]), end: .int(table.lastTime[g]), into: &out)
        core.recycle(table)
        return true
    }
}
