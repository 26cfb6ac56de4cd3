import OrderedCollections
import Synchronization

/// A named source of events and the queries reading it.
final class StreamState: @unchecked Sendable {
    let name: String
    var layout: FieldLayout = .empty { didSet { changed() } }
    var queries: [Query] = [] { didSet { changed() } }
    let counters = Counters()
    /// Declared columns (typed stream); empty for an untyped stream.
    var columns: [ColumnDefinition] = []
    var types: [String: SQLType] = [:] { didSet { changed() } }
    /// `WITH (STRICT = true)`: an event with a field the stream does not declare is rejected. Otherwise
    /// such fields are ignored, as Flink's and ksqlDB's JSON formats do.
    var strict = false { didSet { changed() } }
    /// The query whose results this stream carries (a derived stream).
    var derivedFrom: String?
    /// A system stream's kind (`q.late`, `s.rejected`; see `Engine+SystemStreams.swift`), nil for others.
    var system: SystemStream?
    /// Made by CREATE STREAM. A stream that only exists because an input, a generator or the default
    /// `stream` named it may still be declared by a CREATE STREAM without OR REPLACE.
    var declared = false
    /// The most recent events, for what-if runs of edited queries.
    let history: StreamHistory
    /// What the events seen hold (`DESCRIBE STREAM`), sampled on every emit path.
    let profile = StreamProfile()
    /// A derived stream's newest rows (`RecentRows`), under its own lock.
    let recent = Mutex(RecentRows())
    /// Bumped after every change an emitter caches (layout, queries, declared types), always under the
    /// engine's lock: a `StreamView` compares it per event and re-reads the catalog only when it moved.
    let version = Atomic<Int>(0)
    /// Some query on the stream records lineage (once set, stays set): file replays then give their rows
    /// an origin (file and line) and derived streams their result's inputs.
    let tracesOrigins = Atomic<Bool>(false)
    /// Creation order: whatever runs over every stream (end of input, what-if copies, query lists) goes in
    /// this order, so that a script gives the same output every run (a dictionary's order changes per process).
    let ordinal: Int
    private static let created = Atomic<Int>(0)
    init(name: String, history: StreamHistory.Limits = .default) {
        self.name = name
        self.ordinal = StreamState.created.wrappingAdd(1, ordering: .relaxed).oldValue
        self.history = StreamHistory(limits: history)
    }

    private func changed() { version.wrappingAdd(1, ordering: .releasing) }

    /// A typed stream's check: declared fields are converted to their type; a value that does not
    /// convert rejects the event, and so does an undeclared field on a strict stream (the reason is
    /// returned, in terms of the row). Undeclared fields are otherwise left out.
    func coerce(_ event: OrderedDictionary<String, Value>) -> (OrderedDictionary<String, Value>?, String?) {
        guard !types.isEmpty else { return (event, nil) }
        var out = OrderedDictionary<String, Value>()
        for (k, v) in event {
            guard let t = types[k] else {
                if strict { return (nil, "field \(k): stream \(name) is STRICT and does not declare it") }
                continue
            }
            let c = v.cast(to: t)
            if c.isNull && !v.isNull { return (nil, "field \(k): \(JSONWriter.string(v)) is not \(t.withArticle)") }
            out[k] = c
        }
        return (out, nil)
    }
}
