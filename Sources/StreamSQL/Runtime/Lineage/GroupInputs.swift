import OrderedCollections

/// The inputs of each group of a window's group table while lineage is on: group g's rows in
/// arrival order, the first `cap` kept and the rest counted. A window that merges tables (a sliding
/// window's panes, sessions bridged by a row) merges these the same way.
///
/// The rows of all groups share one store of entries, each group's chained newest first through
/// `next`: an accumulated row costs one append and one update of its group, not a list per group nor an
/// input record per row. A fired result keeps its group's inputs as an `InputSpan` — the store and
/// the group's newest entry — and nothing is copied: entries are only ever appended while a span may
/// read them, and emptying a store that a span still reads starts a new store instead (the old one
/// lives on, unchanged, for as long as lineage keeps the span).
final class GroupInputs {
    private let cap: Int
    /// Told when a store it may keep is let go (nil in tests). Unowned: the window that owns this table
    /// holds the recorder for as long as it runs.
    private unowned(unsafe) let recorder: LineageRecorder?
    /// Where the origin of the rows being processed now is read (the recorder's).
    private let now: OriginSlot?
    /// Per group: its newest entry + 1 (0: none), entries kept, rows counted beyond `cap`. Zero is an
    /// empty group, so growing is zeroing.
    private struct Group: BitwiseCopyable {
        var newest: Int32 = 0
        var kept: Int32 = 0
        var dropped = 0
    }
    private(set) var store: InputStore { didSet { storeRef = .passUnretained(store) } }
    /// `store`, for appending without a retain and release of it per row.
    private var storeRef: Unmanaged<InputStore>
    private var groups = Cells<Group>()
    private var groupCapacity = 1
    /// Groups `0..<touched` may be non-empty (emptying zeroes only those).
    private var touched = 0
    /// Entries of groups reset since (compacted away once they outnumber the live ones).
    private var dead = 0

    init(cap: Int, recorder: LineageRecorder? = nil) {
        // A group's kept entries are counted in 32 bits.
        self.cap = min(max(1, cap), Int(Int32.max))
        self.recorder = recorder
        now = recorder?.now
        let store = InputStore(capacity: 64)
        self.store = store
        storeRef = .passUnretained(store)
        groups.grow(count: 0, to: 1)
    }

    deinit { groups.free() }

    /// Room for group `g`: groups arrive one new index at a time, so grow by doubling.
    @inline(never) private func grow(to g: Int) {
        let capacity = max(g + 1, groupCapacity * 2, 16)
        groups.grow(count: groupCapacity, to: capacity)
        groupCapacity = capacity
    }

    /// Adds a row to group `g` (counted instead when the group holds `cap`).
    @inline(__always) private func append(_ g: Int, _ row: Row, _ origin: RowOrigin?) {
        if g >= groupCapacity { grow(to: g) }
        if g >= touched { touched = g + 1 }
        var group = groups[g]
        guard Int(group.kept) < cap else { group.dropped += 1; groups[g] = group; return }
        // `self` holds the store: a retain and release of it per row showed in the profile.
        let at = storeRef._withUnsafeGuaranteedRef { $0.append(row, origin, next: group.newest - 1) }
        group.newest = Int32(truncatingIfNeeded: at + 1)
        group.kept += 1
        groups[g] = group
    }

    /// The row being processed now joined group `g` (its origin is the one its deliverer named). Not
    /// inlined: the window's accumulating loop stays as it is with lineage off.
    @inline(never) func add(_ g: Int, _ row: Row) {
        // Most rows have no origin: pass a literal nil then, which retains nothing.
        if let origin = now?.origin { append(g, row, origin) } else { append(g, row, nil) }
    }

    /// Group `g`'s inputs as they are now: what a fired result keeps.
    func span(_ g: Int) -> InputSpan { unheldSpan(g).held() }

    /// `span(g)` without a reference to the store: for the recorder, which holds the store apart.
    @inline(__always) func unheldSpan(_ g: Int) -> UnheldSpan {
        guard g < touched else { return UnheldSpan(store: storeRef, newest: -1, kept: 0, dropped: 0) }
        let group = groups[g]
        return UnheldSpan(store: storeRef, newest: group.newest - 1, kept: group.kept, dropped: group.dropped)
    }

    /// Appends group `h` of `other` to group `g`.
    func merge(_ g: Int, from other: GroupInputs, _ h: Int) {
        let theirs = other.span(h)
        theirs.forEach { row, origin in append(g, row, origin) }
        if g >= groupCapacity { grow(to: g) }
        if g >= touched { touched = g + 1 }
        groups[g].dropped += theirs.dropped
    }

    func reset(_ g: Int) {
        guard g < touched else { return }
        dead += Int(groups[g].kept)
        groups[g] = Group()
        if dead > 64 && dead * 2 > store.count { compact() }
    }

    /// Drops the entries of reset groups (a window that never closes its table, as a counting window's).
    private func compact() {
        let spans = (0..<touched).map { span($0) }
        let old = store
        store = InputStore(capacity: max(64, store.count - dead))
        if old.count > 0 { recorder?.released(old) }
        groups.zero(touched)
        for (g, s) in spans.enumerated() {
            s.forEach { row, origin in append(g, row, origin) }
            groups[g].dropped = s.dropped
        }
        dead = 0
    }

    func removeAll() {
        groups.zero(touched)
        touched = 0
        dead = 0
        guard store.count > 0 else { return }
        // A span lineage keeps still reads the store: leave it to them and start a new one.
        if isKnownUniquelyReferenced(&store) {
            store.removeAll()
        } else {
            let old = store
            store = InputStore(capacity: old.count)
            recorder?.released(old)
        }
    }
}

/// The entries of a window's group inputs, behind a pointer: appending costs no copy-on-write check.
/// Spans of fired results share a store with the window that fills it; everything reading or writing
/// it runs under the query's lock (`LineageRecorder.queryLock`).
final class InputStore: @unchecked Sendable {
    /// A kept row: its slots (the whole event, rare, kept aside in `wholes`), where it came from, the
    /// entry of its group kept before it. Three words: copying and freeing a whole `Row` per entry
    /// (its optional event dictionary too) showed in the profile.
    struct Entry {
        var slots: ContiguousArray<Value>
        var origin: RowOrigin?
        /// The entry of the group kept before this one (-1: none).
        var next: Int32
        /// The row's whole event in `wholes` (-1: none).
        var whole: Int32
    }
    private(set) var count = 0
    private var capacity: Int
    private var base: UnsafeMutablePointer<Entry>
    private var wholes: [OrderedDictionary<String, Value>] = []

    init(capacity: Int) {
        self.capacity = max(16, capacity)
        base = .allocate(capacity: self.capacity)
    }

    deinit {
        removeAll()
        base.deallocate()
    }

    /// Appends an entry and returns its index.
    @inline(__always) func append(_ row: Row, _ origin: RowOrigin?, next: Int32) -> Int {
        if count == capacity { grow() }
        var whole: Int32 = -1
        if let w = row.whole { whole = Int32(truncatingIfNeeded: wholes.count); wholes.append(w) }
        (base + count).initialize(to: Entry(slots: row.slots, origin: origin, next: next, whole: whole))
        count += 1
        return count - 1
    }

    @inline(never) private func grow() {
        let bigger = capacity * 2
        let p = UnsafeMutablePointer<Entry>.allocate(capacity: bigger)
        p.moveInitialize(from: base, count: count)
        base.deallocate()
        base = p
        capacity = bigger
    }

    /// Entry `i`'s row and origin.
    @inline(__always) subscript(i: Int) -> (row: Row, origin: RowOrigin?) {
        let e = base[i]
        return (Row(slots: e.slots, whole: e.whole >= 0 ? wholes[Int(e.whole)] : nil), e.origin)
    }
    @inline(__always) func next(_ i: Int) -> Int32 { base[i].next }

    /// Entry by entry: `deinitialize(count:)` destroys through the type's metadata, a visible cost
    /// per entry next to this loop the compiler specialises.
    func removeAll() {
        for i in 0..<count { (base + i).deinitialize(count: 1) }
        count = 0
        if !wholes.isEmpty { wholes.removeAll(keepingCapacity: true) }
    }
}

/// A group's inputs at one moment: its newest entry in a store, how many entries its chain holds, the
/// rows counted beyond the bound. Valid for as long as it is held (a store is never emptied while
/// shared), read under the query's lock.
struct InputSpan: @unchecked Sendable {
    let store: InputStore
    let newest: Int32
    let kept: Int32
    let dropped: Int

    /// Calls `body` with each input, oldest first.
    func forEach(_ body: (Row, RowOrigin?) -> Void) {
        guard newest >= 0, kept > 0 else { return }
        // The chain runs newest first: note its entries, then visit them backwards.
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: Int(kept)) { chain in
            var n = 0, i = newest
            while i >= 0 && n < chain.count { chain[n] = i; n += 1; i = store.next(Int(i)) }
            for k in (0..<n).reversed() {
                let e = store[Int(chain[k])]
                body(e.row, e.origin)
            }
        }
    }
}

/// An `InputSpan` that does not hold its store: what a recorder keeps for each result of a batch
/// until it knows which it keeps (it holds the batch's stores apart, once each).
struct UnheldSpan {
    let store: Unmanaged<InputStore>
    let newest: Int32
    let kept: Int32
    let dropped: Int

    func held() -> InputSpan { InputSpan(store: store.takeUnretainedValue(), newest: newest, kept: kept, dropped: dropped) }
}

extension InputSpan {
    /// Calls `body` with each input and how many inputs are newer than it, newest first.
    func forEachNewestFirst(_ body: (Int, Row) -> Void) {
        var i = newest, depth = 0
        while i >= 0 && depth < Int(kept) {
            body(depth, store[Int(i)].row)
            depth += 1
            i = store.next(Int(i))
        }
    }

    /// The same inputs, appended to `store`.
    func copied(into store: InputStore) -> InputSpan {
        var last: Int32 = -1
        forEach { row, origin in last = Int32(truncatingIfNeeded: store.append(row, origin, next: last)) }
        return InputSpan(store: store, newest: last, kept: kept, dropped: dropped)
    }
}
