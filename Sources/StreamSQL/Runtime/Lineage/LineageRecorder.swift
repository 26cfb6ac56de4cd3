import DequeModule
import Foundation
import Synchronization

/// How much lineage a query keeps: the inputs of its latest `results` result rows (older ones dropped),
/// at most `inputsPerResult` inputs each (the rest counted).
public struct LineageLimits: Sendable, Equatable {
    public var results = 200
    public var inputsPerResult = 1_000
    public init(results: Int = 200, inputsPerResult: Int = 1_000) {
        self.results = max(1, results)
        self.inputsPerResult = max(1, inputsPerResult)
    }
}

/// The origin of the rows a query is processing now (see `LineageRecorder.origin`).
final class OriginSlot: @unchecked Sendable {
    var origin: RowOrigin?
}

/// How a window finds, among a result's inputs, the one that decided a MIN or MAX (the first whose
/// argument equals the result), and how it is marked (`max(temperature)`).
struct DecidingMark: @unchecked Sendable {
    let text: String
    /// The aggregate's argument over an input row.
    let argument: (Row) -> Value
}

/// One result row of a query and the inputs that produced it.
public struct LineageRecord: Sendable {
    public let query: String
    /// The result's columns and cells.
    public let columns: [String]
    public let values: [Value]
    public let inputs: [LineageInput]
    /// Inputs beyond `LineageLimits.inputsPerResult`, counted but not kept.
    public let droppedInputs: Int
    /// The result's position among everything the query produced (1 = its first result).
    public let number: Int
}

/// A query's lineage ("why did this row come out?"): which inputs produced each result row.
///
/// Off unless the query was started with lineage on (`SET lineage = on`, `EngineOptions.lineage`, the
/// dashboard's queries): then the query's operators report, as they append result rows to a batch,
/// the inputs of each row — a window's rows for the group (`record`), the rows of a match with their
/// pattern variable, the table rows a join matched (`attach`) — and `Query.run` fills in the event
/// itself for rows produced from one event and reported by nobody (filters, projections). When the
/// batch is complete, `commit` pairs each row with its inputs and keeps the latest `limits.results`.
///
/// Everything but the log runs under the query's lock; the log has its own lock, for readers on other
/// threads (the shell's `EXPLAIN ROW`, the dashboard's "why" list). A window's result keeps its inputs
/// where the window keeps them (an `InputSpan` of the group table's store), so its record is built
/// under the query's lock too; the log never holds a store much larger than its results need
/// (`tighten`).
/// - Complexity: off, a nil check per event in `Query.run` and per accumulated row in a window; on,
///   one copy of the input row (a reference count) per row and window it lands in.
public final class LineageRecorder: @unchecked Sendable {
    public let query: String
    /// The stream the query reads: the source of its events.
    public let stream: String
    public let limits: LineageLimits

    // The batch being built, each list in the order of its rows (operators report rows as they append
    // them): inputs reported per result row, more inputs of rows made from one event, rows per event.
    private var explicit: [(row: Int, inputs: [LineageInput], dropped: Int)] = []
    private var extras: [(row: Int, inputs: [LineageInput])] = []
    private var perEvent: [(rows: Range<Int>, event: Row, origin: RowOrigin?)] = []
    /// A derived stream reads the query's results: every row of a batch needs its record (its rows'
    /// origin); otherwise only the last `limits.results` of a batch are made.
    let feedsStreams = Atomic<Bool>(false)
    /// Every row of a batch gets its record (a derived stream reads them), not only the last `limits.results`.
    var recordsEveryRow: Bool { feedsStreams.load(ordering: .relaxed) }

    /// Sorts by row, keeping the order of reports of one row (a row reported twice keeps the last).
    private static func sortByRow<T>(_ list: inout [T], _ row: (T) -> Int) {
        var sorted = true
        for i in list.indices.dropFirst() where row(list[i - 1]) > row(list[i]) { sorted = false; break }
        if sorted { return }
        list = list.enumerated().sorted { (row($0.element), $0.offset) < (row($1.element), $1.offset) }.map(\.element)
    }

    private let lock = NSLock()
    private var log = Deque<Kept>()
    private var produced = 0
    /// The records of the batch just committed, in row order, while its sinks run (a derived stream
    /// gives its rows these as their origin; empty unless `feedsStreams`).
    private(set) var lastBatch: [LineageRecord] = []

    init(query: String, stream: String, limits: LineageLimits) {
        self.query = query
        self.stream = stream
        self.limits = limits
    }

    /// The origin its deliverer named for the rows being processed now (`RowOrigin.current`, read by
    /// `Query.run` once per batch).
    var origin: RowOrigin? {
        get { now.origin }
        set { now.origin = newValue }
    }
    /// Where `origin` is kept: a window's group inputs read it through their own reference, which costs
    /// no retain of the recorder per row.
    let now = OriginSlot()

    /// An input of this query's stream, for operators: the row being processed now has the origin its
    /// deliverer named; a row kept from earlier (a pattern's, lag's) has none known (`now: false`).
    func input(_ row: Row, role: String, marks: [String] = [], now: Bool = true) -> LineageInput {
        LineageInput(role: role, source: stream, row: row, marks: marks, origin: now ? origin : nil)
    }

    /// Result row `row` of the batch being built came from `inputs` (plus `dropped` more not kept).
    func record(row: Int, inputs: [LineageInput], dropped: Int = 0) {
        let cap = limits.inputsPerResult
        if inputs.count > cap {
            explicit.append((row, Array(inputs.prefix(cap)), dropped + inputs.count - cap))
        } else {
            explicit.append((row, inputs, dropped))
        }
    }

    // A window's results, until `commit` knows which of them it keeps: per result its row, its group's
    // inputs (a span of the window's store: nothing is copied), and the MIN and MAX results that mark
    // the inputs that decided them (`windowExtremes[extremes]`, one per `decidingMarks`).
    private var windowResults: [(row: Int, span: UnheldSpan, extremes: Range<Int>)] = []
    /// The stores the spans of `windowResults` read, each held once until the batch is committed.
    private var pendingStores: [InputStore] = []
    private var lastPendingStore: UnsafeMutableRawPointer?
    private var windowExtremes: [Value] = []
    /// The window's MIN and MAX aggregates: how the input that decided each is found and marked.
    var decidingMarks: [DecidingMark] = []

    /// Result row `row` of the batch being built came from group `g` of `lists` (as the group is now:
    /// a span of its store); the window reports next the results of its MIN and MAX aggregates for it
    /// (`recordExtreme`, in the order of `decidingMarks`).
    func recordWindow(row: Int, _ lists: GroupInputs, _ g: Int) {
        let span = lists.unheldSpan(g)
        let store = span.store.toOpaque()
        if store != lastPendingStore {
            pendingStores.append(lists.store)
            lastPendingStore = store
        }
        let m = windowExtremes.count
        windowResults.append((row, span, m..<(m + decidingMarks.count)))
    }

    func recordExtreme(_ result: Value) { windowExtremes.append(result) }

    /// Result rows `rows` came from the current event and also from `more` (a join's table rows).
    func attach(rows: Range<Int>, _ more: [LineageInput]) {
        for r in rows { extras.append((r, more)) }
    }

    /// Rows `rows` were appended while the query processed `event`.
    @inline(__always) func produced(_ rows: Range<Int>, by event: Row) {
        if !rows.isEmpty { perEvent.append((rows, event, origin)) }
    }

    /// One committed batch's cells and the marks of its kept window results' inputs, shared by the
    /// results of it the log keeps.
    private final class KeptBatch: @unchecked Sendable {
        let columns: [String]
        /// The kept rows' cells, row-major.
        let values: [Value]
        /// Per mark: the input it marks (its position among its result's inputs, oldest first) and the
        /// text (filled in by `commit` before the batch is shared).
        var marks: [(input: Int, mark: String)] = []
        init(columns: [String], values: [Value]) {
            self.columns = columns
            self.values = values
        }
    }

    /// A result the log keeps: what its record is built from when someone asks. (Building a record
    /// per kept result at commit — its cells, its inputs, their marks — was most of what lineage cost a
    /// window; now a batch's kept results share one copy of its cells, and a window's results read
    /// their inputs where the window keeps them.)
    private struct Kept: @unchecked Sendable {
        let batch: KeptBatch
        /// The row in `batch.values`.
        let row: Int
        let number: Int
        let dropped: Int
        /// A window's result: its group's inputs, and their marks in `batch.marks`.
        var window: (span: InputSpan, marks: Range<Int>)?
        /// Any other result's inputs.
        let inputs: [LineageInput]

        func values() -> ArraySlice<Value> {
            let w = batch.columns.count
            return batch.values[(row * w)..<((row + 1) * w)]
        }

        /// The record (under the query's lock when `window` is set: the window may be filling its store).
        func record(query: String, stream: String, cap: Int) -> LineageRecord {
            var inputs = self.inputs
            var dropped = self.dropped
            if let (span, marks) = window {
                inputs.reserveCapacity(Int(span.kept))
                span.forEach { row, origin in
                    if inputs.count < cap {
                        inputs.append(LineageInput(role: "window", source: stream, row: row, origin: origin))
                    } else {
                        dropped += 1
                    }
                }
                for m in batch.marks[marks] where m.input < inputs.count { inputs[m.input].marks.append(m.mark) }
            }
            return LineageRecord(query: query, columns: batch.columns, values: Array(values()), inputs: inputs,
                                 droppedInputs: dropped, number: number)
        }
    }

    /// The lock its query holds while it processes events (set by the query): a window's kept results
    /// read their inputs in the store the window is filling, so records are built under it — which is
    /// why a record must not be asked for from a sink of the same query (its lock is held there).
    var queryLock: NSLock?

    /// Marks, for a window result about to be kept, the inputs that decided its MIN and MAX: of each,
    /// the oldest input whose argument equals the result. The chain runs newest first, so the last
    /// match found is the one marked.
    private func appendMarks(_ span: InputSpan, _ extremes: Range<Int>, to marks: inout [(input: Int, mark: String)]) {
        let n = min(extremes.count, decidingMarks.count)
        guard n > 0, span.kept > 0 else { return }
        for k in 0..<n {
            let result = windowExtremes[extremes.lowerBound + k]
            guard !result.isNull else { continue }
            var found = -1
            span.forEachNewestFirst { depth, row in
                if decidingMarks[k].argument(row) == result { found = depth }
            }
            if found >= 0 { marks.append((Int(span.kept) - 1 - found, decidingMarks[k].text)) }
        }
    }

    /// Keeps the log from holding much more than its results need: a kept window result whose store
    /// holds over four times the inputs the kept results read from it (and 256 more) gets its inputs
    /// copied to a store of their own. Runs as results are kept (`commit`) and as a window lets a store
    /// go (`released`), so a store the log holds was let go at most that large.
    private static func tighten(_ kept: inout some MutableCollection<Kept>) {
        var need = StoreNeeds()
        for i in kept.indices { if let s = kept[i].window?.span { need.add(s) } }
        tighten(&kept, need)
    }

    /// How many inputs kept results read from each store. Kept results of a batch mostly read one
    /// store or two: a short list, looked up from the last one used, not a dictionary.
    private struct StoreNeeds {
        var list: [(store: ObjectIdentifier, count: Int, inputs: Int)] = []
        var last = -1
        mutating func add(_ s: InputSpan) {
            let id = ObjectIdentifier(s.store)
            if last < 0 || list[last].store != id {
                if let i = list.firstIndex(where: { $0.store == id }) { last = i } else { list.append((id, s.store.count, 0)); last = list.count - 1 }
            }
            list[last].inputs += Int(s.kept)
        }
        /// The stores that hold over four times what is read from them, and 256 more.
        var oversized: [ObjectIdentifier: Int] {
            var out: [ObjectIdentifier: Int] = [:]
            for n in list where n.count > 4 * n.inputs + 256 { out[n.store] = n.inputs }
            return out
        }
    }

    private static func tighten(_ kept: inout some MutableCollection<Kept>, _ need: StoreNeeds) {
        let oversized = need.oversized
        guard !oversized.isEmpty else { return }
        var copies: [ObjectIdentifier: InputStore] = [:]
        for i in kept.indices {
            guard let w = kept[i].window else { continue }
            let id = ObjectIdentifier(w.span.store)
            guard let inputs = oversized[id] else { continue }
            let to = copies[id] ?? InputStore(capacity: inputs)
            copies[id] = to
            kept[i].window?.span = w.span.copied(into: to)
        }
    }

    /// A window let `store` go (it emptied or compacted a table whose store spans still read).
    func released(_ store: InputStore) {
        lock.withLock {
            guard log.contains(where: { $0.window?.span.store === store }) else { return }
            LineageRecorder.tighten(&log)
        }
    }

    /// The batch is complete: pairs its rows with their inputs and keeps them (the latest
    /// `limits.results`).
    /// (`values`: the batch's cells, row-major, `columns.count` per row.)
    func commit(columns: [String], values: [Value]) {
        defer {
            explicit.removeAll(keepingCapacity: true); extras.removeAll(keepingCapacity: true); perEvent.removeAll(keepingCapacity: true)
            windowResults.removeAll(keepingCapacity: true); windowExtremes.removeAll(keepingCapacity: true)
            pendingStores.removeAll(keepingCapacity: true); lastPendingStore = nil
        }
        let w = columns.count
        let n = w == 0 ? 0 : values.count / w
        guard n > 0 else { lastBatch = []; return }
        // Reports come mostly in row order (a join's table rows after a pipeline's previous rows are not).
        LineageRecorder.sortByRow(&explicit) { $0.row }
        LineageRecorder.sortByRow(&extras) { $0.row }
        let everyRow = feedsStreams.load(ordering: .relaxed)
        let first = everyRow ? 0 : max(0, n - limits.results)
        let batch = KeptBatch(columns: columns, values: Array(values[(first * w)..<(n * w)]))
        var kept: [Kept] = []
        kept.reserveCapacity(n - first)
        var marks: [(input: Int, mark: String)] = []
        var need = StoreNeeds()
        var k = 0, x = 0, e = 0, wr = 0
        for r in first..<n {
            var inputs: [LineageInput] = []
            var dropped = 0
            var window: (span: InputSpan, marks: Range<Int>)?
            while x < explicit.count && explicit[x].row < r { x += 1 }
            while x + 1 < explicit.count && explicit[x + 1].row == r { x += 1 }
            // A window reports its rows in order.
            while wr < windowResults.count && windowResults[wr].row < r { wr += 1 }
            while wr + 1 < windowResults.count && windowResults[wr + 1].row == r { wr += 1 }
            if wr < windowResults.count && windowResults[wr].row == r {
                let m = marks.count
                let span = windowResults[wr].span.held()
                appendMarks(span, windowResults[wr].extremes, to: &marks)
                window = (span, m..<marks.count)
                if r >= n - limits.results { need.add(span) }
                dropped = windowResults[wr].span.dropped
            } else if x < explicit.count && explicit[x].row == r {
                inputs = explicit[x].inputs; dropped = explicit[x].dropped
            } else {
                while k < perEvent.count && perEvent[k].rows.upperBound <= r { k += 1 }
                if k < perEvent.count && perEvent[k].rows.contains(r) { inputs.append(LineageInput(role: "event", source: stream, row: perEvent[k].event, origin: perEvent[k].origin)) }
                while e < extras.count && extras[e].row < r { e += 1 }
                while e < extras.count && extras[e].row == r { inputs += extras[e].inputs; e += 1 }
            }
            kept.append(Kept(batch: batch, row: r - first, number: produced + r + 1, dropped: dropped, window: window, inputs: inputs))
        }
        batch.marks = marks
        // Only the batch's last results reach the log (all of them may be made, for a derived stream).
        LineageRecorder.tighten(&kept[max(0, kept.count - limits.results)...], need)
        produced += n
        lastBatch = everyRow ? kept.map { $0.record(query: query, stream: stream, cap: limits.inputsPerResult) } : []
        lock.withLock {
            for rec in kept.suffix(limits.results) {
                if log.count >= limits.results { log.removeFirst() }
                log.append(rec)
            }
        }
    }

    /// The sinks of the last batch have run.
    func batchDelivered() { lastBatch = [] }

    /// The n-th latest result kept (1 = the latest), or nil.
    public func record(latest n: Int) -> LineageRecord? {
        let kept = lock.withLock { n >= 1 && n <= log.count ? log[log.count - n] : nil }
        return kept.map(build)
    }

    /// A kept result's record, its inputs read under the query's lock.
    private func build(_ kept: Kept) -> LineageRecord {
        guard kept.window != nil, let queryLock else { return kept.record(query: query, stream: stream, cap: limits.inputsPerResult) }
        return queryLock.withLock { kept.record(query: query, stream: stream, cap: limits.inputsPerResult) }
    }

    /// The latest result kept whose columns and cells `match` accepts (the dashboard finds the row it
    /// shows); only that result's record is built.
    public func latestRecord(where match: (_ columns: [String], _ values: ArraySlice<Value>) -> Bool) -> LineageRecord? {
        let kept = lock.withLock { log.last { match($0.batch.columns, $0.values()) } }
        return kept.map(build)
    }

    /// Entries of the stores the log's window results read, and the inputs those results need (the
    /// bound `tighten` keeps, for tests).
    var held: (entries: Int, needed: Int) {
        lock.withLock {
            var stores: [ObjectIdentifier: Int] = [:]
            var needed = 0
            for k in log { if let s = k.window?.span { stores[ObjectIdentifier(s.store)] = s.store.count; needed += Int(s.kept) } }
            return (stores.values.reduce(0, +), needed)
        }
    }

    /// Results kept now (at most `limits.results`).
    public var count: Int { lock.withLock { log.count } }
}
