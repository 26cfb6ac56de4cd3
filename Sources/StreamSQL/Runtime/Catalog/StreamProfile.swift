import OrderedCollections
import Synchronization

/// A live profile of the events a stream carries: the fields seen, their JSON types, how often each is
/// null or missing, the numeric range, the most frequent other values, and how fast events arrive.
/// `DESCRIBE STREAM` shows it; completion learns an untyped stream's fields from it.
///
/// Always on, so it is cheap: an event that is not sampled costs one relaxed atomic add and a compare.
/// The first `warmup` events are all sampled, then one in `every` (64 by default: a sampled JSON event is
/// parsed whole, about 16,500 instructions in the release build); a sampled event is walked field by
/// field under a mutex. Memory is bounded: at most `maxFields` fields, `topCapacity`
/// value counters per field (the space-saving sketch: an unseen value takes over the least counted
/// one; the counts shown are the sure lower bounds), values cut to `maxValueLength` characters, and
/// `maxMarks` rate marks.
/// - Complexity: O(1) per event not sampled, O(fields) per sampled event.
public final class StreamProfile: @unchecked Sendable {
    static let warmup = 256
    static let maxFields = 64
    static let topCapacity = 8
    static let maxValueLength = 64
    static let maxMarks = 12
    /// Events offered to the profile (every event of the stream, sampled or not).
    let arrivals = Atomic<Int>(0)
    /// One event in `every` is sampled after the warm-up (1: every event, as tests use).
    let every = Atomic<Int>(64)
    private let state = Mutex(State())

    init() {}

    /// Counts an event; true when this one should be walked (`observe`).
    @inline(__always) func sample() -> Bool {
        let n = arrivals.wrappingAdd(1, ordering: .relaxed).newValue
        return n <= StreamProfile.warmup || n % max(1, every.load(ordering: .relaxed)) == 0
    }

    /// Adds a sampled event; `now` is processing time (ns), for the arrival rate.
    @inline(never) func observe(_ event: OrderedDictionary<String, Value>, now: Int64) {
        let n = arrivals.load(ordering: .relaxed)
        state.withLock { $0.add(event, now: now, arrivals: n) }
    }

    /// When a sampled event last arrived (processing time, ns): the first 256 events and one in 64 after,
    /// so it trails the true last arrival by at most 64 events.
    public var lastSeen: Int64? { state.withLock { $0.lastSeen } }

    /// The profile now; `now` (ns) dates the arrival rate.
    public func snapshot(now: Int64) -> Snapshot {
        let n = arrivals.load(ordering: .relaxed)
        return state.withLock { $0.snapshot(now: now, arrivals: n) }
    }

    /// One field: counts are over the sampled events.
    public struct Field: Sendable, Equatable {
        public let name: String
        /// Sampled events that held the field (null included), and those where it was null.
        public let present: Int
        public let nulls: Int
        /// JSON types seen, most frequent first, with counts (`int`, `float`, `string`, `bool`, `array`, `object`, `timestamp`).
        public let types: [(String, Int)]
        /// Smallest and largest number seen (ints, floats and timestamps, as doubles).
        public let min: Double?
        public let max: Double?
        /// Smallest and largest string seen (by code points; ISO times sort in time order), cut to `maxValueLength`.
        public let minText: String?
        public let maxText: String?
        /// The most frequent strings and booleans, most frequent first, each with the number of times it was
        /// surely seen (a lower bound when more than `topCapacity` values compete); only values seen at
        /// least twice.
        public let top: [(String, Int)]

        public static func == (a: Field, b: Field) -> Bool {
            a.name == b.name && a.present == b.present && a.nulls == b.nulls && a.min == b.min && a.max == b.max
                && a.minText == b.minText && a.maxText == b.maxText
                && a.types.map(\.0) == b.types.map(\.0) && a.types.map(\.1) == b.types.map(\.1)
                && a.top.map(\.0) == b.top.map(\.0) && a.top.map(\.1) == b.top.map(\.1)
        }
    }

    public struct Snapshot: Sendable {
        /// Events the stream received, and how many of them the profile walked.
        public let events: Int
        public let sampled: Int
        public let fields: [Field]
        /// Sampled events that held fields beyond the first `maxFields` (those are not profiled).
        public let unprofiledFieldEvents: Int
        /// Events per second over about the last ten seconds (nil before two samples a second apart).
        public let eventsPerSecond: Double?
        /// Processing time (ns) of the first and the latest sampled event.
        public let firstSeen: Int64?
        public let lastSeen: Int64?
        /// Fields in order of first appearance.
        public var fieldNames: [String] { fields.map(\.name) }
    }

    private struct FieldState {
        let name: String
        var present = 0
        var nulls = 0
        /// By `Value.typeName`, in order of first appearance.
        var types: OrderedDictionary<String, Int> = [:]
        var min = Double.infinity
        var max = -Double.infinity
        var minText: String?
        var maxText: String?
        /// Space-saving counters: value, count, and the count inherited when it took the slot (its error).
        var top: [(value: String, count: Int, error: Int)] = []

        mutating func add(_ v: Value) {
            present += 1
            switch v {
            case .null:
                nulls += 1
                return
            case .int(let i): number(Double(i))
            case .double(let d): if d.isFinite { number(d) }
            case .timestamp(let t): number(Double(t))
            case .string(let s):
                let t = s.count > StreamProfile.maxValueLength ? String(s.prefix(StreamProfile.maxValueLength - 1)) + "…" : s
                if minText.map({ t < $0 }) ?? true { minText = t }
                if maxText.map({ t > $0 }) ?? true { maxText = t }
                count(t)
            case .bool(let b): count(b ? "true" : "false")
            case .array, .object: break
            }
            types[v.typeName, default: 0] += 1
        }

        private mutating func number(_ d: Double) {
            if d < min { min = d }
            if d > max { max = d }
        }

        /// Space-saving: a new value replaces the least counted one and inherits its count (as its error) plus one.
        private mutating func count(_ s: String) {
            if let i = top.firstIndex(where: { $0.value == s }) { top[i].count += 1; return }
            if top.count < StreamProfile.topCapacity { top.append((s, 1, 0)); return }
            guard let m = top.indices.min(by: { top[$0].count < top[$1].count }) else { return }
            top[m] = (s, top[m].count + 1, top[m].count)
        }

        var field: Field {
            Field(name: name, present: present, nulls: nulls,
                  types: types.map { ($0.key, $0.value) }.sorted { $0.1 > $1.1 },
                  min: min <= max ? min : nil, max: min <= max ? max : nil, minText: minText, maxText: maxText,
                  top: top.map { ($0.value, $0.count - $0.error) }.filter { $0.1 >= 2 }
                    .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }.prefix(3).map { $0 })
        }
    }

    private struct State {
        var sampled = 0
        var fields: [FieldState] = []
        var index: [String: Int] = [:]
        var unprofiled = 0
        /// (processing time, arrivals then), at most one a second, for the rate.
        var marks: [(Int64, Int)] = []
        var firstSeen: Int64?
        var lastSeen: Int64?

        mutating func add(_ event: OrderedDictionary<String, Value>, now: Int64, arrivals: Int) {
            sampled += 1
            if firstSeen == nil { firstSeen = now }
            lastSeen = now
            if marks.last.map({ now &- $0.0 >= 1_000_000_000 }) ?? true {
                marks.append((now, arrivals))
                if marks.count > StreamProfile.maxMarks { marks.removeFirst() }
            }
            var beyond = false
            for (k, v) in event {
                if let i = index[k] { fields[i].add(v); continue }
                guard fields.count < StreamProfile.maxFields else { beyond = true; continue }
                index[k] = fields.count
                fields.append(FieldState(name: k))
                fields[fields.count - 1].add(v)
            }
            if beyond { unprofiled += 1 }
        }

        func snapshot(now: Int64, arrivals: Int) -> Snapshot {
            // The rate since the oldest mark of the last ten seconds (the newest mark when all are older).
            var rate: Double? = nil
            if let mark = marks.first(where: { now &- $0.0 <= 10_000_000_000 }) ?? marks.last {
                let span = Double(now &- mark.0) / 1e9
                if span >= 1 { rate = Double(arrivals - mark.1) / span }
            }
            return Snapshot(events: arrivals, sampled: sampled, fields: fields.map(\.field), unprofiledFieldEvents: unprofiled,
                            eventsPerSecond: rate, firstSeen: firstSeen, lastSeen: lastSeen)
        }
    }
}
