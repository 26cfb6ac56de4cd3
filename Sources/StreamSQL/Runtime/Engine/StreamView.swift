import OrderedCollections

/// What an emitter needs from the catalog for one stream — its layout, its queries, its declared types —
/// read once and re-read only when the stream's `version` moves, so an event costs no lock and no name
/// lookup for them.
///
/// It also remembers the key order of the last dictionary event and the slot each key has: producers
/// build their events from the same keys in the same order, and comparing a key with the remembered one
/// is a compare of two words when both come from the same literal (a `String`'s raw bits), where looking
/// a name up costs hashing its bytes. A different order or key set rebuilds the memo.
///
/// No lock of its own: `StreamWriter` owns one per producer, the engine keeps one per stream name behind a
/// mutex. A class, so that handing it around costs one reference count, not one per array it holds
/// (as a struct it was copied whole, eight retains and releases, on every event of a writer).
final class StreamView {
    let state: StreamState
    private var version = -1
    private(set) var layout = FieldLayout.empty
    private(set) var queries: [Query] = []
    private var types: [String: SQLType] = [:]
    private var strict = false
    // The memo: keys of the last event in order, each key's slot (-1: no query reads it) and, on a typed
    // stream, its declared type (nil: undeclared).
    private var keys: [String] = []
    private var keySlots: [Int] = []
    private var keyTypes: [SQLType?] = []
    /// The row of the last event run now, handed back by `recycle`: the next event's row reuses its storage
    /// when no query kept it (an allocation and a free per event otherwise).
    private var spareRow: Row?

    init(_ state: StreamState) { self.state = state }

    /// The stream declares its columns (events are checked and converted).
    var isTyped: Bool { !types.isEmpty }

    /// Whether the catalog's stream is as this view last read it.
    @inline(__always) var isCurrent: Bool { state.version.load(ordering: .acquiring) == version }

    /// Re-reads the catalog if the stream changed since the last call.
    @inline(__always) func refresh(_ engine: Engine) {
        let v = state.version.load(ordering: .acquiring)
        if v != version { reload(engine, v) }
    }

    @inline(never) private func reload(_ engine: Engine, _ v: Int) {
        let s = state
        (layout, queries, types, strict) = engine.lock.withLock { (s.layout, s.queries, s.types, s.strict) }
        version = v
        keys = []
        keySlots = []
        keyTypes = []
    }

    /// The event as a row of the stream's layout; on a typed stream its fields checked and converted as
    /// `StreamState.coerce` does. A rejected event is counted on the stream and its queries, with the reason.
    func row(_ event: OrderedDictionary<String, Value>, why: inout String?, origin: LineOrigin? = nil) -> Row? {
        let ks = event.keys.elements
        if !sameKeys(ks) { remember(ks) }
        var row = freshRow()
        let values = event.values.elements
        if types.isEmpty {
            for i in 0..<keySlots.count where keySlots[i] >= 0 { row.slots[keySlots[i]] = values[i] }
            if layout.keepsWholeEvent { row.whole = event }
            return row
        }
        var whole = OrderedDictionary<String, Value>()
        for i in 0..<keySlots.count {
            guard let t = keyTypes[i] else {
                if strict { return reject("field \(ks[i]): stream \(state.name) is STRICT and does not declare it", event, origin, &why) }
                continue
            }
            let v = values[i]
            let c = v.cast(to: t)
            if c.isNull && !v.isNull { return reject("field \(ks[i]): \(JSONWriter.string(v)) is not \(t.withArticle)", event, origin, &why) }
            if keySlots[i] >= 0 { row.slots[keySlots[i]] = c }
            if layout.keepsWholeEvent { whole[ks[i]] = c }
        }
        if layout.keepsWholeEvent { row.whole = whole }
        return row
    }

    /// An all-NULL row of the layout's width: the recycled one when there is one.
    @inline(__always) func freshRow() -> Row {
        guard var r = spareRow else { return Row(width: layout.count) }
        spareRow = nil
        r.reset(width: layout.count)
        return r
    }

    /// Takes back the row of an event that has been run now (not one buffered: the queue still holds it),
    /// for the next event to reuse.
    @inline(__always) func recycle(_ row: Row) {
        spareRow = row
    }

    @inline(__always) private func sameKeys(_ ks: [String]) -> Bool {
        guard ks.count == keys.count else { return false }
        for i in 0..<ks.count where ks[i] != keys[i] { return false }
        return true
    }

    @inline(never) private func remember(_ ks: [String]) {
        keys = ks
        keySlots = ks.map { layout.slot(of: $0) ?? -1 }
        keyTypes = ks.map { types[$0] }
    }

    @inline(never) private func reject(_ text: String, _ event: OrderedDictionary<String, Value>, _ origin: LineOrigin?,
                                       _ why: inout String?) -> Row? {
        why = text
        state.counters.reject(RejectedLine(text: JSONWriter.string(object: event), file: origin?.file, line: origin?.line, reason: text))
        for q in queries { q.counters.reject(text) }
        return nil
    }

    /// Runs a row through every query now (results go to their sinks) or buffers it per query.
    @inline(__always) func deliver(_ row: Row, sync: Bool) {
        StreamView.deliver(row, on: state, to: queries, sync: sync)
    }

    /// Hands one row of stream `s` to queries `qs`: counted on the stream, then run now (`sync`) or
    /// buffered per back-pressure policy. Every path that delivers single events goes through here.
    @inline(__always) static func deliver(_ row: Row, on s: StreamState, to qs: [Query], sync: Bool) {
        s.counters.eventsIn.add(1, ordering: .relaxed)
        for q in qs {
            if sync { q.run(CollectionOfOne(row)) } else { q.inbox.push(CollectionOfOne(row)) }
        }
    }
}
