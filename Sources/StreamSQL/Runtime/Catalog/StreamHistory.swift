import DequeModule
import Foundation
import OrderedCollections
import Synchronization

/// The most recent events of a stream, kept so that an edited query can be run over what the running
/// one saw (`Engine.whatIf`, `EXPLAIN DIFF`).
///
/// Each event is kept as its JSON text — the whole event, not only the fields today's queries read, since
/// an edited query may read others — with a sequence number from the engine so that events of several
/// streams replay in the order they arrived. Bounded by a number of events, a number of bytes and
/// optionally an age; the oldest go first and are counted by the bound that dropped them.
///
/// - Complexity: `record` is O(event size) (one copy of the bytes); memory is the events' bytes plus
///   about 40 bytes each (`memoryBytes`).
public final class StreamHistory: @unchecked Sendable {
    public struct Limits: Sendable, Equatable {
        public var events: Int
        public var bytes: Int
        /// Keep only events that arrived within this many nanoseconds (processing time); nil: no age bound.
        public var age: Int64?
        public init(events: Int = 100_000, bytes: Int = 256 * 1024 * 1024, age: Int64? = nil) {
            self.events = events
            self.bytes = bytes
            self.age = age
        }
        /// What the interactive shell keeps, for `.whatif` and `EXPLAIN DIFF`: the last 100,000 events or
        /// 256 MB of them.
        public static let `default` = Limits()
        /// Nothing: the engine's default, so that an embedder or a batch run pays nothing for history
        /// (recording costs about a third more per event on the dictionary and file paths).
        public static let off = Limits(events: 0)
    }

    /// An event as it came: JSON text, or the dictionary an embedder emitted (kept by reference, so
    /// recording it copies nothing; its size is estimated from its JSON text length).
    enum Payload {
        case json(ContiguousArray<UInt8>)
        case event(OrderedDictionary<String, Value>, size: Int)
        var size: Int {
            switch self {
            case .json(let b): return b.count
            case .event(_, let n): return n
            }
        }
    }

    struct Entry {
        let payload: Payload
        let sequence: Int
        let arrived: Int64
    }

    private let lock = NSLock()
    private var entries = Deque<Entry>()
    private var bytes = 0
    private var bounds: Limits
    private var droppedBy: [String: Int] = [:]
    /// Read per event without the lock: whether events are kept, and whether they need their arrival time.
    private let recording: Atomic<Bool>
    private let timed: Atomic<Bool>

    public init(limits: Limits = .default) {
        bounds = limits
        recording = Atomic(limits.events > 0)
        timed = Atomic(limits.age != nil)
    }

    public var limits: Limits { lock.withLock { bounds } }
    /// Whether events are kept at all (checked per event before anything else is done).
    var isRecording: Bool { recording.load(ordering: .relaxed) }
    /// Whether entries need their arrival time (only an age bound reads it).
    var needsTime: Bool { timed.load(ordering: .relaxed) }

    /// Per-event bookkeeping besides the bytes (array header, entry, deque slot): for `memoryBytes`.
    static let overhead = 40

    func record(json: UnsafeBufferPointer<UInt8>, sequence: Int, now: Int64) {
        append(Entry(payload: .json(ContiguousArray(json)), sequence: sequence, arrived: now), now: now)
    }

    func record(event: OrderedDictionary<String, Value>, sequence: Int, now: Int64) {
        // An estimate of its JSON size without reading it (reading the names would cost more than the rest
        // of recording): 24 bytes a field.
        append(Entry(payload: .event(event, size: 2 &+ event.count &* 24), sequence: sequence, arrived: now), now: now)
    }


    private func append(_ entry: Entry, now: Int64) {
        lock.withLock {
            entries.append(entry)
            bytes += entry.payload.size
            trim(now: now)
        }
    }

    /// Changes the bounds; events beyond the new ones are dropped now.
    public func setLimits(_ l: Limits, now: Int64) {
        lock.withLock {
            bounds = l
            recording.store(l.events > 0, ordering: .relaxed)
            timed.store(l.age != nil, ordering: .relaxed)
            trim(now: now)
        }
    }

    private func trim(now: Int64) {
        while let first = entries.first {
            let reason: String
            if entries.count > bounds.events { reason = "over \(bounds.events) events" }
            else if bytes > bounds.bytes { reason = "over \(bounds.bytes) bytes" }
            else if let age = bounds.age, now.subtractingReportingOverflow(first.arrived).partialValue > age { reason = "older than the history's age" }
            else { break }
            entries.removeFirst()
            bytes -= first.payload.size
            droppedBy[reason, default: 0] += 1
        }
    }

    /// The events kept, oldest first.
    func snapshot() -> [Entry] { lock.withLock { Array(entries) } }

    public var count: Int { lock.withLock { entries.count } }
    /// The events' JSON bytes.
    public var jsonBytes: Int { lock.withLock { bytes } }
    /// An estimate of the memory the history holds: the bytes plus `overhead` per event.
    public var memoryBytes: Int { lock.withLock { bytes + entries.count * StreamHistory.overhead } }
    /// Events dropped to keep within the bounds, by the bound that dropped them.
    public var dropped: [String: Int] { lock.withLock { droppedBy } }
}
