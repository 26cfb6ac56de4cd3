import HeapModule

/// `SessionWindow(gap)`: per group, rows closer than `gap` to each other form one session
/// `[first row, last row + gap)`. Out-of-order rows may bridge two sessions, which then merge.
/// A session fires when the watermark (event time) or the clock (processing time) reaches its end.
/// With a maximum duration, sessions are cut at every multiple of it (eKuiper checks the maximum
/// duration at t = 0, max, 2·max, …): a session never crosses one, and one running into it ends there.
final class SessionWindowOperator: QueryOperator {
    let core: WindowCore
    let gap: Int64
    let maxDuration: Int64?

    /// Where a session lives: its group and (with a maximum duration) the stretch of max duration it is in.
    struct Slot: Hashable { let key: GroupKey; let bucket: Int64 }

    /// A slot's open sessions, sorted by start. A session points at its slot's list, so firing it needs
    /// no lookup of the slot.
    final class Sessions {
        var list: [Session] = []
    }

    /// One session: its bounds and a one-group table with its aggregate state.
    final class Session {
        var start: Int64
        var end: Int64
        let state: GroupTable
        let key: GroupKey
        let slot: Slot
        /// Creation order, for sessions with equal bounds.
        let seq: Int
        unowned let home: Sessions
        var open = true
        init(start: Int64, end: Int64, state: GroupTable, slot: Slot, seq: Int, home: Sessions) {
            self.start = start; self.end = end; self.state = state; self.key = slot.key; self.slot = slot; self.seq = seq; self.home = home
        }
    }

    /// A session's bounds when they were last changed. An entry whose session has moved on (grown,
    /// merged away, fired) is stale and skipped, so firing pops only due entries instead of scanning
    /// every open session.
    struct Due: Comparable {
        let end: Int64, start: Int64, seq: Int
        let session: Session
        static func < (a: Due, b: Due) -> Bool { (a.end, a.start, a.seq) < (b.end, b.start, b.seq) }
        static func == (a: Due, b: Due) -> Bool { a.session === b.session && a.end == b.end && a.start == b.start }
        var isCurrent: Bool { session.open && session.end == end && session.start == start }
    }

    private(set) var sessions: [Slot: Sessions] = [:]           // per group and stretch
    private var due = Heap<Due>()                           // firing order: end, start, creation
    private var count = 0
    private var created = 0
    /// Slots in `sessions` whose list is empty (their sessions fired), kept for reuse until `sweep`.
    private var emptySlots = 0

    /// Event times whose session end plus lateness stays below Int64.max (finishing fires sessions that
    /// end before it); nil when the gap and lateness leave none.
    private let accepted: ClosedRange<Int64>?

    init(core: WindowCore, gap: Int64, maxDuration: Int64? = nil) {
        self.core = core
        self.gap = gap
        self.maxDuration = maxDuration
        accepted = TimeMath.sum(gap, core.eventTime?.lateness ?? 0, 1).map { Int64.min...(Int64.max - $0) }
    }

    var schema: ResultSchema { core.schema }
    var needsTicks: Bool { core.eventTime == nil || core.eventTime?.idle != nil }
    var stateSize: StateSize { StateSize(groups: sessions.count - emptySlots, openWindows: count) }
    var explain: String {
        "session window with a gap of \(fmt(gap))\(maxDuration.map { ", cut at every multiple of \(fmt($0))" } ?? "") on " + (core.eventTime.map { _ in "event time from '\(core.q.time.eventTimeField ?? "?")'" } ?? "processing time")
    }

    func process(_ row: Row, into out: inout ResultBatch) -> Bool {
        if let f = core.filter, !f(row) { return true }
        let now = core.clock.now()
        core.arrivals.stamp(now)
        var t = now
        if let et = core.eventTime {
            guard let x = core.eventTime(of: row, et, accepting: accepted) else { return true }
            if et.watermark != Int64.min && x + gap + et.lateness <= et.watermark {
                core.counters.late(row, eventTime: x, watermark: et.watermark, arrived: now)
                return true
            }
            t = x
        }
        let key = core.key(row)
        var slot = Slot(key: key, bucket: 0)
        var cut = Int64.max   // the multiple of the maximum duration after t
        if let m = maxDuration {
            let b = TimeMath.floorDiv(t, m)
            slot = Slot(key: key, bucket: b)
            let (e, o) = (b + 1).multipliedReportingOverflow(by: m)
            if !o { cut = e }
        }
        // One hash of the slot per row. A slot whose sessions all fired stays (empty) for the group's next
        // session until `sweep`, so a group whose sessions come and go is not inserted again each time.
        let home: Sessions
        if let h = sessions[slot] {
            if h.list.isEmpty {
                guard core.admitNewGroup(current: sessions.count - emptySlots) else { return true }
                emptySlots -= 1
            }
            home = h
        } else {
            guard core.admitNewGroup(current: sessions.count - emptySlots) else { return true }
            home = Sessions()
            sessions[slot] = home
        }
        let target = join(t, cut: cut, slot: slot, home, into: &out)
        core.accumulate(target.state, 0, row, time: t, now: now)
        if core.emission.changes {
            core.emission.change(core, target.state, 0, window: Int64(target.seq), start: target.start, end: target.end, into: &out)
        }
        due.insert(Due(end: target.end, start: target.start, seq: target.seq, session: target))
        if let et = core.eventTime {
            et.observe(t, arrival: now)
            advance(to: et.watermark, into: &out)
        } else {
            advance(to: now, into: &out)
        }
        return true
    }

    /// The session of `slot` (its sessions `home`) that a row at `t` joins: a new one, or the first it
    /// touches with the others it bridges merged into it.
    private func join(_ t: Int64, cut: Int64, slot: Slot, _ home: Sessions, into out: inout ResultBatch) -> Session {
        // Sessions this row touches: the next event at most the gap after the last one (or before the first)
        // joins. The list is sorted by start and its sessions do not overlap, so those touching are adjacent.
        var first = -1, last = -1
        for i in home.list.indices where home.list[i].start <= t + gap && t <= home.list[i].end {
            if first < 0 { first = i }
            last = i
        }
        let target: Session
        if first < 0 {
            let table = core.makeTable()
            _ = table.insert(slot.key)
            target = Session(start: t, end: min(t + gap, cut), state: table, slot: slot, seq: created, home: home)
            created += 1
            // In start order: after the last session that starts at or before t (usually the end).
            var at = home.list.count
            while at > 0 && home.list[at - 1].start > t { at -= 1 }
            home.list.insert(target, at: at)
            count += 1
            return target
        }
        target = home.list[first]
        if last > first {
            for i in stride(from: last, to: first, by: -1) where home.list[i].start <= t + gap && t <= home.list[i].end {
                let other = home.list[i]
                if core.emission.changes { core.emission.withdraw(core, window: Int64(other.seq), other.state, 0, into: &out) }
                target.state.merge(0, from: other.state, 0)
                core.recycle(other.state)
                other.open = false
                target.start = min(target.start, other.start)
                target.end = max(target.end, other.end)
                home.list.remove(at: i)
                count -= 1
            }
        }
        let start = target.start
        target.start = min(target.start, t)
        target.end = max(target.end, min(t + gap, cut))
        if target.start < start { home.list.sort { $0.start < $1.start } }
        return target
    }

    /// The window's time moved to `limit`: fire the sessions it closes (EMIT FINAL: once their lateness
    /// passed), then EMIT EVERY's early results of the sessions still open.
    private func advance(to limit: Int64, into out: inout ResultBatch) {
        fire(upTo: core.emission.fireLimit(limit), into: &out)
        guard core.emission.earlyDue(limit) else { return }
        let open = sessions.values.flatMap(\.list).sorted { ($0.end, $0.start, $0.seq) < ($1.end, $1.start, $1.seq) }
        for s in open { core.emit(s.state, start: .int(s.start), end: .int(s.end), kind: .early, into: &out) }
    }

    /// Fires the sessions that end before `limit`, in end order, then start, then creation order. A session
    /// ending exactly at the watermark stays open: an event at that instant is still at most the gap after
    /// the last one and joins it.
    private func fire(upTo limit: Int64, into out: inout ResultBatch) {
        while let m = due.min, m.end < limit {
            _ = due.removeMin()
            guard m.isCurrent else { continue }
            let s = m.session
            s.open = false
            if core.emission.emitsOnClose {
                // Sessions fire one at a time: grow the batch geometrically, not by one row per firing.
                let w = core.schema.width
                if out.values.capacity - out.values.count < w { out.values.reserveCapacity(max(16 * w, 2 * out.values.count)) }
                core.emit(s.state, start: .int(s.start), end: .int(s.end), into: &out)
            } else {
                core.emission.forget(window: Int64(s.seq))
            }
            core.recycle(s.state)
            let home = s.home
            if let i = home.list.firstIndex(where: { $0 === s }) {
                home.list.remove(at: i)
                if home.list.isEmpty { emptySlots += 1 }
            }
            count -= 1
        }
        sweep()
    }

    /// Drops the slots left without a session once they outnumber twice the slots with sessions (and 1,024),
    /// so that memory follows the open sessions; amortised, as each dropped slot was kept for at least one
    /// row. Groups whose sessions come and go (about half their slots empty at any time) are never swept.
    private func sweep() {
        guard emptySlots > 1024, emptySlots > 2 * (sessions.count - emptySlots) else { return }
        sessions = sessions.filter { !$0.value.list.isEmpty }
        emptySlots = 0
    }

    func onTick(now: Int64, into out: inout ResultBatch) {
        if let limit = core.tickLimit(now: now) { advance(to: limit, into: &out) }
    }

    func finish(into out: inout ResultBatch) {
        core.eventTime?.endOfInput()
        fire(upTo: Int64.max, into: &out)
    }
}
