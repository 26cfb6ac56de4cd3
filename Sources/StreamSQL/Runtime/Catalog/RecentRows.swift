import DequeModule
import OrderedCollections

/// The newest results a derived stream carried (a named query's output), kept so that a query started on
/// it later can show them first (`SELECT * FROM <named query>` in the shell) instead of only rows to come.
/// Bounded by `EngineOptions.replayRows`; nothing is kept while that is 0 (the default).
///
/// - Complexity: `record` is O(1) amortised per row; memory is at most `limit` rows per derived stream.
struct RecentRows {
    private(set) var rows = Deque<OrderedDictionary<String, Value>>()

    mutating func record(_ row: OrderedDictionary<String, Value>, limit: Int) {
        rows.append(row)
        if rows.count > limit { rows.removeFirst(rows.count - limit) }
    }
}
