import Foundation
import Synchronization

/// Counters of one query (or stream), safe to read from any thread while the query runs.
public final class Counters: Sendable {
    let eventsIn = Atomic<Int>(0)
    let rowsOut = Atomic<Int>(0)
    let rejected = Atomic<Int>(0)
    let dropped = Atomic<Int>(0)
    let evicted = Atomic<Int>(0)
    let late = Atomic<Int>(0)
    private let reasons = Mutex<[String: Int]>([:])
    /// At most this many distinct rejection reasons are kept; later ones count under "other".
    static let maxReasons = 32

    public init() {}

    func reject(_ reason: String, count: Int = 1) {
        rejected.add(count, ordering: .relaxed)
        reasons.withLock { r in
            if r[reason] != nil || r.count < Counters.maxReasons { r[reason, default: 0] += count }
            else { r["other", default: 0] += count }
        }
    }

    public var snapshot: MetricsSnapshot {
        MetricsSnapshot(
            eventsIn: eventsIn.load(ordering: .relaxed), rowsOut: rowsOut.load(ordering: .relaxed),
            rejected: rejected.load(ordering: .relaxed), dropped: dropped.load(ordering: .relaxed),
            evicted: evicted.load(ordering: .relaxed), late: late.load(ordering: .relaxed), rejectionReasons: reasons.withLock { $0 })
    }
}

/// A point-in-time copy of a query's counters.
public struct MetricsSnapshot: Sendable, Equatable {
    /// Events the query received.
    public var eventsIn: Int
    /// Result rows it produced.
    public var rowsOut: Int
    /// Events refused before reaching the query (malformed JSON, wrong shape), by reason.
    public var rejected: Int
    /// Events dropped by the back-pressure policy.
    public var dropped: Int
    /// State entries evicted by a cap (e.g. DISTINCT memory).
    public var evicted: Int
    /// Rows that arrived after their windows closed (event time, past ALLOWEDLATENESS), dropped.
    public var late: Int
    public var rejectionReasons: [String: Int]
}
