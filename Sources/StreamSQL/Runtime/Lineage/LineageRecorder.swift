import DequeModule
import Foundation

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

    // The batch being built: inputs reported per result row, rows produced per event.
    private var explicit: [Int: ([LineageInput], Int)] = [:]
    private var extras: [Int: [LineageInput]] = [:]
    private var perEvent: [(rows: Range<Int>, event: Row)] = []

    private let lock = NSLock()
    private var log = Deque<LineageRecord>()
    private var produced = 0
    /// The records of the batch just committed, in row order, while its sinks run (a derived stream
    /// gives its rows these as their origin).
    private(set) var lastBatch: [LineageRecord] = []

    init(query: String, stream: String, limits: LineageLimits) {
        self.query = query
        self.stream = stream
        self.limits = limits
    }

    /// An input of this query's stream, for operators.
    func input(_ row: Row, role: String, marks: [String] = []) -> LineageInput {
        LineageInput(role: role, source: stream, row: row, marks: marks)
    }

    /// Result row `row` of the batch being built came from `inputs` (plus `dropped` more not kept).
    func record(row: Int, inputs: [LineageInput], dropped: Int = 0) {
        let cap = limits.inputsPerResult
        if inputs.count > cap {
            explicit[row] = (Array(inputs.prefix(cap)), dropped + inputs.count - cap)
        } else {
            explicit[row] = (inputs, dropped)
        }
    }

    /// Result rows `rows` came from the current event and also from `more` (a join's table rows).
    func attach(rows: Range<Int>, _ more: [LineageInput]) {
        for r in rows { extras[r, default: []].append(contentsOf: more) }
    }

    /// Rows `rows` were appended while the query processed `event`.
    @inline(__always) func produced(_ rows: Range<Int>, by event: Row) {
        if !rows.isEmpty { perEvent.append((rows, event)) }
    }

    /// The batch is complete: pairs its rows with their inputs and keeps them (the latest
    /// `limits.results`).
    /// (`values`: the batch's cells, row-major, `columns.count` per row.)
    func commit(columns: [String], values: [Value]) {
        defer { explicit.removeAll(keepingCapacity: true); extras.removeAll(keepingCapacity: true); perEvent.removeAll(keepingCapacity: true) }
        let w = columns.count
        let n = w == 0 ? 0 : values.count / w
        guard n > 0 else { lastBatch = []; return }
        var records: [LineageRecord] = []
        records.reserveCapacity(n)
        var k = 0
        for r in 0..<n {
            var inputs: [LineageInput] = []
            var dropped = 0
            if let (i, d) = explicit[r] {
                inputs = i; dropped = d
            } else {
                while k < perEvent.count && perEvent[k].rows.upperBound <= r { k += 1 }
                if k < perEvent.count && perEvent[k].rows.contains(r) { inputs.append(input(perEvent[k].event, role: "event")) }
                inputs += extras[r] ?? []
            }
            records.append(LineageRecord(query: query, columns: columns, values: Array(values[(r * w)..<((r + 1) * w)]), inputs: inputs,
                                         droppedInputs: dropped, number: produced + r + 1))
        }
        produced += n
        lastBatch = records
        lock.withLock {
            for rec in records.suffix(limits.results) {
                if log.count >= limits.results { log.removeFirst() }
                log.append(rec)
            }
        }
    }

    /// The sinks of the last batch have run.
    func batchDelivered() { lastBatch = [] }

    /// The n-th latest result kept (1 = the latest), or nil.
    public func record(latest n: Int) -> LineageRecord? {
        lock.withLock { n >= 1 && n <= log.count ? log[log.count - n] : nil }
    }

    /// The latest result whose cells are `values`, if still kept (the dashboard finds the row it shows).
    public func record(matching values: [Value]) -> LineageRecord? {
        lock.withLock { log.last { $0.values == values } }
    }

    /// Results kept now (at most `limits.results`).
    public var count: Int { lock.withLock { log.count } }
}
