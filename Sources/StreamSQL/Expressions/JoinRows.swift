/// The table rows the joins matched for the current event: a snapshot and a row position per join.
final class JoinRows {
    var snapshots: [TableSnapshot?] {
        didSet { refs = snapshots.map { $0.map(Unmanaged.passUnretained) } }
    }
    /// The same snapshots, unretained: `snapshots` keeps them alive, and per-event reads borrow them
    /// without counting references.
    private var refs: [Unmanaged<TableSnapshot>?]
    var rowIndex: [Int]
    /// Counts events, so the pipeline can tell a new event from another match of the same one.
    var event = 0
    init(count: Int) {
        snapshots = Array(repeating: nil, count: count)
        refs = Array(repeating: nil, count: count)
        rowIndex = Array(repeating: -1, count: count)
    }

    /// `body` with join `j`'s snapshot and matched row, or nil when the join matched nothing.
    @inline(__always) func withMatch<R>(_ j: Int, _ body: (TableSnapshot, Int) -> R) -> R? {
        let i = rowIndex[j]
        guard i >= 0, let ref = refs[j] else { return nil }
        return ref._withUnsafeGuaranteedRef { body($0, i) }
    }

    @inline(__always) func row(_ j: Int) -> Value {
        let i = rowIndex[j]
        guard i >= 0, let s = snapshots[j] else { return .null }
        return s.values[i]
    }
}
