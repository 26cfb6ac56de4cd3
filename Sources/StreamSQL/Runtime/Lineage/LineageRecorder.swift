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
/// threads (the shell's `EXPLAIN ROW`, the dashboard's "why" list).
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
    var origin: RowOrigin?

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

    // A window's results, kept flat until `commit` knows which of them it keeps (building records for
    // every fired group was most of lineage's cost on a window): per result its row, its inputs
    // (`windowRows[inputs]`), the rows counted beyond the bound, and its marks (`windowMarks[marks]`: the
    // input, an index into `windowRows`, and the text).
    private var windowResults: [(row: Int, inputs: Range<Int>, dropped: Int, marks: Range<Int>)] = []
    private var windowRows: [(row: Row, origin: RowOrigin?)] = []
    private var windowMarks: [(input: Int, mark: String)] = []

    /// Result row `row` of the batch being built came from group `g` of a window's `lists`. Of each of
    /// `marks`, the first input for which `decides(k, input)` holds is marked with the k-th text (the row
    /// that gave MIN or MAX its value).
    func recordWindow(row: Int, _ lists: GroupInputs, _ g: Int, marks: [(Int, String)], decides: (Int, Row) -> Bool) {
        let first = windowRows.count
        var dropped = lists.collect(g, into: &windowRows)
        let cap = limits.inputsPerResult
        if windowRows.count - first > cap {
            dropped += windowRows.count - first - cap
            windowRows.removeLast(windowRows.count - first - cap)
        }
        let m = windowMarks.count
        for (k, mark) in marks.enumerated() {
            for i in first..<windowRows.count where decides(k, windowRows[i].row) {
                windowMarks.append((i, mark.1))
                break
            }
        }
        windowResults.append((row, first..<windowRows.count, dropped, m..<windowMarks.count))
    }

    /// Result rows `rows` came from the current event and also from `more` (a join's table rows).
    func attach(rows: Range<Int>, _ more: [LineageInput]) {
        for r in rows { extras.append((r, more)) }
    }

    /// Rows `rows` were appended while the query processed `event`.
    @inline(__always) func produced(_ rows: Range<Int>, by event: Row) {
        if !rows.isEmpty { perEvent.append((rows, event, origin)) }
    }

    /// One committed batch's cells and window inputs, shared by the results of it the log keeps.
    private final class KeptBatch: @unchecked Sendable {
        let columns: [String]
        /// The kept rows' cells, row-major.
        let values: [Value]
        let windowRows: [(row: Row, origin: RowOrigin?)]
        let windowMarks: [(input: Int, mark: String)]
        init(columns: [String], values: [Value], windowRows: [(row: Row, origin: RowOrigin?)], windowMarks: [(input: Int, mark: String)]) {
            self.columns = columns
            self.values = values
            self.windowRows = windowRows
            self.windowMarks = windowMarks
        }
    }

    /// A result the log keeps: what its record is built from when someone asks. (Building a record
    /// per kept result at commit — its cells, its inputs, their marks — was most of what lineage cost a
    /// window; now a batch's kept results share one copy of its cells and its window rows.)
    private struct Kept: @unchecked Sendable {
        let batch: KeptBatch
        /// The row in `batch.values`.
        let row: Int
        let number: Int
        let dropped: Int
        /// A window's result: its inputs in `batch.windowRows` and their marks in `batch.windowMarks`.
        let window: (inputs: Range<Int>, marks: Range<Int>)?
        /// Any other result's inputs.
        let inputs: [LineageInput]

        func values() -> ArraySlice<Value> {
            let w = batch.columns.count
            return batch.values[(row * w)..<((row + 1) * w)]
        }

        func record(query: String, stream: String) -> LineageRecord {
            var inputs = self.inputs
            if let (rows, marks) = window {
                inputs.reserveCapacity(rows.count)
                for i in rows {
                    inputs.append(LineageInput(role: "window", source: stream, row: batch.windowRows[i].row, origin: batch.windowRows[i].origin))
                }
                for m in batch.windowMarks[marks] { inputs[m.input - rows.lowerBound].marks.append(m.mark) }
            }
            return LineageRecord(query: query, columns: batch.columns, values: Array(values()), inputs: inputs,
                                 droppedInputs: dropped, number: number)
        }
    }

    /// The batch is complete: pairs its rows with their inputs and keeps them (the latest
    /// `limits.results`).
    /// (`values`: the batch's cells, row-major, `columns.count` per row.)
    func commit(columns: [String], values: [Value]) {
        defer {
            explicit.removeAll(keepingCapacity: true); extras.removeAll(keepingCapacity: true); perEvent.removeAll(keepingCapacity: true)
            windowResults.removeAll(keepingCapacity: true); windowRows.removeAll(keepingCapacity: true); windowMarks.removeAll(keepingCapacity: true)
        }
        let w = columns.count
        let n = w == 0 ? 0 : values.count / w
        guard n > 0 else { lastBatch = []; return }
        // Reports come mostly in row order (a join's table rows after a pipeline's previous rows are not).
        LineageRecorder.sortByRow(&explicit) { $0.row }
        LineageRecorder.sortByRow(&extras) { $0.row }
        let everyRow = feedsStreams.load(ordering: .relaxed)
        let first = everyRow ? 0 : max(0, n - limits.results)
        // The window rows move to the batch (the buffers start again empty).
        let batch = KeptBatch(columns: columns, values: Array(values[(first * w)..<(n * w)]), windowRows: windowRows, windowMarks: windowMarks)
        windowRows = []; windowMarks = []
        var kept: [Kept] = []
        kept.reserveCapacity(n - first)
        var k = 0, x = 0, e = 0, wr = 0
        for r in first..<n {
            var inputs: [LineageInput] = []
            var dropped = 0
            var window: (inputs: Range<Int>, marks: Range<Int>)?
            while x < explicit.count && explicit[x].row < r { x += 1 }
            while x + 1 < explicit.count && explicit[x + 1].row == r { x += 1 }
            // A window reports its rows in order.
            while wr < windowResults.count && windowResults[wr].row < r { wr += 1 }
            while wr + 1 < windowResults.count && windowResults[wr + 1].row == r { wr += 1 }
            if wr < windowResults.count && windowResults[wr].row == r {
                window = (windowResults[wr].inputs, windowResults[wr].marks)
                dropped = windowResults[wr].dropped
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
        produced += n
        lastBatch = everyRow ? kept.map { $0.record(query: query, stream: stream) } : []
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
        return kept?.record(query: query, stream: stream)
    }

    /// The latest result whose cells are `values`, if still kept (the dashboard finds the row it shows).
    public func record(matching values: [Value]) -> LineageRecord? {
        let kept = lock.withLock { log.last { $0.values().elementsEqual(values) } }
        return kept?.record(query: query, stream: stream)
    }

    /// Results kept now (at most `limits.results`).
    public var count: Int { lock.withLock { log.count } }
}
