/// `SlidingWindow(size) OVER (WHEN cond)`: each row where `cond` holds triggers one result, over its
/// group's rows in `(t − size, t]` (t: the triggering row's time) — eKuiper's sliding window, which
/// "produces an output only when an event occurs", here only for the events the condition picks.
///
/// Processing time: a trigger fires on arrival. Event time: a trigger at t fires once the watermark has
/// passed t, so rows up to t that arrive out of order still count; a row is late (dropped, counted) when
/// every trigger it could join has fired (`t + size ≤ watermark`).
///
/// - Complexity: O(1) per row kept; O(rows in the window × aggregates) per trigger.
final class RowTriggeredWindowOperator: QueryOperator {
    let core: WindowCore
    let size: Int64
    private let when: Predicate

    /// One group's rows in time order, and its triggers not fired yet.
    private final class Recent {
        var rows: [(t: Int64, row: Row)] = []
        var first = 0          // rows before it are evicted (compacted now and then)
    }
    private var groups: [GroupKey: Recent] = [:]
    private struct Pending: Comparable {
        let t: Int64, seq: Int
        let key: GroupKey
        static func < (a: Pending, b: Pending) -> Bool { (a.t, a.seq) < (b.t, b.seq) }
        static func == (a: Pending, b: Pending) -> Bool { a.t == b.t && a.seq == b.seq }
    }
    private var pending: [Pending] = []     // sorted
    private var seq = 0

    init(core: WindowCore, size: Int64) {
        self.core = core
        self.size = size
        when = core.windowConditions.first?.test ?? { _ in false }
    }

    var schema: ResultSchema { core.schema }
    var needsTicks: Bool { core.eventTime?.idle != nil }
    var stateSize: StateSize { StateSize(groups: groups.count, openWindows: pending.count) }
    var explain: String {
        "sliding window of \(fmt(size)) per row that meets its WHEN condition, on " +
            (core.eventTime.map { _ in "event time from '\(core.q.time.eventTimeField ?? "?")'" } ?? "processing time")
    }

    func process(_ row: Row, into out: inout ResultBatch) -> Bool {
        if let f = core.filter, !f(row) { return true }
        let now = core.clock.now()
        var t = now
        if let et = core.eventTime {
            guard let x = core.eventTime(of: row, et, accepting: Int64.min...(Int64.max - size)) else { return true }
            if et.watermark != Int64.min && x + size <= et.watermark {
                core.counters.late.add(1, ordering: .relaxed)
                return true
            }
            t = x
        }
        let key = core.key(row)
        guard let recent = core.groupState(key, in: &groups, make: { Recent() }) else { return true }
        // Keep the group's rows in time order (arrival order almost always is).
        var i = recent.rows.count
        while i > recent.first && recent.rows[i - 1].t > t { i -= 1 }
        recent.rows.insert((t, row), at: i)
        if when(row) {
            let p = Pending(t: t, seq: seq, key: key)
            seq += 1
            var j = pending.count
            while j > 0 && p < pending[j - 1] { j -= 1 }
            pending.insert(p, at: j)
        }
        if let et = core.eventTime {
            et.observe(t, arrival: now)
            fire(before: et.watermark, touched: key, into: &out)
        } else {
            fire(before: Int64.max, touched: key, into: &out)
        }
        return true
    }

    /// Fires the triggers earlier than `limit`, in time order, then drops rows no pending trigger can use.
    private func fire(before limit: Int64, touched: GroupKey? = nil, into out: inout ResultBatch) {
        var n = 0
        while n < pending.count && pending[n].t < limit {
            let p = pending[n]
            n += 1
            guard let recent = groups[p.key] else { continue }
            let table = core.makeTable()
            let g = table.insert(p.key)
            for k in recent.first..<recent.rows.count {
                let (x, r) = recent.rows[k]
                if x > p.t { break }
                if x > p.t - size { core.accumulate(table, g, r, time: x, now: x) }
            }
            core.emit(table, start: .int(p.t - size), end: .int(p.t), into: &out)
            core.recycle(table)
        }
        if n > 0 { pending.removeFirst(n) }
        evict(before: limit, touched: touched)
    }

    /// Rows a trigger may still need: those after `T − size` for a pending trigger T, and for a trigger row
    /// still to come, which is accepted when `T + size > horizon` (event time; processing time: T ≥ now).
    /// The group just written is trimmed each time; every group every 1,024 calls.
    private var sweep = 0
    private func evict(before limit: Int64, touched: GroupKey? = nil) {
        let horizon = core.eventTime == nil ? core.clock.now() : limit
        guard horizon != Int64.min, horizon != Int64.max else { return }
        let earliestTrigger = core.eventTime == nil ? horizon : TimeMath.sub(horizon, size)
        let oldest = TimeMath.sub(min(pending.first?.t ?? Int64.max, earliestTrigger), size)
        sweep += 1
        if sweep < 1024, let touched {
            if let r = groups[touched], trim(r, oldest) { groups[touched] = nil }
            return
        }
        sweep = 0
        for (key, r) in groups where trim(r, oldest) { groups[key] = nil }
    }

    /// Drops `r`'s rows at or before `oldest`; true when none is left.
    private func trim(_ r: Recent, _ oldest: Int64) -> Bool {
        while r.first < r.rows.count && r.rows[r.first].t <= oldest { r.first += 1 }
        if r.first == r.rows.count { return true }
        if r.first > 64 && r.first * 2 > r.rows.count {
            r.rows.removeFirst(r.first)
            r.first = 0
        }
        return false
    }

    func onTick(now: Int64, into out: inout ResultBatch) {
        if let limit = core.tickLimit(now: now) { fire(before: limit, into: &out) }
    }

    func finish(into out: inout ResultBatch) {
        core.eventTime?.endOfInput()
        fire(before: Int64.max, into: &out)
    }
}
