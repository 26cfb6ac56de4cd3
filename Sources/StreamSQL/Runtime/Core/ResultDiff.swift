import OrderedCollections

/// The difference between two versions of a query's results over the same events.
///
/// Rows are matched by key — the query's group keys and window bounds, for a windowed query — in order
/// within a key: a matched pair with different values is *changed*, unmatched rows are *gone* (only the
/// old version has them) or *new*. Without keys (row queries, MATCH_RECOGNIZE) a row is its own key, so
/// an edited filter shows the rows it lost and gained rather than a cascade of shifted pairs.
public struct ResultDiff: Sendable {
    public typealias Row = OrderedDictionary<String, Value>
    public let keys: [String]
    public let oldCount: Int
    public let newCount: Int
    public private(set) var gone: [Row] = []
    public private(set) var added: [Row] = []
    public private(set) var changed: [(old: Row, new: Row)] = []

    public var isEmpty: Bool { gone.isEmpty && added.isEmpty && changed.isEmpty }

    /// "old 4,212 rows · new 3,980 · 232 gone · 0 new · 17 changed"
    public var summary: String {
        "old \(grouped(oldCount)) rows · new \(grouped(newCount)) · \(grouped(gone.count)) gone · \(grouped(added.count)) new · \(grouped(changed.count)) changed"
    }

    public init(old: [Row], new: [Row], keys: [String]) {
        self.keys = keys
        oldCount = old.count
        newCount = new.count
        func key(_ r: Row) -> [Value] { keys.isEmpty ? Array(r.values) + r.keys.map { .string($0) } : keys.map { r[$0] ?? .null } }
        var pending: [[Value]: [Row]] = [:]
        var order: [[Value]] = []
        for r in new {
            let k = key(r)
            if pending[k] == nil { order.append(k) }
            pending[k, default: []].append(r)
        }
        var used: [[Value]: Int] = [:]
        for r in old {
            let k = key(r)
            let i = used[k, default: 0]
            guard let candidates = pending[k], i < candidates.count else { gone.append(r); continue }
            used[k] = i + 1
            if candidates[i] != r { changed.append((r, candidates[i])) }
        }
        for k in order {
            let taken = used[k, default: 0]
            if let rows = pending[k], taken < rows.count { added.append(contentsOf: rows[taken...]) }
        }
    }

    private func grouped(_ n: Int) -> String {
        let s = String(n)
        var out = ""
        for (i, c) in s.reversed().enumerated() {
            if i > 0 && i % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return String(out.reversed())
    }
}
