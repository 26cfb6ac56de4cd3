import Foundation
import OrderedCollections

/// What happens when events arrive faster than a query consumes them.
public enum BackPressure: String, Sendable, CaseIterable {
    /// The producer waits for room (nothing is lost).
    case block
    /// The oldest buffered events are dropped to make room (counted).
    case dropOldest = "drop-oldest"
    /// The arriving events are dropped (counted).
    case dropNewest = "drop-newest"
}

public typealias ResultSink = @Sendable (ResultBatch) -> Void

/// A running continuous query: its pipeline, sinks, counters and input buffer.
///
/// Events reach it through its stream. All processing of one query happens under its own lock, on
/// the thread of `emitSync` or on the query's worker thread for `emit`, so its state is only ever
/// touched by one thread at a time.
public final class Query: @unchecked Sendable {
    public let name: String
    public let sql: String
    public let streamName: String
    /// The columns of its results (the pipeline's, read once: a batch is made with it per run).
    public let schema: ResultSchema
    public let counters: Counters
    /// Whether results come as window firings (a result batch holds the rows of one firing).
    public internal(set) var windowed = false
    /// The event-time field of a window on event time (such a query may drop late rows: `name.late`).
    public internal(set) var eventTimeField: String?
    /// The parsed SELECT it runs (positions count from `sql`).
    public internal(set) var select: SelectStatement?
    /// Named by CREATE QUERY / STREAM / TABLE (kept by the catalog), or an ad hoc SELECT (`q1`, …).
    public internal(set) var isNamed = false
    /// The event fields the query reads (for notices about fields its stream never carried).
    public internal(set) var fieldsRead: [String] = []
    /// Output columns holding window bounds (ns since 1970; a terminal shows them as ISO times).
    public internal(set) var windowBoundColumns: [String] = []
    /// Output columns that identify a windowed query's row across firings (window bounds and group keys as
    /// output); empty for row queries. A live table keeps one row per value of these.
    public internal(set) var keyColumns: [String] = []
    /// The session parameters its plan used (lower-cased names): setting one restarts the query.
    public internal(set) var parameters: Set<String> = []

    let op: QueryOperator
    /// Which inputs produced each result row, when the query was started with lineage on.
    public let lineage: LineageRecorder?
    private let lock = NSLock()
    private var sinks: [ResultSink] = []
    private var finished = false
    private var lastBatchCells = 0
    private var lastBatchRows = 0
    /// Calls of `run`, for sampling latency (under `lock`).
    private var runs = 0
    /// The cells of the last batch `run` made, kept so that the next run writes into the same storage when
    /// no one holds that batch any more (under `lock`): one event run at a time otherwise allocates and frees
    /// an array per event. Dropped above `spareLimit` cells, so that one large firing is not held for good.
    private var spare: [Value] = []
    private static let spareLimit = 1 << 16
    private var finishHandlers: [@Sendable () -> Void] = []
    let inbox: Inbox

    init(name: String, sql: String, stream: String, op: QueryOperator, counters: Counters, capacity: Int, policy: BackPressure,
         lineage: LineageRecorder? = nil) {
        self.lineage = lineage
        self.counters = counters
        self.name = name
        self.sql = sql
        self.streamName = stream
        self.op = op
        self.schema = op.schema
        self.inbox = Inbox(capacity: capacity, policy: policy)
        inbox.counters = counters
        // A window's kept results read their inputs where the window keeps them: built under this lock.
        lineage?.queryLock = lock
    }

    deinit { inbox.close() }

    /// Adds a receiver of result batches. Sinks run on the thread that processed the events.
    public func addSink(_ sink: @escaping ResultSink) {
        lock.lock(); sinks.append(sink); lock.unlock()
    }

    /// Called once when the query will produce nothing more (LIMIT reached, stopped, or input ended).
    public func onFinish(_ handler: @escaping @Sendable () -> Void) {
        lock.lock()
        let done = finished
        if !done { finishHandlers.append(handler) }
        lock.unlock()
        if done { handler() }
    }

    public var isFinished: Bool { lock.lock(); defer { lock.unlock() }; return finished }

    public var metrics: MetricsSnapshot { counters.snapshot }

    /// Runs events through the pipeline now, on this thread, and returns the batch (sinks see it too).
    @discardableResult
    func run(_ rows: some RandomAccessCollection<Row>, ingestedAt: Int64? = nil) -> ResultBatch {
        lock.lock()
        defer { lock.unlock() }
        // Latency is sampled for single events run now (one in 16): two clock reads per event were a visible
        // share of the dictionary path. Buffered events carry their ingest time; batches are always timed.
        runs &+= 1
        let started: Int64? = ingestedAt ?? (rows.count > 1 || runs & 15 == 0 ? Query.monotonicNanos() : nil)
        guard !finished else { return ResultBatch(schema: schema) }
        // The last batch's storage, emptied in place when no one holds it (else a new buffer of its capacity).
        var values: [Value] = []
        swap(&values, &spare)
        if !values.isEmpty { values.removeAll(keepingCapacity: true) }
        // `consume`: a second reference to the storage would make the first append copy it.
        var out = ResultBatch(schema: schema, values: consume values)
        // Room for as many cells per input row as the last batch produced, so that the batch does not
        // grow by copying.
        if lastBatchRows > 0 { out.values.reserveCapacity(min(lastBatchCells * rows.count / lastBatchRows, 1 << 22)) }
        var consumed = 0
        var keepGoing = true
        FunctionFaults.counting(into: counters) {
            if let lineage {
                // Read once per batch, not per row (a task-local read is ~70 instructions).
                lineage.origin = RowOrigin.current
                for i in rows.indices {
                    consumed += 1
                    let first = out.count
                    let alive = op.process(rows[i], into: &out)
                    lineage.produced(first..<out.count, by: rows[i])
                    if !alive { keepGoing = false; break }
                }
                lineage.origin = nil
            } else {
                for i in rows.indices {
                    consumed += 1
                    if !op.process(rows[i], into: &out) { keepGoing = false; break }
                }
            }
        }
        counters.eventsIn.add(consumed, ordering: .relaxed)
        lastBatchCells = out.values.count
        lastBatchRows = consumed
        deliver(out)
        if !out.isEmpty, let started { counters.recordLatency(Query.monotonicNanos() - started) }
        if !keepGoing { markFinishedLocked() }
        if out.values.capacity <= Query.spareLimit { spare = out.values }
        return out
    }

    static func monotonicNanos() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    /// Processing time moved on: lets the pipeline fire what is due.
    @discardableResult
    func tick(now: Int64) -> ResultBatch {
        lock.lock()
        defer { lock.unlock() }
        var out = ResultBatch(schema: schema)
        guard !finished else { return out }
        FunctionFaults.counting(into: counters) { op.onTick(now: now, into: &out) }
        deliver(out)
        return out
    }

    /// What the pipeline does, and the state it holds now.
    public var explain: String { lock.withLock { op.explain } }
    public var stateSize: StateSize { lock.withLock { op.stateSize } }
    /// Runs `body` while no event is processed (for reading the operator's state).
    func withLock<T>(_ body: () -> T) -> T { lock.withLock(body) }

    /// End of input: lets the pipeline emit what end of input completes, then finishes the query.
    @discardableResult
    func finishInput() -> ResultBatch {
        lock.lock()
        defer { lock.unlock() }
        var out = ResultBatch(schema: schema)
        guard !finished else { return out }
        FunctionFaults.counting(into: counters) { op.finish(into: &out) }
        deliver(out)
        markFinishedLocked()
        return out
    }

    func stopLocked() {
        lock.lock()
        defer { lock.unlock() }
        if !finished { markFinishedLocked() }
    }

    private func deliver(_ out: ResultBatch) {
        if let lineage {
            lineage.commit(columns: out.schema.columns.map(\.name), values: out.values)
            defer { lineage.batchDelivered() }
            guard !out.isEmpty else { return }
            counters.rowsOut.add(out.count, ordering: .relaxed)
            for s in sinks { s(out) }
            return
        }
        guard !out.isEmpty else { return }
        counters.rowsOut.add(out.count, ordering: .relaxed)
        for s in sinks { s(out) }
    }

    private func markFinishedLocked() {
        finished = true
        let hs = finishHandlers
        finishHandlers = []
        inbox.close()
        for h in hs { h() }
    }
}

/// A query's bounded input buffer and the worker thread that drains it.
///
/// Waking a thread costs a system call and a context switch, far more than processing an event, so a
/// producer does not wake the worker per push. A worker that finds the buffer empty first dozes for
/// `dozeSeconds`, during which only a full wake batch (or a producer blocked on a full buffer, `drain`,
/// `close`) wakes it; then it sleeps until the next push wakes it. A lone event is therefore processed at
/// once, and a steady stream costs one wake-up per `wakeBatch` events or per doze, whichever comes first.
final class Inbox: @unchecked Sendable {
    let capacity: Int
    let policy: BackPressure
    weak var counters: Counters?
    /// Events a producer buffers before waking a dozing worker.
    static let wakeBatch = 256
    /// How long an idle worker waits for a wake batch before sleeping until the next event.
    static let dozeSeconds = 0.001
    private let wakeAt: Int
    private let cond = NSCondition()
    private var buffer = Deque<Row>()
    /// Ingest time of the oldest buffered row not yet processed (for the latency metric).
    private var oldestIngest: Int64?
    private var closed = false
    private var busy = false
    private var thread: Thread?
    /// The worker waits for any push (`sleeping`) or for a wake batch (`dozing`); `wakePending`: a producer
    /// has woken it and it has not run yet, so later pushes need not wake it again.
    private var sleeping = false
    private var dozing = false
    private var wakePending = false

    init(capacity: Int, policy: BackPressure) {
        self.capacity = max(1, capacity)
        self.policy = policy
        self.wakeAt = min(Inbox.wakeBatch, self.capacity)
    }

    /// Starts the worker that feeds buffered events to `query`.
    func start(_ query: Query, tickEvery: Double? = nil, clock: Clock? = nil) {
        let t = Thread { [weak query, self] in
            var batch: [Row] = []
            batch.reserveCapacity(1024)
            var nextTick = Date().addingTimeInterval(tickEvery ?? 0)
            while true {
                self.cond.lock()
                var dozed = false
                while self.buffer.isEmpty && !self.closed {
                    if !dozed {
                        dozed = true
                        var until = Date().addingTimeInterval(Inbox.dozeSeconds)
                        if tickEvery != nil && nextTick < until { until = nextTick }
                        self.dozing = true
                        _ = self.cond.wait(until: until)
                        self.dozing = false
                        self.wakePending = false
                        continue
                    }
                    self.sleeping = true
                    defer { self.sleeping = false; self.wakePending = false }
                    if let every = tickEvery {
                        if !self.cond.wait(until: nextTick) || Date() >= nextTick {
                            self.sleeping = false
                            self.cond.unlock()
                            if let clock { query?.tick(now: clock.now()) }
                            nextTick = Date().addingTimeInterval(every)
                            self.cond.lock()
                        }
                    } else {
                        self.cond.wait()
                    }
                }
                if self.buffer.isEmpty && self.closed { self.busy = false; self.cond.broadcast(); self.cond.unlock(); return }
                let n = min(self.buffer.count, 1024)
                for _ in 0..<n { batch.append(self.buffer.removeFirst()) }
                let ingested = self.oldestIngest
                self.oldestIngest = self.buffer.isEmpty ? nil : Query.monotonicNanos()
                self.busy = true
                self.cond.broadcast()
                self.cond.unlock()
                query?.run(batch, ingestedAt: ingested)
                batch.removeAll(keepingCapacity: true)
                self.cond.lock()
                self.busy = false
                self.cond.broadcast()
                self.cond.unlock()
            }
        }
        t.name = "streamsql.query.\(query.name)"
        thread = t
        t.start()
    }

    /// Buffers events per the back-pressure policy.
    func push(_ rows: some Collection<Row>) {
        cond.lock()
        defer { cond.unlock() }
        if closed { return }
        if oldestIngest == nil { oldestIngest = Query.monotonicNanos() }
        for r in rows {
            if buffer.count >= capacity {
                switch policy {
                case .block:
                    while buffer.count >= capacity && !closed {
                        wake()
                        cond.wait()
                    }
                    if closed { return }
                case .dropOldest:
                    buffer.removeFirst()
                    counters?.dropped.add(1, ordering: .relaxed)
                case .dropNewest:
                    counters?.dropped.add(1, ordering: .relaxed)
                    continue
                }
            }
            buffer.append(r)
        }
        if sleeping || (dozing && buffer.count >= wakeAt) { wake() }
    }

    /// Wakes the worker if it waits and no wake-up is on its way yet (called with `cond` locked; a busy
    /// worker looks at the buffer again before it waits).
    @inline(__always) private func wake() {
        guard (sleeping || dozing) && !wakePending else { return }
        wakePending = true
        cond.broadcast()
    }

    /// Waits until everything buffered so far has been processed.
    func drain() {
        cond.lock()
        if !buffer.isEmpty { wake() }
        while (!buffer.isEmpty || busy) && !(closed && buffer.isEmpty && !busy) {
            if closed && thread == nil { break }
            cond.wait()
        }
        cond.unlock()
    }

    func close() {
        cond.lock()
        closed = true
        cond.broadcast()
        cond.unlock()
    }

    var depth: Int { cond.lock(); defer { cond.unlock() }; return buffer.count }
}

import DequeModule
