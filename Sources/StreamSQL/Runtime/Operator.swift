/// A query pipeline stage. The engine calls it from one thread at a time.
///
/// `process` handles one event and appends result rows to `out`; it returns false once the operator
/// will produce nothing more (a LIMIT was reached). `finish` is the end-of-input mark: it emits
/// whatever end of input completes (open windows, pending matches).
public protocol QueryOperator: AnyObject {
    var schema: ResultSchema { get }
    func process(_ row: Row, into out: inout ResultBatch) -> Bool
    func finish(into out: inout ResultBatch)
}

extension QueryOperator {
    public func finish(into out: inout ResultBatch) {}
}
