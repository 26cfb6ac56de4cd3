import HeapModule

/// `SessionWindow(gap)`: per group, rows closer than `gap` to each other form one session
/// `[first row, last row + gap)`. Out-of-order rows may bridge two sessions, which then merge.
/// A session fires when the watermark (event time) or the clock (processing time) reaches its end.
final class SessionWindowOperator: QueryOperator {
    let core: WindowCore
    let gap: Int64

    /// One session: its bounds and a one-group table with its aggregate state.
    final class Session {
        var start: Int64
        var end: Int64
        let state: GroupTable
        init(start: Int64, end: Int64, state: GroupTable) { self.start = start; self.end = end; self.state = state }
    }

    private var sessions: [GroupKey: [Session]] = [:]     // per group, sorted by start
    private var ends = Heap<Int64>()                        // candidate firing times (may be stale)
    private var count = 0

    /// Event times whose session end plus lateness stays below Int64.max (finishing fires sessions that
    /// end before it); nil when the gap and lateness leave none.
    private let accepted: ClosedRange<Int64>?

    init(core: WindowCore, gap: Int64) {
        self.core = core
        self.gap = gap
        accepted = TimeMath.sum(gap, core.eventTime?.lateness ?? 0, 1).map { Int64.min...(Int64.max - $0) }
    }

    var schema: ResultSchema { core.schema }
    var needsTicks: Bool { core.eventTime == nil || core.eventTime?.idle != nil }
    var stateSize: StateSize { StateSize(groups: sessions.count, openWindows: count) }
    var explain: String {
        "session window with a gap of \(fmt(gap)) on " + (core.eventTime.map { _ in "event time from '\(core.q.time.eventTimeField ?? "?")'" } ?? "processing time")
    }

    func process(_ row: Row, into out: inout ResultBatch) -> Bool {
        if let f = core.filter, !f(row) { return true }
        let now = core.clock.now()
        var t = now
        if let et = core.eventTime {
            guard let x = core.eventTime(of: row, et, accepting: accepted) else { return true }
            if et.watermark != Int64.min && x + gap + et.lateness <= et.watermark {
                core.counters.late.add(1, ordering: .relaxed)
                return true
            }
            t = x
        }
        let key = core.key(row)
        var list = sessions[key] ?? []
        if list.isEmpty && sessions[key] == nil && !core.admitNewGroup(current: sessions.count) { return true }
        // Sessions this row touches: the next event at most the gap after the last one (or before the first) joins.
        let touching = list.indices.filter { list[$0].start <= t + gap && t <= list[$0].end }
        let target: Session
        if touching.isEmpty {
            let table = core.makeTable()
            _ = table.insert(key)
            target = Session(start: t, end: t + gap, state: table)
            list.append(target)
            count += 1
        } else {
            target = list[touching[0]]
            for i in touching.dropFirst().reversed() {
                let other = list[i]
                target.state.merge(0, from: other.state, 0)
                core.recycle(other.state)
                target.start = min(target.start, other.start)
                target.end = max(target.end, other.end)
                list.remove(at: i)
                count -= 1
            }
            target.start = min(target.start, t)
            target.end = max(target.end, t + gap)
        }
        core.accumulate(target.state, 0, row, time: t, now: now)
        list.sort { $0.start < $1.start }
        sessions[key] = list
        ends.insert(target.end)
        if let et = core.eventTime {
            et.observe(t, arrival: now)
            fire(upTo: et.watermark, into: &out)
        } else {
            fire(upTo: now, into: &out)
        }
        return true
    }

    /// Fires the sessions that end before `limit`. A session ending exactly at the watermark stays open:
    /// an event at that instant is still at most the gap after the last one and joins it.
    private func fire(upTo limit: Int64, into out: inout ResultBatch) {
        guard let first = ends.min, first < limit else { return }
        while let m = ends.min, m < limit { _ = ends.removeMin() }
        // Emit due sessions in end order, then first-seen group order.
        var due: [(GroupKey, Session)] = []
        for (key, list) in sessions {
            for s in list where s.end < limit { due.append((key, s)) }
        }
        due.sort { $0.1.end < $1.1.end || ($0.1.end == $1.1.end && $0.1.start < $1.1.start) }
        for (key, s) in due {
            core.emit(s.state, start: .int(s.start), end: .int(s.end), into: &out)
            core.recycle(s.state)
            sessions[key]?.removeAll { $0 === s }
            if sessions[key]?.isEmpty == true { sessions[key] = nil }
            count -= 1
        }
    }

    func onTick(now: Int64, into out: inout ResultBatch) {
        if let limit = core.tickLimit(now: now) { fire(upTo: limit, into: &out) }
    }

    func finish(into out: inout ResultBatch) {
        core.eventTime?.endOfInput()
        fire(upTo: Int64.max, into: &out)
    }
}
