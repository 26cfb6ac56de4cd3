import Foundation
import OrderedCollections
import Synchronization

/// Engine-wide settings.
public struct EngineOptions: Sendable {
    /// A query over a stream name nobody created creates it (untyped), as the reference accepts any
    /// FROM name (the conformance runner and `streamsql query` turn this on). Off by default: such a
    /// query is an error with "did you mean", since a misspelt stream would otherwise wait forever.
    public var autoCreateStreams = false
    /// Events buffered per query for `emit` before the back-pressure policy applies.
    public var queueCapacity = 65_536
    public var backPressure = BackPressure.block
    /// Rows a DISTINCT row query remembers before forgetting the oldest.
    public var distinctCapacity = 100_000
    /// Groups a windowed query keeps per window; rows of further groups are rejected (counted).
    public var maxGroups = 1_000_000
    /// Partitions an analytic call keeps; past it the least recently used are forgotten (counted).
    public var maxPartitions = 1_000_000
    /// Processing time. Tests inject a `ManualClock`.
    public var clock: Clock = SystemClock()
    /// How often running queries are ticked for processing-time windows (real-time clocks only).
    public var tickInterval: Double = 0.05
    /// What each new stream keeps of its recent events for what-if runs (`CREATE STREAM … WITH (HISTORY=…)`
    /// changes one stream's). By default the last 100,000 events or 256 MB (`StreamHistory.Limits.default`);
    /// `.off` keeps none.
    public var history = StreamHistory.Limits.default
    /// Queries started from now on record lineage: which inputs produced each result row (`SET lineage =
    /// on`; the dashboard's queries). Off by default: it keeps a reference to every row of every open window.
    public var lineage = false
    public var lineageLimits = LineageLimits()
    /// Every stream keeps a sampled profile of its events (`DESCRIBE STREAM`, completion of an untyped
    /// stream's fields); off saves its cost (measured in README). Read when the engine is made.
    public var profileStreams = true
    /// Rows a derived stream (a named query's results) keeps so that a query started on it later sees them
    /// first (`Engine.showRecentRows(to:)`; the shell's `.set replay_rows`). 0, the default, keeps none.
    public var replayRows = 0

    public init() {}
    public init(clock: Clock) { self.clock = clock }
}

/// The engine: a catalog of streams and running queries, and the entry points for events.
///
/// ```swift
/// let engine = Engine()
/// let q = try engine.execute("SELECT deviceId, temperature FROM stream WHERE temperature > 50")
/// q.addSink { batch in for row in batch.objects { print(row) } }
/// engine.emit(["deviceId": "d1", "temperature": 61.5])
/// engine.drain()
/// ```
public final class Engine: @unchecked Sendable {
    private let optionsBox: Mutex<EngineOptions>
    /// The options new queries are created with (`updateOptions` changes them for later queries).
    public var options: EngineOptions { optionsBox.withLock { $0 } }

    /// Changes the options for queries created from now on (running queries keep theirs).
    public func updateOptions(_ change: (inout EngineOptions) -> Void) {
        optionsBox.withLock { change(&$0) }
    }
    private var functions: FunctionRegistry
    let lock = NSLock()
    /// Serialises planning and starting queries: a plan binds against a stream's layout as it is, and
    /// starting it widens that layout, so no other plan may read the layout in between.
    let planLock = NSLock()
    /// Queries that finished (end of input, or stopped) and left the catalog, newest last, so that the
    /// loss summary printed after `finish()` still names what they rejected, made NULL or dropped.
    var finishedQueries: [(name: String, stream: String, metrics: MetricsSnapshot)] = []
    static let keptFinishedQueries = 256
    /// Lineage of the latest queries that recorded it, by lower-cased name, oldest first (Engine+Lineage.swift).
    var lineageRecorders: OrderedDictionary<String, LineageRecorder> = [:]
    var streams: [String: StreamState] = [:] { didSet { catalogVersion.wrappingAdd(1, ordering: .releasing) } }
    /// Bumped after every change of `streams` (always under `lock`), so `emit` can keep the stream it named last.
    let catalogVersion = Atomic<Int>(0)
    /// `EngineOptions.profileStreams` when the engine was made (read per event).
    let profilesStreams: Bool
    let emitCache = Mutex(EmitCache())
    var tables: [String: TableState] = [:]
    /// Every running query by lower-cased name.
    var namedQueries: [String: Query] = [:]
    /// Named queries (CREATE QUERY, derived streams and tables), kept for START QUERY.
    var definitions: [String: QueryDefinition] = [:]
    /// Where relative file paths in statements resolve (a script's folder); nil: the working directory.
    public var baseDirectory: String? {
        get { lock.withLock { _baseDirectory } }
        set { lock.withLock { _baseDirectory = newValue } }
    }
    private var _baseDirectory: String?
    var queryCounter = 0
    /// Orders the events of every stream's history, so that a what-if replays them as they arrived.
    let historySequence = Atomic<Int>(0)
    var definitionCounter = 0
    /// Session parameters (`SET @name = …`), under `lock`.
    var parameterValues = ParameterValues()
    /// Input files by stream, for `EXPLAIN FLINK` to learn field types from (set by `.replay` and `--input`).
    public var flinkInputs: [String: String] {
        get { lock.withLock { _flinkInputs } }
        set { lock.withLock { _flinkInputs = newValue } }
    }
    private var _flinkInputs: [String: String] = [:]

    public init(options: EngineOptions = EngineOptions()) {
        self.optionsBox = Mutex(options)
        self.profilesStreams = options.profileStreams
        self.functions = FunctionRegistry.builtins
        streams["stream"] = StreamState(name: "stream", history: options.history)
    }

    // MARK: catalog

    /// Built-in and user functions (a snapshot; registering more does not change it).
    public var functionRegistry: FunctionRegistry { lock.withLock { functions } }

    func registerFunction(_ f: FunctionInfo) { lock.withLock { functions.register(f) } }
    func removeFunction(_ name: String) { lock.withLock { functions.remove(name) } }

    public var streamNames: [String] { lock.withLock { streams.values.map(\.name).sorted() } }

    /// The fields a stream is known to have: its declared columns, the fields its events held (its
    /// profile) and the fields its queries read.
    public func fieldNames(ofStream name: String) -> [String] {
        guard let st = lock.withLock({ streams[name.lowercased()] }) else { return [] }
        let (declared, read, typed) = lock.withLock { (st.columns.map(\.name), st.layout.names, !st.types.isEmpty) }
        let observed = typed ? [] : st.profile.snapshot(now: 0).fieldNames
        var seen = Set<String>()
        return (declared + observed + read).filter { seen.insert($0).inserted }
    }

    /// The live profile of a stream's events (`DESCRIBE STREAM`); nil for an unknown stream.
    public func profile(ofStream name: String) -> StreamProfile.Snapshot? {
        guard let st = lock.withLock({ streams[name.lowercased()] }) else { return nil }
        return st.profile.snapshot(now: options.clock.now())
    }

    public var queries: [Query] { lock.withLock { streamsInOrder.flatMap(\.queries) } }

    /// Every stream in creation order (call under `lock`): the one order for walks whose effects a user sees.
    var streamsInOrder: [StreamState] { streams.values.sorted { $0.ordinal < $1.ordinal } }

    /// Creates an untyped stream (no error if it exists).
    public func createStream(_ name: String) {
        lock.withLock {
            if streams[name.lowercased()] == nil { streams[name.lowercased()] = StreamState(name: name, history: options.history) }
        }
    }

    func stream(_ name: String, range: SourceRange, sql: String) throws(StreamSQLError) -> StreamState {
        lock.lock()
        defer { lock.unlock() }
        if let s = streams[name.lowercased()] { return s }
        if let s = try makeSystemStream(name, range: range, sql: sql) { return s }
        guard options.autoCreateStreams else {
            var hint = "create it first (CREATE STREAM \(name);) or feed it (--input \(name)=FILE, .gen, .replay)"
            if tables[name.lowercased()] != nil { hint = "\(name) is a table: join it to a stream (FROM s JOIN \(name) t ON …)" }
            throw StreamSQLError(.catalog, "unknown stream '\(name)'; \(hint)", at: range, in: sql,
                                 suggestions: closestNames(to: name, in: streams.values.map(\.name)))
        }
        let s = StreamState(name: name, history: options.history)
        streams[name.lowercased()] = s
        return s
    }

    // MARK: queries (planning and starting: Engine+Plan.swift)

    func makeOperator(_ bound: BoundQuery, counters: Counters, lineage: LineageRecorder? = nil) -> QueryOperator {
        let joins: [BoundJoin]
        switch bound {
        case .row(let r): joins = r.joins
        case .windowed(let w): joins = w.joins
        case .match: joins = []
        }
        guard !joins.isEmpty else { return makePipeline(bound, counters: counters, joins: nil, lineage: lineage) }
        let store = JoinRows(count: joins.count)
        let inner = makePipeline(bound, counters: counters, joins: store, lineage: lineage)
        let tables = lock.withLock { joins.map { self.tables[$0.table.lowercased()]! } }
        var order: BoundJoinOrder? = nil
        if case .row(let r) = bound { order = r.joinOrder }
        var rowWise = false
        if case .row = bound { rowWise = true }
        return JoinOperator(inner: inner, joins: joins, tables: tables, store: store, compiler: ExpressionCompiler(analytics: nil, joins: store), order: order,
                            lineage: rowWise ? lineage : nil)
    }

    func makePipeline(_ bound: BoundQuery, counters: Counters, joins: JoinRows?, lineage: LineageRecorder?) -> QueryOperator {
        switch bound {
        case .row(let r):
            return RowPipeline(r, distinctCap: options.distinctCapacity, maxPartitions: options.maxPartitions, counters: counters, joins: joins,
                               lineage: lineage)
        case .windowed(let w):
            let core = WindowCore(w, counters: counters, maxGroups: options.maxGroups, maxPartitions: options.maxPartitions, clock: options.clock, joins: joins,
                                  lineage: lineage)
            switch w.window {
            case .tumbling(let size): return TimeWindowOperator(core: core, size: size, slide: size)
            case .sliding(let size, let slide): return TimeWindowOperator(core: core, size: size, slide: slide)
            case .counting(let n): return CountingWindowOperator(core: core, n: n)
            case .countingEvery(let n, let m): return SlidingCountWindowOperator(core: core, size: n, every: m)
            case .session(let gap, let max): return SessionWindowOperator(core: core, gap: gap, maxDuration: max)
            case .state: return StateWindowOperator(core: core)
            case .slidingOnRows(let size): return RowTriggeredWindowOperator(core: core, size: size)
            case .global: return GlobalWindowOperator(core: core)
            }
        case .match(let m):
            var limits = MatchRecognizeOperator.Limits()
            limits.partitions = options.maxPartitions
            return MatchRecognizeOperator(m, counters: counters, limits: limits, lineage: lineage)
        }
    }

    /// Stops a query: it receives no more events and its sinks get nothing more.
    public func stop(_ query: Query) {
        query.stopLocked()
    }

    // MARK: events

    func target(_ stream: String) -> StreamState? {
        lock.withLock { streams[stream.lowercased()] }
    }

    /// A stream view behind a mutex, for a closure to keep.
    final class ViewBox: Sendable {
        let view: Mutex<StreamView>
        init(_ v: sending StreamView) { view = Mutex(v) }
    }

    /// The stream `emit`/`emitSync`/`process` named last, and its view (see `cachedRow`); the dictionary
    /// `emitSync` returned last, reused while the stream has the same queries (see `emitSync`).
    struct EmitCache {
        var catalogVersion = -1
        var name = ""
        var view: StreamView?
        var results: SyncResults?
    }

    /// `emitSync`'s answer — an entry per query, by name — kept from one event to the next: its keys and
    /// their positions stay, only the batches are replaced, so an event costs no dictionary allocation and
    /// no hashing of query names. A caller still holding the last answer makes the next one a copy.
    final class SyncResults: @unchecked Sendable {   // touched only by the call that took it out of the cache
        let queries: [ObjectIdentifier]
        var byName: [String: ResultBatch]
        let positions: [Dictionary<String, ResultBatch>.Index]

        init(_ qs: [Query]) {
            queries = qs.map(ObjectIdentifier.init)
            var d: [String: ResultBatch] = [:]
            for q in qs { d[q.name] = ResultBatch(schema: q.schema) }
            // Query names are unique in a catalog; with a repeated name the last query's batch wins, as before.
            positions = qs.map { d.index(forKey: $0.name) ?? d.startIndex }
            byName = d
        }

        func fits(_ qs: [Query]) -> Bool {
            guard qs.count == queries.count else { return false }
            for i in qs.indices where ObjectIdentifier(qs[i]) != queries[i] { return false }
            return true
        }
    }

    func snapshot(_ s: StreamState) -> (FieldLayout, [Query]) {
        lock.withLock { (s.layout, s.queries) }
    }

    /// Decodes an event dictionary into the stream's current layout (for callers that pre-build rows).
    public func makeRow(_ event: OrderedDictionary<String, Value>, stream: String = "stream") -> Row {
        guard let s = target(stream) else { return Row(width: 0) }
        return snapshot(s).0.row(from: event)
    }

    /// Buffers an event for every query on the stream; returns at once (unless a queue is full and
    /// the policy is `block`). Call `drain()` to wait until results are out.
    /// - Complexity: no lookup of the stream's name or of the event's keys when the same stream and key
    ///   order came last (see `StreamView`); a producer of its own can skip the one mutex with `writer(for:)`.
    public func emit(_ event: OrderedDictionary<String, Value>, to stream: String = "stream") {
        guard let (row, qs, s) = cachedRow(event, stream) else { return }
        remember(event, in: s)
        StreamView.deliver(row, on: s, to: qs, sync: false)
    }

    /// Buffers pre-built rows (see `makeRow`) for every query on the stream.
    public func emit(rows: [Row], to stream: String = "stream") {
        guard let s = target(stream) else { return }
        let qs = snapshot(s).1
        s.counters.eventsIn.add(rows.count, ordering: .relaxed)
        for q in qs { q.inbox.push(rows) }
    }

    /// Processes an event now, on this thread, through every query on the stream; sinks are called
    /// before it returns. Returns the rows each query produced, by query name (`process(_:to:)` does the
    /// same without building that dictionary).
    @discardableResult
    public func emitSync(_ event: OrderedDictionary<String, Value>, to stream: String = "stream") -> [String: ResultBatch] {
        guard let (row, qs, s) = cachedRow(event, stream) else { return [:] }
        remember(event, in: s)
        s.counters.eventsIn.add(1, ordering: .relaxed)
        let out = emitCache.withLock { c in
            // Taken out while in use (a call on another thread meanwhile makes its own).
            if let r = c.results, r.fits(qs) { c.results = nil; return r }
            return SyncResults(qs)
        }
        for i in qs.indices {
            // The last event's batch goes first, so that the query can write into its storage again.
            out.byName.values[out.positions[i]] = ResultBatch(schema: qs[i].schema)
            out.byName.values[out.positions[i]] = qs[i].run(CollectionOfOne(row))
        }
        let answer = out.byName
        emitCache.withLock { c in
            c.results = out
            c.view?.recycle(row)
        }
        return answer
    }

    /// Processes an event now, on this thread, through every query on the stream; results go to the
    /// queries' sinks only. Returns false when the event was not taken (unknown stream, or rejected by a
    /// typed stream: counted with its reason).
    @discardableResult
    public func process(_ event: OrderedDictionary<String, Value>, to stream: String = "stream") -> Bool {
        guard let (row, qs, s) = cachedRow(event, stream) else { return false }
        remember(event, in: s)
        StreamView.deliver(row, on: s, to: qs, sync: true)
        emitCache.withLock { $0.view?.recycle(row) }
        return true
    }

    /// The event as a row of `stream`, with the queries to run it through, from the view of the stream
    /// named last (kept while the catalog and the stream stay as they were); nil for an unknown stream or
    /// a rejected event.
    private func cachedRow(_ event: OrderedDictionary<String, Value>, _ stream: String) -> (Row, [Query], StreamState)? {
        let v = catalogVersion.load(ordering: .acquiring)
        return emitCache.withLock { c -> (Row, [Query], StreamState)? in
            if c.catalogVersion != v || c.name != stream || c.view == nil {
                guard let s = target(stream) else { return nil }
                c = EmitCache(catalogVersion: v, name: stream, view: StreamView(s), results: nil)
            }
            guard let view = c.view else { return nil }
            view.refresh(self)
            var why: String? = nil
            guard let row = view.row(event, why: &why) else { return nil }
            return (row, view.queries, view.state)
        }
    }

    /// Feeds a query's results into a stream (a derived stream, or a named query's result stream): each row
    /// runs now, on the producing query's thread, through the stream's queries. With `onlyWhenRead`, batches
    /// are skipped while no query reads the stream.
    func forward(_ q: Query, into st: StreamState, onlyWhenRead: Bool) {
        let box = ViewBox(StreamView(st))
        let lineage = q.lineage
        // Records for every row only while a query reading `st` keeps lineage (set then by `plan`); otherwise
        // a named query, whose result stream is always forwarded, would build them for every row it makes.
        if st.tracesOrigins.load(ordering: .relaxed) { lineage?.feedsStreams.store(true, ordering: .relaxed) }
        q.addSink { [weak self] batch in
            guard let self else { return }
            box.view.withLock { view in
                view.refresh(self)
                let keep = self.options.replayRows
                if keep > 0 { st.recent.withLock { r in for i in 0..<batch.count { r.record(batch.object(i), limit: keep) } } }
                if onlyWhenRead && view.queries.isEmpty { return }
                // Lineage: each row carries the inputs of the result it is, so the chain can be followed back.
                let records = lineage != nil && st.tracesOrigins.load(ordering: .relaxed) ? lineage?.lastBatch : nil
                for i in 0..<batch.count {
                    var why: String? = nil
                    let event = batch.object(i)
                    if self.profilesStreams && st.profile.sample() { st.profile.observe(event, now: self.options.clock.now()) }
                    if let row = view.row(event, why: &why) {
                        if let records, i < records.count {
                            let origin = RowOrigin(query: records[i].query, inputs: records[i].inputs, droppedInputs: records[i].droppedInputs)
                            RowOrigin.$current.withValue(origin) { view.deliver(row, sync: true) }
                        } else {
                            view.deliver(row, sync: true)
                        }
                    }
                }
            }
        }
    }

    /// Processes pre-built rows now through every query on the stream.
    public func emitSync(rows: [Row], to stream: String = "stream") {
        guard let s = target(stream) else { return }
        let qs = snapshot(s).1
        s.counters.eventsIn.add(rows.count, ordering: .relaxed)
        for q in qs { q.run(rows) }
    }

    /// Decodes one JSON line and buffers it (`sync: false`) or processes it now. A malformed line is
    /// counted as rejected on the stream and on each of its queries, with the reason; it returns the
    /// error so callers can report line numbers.
    @discardableResult
    public func emit(jsonLine line: String, to stream: String = "stream", sync: Bool = false) -> JSONError? {
        var line = line
        return line.withUTF8 { emit(jsonBytes: $0, to: stream, sync: sync) }
    }

    /// Decodes one JSON line given as bytes (as `EventFile` reads them; invalid UTF-8 is an error with
    /// its offset, never replaced) and buffers or processes it, as `emit(jsonLine:)`.
    @discardableResult
    public func emit(jsonBytes bytes: UnsafeBufferPointer<UInt8>, to stream: String = "stream", sync: Bool = false) -> JSONError? {
        emit(jsonBytes: bytes, to: stream, sync: sync, origin: nil)
    }

    /// `emit(jsonBytes:to:sync:)` for a line read from a file: a rejected line is kept with its file and number.
    func emit(jsonBytes bytes: UnsafeBufferPointer<UInt8>, to stream: String, sync: Bool, origin: LineOrigin?) -> JSONError? {
        guard let s = target(stream) else { return JSONError(message: "unknown stream '\(stream)'", offset: 0) }
        let (layout, qs) = snapshot(s)
        var result: Result<Row, JSONError> = .failure(JSONError(message: "empty line", offset: 0))
        do throws(JSONError) {
            if !s.types.isEmpty {
                // Typed stream: read the whole object, then check and convert its fields.
                guard case .object(let o) = try JSONReader.parse(bytes: bytes) else { throw JSONError(message: "an event must be a JSON object", offset: 0) }
                var why: String? = nil
                guard let row = typedRow(s, layout, o, qs, why: &why, raw: bytes, origin: origin) else {
                    return JSONError(message: why ?? "rejected", offset: 0, rowError: true)
                }
                result = .success(row)
            } else {
                result = .success(try JSONReader.decodeEvent(bytes: bytes, layout: layout))
            }
        } catch {
            result = .failure(error)
        }
        switch result {
        case .success(let row):
            remember(json: bytes, in: s)
            if let origin, let file = origin.file, s.tracesOrigins.load(ordering: .relaxed) {
                RowOrigin.$current.withValue(RowOrigin(source: file, line: origin.line)) { deliver(row, on: s, to: qs, sync: sync) }
            } else {
                deliver(row, on: s, to: qs, sync: sync)
            }
            return nil
        case .failure(let e):
            s.counters.reject(RejectedLine(text: String(decoding: bytes, as: UTF8.self), file: origin?.file, line: origin?.line, reason: e.message))
            for q in qs { q.counters.reject("invalid JSON: \(e.message)") }
            return e
        }
    }

    /// Hands one decoded row to the stream's queries: run now (`sync`) or buffered per back-pressure policy.
    func deliver(_ row: Row, on s: StreamState, to qs: [Query], sync: Bool) {
        StreamView.deliver(row, on: s, to: qs, sync: sync)
    }

    /// Fires what processing time has made due (windows, idle sources, TTLs) in every query, now.
    /// With a real-time clock the engine also does this in the background.
    public func tick() {
        drain()
        let now = options.clock.now()
        for q in queries { q.tick(now: now) }
    }

    /// The event as a row of the stream's layout; for a typed stream, checked and converted first
    /// (a rejected event is counted on the stream and its queries, with the reason).
    func typedRow(_ s: StreamState, _ layout: FieldLayout, _ event: OrderedDictionary<String, Value>, _ qs: [Query]) -> Row? {
        var why: String? = nil
        return typedRow(s, layout, event, qs, why: &why)
    }

    func typedRow(_ s: StreamState, _ layout: FieldLayout, _ event: OrderedDictionary<String, Value>, _ qs: [Query], why: inout String?,
                  raw: UnsafeBufferPointer<UInt8>? = nil, origin: LineOrigin? = nil) -> Row? {
        let (e, reason) = s.coerce(event)
        if let e { return layout.row(from: e) }
        let text = reason ?? "rejected"
        why = text
        let line = raw.map { String(decoding: $0, as: UTF8.self) } ?? JSONWriter.string(object: event)
        s.counters.reject(RejectedLine(text: line, file: origin?.file, line: origin?.line, reason: text))
        for q in qs { q.counters.reject(text) }
        return nil
    }

    /// Waits until every event buffered so far has been processed by every query.
    public func drain() {
        for q in queries { q.inbox.drain() }
    }

    /// End of input on every stream: waits for buffered events, then lets each query emit what end
    /// of input completes and finishes it.
    public func finish() {
        drain()
        // Upstream first: a query's end-of-input output feeds its derived stream, whose queries must still
        // be open to receive it.
        var remaining = lock.withLock { streamsInOrder }
        var done = Set<String>()
        while !remaining.isEmpty {
            var ready = remaining.filter { s in s.derivedFrom.map { done.contains($0.lowercased()) } ?? true }
            if ready.isEmpty { ready = remaining }
            for s in ready {
                for q in snapshot(s).1 {
                    q.finishInput()
                    done.insert(q.name.lowercased())
                }
            }
            remaining.removeAll { r in ready.contains { $0 === r } }
        }
    }

    /// Stops every query; buffered events are processed first when `flush` is true, discarded otherwise.
    public func stopAll(flush: Bool = true) {
        if flush { finish() } else { for q in queries { q.stopLocked() } }
    }

    /// Counters of a stream (events in, rejected lines with reasons).
    public func streamMetrics(_ name: String) -> MetricsSnapshot? {
        target(name)?.counters.snapshot
    }
}
