import Foundation

/// Everything the inspector shows for one query: its windows (`WindowInspection`), its source stream, and
/// the last rows it lost (late) or that never reached it (rejected), with why. `SHOW WINDOWS q` prints
/// `report`; the dashboard's inspector (`i` on a pane) draws the same rows.
public struct QueryInspection: Sendable {
    public var query: String
    public var stream: String
    /// Events the stream received, and the query it carries the results of (a derived stream), if any.
    public var streamEvents: Int
    public var derivedFrom: String?
    public var windows: WindowInspection?
    public var lateCount: Int
    /// The latest late rows, oldest first.
    public var late: [LateRow]
    /// Rejections on the stream (lines that were no event) and by the query (rows without a valid event time…).
    public var rejectedCount: Int
    public var rejected: [RejectedLine]

    /// The columns of `report`.
    public static let reportColumns = ["section", "key", "window", "rows", "fires in", "detail"]
}

extension Engine {
    /// The inspection of a running query, by name; nil when no query of that name runs.
    public func inspect(query name: String, limit: Int = 200) -> QueryInspection? {
        guard let q = lock.withLock({ namedQueries[name.lowercased()] }) else { return nil }
        return inspect(q, limit: limit)
    }

    /// What `q`'s windows hold and wait for, its source's state, and its late and rejected rows.
    public func inspect(_ q: Query, limit: Int = 200) -> QueryInspection {
        let st = target(q.streamName)
        let sm = st?.counters.snapshot
        let qm = q.metrics
        let streamLines = st?.counters.rejectedLines.recent ?? []
        let own = q.counters.rejectedLines.recent
        return QueryInspection(query: q.name, stream: st?.name ?? q.streamName, streamEvents: sm?.eventsIn ?? 0,
                               derivedFrom: st?.derivedFrom, windows: q.inspect(limit: limit), lateCount: qm.late,
                               late: q.counters.lateRows.recent, rejectedCount: (sm?.rejected ?? 0) + own.count,
                               rejected: streamLines + own)
    }

    /// `SHOW WINDOWS q`.
    func showWindows(_ name: String, range: SourceRange, sql: String) throws(StreamSQLError) -> StatementResult {
        guard let q = lock.withLock({ namedQueries[name.lowercased()] }) else {
            throw StreamSQLError(.catalog, "no running query named \(name)", at: range, in: sql,
                                 suggestions: closestNames(to: name, in: queries.map(\.name)))
        }
        guard q.windowed else {
            throw StreamSQLError(.plan, "query \(q.name) has no windows: a row query answers every event as it comes (SHOW QUERIES shows its counts)",
                                 at: range, in: sql)
        }
        return .table(columns: QueryInspection.reportColumns, rows: inspect(q).report())
    }
}

extension QueryInspection {
    /// The inspection as rows of `reportColumns`: why nothing fired (when that can be told), the source,
    /// the next firing, every open window listed, then the late and rejected rows.
    public func report(lastDiverted: Int = 10) -> [[Value]] {
        var rows: [[Value]] = []
        func add(_ section: String, key: String = "", window: String = "", count: Value = .null, firesIn: String = "", _ detail: String) {
            rows.append([.string(section), .string(key), .string(window), count, .string(firesIn), .string(detail)])
        }
        if let why = whyNothingFired { add("why", why) }
        add("source", key: stream, count: .int(Int64(streamEvents)), sourceDetail)
        if let w = windows {
            add("plan", w.plan)
            if let n = w.next { add("next firing", key: key(n, w), window: bounds(n, w), count: .int(Int64(n.rows)), firesIn: left(n.due), waitsFor(n.due)) }
            for o in w.open { add("window", key: key(o, w), window: bounds(o, w), count: .int(Int64(o.rows)), firesIn: left(o.due), waitsFor(o.due)) }
            if w.openCount > w.open.count { add("window", "… \(w.openCount - w.open.count) more open windows not listed") }
            if w.open.isEmpty { add("window", "no open windows") }
        }
        if lateCount > 0 {
            add("late", count: .int(Int64(lateCount)), "rows dropped because every window they belong to had closed; SELECT * FROM \(query).late lists them")
            for l in late.suffix(lastDiverted) {
                let by = Inspect.duration(TimeMath.sub(l.watermark, l.eventTime))
                add("late", window: Inspect.time(l.eventTime),
                    "\(JSONWriter.string(object: l.fields)) · watermark was \(Inspect.time(l.watermark)), \(by) past its event time")
            }
        }
        if rejectedCount > 0 {
            add("rejected", count: .int(Int64(rejectedCount)), derivedFrom == nil ? "SELECT * FROM \(stream).rejected lists the stream's rejected lines" : "")
            for r in rejected.suffix(lastDiverted) {
                let place = r.place.isEmpty ? "" : r.place + ": "
                add("rejected", "\(place)\(r.reason)\(r.text.map { " · " + Inspect.clip($0) } ?? "")")
            }
        }
        return rows
    }

    /// One sentence on why no window fired, when the state tells it; nil when windows are firing or none is open.
    public var whyNothingFired: String? {
        guard let w = windows else { return nil }
        if streamEvents == 0 { return "stream \(stream) has received no events" }
        if w.open.isEmpty {
            if lateCount > 0 || rejectedCount > 0 { return "no open window: rows were late (\(lateCount)) or rejected (\(rejectedCount)) — see below" }
            return nil
        }
        guard let n = w.next else { return nil }
        switch n.due {
        case .watermark(let at, let left, _):
            guard let wm = w.watermark else { return "no watermark yet: no row with a valid event time in '\(w.eventTimeField ?? "?")' has arrived" }
            var s = "the watermark (\(Inspect.time(wm)) = max event time − \(Inspect.duration(w.outOfOrderness))) has not reached the end of the first open window (\(Inspect.time(at))"
                + (left.map { ", \(Inspect.duration($0)) to go" } ?? "") + "); it moves only when a row with a later event time arrives"
            if let idle = w.idle, idle > 0 {
                if let t = w.idleTimeout {
                    s += "; after \(Inspect.duration(t)) without rows it follows the clock (IDLETIMEOUT)"
                } else {
                    s += "; no rows for \(w.arrivalExact ? "" : "up to ")\(Inspect.duration(idle)) and no IDLETIMEOUT, so it waits for the next row (WITH (IDLETIMEOUT='5s') lets it follow the clock)"
                }
            }
            return s
        case .clock(_, let left):
            return "processing time: the first open window ends in \(Inspect.duration(left))"
        case .rows(let left):
            return "counting window: the fullest group needs \(left) more row\(left == 1 ? "" : "s")"
        case .trigger:
            return "global window: no group's trigger has held yet"
        }
    }

    var sourceDetail: String {
        var parts: [String] = []
        if let d = derivedFrom { parts.append("results of query \(d)") }
        if let w = windows {
            if w.eventTimeField != nil {
                if let wm = w.watermark {
                    parts.append(wm == Int64.max ? "watermark at the end of input" : "watermark \(Inspect.time(wm)) (max event time \(w.maxEventTime.map(Inspect.time) ?? "?") − \(Inspect.duration(w.outOfOrderness)))")
                } else {
                    parts.append("no watermark yet")
                }
                if w.allowedLateness > 0 { parts.append("allowed lateness \(Inspect.duration(w.allowedLateness))") }
                parts.append(w.idleTimeout.map { "IDLETIMEOUT \(Inspect.duration($0))" } ?? "no IDLETIMEOUT")
            } else {
                parts.append("processing time")
            }
            if let idle = w.idle { parts.append("idle \(w.arrivalExact ? "" : "≤ ")\(Inspect.duration(max(0, idle)))") } else { parts.append("no rows yet") }
        }
        return parts.joined(separator: " · ")
    }

    func key(_ o: WindowInspection.OpenWindow, _ w: WindowInspection) -> String {
        guard !o.key.isEmpty else { return "(all)" }
        return zip(w.keyNames, o.key).map { "\($0)=\(Inspect.value($1))" }.joined(separator: ", ")
    }

    func bounds(_ o: WindowInspection.OpenWindow, _ w: WindowInspection) -> String {
        switch o.due {
        case .rows, .trigger: return "\(Inspect.time(o.start)) … \(Inspect.time(o.end))"
        default:
            // The end without its date when both bounds fall on the same day.
            let a = Inspect.time(o.start), b = Inspect.time(o.end)
            return "[\(a), \(a.prefix(11) == b.prefix(11) ? String(b.dropFirst(11)) : b))"
        }
    }

    func left(_ d: WindowInspection.Due) -> String {
        switch d {
        case .watermark(_, let l, _): return l.map(Inspect.duration) ?? "?"
        case .clock(_, let l): return Inspect.duration(l)
        case .rows(let n): return "\(n) row\(n == 1 ? "" : "s")"
        case .trigger: return "trigger"
        }
    }

    func waitsFor(_ d: WindowInspection.Due) -> String {
        switch d {
        case .watermark(let at, _, let strictly): return "when the watermark \(strictly ? "passes" : "reaches") \(Inspect.time(at))"
        case .clock(let at, _): return "when the clock reaches \(Inspect.time(at))"
        case .rows(let n): return "on the group's next \(n) row\(n == 1 ? "" : "s")"
        case .trigger: return "when the trigger holds"
        }
    }
}

/// Text for the inspector: times, durations, values.
enum Inspect {
    /// An instant as UTC `YYYY-MM-DD hh:mm:ss.sss`.
    static func time(_ ns: Int64) -> String {
        if ns == Int64.max { return "+∞" }
        if ns == Int64.min { return "−∞" }
        return TimeFormat.iso8601(nanos: ns).replacingOccurrences(of: "T", with: " ")
    }

    /// A duration in the largest unit that keeps it readable (`4.5s`, `250ms`, `3m20s`); negative ones
    /// (already due) with a minus sign.
    static func duration(_ ns: Int64) -> String {
        if ns == Int64.min || ns == Int64.max { return "∞" }
        if ns < 0 { return "−" + duration(-ns) }
        let s = Double(ns) / 1e9
        if ns < 1_000_000 { return "\(ns / 1000)µs" }
        if ns < 1_000_000_000 { return "\(ns / 1_000_000)ms" }
        if s < 60 { return String(format: "%.1fs", s) }
        if s < 3600 { return "\(Int(s) / 60)m\(Int(s) % 60)s" }
        if s < 86_400 { return "\(Int(s) / 3600)h\(Int(s) % 3600 / 60)m" }
        return "\(Int(s / 86_400))d"
    }

    static func value(_ v: Value) -> String {
        if case .string(let s) = v { return s }
        return JSONWriter.string(v)
    }

    static func clip(_ s: String, _ n: Int = 120) -> String { s.count > n ? String(s.prefix(n - 1)) + "…" : s }
}

/// How far a stream's event time has got, for the dashboard header and SHOW STREAMS: the lag of its queries'
/// watermark behind the newest event time they saw, or idle when nothing has arrived for a while — an idle
/// stream is not shown as a lag that grows with the wall clock.
public enum StreamTimeStatus: Sendable, Equatable {
    /// The watermark trails the newest event time by this many nanoseconds.
    case lag(Int64)
    /// No event for this many nanoseconds (processing time).
    case idle(Int64)

    /// `lag 1.2s`, `idle 12s`.
    public var text: String {
        switch self {
        case .lag(let ns): return "lag " + String(format: "%.1fs", Double(ns) / 1e9)
        case .idle(let ns): return "idle \(ns / 1_000_000_000)s"
        }
    }
}

extension Engine {
    /// A stream is idle after this long without events.
    public static let idleAfter: Int64 = 5_000_000_000

    /// The event-time status of an input stream whose queries keep a watermark (nil otherwise): idle after
    /// `idleAfter` without events (known from the stream's profile), else the lowest watermark's lag behind
    /// the newest event time its queries saw. Other streams' events never count.
    public func timeStatus(ofStream name: String) -> StreamTimeStatus? {
        guard let st = lock.withLock({ streams[name.lowercased()] }), st.system == nil else { return nil }
        let qs = lock.withLock { st.queries }
        var newest: Int64?, lowest: Int64?
        for q in qs {
            let m = q.counters.snapshot
            guard let w = m.watermarkNanos, w != Int64.max, let t = m.maxEventTimeNanos else { continue }
            newest = max(newest ?? t, t)
            lowest = min(lowest ?? w, w)
        }
        guard let newest, let lowest else { return nil }
        if let seen = st.profile.lastSeen {
            let quiet = TimeMath.sub(options.clock.now(), seen)
            if quiet >= Engine.idleAfter { return .idle(quiet) }
        }
        return .lag(max(0, TimeMath.sub(newest, lowest)))
    }
}
