import Foundation
import OrderedCollections

/// What-if: an edited version of a running query, run next to the running version over the events its
/// sources kept (`StreamHistory`), and the difference between their rows.
///
/// Both versions run in a scratch engine that has the live catalog's declarations, functions and tables
/// read from files or given through the API (shared, read-only), and recomputes the derived streams and
/// query-kept tables the query reads from their own sources' history. The events replay in the order they
/// arrived, across streams, so event time, watermarks and lateness behave as they did live; at the end of
/// the history the input ends, so windows still open fire in both versions alike.
extension Engine {
    /// Keeps an event in its stream's history (when the stream keeps one).
    @inline(__always)
    func remember(_ event: OrderedDictionary<String, Value>, in s: StreamState) {
        if profilesStreams && s.profile.sample() { s.profile.observe(event, now: options.clock.now()) }
        guard s.history.isRecording else { return }
        s.history.record(event: event, sequence: historySequence.add(1, ordering: .relaxed).newValue,
                         now: s.history.needsTime ? options.clock.now() : 0)
    }

    /// Keeps an event's JSON text in its stream's history (when the stream keeps one).
    @inline(__always)
    func remember(json bytes: UnsafeBufferPointer<UInt8>, in s: StreamState) {
        if profilesStreams && s.profile.sample() { profile(json: bytes, in: s) }
        guard s.history.isRecording else { return }
        s.history.record(json: bytes, sequence: historySequence.add(1, ordering: .relaxed).newValue,
                         now: s.history.needsTime ? options.clock.now() : 0)
    }

    /// Walks a sampled JSON event into its stream's profile (the hot path decodes only the fields queries read).
    @inline(never)
    func profile(json bytes: UnsafeBufferPointer<UInt8>, in s: StreamState) {
        guard case .object(let o)? = try? JSONReader.parse(bytes: bytes) else { return }
        s.profile.observe(o, now: options.clock.now())
    }

    /// Bounds what every input stream keeps from now on (`.set history …`): the streams there are, and those
    /// made later unless their `WITH (HISTORY=…)` says otherwise. Derived and system streams keep none.
    public func setHistoryLimits(_ limits: StreamHistory.Limits) {
        updateOptions { $0.history = limits }
        let now = options.clock.now()
        let inputs = lock.withLock { streams.values.filter { $0.derivedFrom == nil && $0.system == nil } }
        for s in inputs { s.history.setLimits(limits, now: now) }
    }

    /// The history a stream keeps (nil for an unknown stream).
    public func history(ofStream name: String) -> StreamHistory? {
        lock.withLock { streams[name.lowercased()]?.history }
    }

    /// Runs `select` (the text of a whole statement is `sql`) in place of the running query `name` over
    /// its sources' history, and the running version over the same events; returns how their rows differ.
    public func whatIf(_ name: String, select: SelectStatement, sql: String, range: SourceRange) throws(StreamSQLError) -> ResultDiff {
        guard let live = lock.withLock({ namedQueries[name.lowercased()] }), let oldSelect = live.select else {
            throw StreamSQLError(.catalog, "no running query named \(name)", at: range, in: sql,
                                 suggestions: closestNames(to: name, in: queries.map(\.name)))
        }
        try requireHistory(name, range: range, sql: sql)
        let params = lock.withLock { parameterValues }
        return try whatIf(old: (oldSelect, live.sql, params), new: (select, sql, params))
    }

    /// A version of a query for a what-if: its SELECT, the statement text its positions count from, and
    /// the parameter values it is planned with.
    typealias Version = (select: SelectStatement, sql: String, parameters: ParameterValues)

    /// Refuses a what-if when no input stream keeps a history.
    func requireHistory(_ name: String, range: SourceRange, sql: String) throws(StreamSQLError) {
        let kept = lock.withLock { streams.values.filter { $0.derivedFrom == nil && $0.history.isRecording }.map(\.name) }
        guard kept.isEmpty else { return }
        throw StreamSQLError(.catalog, "no stream keeps a history to run \(name) over: streams keep one unless EngineOptions.history is off; "
                             + "declare one (CREATE STREAM s WITH (HISTORY = 100000)) or set EngineOptions.history", at: range, in: sql)
    }

    /// Runs both versions over the history and diffs their rows. With the same parameters both run in one
    /// scratch engine; otherwise each in its own, whose derived streams are recomputed with its values.
    func whatIf(old: Version, new: Version) throws(StreamSQLError) -> ResultDiff {
        let oldScratch = try scratchEngine(for: [old.select, new.select], parameters: old.parameters)
        let sameValues = old.parameters == new.parameters
        let newScratch = sameValues ? oldScratch : try scratchEngine(for: [new.select], parameters: new.parameters)
        let oldRun = try oldScratch.collect(old.select, sql: old.sql, name: "whatif_old")
        let newRun = try newScratch.collect(new.select, sql: new.sql, name: "whatif_new")
        replayHistory(into: sameValues ? [oldScratch] : [oldScratch, newScratch])
        oldScratch.finish()
        if !sameValues { newScratch.finish() }
        let keys = Set(oldRun.plan.keyColumns).intersection(newRun.plan.keyColumns)
        return ResultDiff(old: oldRun.rows.all, new: newRun.rows.all, keys: oldRun.plan.keyColumns.filter { keys.contains($0) })
    }

    /// A diff as a table: the summary first, then each row marked `gone`, `new`, or `was`/`now` for a
    /// changed one.
    func diffTable(_ d: ResultDiff) -> StatementResult {
        var columns: [String] = []
        for r in d.gone + d.added + d.changed.flatMap({ [$0.old, $0.new] }) {
            for k in r.keys where !columns.contains(k) { columns.append(k) }
        }
        func line(_ tag: String, _ r: ResultDiff.Row) -> [Value] { [.string(tag)] + columns.map { r[$0] ?? .null } }
        var rows: [[Value]] = [[.string(d.summary)] + columns.map { _ in .null }]
        rows += d.gone.map { line("gone", $0) } + d.added.map { line("new", $0) }
        for c in d.changed { rows += [line("was", c.old), line("now", c.new)] }
        return .table(columns: ["change"] + columns, rows: rows)
    }

    /// An engine with this one's declarations and functions, the tables `selects` read, and the derived
    /// streams and query-kept tables they depend on; it keeps no history of its own.
    private func scratchEngine(for selects: [SelectStatement], parameters: ParameterValues) throws(StreamSQLError) -> Engine {
        var o = options
        o.autoCreateStreams = true
        o.history = StreamHistory.Limits(events: 0)
        o.clock = ManualClock(start: options.clock.now())
        let scratch = Engine(options: o)
        scratch.lock.withLock { scratch.parameterValues = parameters }
        let (streamList, tableList, defs) = lock.withLock { (streamsInOrder, tables, definitions) }
        for st in streamList where st.derivedFrom == nil {
            let copy = StreamState(name: st.name, history: o.history)
            copy.columns = st.columns
            copy.types = st.types
            copy.strict = st.strict
            copy.declared = st.declared
            scratch.lock.withLock { scratch.streams[st.name.lowercased()] = copy }
        }
        for f in functionRegistry.all where f.origin != .builtin { scratch.registerFunction(f) }
        // What the selects read, and what that reads, in definition order.
        var needed = Set<String>()
        var frontier = selects.flatMap(sources)
        while let n = frontier.popLast() {
            guard needed.insert(n).inserted, let d = defs[n] else { continue }
            frontier += sources(d.select)
        }
        for (key, t) in tableList where defs[key] == nil { scratch.lock.withLock { scratch.tables[key] = t } }
        for d in defs.values.sorted(by: { $0.order < $1.order }) where needed.contains(d.name.lowercased()) {
            _ = try scratch.run(d.sql)
        }
        return scratch
    }

    /// The streams and tables a SELECT reads (lower-cased).
    private func sources(_ s: SelectStatement) -> [String] {
        [s.from.source.lowercased()] + s.from.joins.map { $0.source.lowercased() }
    }

    /// Starts a query in this (scratch) engine and collects its rows.
    private func collect(_ select: SelectStatement, sql: String, name: String) throws(StreamSQLError) -> (plan: QueryPlan, rows: Collector) {
        planLock.lock()
        defer { planLock.unlock() }
        let plan = try planQuery(select, sql: sql, name: name)
        let q = start(plan)
        let rows = Collector()
        q.addSink { rows.add($0) }
        return (plan, rows)
    }

    /// Feeds the histories of this engine's input streams into each scratch engine, in arrival order.
    private func replayHistory(into scratches: [Engine]) {
        let inputs = lock.withLock { streams.values.filter { $0.derivedFrom == nil } }
        let snapshots = inputs.map { ($0.name, $0.history.snapshot()) }
        var order: [(stream: Int, event: Int, sequence: Int)] = []
        for (i, s) in snapshots.enumerated() { order += s.1.events.indices.map { (i, $0, s.1.events[$0].sequence) } }
        order.sort { $0.sequence < $1.sequence }
        for scratch in scratches {
            for o in order {
                let (name, s) = snapshots[o.stream]
                let e = s.events[o.event]
                if !e.encoded {
                    s.bytes.withUnsafeBufferPointer { buf in
                        _ = scratch.emit(jsonBytes: UnsafeBufferPointer(rebasing: buf[e.start..<(e.start + e.length)]), to: name, sync: true)
                    }
                } else if let event = s.dictionary(at: o.event) {
                    scratch.emitSync(event, to: name)
                }
            }
        }
    }
}

/// Rows a query produced, gathered from its sink.
final class Collector: @unchecked Sendable {
    private let lock = NSLock()
    private var rows: [OrderedDictionary<String, Value>] = []
    func add(_ b: ResultBatch) { lock.withLock { rows += b.objects } }
    var all: [OrderedDictionary<String, Value>] { lock.withLock { rows } }
}

extension QueryPlan {
    /// The output columns that identify a row across versions: a windowed query's group keys as output and
    /// its window bounds. Empty for other queries (their rows are matched whole).
    var keyColumns: [String] {
        guard case .windowed(let w) = bound else { return [] }
        let keySlots = BoundWindowQuery.firstKeySlot..<(BoundWindowQuery.firstKeySlot + w.groupKeys.count)
        return zip(schema.names, w.projections).compactMap { name, p in
            guard case .slot(let i, _) = p else { return nil }
            return i == BoundWindowQuery.windowStartSlot || i == BoundWindowQuery.windowEndSlot || keySlots.contains(i) ? name : nil
        }
    }
}
