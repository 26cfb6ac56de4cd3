/// The inputs of each group of a window's group table while lineage is on: group g's rows in
/// arrival order, the first `cap` kept and the rest counted. A window that merges tables (a sliding
/// window's panes, sessions bridged by a row) merges these the same way.
///
/// The rows of all groups share one flat buffer of entries, each group's chained newest first through
/// `next`: an accumulated row costs one append and one update of its group, not a list per group nor an
/// input record per row. Records (`LineageInput`) are built only for the results lineage keeps, when
/// the batch is committed (`LineageRecorder.recordWindow`).
final class GroupInputs {
    private let cap: Int
    /// Where the origin of the rows being processed now is read (nil in tests: none). Unowned: the
    /// window that owns this table holds the recorder for as long as it runs, and a retain and release per
    /// accumulated row was a visible share of lineage's cost.
    private unowned(unsafe) let recorder: LineageRecorder?
    /// One kept row: the row, where it came from, the entry of its group kept before it (-1: none).
    private struct Entry {
        var row: Row
        var origin: RowOrigin?
        var next: Int32
    }
    /// Per group: its newest entry (-1: none), entries kept, rows counted beyond `cap`.
    private struct Group {
        var newest: Int32 = -1
        var kept: Int32 = 0
        var dropped = 0
    }
    private var entries: [Entry] = []
    private var groups: [Group] = []
    /// Entries of groups reset since (compacted away once they outnumber the live ones).
    private var dead = 0

    init(cap: Int, recorder: LineageRecorder? = nil) {
        self.cap = max(1, cap)
        self.recorder = recorder
    }

    /// Room for group `g` and more: groups arrive one new index at a time, so grow by doubling.
    @inline(never) private func grow(to g: Int) {
        let count = max(g + 1, groups.count * 2, 16)
        groups.append(contentsOf: repeatElement(Group(), count: count - groups.count))
    }

    /// Adds a row to group `g` (counted instead when the group holds `cap`).
    @inline(__always) private func append(_ g: Int, _ row: Row, _ origin: RowOrigin?) {
        if groups.count <= g { grow(to: g) }
        let at = Int32(truncatingIfNeeded: entries.count)
        let newest: Int32? = groups.withUnsafeMutableBufferPointer { p in
            guard Int(p[g].kept) < cap else { p[g].dropped += 1; return nil }
            let before = p[g].newest
            p[g].newest = at
            p[g].kept += 1
            return before
        }
        if let newest { entries.append(Entry(row: row, origin: origin, next: newest)) }
    }

    /// The row being processed now joined group `g` (its origin is the one its deliverer named).
    @inline(__always) func add(_ g: Int, _ row: Row) {
        // Most rows have no origin: pass a literal nil then, which retains nothing.
        if let origin = recorder?.origin { append(g, row, origin) } else { append(g, row, nil) }
    }

    /// Group `g`'s entries, oldest first.
    private func chain(_ g: Int) -> [Int] {
        guard g < groups.count else { return [] }
        var out: [Int] = []
        out.reserveCapacity(Int(groups[g].kept))
        var i = Int(groups[g].newest)
        while i >= 0 { out.append(i); i = Int(entries[i].next) }
        out.reverse()
        return out
    }

    /// Appends group `h` of `other` to group `g`.
    func merge(_ g: Int, from other: GroupInputs, _ h: Int) {
        for i in other.chain(h) { append(g, other.entries[i].row, other.entries[i].origin) }
        if groups.count <= g { grow(to: g) }
        if h < other.groups.count { groups[g].dropped += other.groups[h].dropped }
    }

    func reset(_ g: Int) {
        guard g < groups.count else { return }
        dead += Int(groups[g].kept)
        groups[g] = Group()
        if dead > 64 && dead * 2 > entries.count { compact() }
    }

    /// Drops the entries of reset groups (a window that never closes its table, as a counting window's).
    private func compact() {
        let old = self.entries
        let chains = groups.indices.map { chain($0) }
        entries.removeAll(keepingCapacity: true)
        for g in groups.indices {
            let dropped = groups[g].dropped
            groups[g] = Group()
            for i in chains[g] { append(g, old[i].row, old[i].origin) }
            groups[g].dropped = dropped
        }
        dead = 0
    }

    func removeAll() {
        entries.removeAll(keepingCapacity: true)
        groups.removeAll(keepingCapacity: true)
        dead = 0
    }

    /// Appends group `g`'s rows, oldest first, to `rows`; returns the rows counted beyond the bound.
    func collect(_ g: Int, into rows: inout [(row: Row, origin: RowOrigin?)]) -> Int {
        guard g < groups.count else { return 0 }
        var i = Int(groups[g].newest)
        guard i >= 0 else { return groups[g].dropped }
        // The chain runs newest first: place the rows from the end of their span backwards.
        let start = rows.count, n = Int(groups[g].kept)
        rows.append(contentsOf: repeatElement((row: entries[i].row, origin: entries[i].origin), count: n))
        var at = start + n - 1
        while i >= 0 && at >= start {
            rows[at] = (entries[i].row, entries[i].origin)
            at -= 1
            i = Int(entries[i].next)
        }
        return groups[g].dropped
    }

    /// Group `g`'s inputs as records for `recorder`, and the rows counted beyond the bound.
    func inputs(_ g: Int, _ recorder: LineageRecorder) -> ([LineageInput], Int) {
        var rows: [(row: Row, origin: RowOrigin?)] = []
        let dropped = collect(g, into: &rows)
        return (rows.map { LineageInput(role: "window", source: recorder.stream, row: $0.row, origin: $0.origin) }, dropped)
    }
}
