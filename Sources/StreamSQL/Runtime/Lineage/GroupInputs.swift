/// The inputs of each group of a window's group table while lineage is on: group g's rows in
/// arrival order, the first `cap` kept and the rest counted. A window that merges tables (a sliding
/// window's panes, sessions bridged by a row) merges these the same way.
///
/// The rows of all groups share one flat buffer, each group's rows chained through `next` (an
/// accumulated row costs two appends, not a list per group nor an input record per row); records
/// (`LineageInput`) are built only for the results lineage keeps, when the window fires.
final class GroupInputs {
    private let cap: Int
    // One entry per kept row, in arrival order: the row, where it came from, the next entry of its group.
    private var rows: [Row] = []
    private var origins: [RowOrigin?] = []
    private var next: [Int32] = []
    // Per group: its first and last entry (-1: none), entries kept and rows counted beyond `cap`.
    private var head: [Int32] = []
    private var tail: [Int32] = []
    private var kept: [Int32] = []
    private var dropped: [Int] = []
    /// Entries of groups reset since (compacted away once they outnumber the live ones).
    private var dead = 0

    init(cap: Int) { self.cap = max(1, cap) }

    @inline(__always) private func ensure(_ g: Int) {
        while head.count <= g { head.append(-1); tail.append(-1); kept.append(0); dropped.append(0) }
    }

    @inline(__always) private func append(_ g: Int, _ row: Row, _ origin: RowOrigin?) {
        guard Int(kept[g]) < cap else { dropped[g] += 1; return }
        let at = Int32(truncatingIfNeeded: rows.count)
        rows.append(row)
        origins.append(origin)
        next.append(-1)
        if tail[g] >= 0 { next[Int(tail[g])] = at } else { head[g] = at }
        tail[g] = at
        kept[g] += 1
    }

    /// The row being processed now joined group `g` (its origin is the one its deliverer named).
    @inline(__always) func add(_ g: Int, _ row: Row) {
        ensure(g)
        if Int(kept[g]) < cap { append(g, row, RowOrigin.current) } else { dropped[g] += 1 }
    }

    /// Appends group `h` of `other` to group `g`.
    func merge(_ g: Int, from other: GroupInputs, _ h: Int) {
        ensure(g)
        guard h < other.head.count else { return }
        var i = Int(other.head[h])
        while i >= 0 {
            append(g, other.rows[i], other.origins[i])
            i = Int(other.next[i])
        }
        dropped[g] += other.dropped[h]
    }

    func reset(_ g: Int) {
        guard g < head.count else { return }
        dead += Int(kept[g])
        head[g] = -1; tail[g] = -1; kept[g] = 0; dropped[g] = 0
        if dead > 64 && dead * 2 > rows.count { compact() }
    }

    /// Drops the entries of reset groups (a window that never closes its table, as a counting window's).
    private func compact() {
        let (oldRows, oldOrigins, oldNext, oldHead) = (rows, origins, next, head)
        rows.removeAll(keepingCapacity: true); origins.removeAll(keepingCapacity: true); next.removeAll(keepingCapacity: true)
        for g in head.indices {
            var i = Int(oldHead[g])
            head[g] = -1; tail[g] = -1; kept[g] = 0
            while i >= 0 {
                append(g, oldRows[i], oldOrigins[i])
                i = Int(oldNext[i])
            }
        }
        dead = 0
    }

    func removeAll() {
        rows.removeAll(keepingCapacity: true); origins.removeAll(keepingCapacity: true); next.removeAll(keepingCapacity: true)
        head.removeAll(keepingCapacity: true); tail.removeAll(keepingCapacity: true)
        kept.removeAll(keepingCapacity: true); dropped.removeAll(keepingCapacity: true)
        dead = 0
    }

    /// Group `g`'s inputs as records for `recorder`, and the rows counted beyond the bound.
    func inputs(_ g: Int, _ recorder: LineageRecorder) -> ([LineageInput], Int) {
        guard g < head.count else { return ([], 0) }
        var out: [LineageInput] = []
        out.reserveCapacity(Int(kept[g]))
        var i = Int(head[g])
        while i >= 0 {
            out.append(LineageInput(role: "window", source: recorder.stream, row: rows[i], origin: origins[i]))
            i = Int(next[i])
        }
        return (out, dropped[g])
    }
}
