import OrderedCollections

/// A producer's handle on one stream: the stream is looked up once, and each event goes straight to its
/// queries without the per-call name lookup, lock and result dictionary of `Engine.emit`/`emitSync`.
///
/// ```swift
/// let w = try engine.writer(for: "readings")
/// w.emitSync(["deviceId": "d1", "temperature": 61.5])      // or w.emit(…) to buffer it
/// // Embedders who know their fields fill slots by index:
/// if let t = w.slot(of: "temperature") {
///     var row = w.makeRow()
///     row.slots[t] = .double(61.5)
///     w.emitSync(row: row)
/// }
/// ```
///
/// Queries started later are seen at the next event (the writer re-reads the stream when it changes).
/// A writer is not shared between threads: take one per producing thread.
public final class StreamWriter {
    let engine: Engine
    let view: StreamView

    /// JSON lines `feed` decodes and holds before running them through the stream's query at once (1: each
    /// line is run as it comes). A batch pays a query's lock, result batch, clock reads and sinks once
    /// instead of per event; `flush()` runs what is held. Only a stream with a single query batches (with
    /// more, batches would change how the queries' results interleave) and only when `feed` runs events
    /// now (`sync`); a typed stream's lines, CSV rows and rejected lines flush first and go one by one.
    /// Set it only where nothing else reads the query's results between events (its results come in the
    /// same order, but a batch's rows reach the sinks together): `streamsql query` and single-query scripts.
    public var batchSize = 1
    // Rows of the batch being filled (`held` of them in use), reused from batch to batch.
    private var pool: [Row] = []
    private var held = 0
    private var keyMemo = JSONReader.KeyMemo()

    init(engine: Engine, state: StreamState) {
        self.engine = engine
        self.view = StreamView(state)
    }

    /// The stream's name as created.
    public var stream: String { view.state.name }

    /// Processes an event now, on this thread, through every query on the stream (results go to the
    /// queries' sinks). Returns false if a typed stream rejected it (counted, as `Engine.emitSync`).
    @discardableResult
    public func emitSync(_ event: OrderedDictionary<String, Value>) -> Bool {
        send(event, sync: true)
    }

    /// Buffers an event for every query on the stream, as `Engine.emit`.
    @discardableResult
    public func emit(_ event: OrderedDictionary<String, Value>) -> Bool {
        send(event, sync: false)
    }

    private func send(_ event: OrderedDictionary<String, Value>, sync: Bool) -> Bool {
        view.refresh(engine)
        var why: String? = nil
        guard let row = view.row(event, why: &why) else { return false }
        engine.remember(event, in: view.state)
        view.deliver(row, sync: sync)
        if sync { view.recycle(row) }
        return true
    }

    /// Decodes one JSON line given as bytes into the stream's layout (reading only the fields queries use)
    /// and processes (`sync`) or buffers it, as `Engine.emit(jsonBytes:to:sync:)` does: a line that is not
    /// an event is counted as rejected on the stream and its queries, and its error returned.
    @discardableResult
    public func emit(jsonBytes bytes: UnsafeBufferPointer<UInt8>, sync: Bool) -> JSONError? {
        emit(jsonBytes: bytes, sync: sync, origin: nil)
    }

    private func emit(jsonBytes bytes: UnsafeBufferPointer<UInt8>, sync: Bool, origin: LineOrigin?) -> JSONError? {
        view.refresh(engine)
        let row: Row
        do throws(JSONError) {
            if view.isTyped {
                // Typed stream: read the whole object, then check and convert its fields.
                guard case .object(let o) = try JSONReader.parse(bytes: bytes) else { throw JSONError(message: "an event must be a JSON object", offset: 0) }
                var why: String? = nil
                guard let r = view.row(o, why: &why, origin: origin) else { return JSONError(message: why ?? "rejected", offset: 0, rowError: true) }
                row = r
            } else {
                row = try JSONReader.decodeEvent(bytes: bytes, layout: view.layout)
            }
        } catch {
            view.state.counters.reject(RejectedLine(text: String(decoding: bytes, as: UTF8.self), file: origin?.file, line: origin?.line,
                                                    reason: error.message))
            for q in view.queries { q.counters.reject("invalid JSON: \(error.message)") }
            return error
        }
        engine.remember(json: bytes, in: view.state)
        deliver(row, sync: sync, file: origin?.file, line: origin?.line ?? 0)
        return nil
    }

    /// Delivers a row of `file` (its origin, for lineage, when a query on the stream records it).
    private func deliver(_ row: Row, sync: Bool, file: String?, line: Int) {
        if let file, view.state.tracesOrigins.load(ordering: .relaxed) {
            RowOrigin.$current.withValue(RowOrigin(source: file, line: line)) { view.deliver(row, sync: sync) }
        } else {
            view.deliver(row, sync: sync)
        }
    }

    /// One record of an event file (`EventFile`), as `Engine.feed`: nil, or why it was rejected.
    /// `file` names the file in the rejected lines kept for the inspector and `stream.rejected`, and in lineage.
    public func feed(_ record: EventFile.Record, sync: Bool, file: String? = nil) -> String? {
        // One untyped stream with one query that keeps no lineage: rows are decoded into a batch (the line's
        // origin is made only if it is rejected).
        if batchSize > 1, sync, case .json(let line) = record {
            if !view.isCurrent { flush(); view.refresh(engine) }
            if !view.isTyped && view.queries.count == 1 && !view.state.tracesOrigins.load(ordering: .relaxed) {
                return hold(jsonBytes: line.bytes, file: file, line: record.line)?.description
            }
        }
        flush()
        let origin = LineOrigin(file: file, line: record.line)
        switch record {
        case .json(let line):
            return emit(jsonBytes: line.bytes, sync: sync, origin: origin)?.description
        case .row(let event, _):
            view.refresh(engine)
            var why: String? = nil
            guard let row = view.row(event, why: &why, origin: origin) else { return why ?? "rejected" }
            engine.remember(event, in: view.state)
            deliver(row, sync: sync, file: file, line: record.line)
            return nil
        case .rejected(_, let reason):
            view.refresh(engine)
            view.state.counters.reject(RejectedLine(text: nil, file: file, line: record.line, reason: reason))
            for q in view.queries { q.counters.reject(reason) }
            return reason
        }
    }

    /// Decodes a JSON line into the next row of the batch; runs the batch when it is full.
    private func hold(jsonBytes bytes: UnsafeBufferPointer<UInt8>, file: String?, line: Int) -> JSONError? {
        let width = view.layout.count
        if held == pool.count { pool.append(Row(width: width)) } else { pool[held].reset(width: width) }
        do throws(JSONError) {
            try JSONReader.decodeEvent(bytes: bytes, layout: view.layout, into: &pool[held], memo: &keyMemo)
        } catch {
            view.state.counters.reject(RejectedLine(text: String(decoding: bytes, as: UTF8.self), file: file, line: line,
                                                    reason: error.message))
            for q in view.queries { q.counters.reject("invalid JSON: \(error.message)") }
            return error
        }
        engine.remember(json: bytes, in: view.state)
        held += 1
        if held >= batchSize { flush() }
        return nil
    }

    /// Runs the rows `feed` holds through the stream's query now. Call it before ending input.
    public func flush() {
        guard held > 0 else { return }
        let n = held
        held = 0
        view.state.counters.eventsIn.add(n, ordering: .relaxed)
        for q in view.queries { q.run(pool[0..<n]) }
    }

    /// The slot a field has in rows of this stream, or nil when no query reads it (then leave it out).
    /// Slots never move; a query started later may add fields, which rows made before it leave NULL.
    public func slot(of field: String) -> Int? {
        view.refresh(engine)
        return view.layout.slot(of: field)
    }

    /// An empty row (every slot NULL) as wide as the stream's layout now: the storage of the last row
    /// `emitSync(row:)` ran, when no query kept it.
    public func makeRow() -> Row {
        view.refresh(engine)
        return view.freshRow()
    }

    /// Processes a row filled by slot now (see `slot(of:)`). Its values are taken as they are: a typed
    /// stream's declared types are not checked, and `SELECT *` sees no fields (it needs the dictionary form).
    public func emitSync(row: Row) {
        view.refresh(engine)
        view.deliver(row, sync: true)
        view.recycle(row)
    }

    /// Processes an event filled by slot now, in a row the writer keeps from one event to the next (no
    /// allocation per event, unlike `makeRow`): `fill` gets an all-NULL row of the stream's layout.
    ///
    /// ```swift
    /// w.emitSync { row in row.slots[t] = .double(61.5) }
    /// ```
    public func emitSync(filling fill: (inout Row) -> Void) {
        view.refresh(engine)
        var row = view.freshRow()
        fill(&row)
        view.deliver(row, sync: true)
        view.recycle(row)
    }

    /// Buffers a row filled by slot for every query on the stream (as `emitSync(row:)`, but buffered).
    public func emit(row: Row) {
        view.refresh(engine)
        view.deliver(row, sync: false)
    }
}

extension Engine {
    /// A handle for emitting events into `stream` without looking it up per event.
    /// - Throws: `StreamSQLError` (catalog) for a stream that does not exist, with a suggestion.
    public func writer(for stream: String) throws(StreamSQLError) -> StreamWriter {
        guard let s = target(stream) else {
            throw StreamSQLError(.catalog, "unknown stream '\(stream)'", suggestions: closestNames(to: stream, in: streamNames))
        }
        return StreamWriter(engine: self, state: s)
    }
}
