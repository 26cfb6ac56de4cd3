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

/// The widget kinds a pane can show.
public enum WidgetKind: String, Sendable, CaseIterable {
    case table, sparkline, gauge, bars, timeline, log, counter
}

/// A pane as declared: `.pane add NAME WIDGET QUERY [option=value …]`.
public struct PaneSpec: Sendable, Equatable {
    public var name: String
    public var widget: WidgetKind
    public var query: String
    public var options: [String: String]
    /// The pane group (scenario) it belongs to.
    public var group: String

    public init(name: String, widget: WidgetKind, query: String, options: [String: String] = [:], group: String = "") {
        self.name = name
        self.widget = widget
        self.query = query
        self.options = options
        self.group = group
    }

    /// Options each widget understands (others are refused, so a typo is not silently ignored).
    static let knownOptions: [WidgetKind: Set<String>] = [
        .table: ["columns", "key", "sort", "title"],
        .sparkline: ["value", "key", "title", "min", "max"],
        .gauge: ["value", "label", "min", "max", "warn", "alert", "title"],
        .bars: ["key", "value", "max", "warn", "alert", "title", "sort", "low"],
        .timeline: ["key", "segments", "title"],
        .log: ["columns", "severity", "title"],
        .counter: ["value", "title", "unit"],
    ]

    /// Parses the words after `.pane add`. Values may be quoted with single quotes.
    public static func parse(_ text: String, group: String = "") throws(PaneError) -> PaneSpec {
        let words = try splitWords(text)
        guard words.count >= 3 else {
            throw PaneError("usage: .pane add NAME WIDGET QUERY [option=value …]; widgets: \(WidgetKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let kind = WidgetKind(rawValue: words[1].lowercased()) else {
            throw PaneError("unknown widget '\(words[1])'; widgets: \(WidgetKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var opts: [String: String] = [:]
        for w in words.dropFirst(3) {
            guard let eq = w.firstIndex(of: "="), eq != w.startIndex else { throw PaneError("pane option '\(w)' must be name=value") }
            let k = w[..<eq].lowercased()
            guard knownOptions[kind]?.contains(k) == true else {
                throw PaneError("the \(kind.rawValue) widget has no option '\(k)'; it takes: \((knownOptions[kind] ?? []).sorted().joined(separator: ", "))")
            }
            opts[k] = String(w[w.index(after: eq)...])
        }
        for k in ["min", "max", "warn", "alert"] {
            if let v = opts[k], Double(v) == nil { throw PaneError("pane option \(k) must be a number, got '\(v)'") }
        }
        return PaneSpec(name: words[0], widget: kind, query: words[2], options: opts, group: group)
    }

    /// `columns N` (1…6): panes per row.
    public static func parseLayout(_ text: String) throws(PaneError) -> Int {
        let w = text.split(separator: " ").map(String.init)
        guard w.count == 2, w[0].lowercased() == "columns", let n = Int(w[1]), (1...6).contains(n) else {
            throw PaneError("usage: .layout columns N (N from 1 to 6 panes per row)")
        }
        return n
    }

    /// The widget for a query with no declared pane, from the result's shape: a windowed query with one
    /// column is a counter, with a key and a value bars; anything else a table.
    public static func automatic(for q: Query, group: String) -> PaneSpec {
        let cols = q.schema.columns.filter { !$0.spread && !$0.spreadsObjects }.map(\.name)
        if q.windowed && cols.count == 1 && q.schema.columns.count == 1 {
            return PaneSpec(name: q.name, widget: .counter, query: q.name, options: ["value": cols[0]], group: group)
        }
        if q.windowed && cols.count == 2 && q.schema.columns.count == 2 {
            return PaneSpec(name: q.name, widget: .bars, query: q.name, options: ["key": cols[0], "value": cols[1]], group: group)
        }
        return PaneSpec(name: q.name, widget: .table, query: q.name, group: group)
    }

    static func splitWords(_ text: String) throws(PaneError) -> [String] {
        var out: [String] = []
        var cur = ""
        var quoted = false
        var has = false
        for c in text {
            if quoted {
                if c == "'" { quoted = false } else { cur.append(c) }
            } else if c == "'" {
                quoted = true
                has = true
            } else if c == " " || c == "\t" {
                if has || !cur.isEmpty { out.append(cur); cur = ""; has = false }
            } else {
                cur.append(c)
            }
        }
        if quoted { throw PaneError("unterminated quote in pane options") }
        if has || !cur.isEmpty { out.append(cur) }
        return out
    }
}

public struct PaneError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ d: String) { description = d }
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

/// A pane bound to a running query.
public final class Pane: @unchecked Sendable {
    public let spec: PaneSpec
    public let query: Query
    public let feed = PaneFeed()
    /// Per-pane history the widgets keep between frames (sparkline series, previous cells).
    var series: [String: [Double]] = [:]
    var lastSeq = 0
    var previousCells: [String: String] = [:]
    var lastCounter: Double?
    var trend: Double = 0
    /// Table sort column index (nil: arrival order) and text filter.
    var sortColumn: Int?
    var filter = ""

    public init(spec: PaneSpec, query: Query) {
        self.spec = spec
        self.query = query
        let feed = self.feed
        query.addSink { batch in feed.add(batch) }
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
