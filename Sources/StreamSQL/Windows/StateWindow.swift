/// `StateWindow(begin, end)`: per group, a window opens at a row where `begin` holds and closes (fires)
/// at the next row where `end` holds; rows of a group with no open window are not counted.
///
/// The row that opens a window is in it and does not close it, even when `end` also holds for it (as
/// eKuiper's state window: the end condition is tested from the next row on). Order is arrival order.
/// With STATETTL, a group that saw no row for that long (processing time) is dropped with its open window.
///
/// - Complexity: O(aggregates) per row, plus the two conditions.
final class StateWindowOperator: QueryOperator {
    let core: WindowCore
    private let begin: Predicate
    private let end: Predicate
    private var groups: GroupTable
    /// Per group of `groups`: whether its window is open.
    private var open: [Bool] = []

    init(core: WindowCore) {
        self.core = core
        let c = core.windowConditions
        begin = c.count == 2 ? c[0].test : { _ in false }
        end = c.count == 2 ? c[1].test : { _ in false }
        groups = core.makeTable()
    }

    var schema: ResultSchema { core.schema }
    var needsTicks: Bool { core.q.time.stateTTL != nil }
    var stateSize: StateSize { StateSize(groups: groups.count, openWindows: open.lazy.filter { $0 }.count) }
    var explain: String { "state window per group, opened by its begin condition and fired by its end condition" }

    func process(_ row: Row, into out: inout ResultBatch) -> Bool {
        if let f = core.filter, !f(row) { return true }
        let now = core.clock.now()
        let key = core.key(row)
        let emission = core.emission
        if let g = groups.group(key), open[g] {
            core.accumulate(groups, g, row, time: now, now: now)
            if emission.changes {
                emission.change(core, groups, g, window: 0, start: groups.firstTime[g], end: groups.lastTime[g], into: &out)
            }
            guard end(row) else { return true }
            if emission.emitsOnClose {
                core.emit(groups, only: [g], start: .int(groups.firstTime[g]), end: .int(groups.lastTime[g]), into: &out)
            } else {
                emission.forget(window: 0, key: key)
            }
            groups.reset(g)
            open[g] = false
            return true
        }
        guard begin(row) else { return true }
        let g: Int
        if let existing = groups.group(key) {
            g = existing
        } else {
            guard core.admitNewGroup(current: groups.count) else { return true }
            g = groups.insert(key)
            open.append(false)
        }
        open[g] = true
        core.accumulate(groups, g, row, time: now, now: now)
        if emission.changes {
            emission.change(core, groups, g, window: 0, start: groups.firstTime[g], end: groups.lastTime[g], into: &out)
        }
        return true
    }

    func onTick(now: Int64, into out: inout ResultBatch) {
        guard let ttl = core.q.time.stateTTL else { return }
        let openKeys = Set((0..<groups.count).filter { open[$0] }.map(groups.key))
        let kept = dropIdleGroups(groups, now: now, ttl: ttl, core: core)
        guard kept !== groups else { return }
        groups = kept
        open = (0..<kept.count).map { openKeys.contains(kept.key($0)) }
    }
}
