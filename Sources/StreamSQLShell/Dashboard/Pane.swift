import Foundation
import OrderedCollections
import StreamSQL
import Synchronization
import DequeModule

/// CPU time of the calling thread, in nanoseconds.
func threadCPUNanos() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
}

/// What a pane has received from its query, filled by the query's sink on the engine's threads and read
/// by the dashboard when it draws a frame.
public final class PaneFeed: @unchecked Sendable {
    public struct Entry: Sendable {
        public var row: OrderedDictionary<String, Value>
        public var seq: Int
        /// Which result batch it came in (rows of one window firing share it).
        public var batch: Int
    }
    /// A result batch as it came: rows become objects only when a frame needs them, so a query emitting
    /// hundreds of thousands of rows a second costs the engine's threads next to nothing.
    struct Stored {
        let batch: ResultBatch
        /// Sequence number of its first row, and the firing id of its first row.
        let firstSeq: Int
        let firstFiring: Int
    }
    private let lock = NSLock()
    private var stored: Deque<Stored> = []
    private var storedRows = 0
    private var seq = 0
    private var firings = 0
    /// Converted rows by their batch's first sequence number; touched only under `convertLock`.
    private let convertLock = NSLock()
    private var converted: [Int: [Entry]] = [:]
    static let capacity = 512

    public init() {}

    /// CPU time (ns) spent taking rows in, summed over every feed: the dashboard's share of the engine
    /// threads' work (`streamsql bench --workload dashboard` reports it).
    static let cpuNanos = Atomic<Int64>(0)

    func add(_ batch: ResultBatch) {
        guard !batch.isEmpty else { return }
        let t0 = threadCPUNanos()
        defer { PaneFeed.cpuNanos.add(threadCPUNanos() - t0, ordering: .relaxed) }
        let n = batch.count
        lock.lock()
        defer { lock.unlock() }
        stored.append(Stored(batch: batch, firstSeq: seq + 1, firstFiring: firings + 1))
        seq += n
        firings += 1 + batch.firingStarts.filter { $0 > 0 }.count
        storedRows += n
        while let first = stored.first, storedRows - first.batch.count >= PaneFeed.capacity {
            storedRows -= first.batch.count
            stored.removeFirst()
        }
    }

    /// Rows received so far, oldest first (up to the last 512), and the total count.
    public func snapshot() -> (rows: [Entry], total: Int) {
        lock.lock()
        let batches = Array(stored), total = seq
        lock.unlock()
        return convertLock.withLock {
            var out: [Entry] = []
            var keep: [Int: [Entry]] = [:]
            for st in batches {
                let entries = converted[st.firstSeq] ?? PaneFeed.entries(st)
                keep[st.firstSeq] = entries
                out += entries
            }
            converted = keep
            return (Array(out.suffix(PaneFeed.capacity)), total)
        }
    }

    /// A stored batch's rows (at most the last 512) as entries.
    static func entries(_ st: Stored) -> [Entry] {
        let n = st.batch.count
        let first = max(0, n - capacity)
        let starts = st.batch.firingStarts.filter { $0 > 0 }
        var out: [Entry] = []
        out.reserveCapacity(n - first)
        var k = starts.firstIndex { $0 > first } ?? starts.count
        for i in first..<n {
            while k < starts.count, starts[k] <= i { k += 1 }
            out.append(Entry(row: st.batch.object(i), seq: st.firstSeq + i, batch: st.firstFiring + k))
        }
        return out
    }
}

/// A pane bound to a query by name: it shows the query's current object, and follows the name when the
/// query is replaced (CREATE OR REPLACE QUERY) or started again (START QUERY), keeping its history.
public final class Pane: @unchecked Sendable {
    public let spec: PaneSpec
    /// The query whose rows it shows now.
    public var query: Query { lock.withLock { binding.query } }
    public let feed = PaneFeed()
    /// Per-pane history the widgets keep between frames (sparkline series, previous cells).
    var series: [String: [Double]] = [:]
    /// Each series point's time (parallel to `series`), and the points each series ever received.
    var seriesTimes: [String: [String]] = [:]
    var seriesTotal: [String: Int] = [:]
    /// The value cursor (sparkline and bars panes).
    var valueCursor = ValueCursor()
    /// The listed row drawn on each screen line at the last frame (for mouse clicks).
    var rowAt: [Int: Int] = [:]
    var lastSeq = 0
    var previousCells: [String: String] = [:]
    var lastCounter: Double?
    var trend: Double = 0
    /// Table sort column index (nil: arrival order) and text filter.
    var sortColumn: Int?
    var filter = ""
    /// The row cursor (table, log and bars), and whether the pane had the focus at its last frame.
    var cursor = RowCursor()
    var hasFocus = false

    /// The query it is subscribed to; its sink feeds the pane while `live` holds (the sink holds the flag
    /// and the feed, not the query, so a replaced query is freed).
    private struct Binding {
        final class Flag: Sendable { let on = Atomic<Bool>(true) }
        let query: Query
        let live = Flag()
        init(_ query: Query) { self.query = query }
    }
    private let lock = NSLock()
    private var binding: Binding

    public init(spec: PaneSpec, query: Query) {
        self.spec = spec
        binding = Binding(query)
        subscribe(binding)
    }

    /// Shows `query` from now on, in the same feed (rows from the previous query are no longer taken).
    public func follow(_ query: Query) {
        let (old, new): (Binding, Binding?) = lock.withLock {
            if binding.query === query { return (binding, nil) }
            let old = binding
            binding = Binding(query)
            return (old, binding)
        }
        guard let new else { return }
        old.live.on.store(false, ordering: .relaxed)
        subscribe(new)
    }

    /// Follows its query's name in `engine`: the running object if there is one (a replaced or restarted
    /// query is a new object). False when the query was dropped: the pane should go. A stopped query keeps
    /// its pane (START QUERY brings it back), and so does an ad hoc query (`q1`) that ended.
    @discardableResult
    public func followQuery(in engine: Engine) -> Bool {
        switch engine.status(ofQuery: spec.query) {
        case .running(let q): follow(q)
        case .stopped: break
        case .unknown: return !query.isNamed
        }
        return true
    }

    private func subscribe(_ b: Binding) {
        let feed = self.feed, live = b.live
        b.query.addSink { batch in
            if live.on.load(ordering: .relaxed) { feed.add(batch) }
        }
    }
}

extension OrderedDictionary where Key == String, Value == StreamSQL.Value {
    /// A value by a dotted path (`risk_assessment.overall_score`).
    func path(_ p: String) -> StreamSQL.Value {
        if let v = self[p] { return v }
        var parts = p.split(separator: ".").map(String.init)
        guard !parts.isEmpty, var cur = self[parts.removeFirst()] else { return .null }
        for part in parts {
            guard case .object(let o) = cur, let v = o[part] else { return .null }
            cur = v
        }
        return cur
    }
}

extension Value {
    var number: Double? {
        switch self {
        case .int(let i): Double(i)
        case .double(let d): d
        case .bool(let b): b ? 1 : 0
        case .string(let s): Double(s)
        default: nil
        }
    }

    /// Short text for a cell.
    var cellText: String {
        switch self {
        case .null: ""
        case .string(let s): s
        case .double(let d):
            if d == d.rounded() && abs(d) < 1e15 { String(format: "%.1f", d) } else {
                // Up to two decimals, without trailing zeros.
                { var t = String(format: "%.2f", d); while t.hasSuffix("0") { t.removeLast() }; return t }()
            }
        default: OutputFormat.cell(self)
        }
    }
}
