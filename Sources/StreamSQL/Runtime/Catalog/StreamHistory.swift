import DequeModule
import Foundation
import OrderedCollections
import Synchronization

/// The most recent events of a stream, kept so that an edited query can be run over what the running
/// one saw (`Engine.whatIf`, `EXPLAIN DIFF`).
///
/// Each event is kept as its JSON text — the whole event, not only the fields today's queries read, since
/// an edited query may read others; an event emitted as a dictionary in `HistoryCodec`'s compact form — with a sequence
/// number from the engine so that events of several streams replay in the order they arrived. The bytes
/// go into large chunks rather than an allocation each (which cost 2.25× the JSON's size in memory).
/// Bounded by a number of events, a number of bytes and optionally an age; the oldest go first and are
/// counted by the bound that dropped them.
///
/// - Complexity: `record` is O(event size) (one copy of the bytes); memory is the events' bytes plus
///   16 bytes each (24 under an age bound) and the unused end of the last chunk (`memoryBytes`).
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
        /// (recording costs a fifth to a half more instructions per event on the file and dictionary paths).
        public static let off = Limits(events: 0)
    }

    /// Bytes of kept events, oldest first, in chunks of `chunkSize` (an event larger than that gets a chunk
    /// of its own): no allocation per event, and a chunk goes once its last event is dropped.
    struct Chunk {
        var bytes: [UInt8]
        /// Events whose bytes are in this chunk and not yet dropped.
        var events: Int
    }
    static let chunkSize = 256 * 1024

    /// Where an event's bytes are in its chunk, and its place in the engine's arrival order. The length's
    /// top bit says the bytes are `HistoryCodec`'s form of a dictionary rather than JSON text.
    struct Meta {
        let sequence: Int
        let offset: UInt32
        let lengthAndForm: UInt32
        var length: Int { Int(lengthAndForm & 0x7FFF_FFFF) }
        var isEncoded: Bool { lengthAndForm & 0x8000_0000 != 0 }
    }

    /// Kept events for a what-if run: their bytes, and per event where they are and its arrival number.
    struct Snapshot {
        var bytes: [UInt8] = []
        var events: [(start: Int, length: Int, sequence: Int, encoded: Bool)] = []
    }

    private let lock = NSLock()
    private var chunks = Deque<Chunk>()
    private var metas = Deque<Meta>()
    /// Arrival times (processing time), parallel to `metas`, kept only under an age bound.
    private var arrivals = Deque<Int64>()
    /// Reused to write dictionaries as JSON before their bytes are copied in.
    private var scratch: [UInt8] = []
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

    /// Per-event bookkeeping besides the bytes (`Meta`, and its arrival time under an age bound).
    static var overhead: Int { MemoryLayout<Meta>.stride }

    func record(json: UnsafeBufferPointer<UInt8>, sequence: Int, now: Int64) {
        lock.withLock {
            append(json, encoded: false, sequence: sequence, now: now)
            trim(now: now)
        }
    }

    func record(event: OrderedDictionary<String, Value>, sequence: Int, now: Int64) {
        lock.withLock {
            scratch.removeAll(keepingCapacity: true)
            HistoryCodec.write(event, into: &scratch)
            scratch.withUnsafeBufferPointer { append($0, encoded: true, sequence: sequence, now: now) }
            trim(now: now)
        }
    }

    /// Copies an event's bytes into the last chunk (a new one when it does not fit). Under `lock`.
    private func append(_ event: UnsafeBufferPointer<UInt8>, encoded: Bool, sequence: Int, now: Int64) {
        let n = event.count
        if chunks.isEmpty || chunks[chunks.count - 1].bytes.count + n > chunks[chunks.count - 1].bytes.capacity {
            growChunks(for: n)
        }
        let last = chunks.count - 1
        let offset = chunks[last].bytes.count
        chunks[last].bytes.append(contentsOf: event)
        chunks[last].events += 1
        // Safe: a chunk holds at most max(chunkSize, one event's bytes), and an event is one line (the
        // file reader refuses lines over 2 GB).
        let form: UInt32 = encoded ? 0x8000_0000 : 0
        metas.append(Meta(sequence: sequence, offset: UInt32(truncatingIfNeeded: offset), lengthAndForm: UInt32(truncatingIfNeeded: n) & 0x7FFF_FFFF | form))
        if needsTime { arrivals.append(now) }
        bytes += n
    }

    @inline(never)
    private func growChunks(for n: Int) {
        // Small at first (a stream that keeps a few events holds a few KB), doubling up to `chunkSize`.
        let previous = chunks.last?.bytes.capacity ?? 2048
        var b: [UInt8] = []
        b.reserveCapacity(max(min(StreamHistory.chunkSize, previous * 2), n))
        chunks.append(Chunk(bytes: b, events: 0))
    }

    /// Changes the bounds; events beyond the new ones are dropped now.
    public func setLimits(_ l: Limits, now: Int64) {
        lock.withLock {
            bounds = l
            recording.store(l.events > 0, ordering: .relaxed)
            if l.age != nil && !timed.load(ordering: .relaxed) {
                // Events kept so far have no arrival time: count them as arrived now.
                arrivals = Deque(repeating: now, count: metas.count)
            }
            if l.age == nil { arrivals = [] }
            timed.store(l.age != nil, ordering: .relaxed)
            trim(now: now)
        }
    }

    private func trim(now: Int64) {
        while let first = metas.first {
            let reason: String
            if metas.count > bounds.events { reason = "over \(bounds.events) events" }
            else if bytes > bounds.bytes { reason = "over \(bounds.bytes) bytes" }
            else if let age = bounds.age, let arrived = arrivals.first, now.subtractingReportingOverflow(arrived).partialValue > age {
                reason = "older than the history's age"
            }
            else { break }
            metas.removeFirst()
            if !arrivals.isEmpty { arrivals.removeFirst() }
            bytes -= first.length
            chunks[0].events -= 1
            if chunks[0].events == 0 { chunks.removeFirst() }
            droppedBy[reason, default: 0] += 1
        }
    }

    /// The events kept, oldest first: their bytes copied out, so the history may go on meanwhile.
    func snapshot() -> Snapshot {
        lock.withLock {
            var s = Snapshot()
            s.bytes.reserveCapacity(bytes)
            s.events.reserveCapacity(metas.count)
            var m = 0
            for c in chunks {
                let base = s.bytes.count
                s.bytes.append(contentsOf: c.bytes)
                // The chunk's last `events` events are the kept ones (earlier ones were dropped).
                for _ in 0..<c.events {
                    let meta = metas[m]
                    s.events.append((base + Int(meta.offset), meta.length, meta.sequence, meta.isEncoded))
                    m += 1
                }
            }
            return s
        }
    }

    public var count: Int { lock.withLock { metas.count } }
    /// The events' bytes as kept (JSON text, or the compact form of dictionaries).
    public var jsonBytes: Int { lock.withLock { bytes } }
    /// The memory the history holds: its chunks' capacity and the bookkeeping per event.
    public var memoryBytes: Int {
        lock.withLock {
            chunks.reduce(0) { $0 + $1.bytes.capacity } + metas.count * StreamHistory.overhead + arrivals.count * 8
        }
    }
    /// Events dropped to keep within the bounds, by the bound that dropped them.
    public var dropped: [String: Int] { lock.withLock { droppedBy } }
}
