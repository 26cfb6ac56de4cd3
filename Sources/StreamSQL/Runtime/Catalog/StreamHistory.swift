import DequeModule
import Foundation
import OrderedCollections
import Synchronization

/// The most recent events of a stream, kept so that an edited query can be run over what the running
/// one saw (`Engine.whatIf`, `EXPLAIN DIFF`). Every stream keeps one by default (`Limits.default`).
///
/// Each event is kept as its JSON text — the whole event, not only the fields today's queries read, since
/// an edited query may read others; an event emitted as a dictionary in `HistoryCodec`'s compact form — with a sequence
/// number from the engine so that events of several streams replay in the order they arrived. The bytes
/// go into large chunks rather than an allocation each (which cost 2.25× the JSON's size in memory).
/// Bounded by a number of events, a number of bytes and optionally an age; the oldest go first and are
/// counted by the bound that dropped them.
///
/// Cheap enough to be always on: recording an event is one spin-lock acquire (uncontended: one
/// compare-and-swap; a what-if's snapshot is the only other taker), one copy of its bytes into the last
/// chunk, and one entry in a ring of fixed-size entries; dropping the oldest is a few comparisons.
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
        /// What every stream keeps unless told otherwise: the last 100,000 events or 256 MB of them.
        public static let `default` = Limits()
        /// Nothing (system streams, derived streams, and scratch engines of a what-if).
        public static let off = Limits(events: 0)
    }

    /// Bytes of kept events, oldest first (an event larger than `chunkSize` gets a chunk of its own): no
    /// allocation per event, and a chunk goes once the events after it start being dropped past its end.
    final class Chunk {
        let base: UnsafeMutablePointer<UInt8>
        let capacity: Int
        /// Bytes written; for the last chunk `StreamHistory.tailUsed` is current and this is stale.
        var used = 0
        /// The index (counting every event ever recorded) of the first event written into this chunk.
        let first: Int
        init(capacity: Int, first: Int) {
            base = .allocate(capacity: capacity)
            self.capacity = capacity
            self.first = first
        }
        deinit { base.deallocate() }
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

    /// Kept events for a what-if run: their bytes, per event where they are and its arrival number, and the
    /// key lists the compact form refers to.
    struct Snapshot {
        var bytes: [UInt8] = []
        var events: [(start: Int, length: Int, sequence: Int, encoded: Bool)] = []
        var shapes: [[String]] = []

        /// The dictionary of an event kept in the compact form (nil for JSON text or bytes that do not read).
        func dictionary(at i: Int) -> OrderedDictionary<String, Value>? {
            let e = events[i]
            guard e.encoded else { return nil }
            return bytes.withUnsafeBufferPointer { HistoryCodec.read(UnsafeBufferPointer(rebasing: $0[e.start..<(e.start + e.length)]), shapes: shapes) }
        }
    }

    /// Held while the history changes or is copied: uncontended it costs one compare-and-swap, and the only
    /// long holder is `snapshot` (a what-if), during which writers yield. The fields below are only touched
    /// under it, hence unchecked for exclusivity (the check would cost more than the rest of `record`).
    private let busy = Atomic<Bool>(false)
    @exclusivity(unchecked) private var chunks: [Chunk] = []
    /// The last chunk's memory and how much of it is written (kept here so that an event writes no class field).
    @exclusivity(unchecked) private var tail: UnsafeMutablePointer<UInt8>? = nil
    @exclusivity(unchecked) private var tailUsed = 0
    @exclusivity(unchecked) private var tailCapacity = 0
    /// The kept events' entries: a ring of `ringCapacity` starting at `head`.
    @exclusivity(unchecked) private var ring: UnsafeMutablePointer<Meta>
    @exclusivity(unchecked) private var ringCapacity = 0
    @exclusivity(unchecked) private var head = 0
    @exclusivity(unchecked) private var kept = 0
    /// Events ever recorded (the index the next one gets).
    @exclusivity(unchecked) private var recorded = 0
    /// Arrival times (processing time), parallel to the ring, kept only under an age bound.
    @exclusivity(unchecked) private var arrivals = Deque<Int64>()
    /// Encodes dictionaries before their bytes are copied in, and names their key lists.
    @exclusivity(unchecked) private var encoder = HistoryCodec.Encoder()
    @exclusivity(unchecked) private var bytes = 0
    @exclusivity(unchecked) private var bounds: Limits
    @exclusivity(unchecked) private var droppedOverEvents = 0, droppedOverBytes = 0, droppedOld = 0
    /// Read per event without the lock: whether events are kept, and whether they need their arrival time.
    private let recording: Atomic<Bool>
    private let timed: Atomic<Bool>

    public init(limits: Limits = .default) {
        bounds = limits
        recording = Atomic(limits.events > 0)
        timed = Atomic(limits.age != nil)
        ring = .allocate(capacity: 0)
    }

    deinit {
        ring.deallocate()
        encoder.deallocate()
    }

    @inline(__always) private func acquire() {
        while !busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged { sched_yield() }
    }
    @inline(__always) private func release() { busy.store(false, ordering: .releasing) }
    @inline(__always) private func locked<T>(_ body: () throws -> T) rethrows -> T {
        acquire()
        defer { release() }
        return try body()
    }

    public var limits: Limits { locked { bounds } }
    /// Whether events are kept at all (checked per event before anything else is done).
    var isRecording: Bool { recording.load(ordering: .relaxed) }
    /// Whether entries need their arrival time (only an age bound reads it).
    var needsTime: Bool { timed.load(ordering: .relaxed) }

    /// Per-event bookkeeping besides the bytes (`Meta`, and its arrival time under an age bound).
    static var overhead: Int { MemoryLayout<Meta>.stride }

    func record(json: UnsafeBufferPointer<UInt8>, sequence: Int, now: Int64) {
        acquire()
        append(json, form: 0, sequence: sequence, now: now)
        release()
    }

    func record(event: OrderedDictionary<String, Value>, sequence: Int, now: Int64) {
        acquire()
        encoder.encode(event)
        append(encoder.written, form: 0x8000_0000, sequence: sequence, now: now)
        release()
    }

    /// Copies an event's bytes into the last chunk (a new one when they do not fit), adds its entry and
    /// drops what the bounds no longer hold. Under the lock.
    @inline(__always)
    private func append(_ event: UnsafeBufferPointer<UInt8>, form: UInt32, sequence: Int, now: Int64) {
        let n = event.count
        if tailUsed + n > tailCapacity { growChunks(for: n) }
        if let tail, let src = event.baseAddress { (tail + tailUsed).update(from: src, count: n) }
        if kept == ringCapacity { growRing() }
        var slot = head + kept
        if slot >= ringCapacity { slot -= ringCapacity }
        // Safe: a chunk holds at most max(chunkSize, one event's bytes), and an event is one line (the
        // file reader refuses lines over 2 GB).
        (ring + slot).initialize(to: Meta(sequence: sequence, offset: UInt32(truncatingIfNeeded: tailUsed),
                                          lengthAndForm: UInt32(truncatingIfNeeded: n) & 0x7FFF_FFFF | form))
        kept += 1
        recorded += 1
        tailUsed += n
        bytes += n
        if needsTime { arrivals.append(now) }
        if kept > bounds.events || bytes > bounds.bytes || bounds.age != nil { trim(now: now) }
    }

    @inline(never)
    private func growChunks(for n: Int) {
        // Small at first (a stream that keeps a few events holds a few KB), doubling up to `chunkSize`.
        chunks.last?.used = tailUsed
        let c = Chunk(capacity: max(min(StreamHistory.chunkSize, tailCapacity * 2), 2048, n), first: recorded)
        chunks.append(c)
        (tail, tailUsed, tailCapacity) = (c.base, 0, c.capacity)
    }

    /// Room for one more entry: doubles the ring (up to the event bound, plus one for the entry added
    /// before the oldest is dropped).
    @inline(never)
    private func growRing() {
        resizeRing(to: max(kept + 1, min(max(16, ringCapacity * 2), StreamHistory.saturatingSum(bounds.events, 1))))
    }

    /// a + b, or Int.max when that overflows (an event bound may be Int.max: `streamsql whatif` keeps all).
    static func saturatingSum(_ a: Int, _ b: Int) -> Int {
        let (s, o) = a.addingReportingOverflow(b)
        return o ? .max : s
    }

    private func resizeRing(to capacity: Int) {
        let new = UnsafeMutablePointer<Meta>.allocate(capacity: capacity)
        for i in 0..<kept { (new + i).initialize(to: ring[(head + i) % ringCapacity]) }
        ring.deallocate()
        (ring, ringCapacity, head) = (new, capacity, 0)
    }

    /// Changes the bounds; events beyond the new ones are dropped now.
    public func setLimits(_ l: Limits, now: Int64) {
        locked {
            bounds = l
            recording.store(l.events > 0, ordering: .relaxed)
            if l.age != nil && !timed.load(ordering: .relaxed) {
                // Events kept so far have no arrival time: count them as arrived now.
                arrivals = Deque(repeating: now, count: kept)
            }
            if l.age == nil { arrivals = [] }
            timed.store(l.age != nil, ordering: .relaxed)
            trim(now: now)
            let room = StreamHistory.saturatingSum(l.events, 1)
            if ringCapacity > room { resizeRing(to: max(kept, room)) }
        }
    }

    private func trim(now: Int64) {
        while kept > 0 {
            if kept > bounds.events { droppedOverEvents += 1 }
            else if bytes > bounds.bytes { droppedOverBytes += 1 }
            else if let age = bounds.age, let arrived = arrivals.first, now.subtractingReportingOverflow(arrived).partialValue > age {
                droppedOld += 1
            }
            else { break }
            bytes -= ring[head].length
            head += 1
            if head == ringCapacity { head = 0 }
            kept -= 1
            if !arrivals.isEmpty { arrivals.removeFirst() }
            // The first chunk goes once the oldest kept event is in a later one.
            if chunks.count > 1 && chunks[1].first <= recorded - kept { chunks.removeFirst() }
        }
    }

    /// The events kept, oldest first: their bytes copied out, so the history may go on meanwhile.
    func snapshot() -> Snapshot {
        locked {
            var s = Snapshot()
            s.shapes = encoder.shapes
            s.events.reserveCapacity(kept)
            chunks.last?.used = tailUsed
            guard kept > 0 else { return s }
            // Kept events' bytes run from the oldest's offset in the first chunk to the end of the last.
            let firstOffset = Int(ring[head].offset)
            s.bytes.reserveCapacity(bytes + chunks.count * 16)
            var base: [Int] = []
            for (i, c) in chunks.enumerated() {
                let from = i == 0 ? firstOffset : 0
                base.append(s.bytes.count - from)
                s.bytes.append(contentsOf: UnsafeBufferPointer(start: c.base + from, count: max(0, c.used - from)))
            }
            var chunk = 0
            for k in 0..<kept {
                let index = recorded - kept + k
                while chunk + 1 < chunks.count && chunks[chunk + 1].first <= index { chunk += 1 }
                let meta = ring[(head + k) % ringCapacity]
                s.events.append((base[chunk] + Int(meta.offset), meta.length, meta.sequence, meta.isEncoded))
            }
            return s
        }
    }

    public var count: Int { locked { kept } }
    /// The events' bytes as kept (JSON text, or the compact form of dictionaries).
    public var jsonBytes: Int { locked { bytes } }
    /// The memory the history holds: its chunks' capacity, the entries per event and the key lists.
    public var memoryBytes: Int {
        locked {
            chunks.reduce(0) { $0 + $1.capacity } + ringCapacity * StreamHistory.overhead + arrivals.count * 8 + encoder.shapeBytes
        }
    }
    /// Events dropped to keep within the bounds, by the bound that dropped them.
    public var dropped: [String: Int] {
        locked {
            var d: [String: Int] = [:]
            if droppedOverEvents > 0 { d["over \(bounds.events) events"] = droppedOverEvents }
            if droppedOverBytes > 0 { d["over \(bounds.bytes) bytes"] = droppedOverBytes }
            if droppedOld > 0 { d["older than the history's age"] = droppedOld }
            return d
        }
    }
}
