/// `CountingWindow(n)`: each group fires on its own n-th row, then starts over.
/// With STATETTL, a group that saw no row for that long (processing time) is dropped (counted).
final class CountingWindowOperator: QueryOperator {
    let core: WindowCore
    let n: Int
    private var groups = GroupTable()

    init(core: WindowCore, n: Int) {
        self.core = core
        self.n = n
    }

    var schema: ResultSchema { core.schema }
    var needsTicks: Bool { core.q.time.stateTTL != nil }
    var stateSize: StateSize { StateSize(groups: groups.count, openWindows: groups.count) }
    var explain: String { "counting window of \(n) rows per group\(core.q.time.stateTTL.map { ", idle groups dropped after \(fmt($0))" } ?? "")" }

    func process(_ row: Row, into out: inout ResultBatch) -> Bool {
        if let f = core.filter, !f(row) { return true }
        let key = core.key(row)
        let now = core.clock.now()
        let g: GroupState
        if let existing = groups[key] {
            g = existing
        } else {
            guard core.admitNewGroup(current: groups.count) else { return true }
            g = GroupState(key: key, accs: core.newAccumulators())
            groups.insert(g)
        }
        core.accumulate(g, row, time: now)
        g.lastSeen = now
        if g.rows >= n {
            core.emit([(key, g.accs)], start: .int(g.firstTime), end: .int(g.lastTime), into: &out)
            for a in g.accs { a.reset() }
            g.rows = 0
        }
        return true
    }

    func onTick(now: Int64, into out: inout ResultBatch) {
        guard let ttl = core.q.time.stateTTL else { return }
        let stale = groups.states.filter { now - $0.lastSeen >= ttl }.map(\.key)
        for k in stale { groups.remove(k) }
        if !stale.isEmpty { core.counters.evicted.add(stale.count, ordering: .relaxed) }
    }
}

/// `GLOBAL WINDOW TRIGGER WHEN cond`: after each row, the row's group is tested against the trigger
/// (over its running aggregates); when it holds, the group's result is emitted and its state purged.
final class GlobalWindowOperator: QueryOperator {
    let core: WindowCore
    private var groups = GroupTable()

    init(core: WindowCore) { self.core = core }

    var schema: ResultSchema { core.schema }
    var needsTicks: Bool { core.q.time.stateTTL != nil }
    var stateSize: StateSize { StateSize(groups: groups.count, openWindows: groups.count) }
    var explain: String { "global window per group, fired and purged when its trigger holds" }

    func process(_ row: Row, into out: inout ResultBatch) -> Bool {
        if let f = core.filter, !f(row) { return true }
        let key = core.key(row)
        let now = core.clock.now()
        let g: GroupState
        if let existing = groups[key] {
            g = existing
        } else {
            guard core.admitNewGroup(current: groups.count) else { return true }
            g = GroupState(key: key, accs: core.newAccumulators())
            groups.insert(g)
        }
        core.accumulate(g, row, time: now)
        g.lastSeen = now
        let start = Value.int(g.firstTime), end = Value.int(g.lastTime)
        if let trig = core.trigger, trig(core.aggregateRow(key: key, accs: g.accs, start: start, end: end)) {
            core.emit([(key, g.accs)], start: start, end: end, into: &out)
            for a in g.accs { a.reset() }
            g.rows = 0
        }
        return true
    }

    func onTick(now: Int64, into out: inout ResultBatch) {
        guard let ttl = core.q.time.stateTTL else { return }
        let stale = groups.states.filter { now - $0.lastSeen >= ttl }.map(\.key)
        for k in stale { groups.remove(k) }
        if !stale.isEmpty { core.counters.evicted.add(stale.count, ordering: .relaxed) }
    }
}
