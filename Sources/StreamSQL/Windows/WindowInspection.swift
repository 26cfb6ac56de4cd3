/// When rows last arrived, in processing time, for the inspector's idle time. Operators that read the
/// clock for every row stamp each one; event-time tumbling and sliding windows without IDLETIMEOUT do not
/// read it at all, so they stamp their first row and then one row in 16 (a counter per row, not a clock read).
struct ArrivalStamp {
    private(set) var last: Int64?
    /// Rows since the last stamp.
    private(set) var unstamped = 0

    @inline(__always) mutating func stamp(_ now: Int64) { last = now; unstamped = 0 }

    /// Counts a row that did not read the clock; true when the stamp is due (then `stamp` it). The
    /// caller reads the clock only then, so the per-row path does not pass (and retain) the clock.
    @inline(__always) mutating func skip() -> Bool {
        unstamped &+= 1
        return unstamped >= 16 || last == nil
    }
}

extension WindowCore {
    /// The inspection's common part; `open` in firing order.
    func inspection(_ open: [WindowInspection.OpenWindow], count: Int, plan: String) -> WindowInspection {
        var w = WindowInspection(plan: plan, keyNames: q.groupKeyNames, now: clock.now(), lastArrival: arrivals.last,
                                 arrivalExact: arrivals.unstamped == 0, open: open, openCount: count)
        if let et = eventTime {
            w.eventTimeField = q.time.eventTimeField
            w.watermark = et.watermark == Int64.min ? nil : et.watermark
            w.maxEventTime = et.maxEventTime
            w.outOfOrderness = et.outOfOrder
            w.allowedLateness = et.lateness
            w.idleTimeout = et.idle
        }
        return w
    }

    /// What a window ending at `end` waits for: the watermark (event time) or the clock.
    func due(end: Int64, now: Int64, strictly: Bool = false) -> WindowInspection.Due {
        if let et = eventTime {
            let wm = et.watermark
            return .watermark(at: end, left: wm == Int64.min ? nil : TimeMath.sub(end, wm), strictly: strictly)
        }
        return .clock(at: end, left: TimeMath.sub(end, now))
    }

    func keyValues(_ k: GroupKey) -> [Value] { (0..<keyEvals.count).map { k.value($0) } }
}

extension TimeWindowOperator: InspectableOperator {
    func inspect(limit: Int) -> WindowInspection? {
        let now = core.clock.now()
        // The ends of the windows still to fire that hold a pane (at most 1,000 windows are looked at).
        var ends = Set<Int64>()
        scan: for ps in paneStarts {
            let (below, o1) = ps.subtractingReportingOverflow(size)
            guard !o1 else { continue }
            var end = (floorDiv(below, slide) + 1) * slide + size
            while end - size <= ps {
                if end > firedUpTo { ends.insert(end) }
                if ends.count >= 1000 { break scan }
                let (next, o) = end.addingReportingOverflow(slide)
                if o { break }
                end = next
            }
        }
        var open: [WindowInspection.OpenWindow] = []
        var count = 0
        for end in ends.sorted() {
            var rows: [GroupKey: Int] = [:]
            var order: [GroupKey] = []
            for ps in paneStarts where ps >= end - size && ps < end {
                guard let t = panes[ps] else { continue }
                for g in 0..<t.count where t.rows[g] > 0 {
                    let k = t.key(g)
                    if rows[k] == nil { order.append(k) }
                    rows[k, default: 0] += t.rows[g]
                }
            }
            count += order.count
            for k in order where open.count < limit {
                open.append(.init(key: core.keyValues(k), start: end - size, end: end, rows: rows[k] ?? 0, due: core.due(end: end, now: now)))
            }
        }
        return core.inspection(open, count: count, plan: explain)
    }
}

extension SessionWindowOperator: InspectableOperator {
    func inspect(limit: Int) -> WindowInspection? {
        let now = core.clock.now()
        let all = sessions.values.flatMap(\.list).filter(\.open).sorted { ($0.end, $0.start, $0.seq) < ($1.end, $1.start, $1.seq) }
        let open = all.prefix(limit).map { s in
            WindowInspection.OpenWindow(key: core.keyValues(s.key), start: s.start, end: s.end, rows: s.state.count > 0 ? s.state.rows[0] : 0,
                                        due: core.due(end: s.end, now: now, strictly: core.eventTime != nil))
        }
        return core.inspection(Array(open), count: all.count, plan: explain)
    }
}

extension CountingWindowOperator: InspectableOperator {
    func inspect(limit: Int) -> WindowInspection? {
        let live = (0..<groups.count).filter { groups.rows[$0] > 0 }.sorted { groups.rows[$0] > groups.rows[$1] }
        let open = live.prefix(limit).map { g in
            WindowInspection.OpenWindow(key: core.keyValues(groups.key(g)), start: groups.firstTime[g], end: groups.lastTime[g],
                                        rows: groups.rows[g], due: .rows(left: max(0, n - groups.rows[g])))
        }
        return core.inspection(Array(open), count: live.count, plan: explain)
    }
}

extension GlobalWindowOperator: InspectableOperator {
    func inspect(limit: Int) -> WindowInspection? {
        let live = (0..<groups.count).filter { groups.rows[$0] > 0 }
        let open = live.prefix(limit).map { g in
            WindowInspection.OpenWindow(key: core.keyValues(groups.key(g)), start: groups.firstTime[g], end: groups.lastTime[g],
                                        rows: groups.rows[g], due: .trigger)
        }
        return core.inspection(Array(open), count: live.count, plan: explain)
    }
}
