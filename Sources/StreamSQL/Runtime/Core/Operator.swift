/// A query pipeline stage. The engine calls it from one thread at a time.
///
/// `process` handles one event and appends result rows to `out`; it returns false once the operator
/// will produce nothing more (a LIMIT was reached). `finish` is the end-of-input mark: it emits
/// whatever end of input completes (open windows, pending matches).
public protocol QueryOperator: AnyObject {
    var schema: ResultSchema { get }
    func process(_ row: Row, into out: inout ResultBatch) -> Bool
    /// Processing time moved to `now`: fire what is due (processing-time windows, idle sources, TTLs).
    func onTick(now: Int64, into out: inout ResultBatch)
    /// Whether the operator needs ticks at all.
    var needsTicks: Bool { get }
    func finish(into out: inout ResultBatch)
    /// State held now (groups, open windows, buffered rows), for metrics and EXPLAIN.
    var stateSize: StateSize { get }
    /// One line describing the pipeline, for EXPLAIN.
    var explain: String { get }
}

/// How much state an operator holds.
public struct StateSize: Sendable, Equatable, CustomStringConvertible {
    public var groups = 0
    public var openWindows = 0
    public var bufferedRows = 0
    public init(groups: Int = 0, openWindows: Int = 0, bufferedRows: Int = 0) {
        self.groups = groups
        self.openWindows = openWindows
        self.bufferedRows = bufferedRows
    }
    public var description: String { "\(groups) groups, \(openWindows) open windows, \(bufferedRows) buffered rows" }
}

extension QueryOperator {
    public func finish(into out: inout ResultBatch) {}
    public func onTick(now: Int64, into out: inout ResultBatch) {}
    public var needsTicks: Bool { false }
    public var stateSize: StateSize { StateSize() }
}
