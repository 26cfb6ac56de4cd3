import Foundation
import Synchronization

/// Counters of one query (or stream), safe to read from any thread while the query runs.
public final class Counters: Sendable, FaultRecording {
    let eventsIn = Atomic<Int>(0)
    let rowsOut = Atomic<Int>(0)
    let rejected = Atomic<Int>(0)
    let dropped = Atomic<Int>(0)
    let evicted = Atomic<Int>(0)
    let late = Atomic<Int>(0)
    /// Values a function gave up on (returned NULL for a counted reason; see `FunctionFaults`).
    let nulled = Atomic<Int>(0)
    /// The event-time watermark in nanoseconds (Int64.min before any, Int64.max after end of input).
    let watermark = Atomic<Int64>(Int64.min)
    /// The largest event time seen in nanoseconds (Int64.min before any), for the watermark's lag.
    let maxEventTime = Atomic<Int64>(Int64.min)
    /// The latest late rows and rejected lines (or rows), with what they were (`Diversions.swift`).
    public let lateRows = DiversionLog<LateRow>()
    public let rejectedLines = DiversionLog<RejectedLine>()
    /// Names of the slots of the rows counted here (the stream's layout when the query started), so that a
    /// late or rejected row can be shown by field name.
    let rowLayout = Mutex<FieldLayout>(.empty)
    private let reasons = Mutex<[String: Int]>([:])
    private let faultReasons = Mutex<[String: Int]>([:])
    /// Recent ingest-to-sink latencies (nanoseconds), a ring of the last `latencySamples`.
    private let latencies = Mutex<(ring: [Int64], next: Int)>(([], 0))
    static let latencySamples = 1024

    func recordLatency(_ nanos: Int64) {
        latencies.withLock { l in
            if l.ring.count < Counters.latencySamples { l.ring.append(nanos) } else { l.ring[l.next] = nanos }
            l.next = (l.next + 1) % Counters.latencySamples
        }
    }
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

    func fault(_ reason: String) {
        nulled.add(1, ordering: .relaxed)
        faultReasons.withLock { r in
            if r[reason] != nil || r.count < Counters.maxReasons { r[reason, default: 0] += 1 }
            else { r["other", default: 0] += 1 }
        }
    }

    private func percentile(_ p: Double) -> Int64? {
        let xs = latencies.withLock { $0.ring }.sorted()
        guard !xs.isEmpty else { return nil }
        return xs[min(xs.count - 1, Int(Double(xs.count - 1) * p))]
    }

    public var snapshot: MetricsSnapshot {
        MetricsSnapshot(
            eventsIn: eventsIn.load(ordering: .relaxed), rowsOut: rowsOut.load(ordering: .relaxed),
            rejected: rejected.load(ordering: .relaxed), dropped: dropped.load(ordering: .relaxed),
            evicted: evicted.load(ordering: .relaxed), late: late.load(ordering: .relaxed), rejectionReasons: reasons.withLock { $0 },
            nulled: nulled.load(ordering: .relaxed), nullReasons: faultReasons.withLock { $0 },
            latencyP50: percentile(0.5), latencyP99: percentile(0.99), watermarkNanos: {
                let w = watermark.load(ordering: .relaxed)
                return w == Int64.min ? nil : w
            }(), maxEventTimeNanos: {
                let t = maxEventTime.load(ordering: .relaxed)
                return t == Int64.min ? nil : t
            }())
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
    /// Values a function gave up on and made NULL (a string result over the 10 MB cap, a `date_diff` no
    /// integer holds), by reason.
    public var nulled: Int = 0
    public var nullReasons: [String: Int] = [:]
    /// Latency from ingest to the sinks over recent batches (nanoseconds), nil before any result.
    public var latencyP50: Int64?
    public var latencyP99: Int64?
    /// The event-time watermark (nanoseconds since the epoch) of an event-time window query, nil otherwise.
    public var watermarkNanos: Int64? = nil
    /// The largest event time it has seen (nanoseconds since the epoch), nil before any or on processing time.
    public var maxEventTimeNanos: Int64? = nil
}
