/// The runtime half of `EmitPolicy`, shared by every window kind: when a window may fire, when early
/// results are due, and (EMIT CHANGES) the last row each group showed, so its retraction repeats it exactly.
///
/// Window operators ask it three things: `fireLimit(_:)` (how far windows may close), `earlyDue(_:)`
/// (whether EMIT EVERY's next early firing is due), and `change(…)` after a row changed a group.
///
/// - Complexity: EMIT CHANGES costs, per row, the group's aggregate results compared in place with
///   those it showed and, when they differ, two output rows (the retraction and the update); a group
///   is found by its number in the window's table, its key hashed only when that table was replaced.
///   The other policies cost nothing per row.
final class WindowEmission {
    let policy: EmitPolicy
    /// EMIT FINAL holds a window until its lateness has passed; otherwise windows close at their end.
    let holdBack: Int64

    /// `emit_kind()` values, by `EmitKind.rawValue` (made once, not per row).
    static let names: [Value] = [.string("final"), .string("early"), .string("update"), .string("retract")]

    init(_ policy: EmitPolicy, lateness: Int64) {
        self.policy = policy
        holdBack = policy == .final ? lateness : 0
        changes = policy == .changes
        if case .every(let d) = policy { every = d } else { every = 0 }
        refiresLate = policy == .onClose || every > 0
    }

    // Decided once from the policy, so that the per-row path tests stored flags, not the enum.
    /// EMIT CHANGES: a row that changes a group shows its new row at once.
    let changes: Bool
    /// Whether closing a window emits its rows (EMIT CHANGES has shown them already, row by row).
    var emitsOnClose: Bool { !changes }
    /// Whether a row arriving within ALLOWEDLATENESS re-emits its closed windows (EMIT FINAL held them).
    let refiresLate: Bool
    /// EMIT EVERY's interval; 0 for the other policies.
    let every: Int64

    /// How far windows may close when the window's time (watermark or clock) is `limit`.
    @inline(__always) func fireLimit(_ limit: Int64) -> Int64 { holdBack == 0 ? limit : TimeMath.sub(limit, holdBack) }

    // MARK: EMIT EVERY

    private var nextEarly: Int64?

    /// True when the window's time reached the next multiple of EMIT EVERY's interval (then the one after
    /// is next: a jump over several intervals fires once).
    @inline(__always) func earlyDue(_ limit: Int64) -> Bool { every > 0 && nextEarlyDue(limit) }

    private func nextEarlyDue(_ limit: Int64) -> Bool {
        let d = every
        guard limit != Int64.min, limit < Int64.max - d else { return false }
        let next = (TimeMath.floorDiv(limit, d) + 1) * d
        guard let due = nextEarly else { nextEarly = next; return false }
        guard limit >= due else { return false }
        nextEarly = next
        return true
    }

    // MARK: EMIT CHANGES

    /// What a group's last row in a window is.
    private enum Showing: UInt8 {
        /// Nothing: the group is new to the window, or its window ended (a counting window's group restarted).
        case nothing
        /// Computed but not emitted (HAVING rejected it, or its cells were all empty): nothing to retract.
        case hidden
        /// Emitted: a change retracts it first.
        case emitted
    }

    /// One window's last shown rows: per group (in the order groups first changed), its key, the window
    /// bounds and the aggregate results, the results flat so that a change compares and rewrites them in
    /// place; the other cells are constants. No row is built unless it is emitted.
    private final class Shown {
        /// A group's key, the window bounds it showed, and what it shows.
        struct Entry {
            let key: GroupKey
            var start: Int64 = 0, end: Int64 = 0
            var showing = Showing.nothing
        }
        var entries: [Entry] = []
        /// Per group: the aggregate results, `aggregates` values each.
        var values: [Value] = []

        // Groups are found by their number in the window's table, which holds while that table is neither
        // replaced (STATETTL rebuilds it; a sliding window merges its panes into a new one per change) nor
        // emptied (its epoch moves): then no key is hashed. Otherwise by key, through `index`.
        /// The table whose group numbers `bySlot` follows, and its epoch then.
        private var table: GroupTable?
        private var epoch = 0
        /// Group number in `table` → position here + 1; 0 when not known.
        private var bySlot: [Int32] = []
        /// Whether every group here came through `table` (then a group number `bySlot` does not know is a
        /// group new to the window).
        private var complete = true
        /// Key → position, built when a group must be found by key.
        private var index: KeyMap<Void>?

        /// The position of group `g` of `table`; a group new to the window is added, showing nothing.
        @inline(__always) func position(_ table: GroupTable, _ g: Int, aggregates: Int) -> Int {
            if table !== self.table || table.epoch != epoch { bind(table) }
            if g < bySlot.count, bySlot[g] > 0 { return Int(bySlot[g]) - 1 }
            return locate(table, g, aggregates: aggregates)
        }

        /// Follows another table's group numbers (those of the previous one mean nothing for it).
        @inline(never) private func bind(_ t: GroupTable) {
            table = t
            epoch = t.epoch
            bySlot.removeAll(keepingCapacity: true)
            complete = entries.isEmpty
        }

        private func locate(_ t: GroupTable, _ g: Int, aggregates: Int) -> Int {
            let key = t.key(g)
            let p: Int
            if !complete, let found = find(key) {
                p = found
            } else {
                p = entries.count
                entries.append(Entry(key: key))
                index?.append(key, ())
                for _ in 0..<aggregates { values.append(.null) }
            }
            if g == bySlot.count {
                bySlot.append(Int32(truncatingIfNeeded: p + 1))
            } else {
                if g > bySlot.count { bySlot.append(contentsOf: repeatElement(0, count: g + 1 - bySlot.count)) }
                bySlot[g] = Int32(truncatingIfNeeded: p + 1)
            }
            return p
        }

        /// The position of `key`, if the window has shown its group.
        func find(_ key: GroupKey) -> Int? {
            if index == nil {
                let m = KeyMap<Void>()
                for e in entries { m.append(e.key, ()) }
                index = m
            }
            return index?.position(of: key)
        }

        /// Empties it for another window, keeping the arrays' capacity.
        func clear() {
            entries.removeAll(keepingCapacity: true)
            values.removeAll(keepingCapacity: true)
            bySlot.removeAll(keepingCapacity: true)
            table = nil
            complete = true
            index = nil
        }
    }
    /// Per window (its end, or a session's id): the rows last shown.
    private var shown: [Int64: Shown] = [:] {
        didSet { last = nil }
    }
    /// The window `change` saw last (consecutive rows almost always share it), so that most rows skip
    /// the dictionary; cleared whenever `shown` changes.
    private var last: (window: Int64, shown: Shown)?
    /// Emptied `Shown`s of forgotten windows, reused so that a new window does not grow its arrays again.
    private var pool: [Shown] = []

    /// The shown rows of `window`, made (or reused) on first use.
    @inline(__always) private func rows(of window: Int64) -> Shown {
        if let l = last, l.window == window { return l.shown }
        let w: Shown
        if let existing = shown[window] {
            w = existing
        } else {
            w = pool.popLast() ?? Shown()
            shown[window] = w
        }
        last = (window, w)
        return w
    }

    /// Keeps a forgotten window's `Shown` for reuse.
    private func recycle(_ w: Shown) {
        guard pool.count < 8 else { return }
        w.clear()
        pool.append(w)
    }
    /// The aggregate row an emitted change is projected from, when the output is not plain columns.
    private var rowBuffer = Row(width: 0)
    /// A group's new aggregate results (`freshCount` of them), compared with the shown ones before anything
    /// is written; a pointer, so that the per-row path makes no uniqueness check on it.
    private var fresh = UnsafeMutablePointer<Value>.allocate(capacity: 1)
    private var freshCount = 0

    deinit {
        fresh.deinitialize(count: freshCount)
        fresh.deallocate()
    }

    /// Room for `n` results in `fresh` (the query's aggregates: made once).
    @inline(never) private func makeFresh(_ n: Int) {
        fresh.deinitialize(count: freshCount)
        fresh.deallocate()
        fresh = .allocate(capacity: max(1, n))
        fresh.initialize(repeating: .null, count: n)
        freshCount = n
    }

    /// After a row changed group `g` of `table` in window `window`: when its aggregate results or bounds
    /// differ from those last shown, the previous row again as a retraction, then the new one as an update.
    func change(_ core: WindowCore, _ table: GroupTable, _ g: Int, window: Int64, start: Int64, end: Int64,
                into out: inout ResultBatch) {
        let cols = table.columns
        let n = cols.count
        if freshCount != n { makeFresh(n) }
        let f = fresh
        for k in 0..<n { f[k] = cols[k].result(g) }
        let w = rows(of: window)
        let i = w.position(table, g, aggregates: n)
        let base = i * n
        let was = w.entries[i].showing
        if was != .nothing {
            let same = w.entries[i].start == start && w.entries[i].end == end && w.values.withUnsafeBufferPointer { old in
                for k in 0..<n where old[base + k] != f[k] { return false }
                return true
            }
            if same { return }
            if was == .emitted { _ = show(core, w, i, table, g, kind: .retract, into: &out) }
        }
        // The new results take the old ones' place (swapped: no copy, no reference counting).
        w.values.withUnsafeMutableBufferPointer { v in
            for k in 0..<n { swap(&v[base + k], &f[k]) }
        }
        w.entries[i].start = start
        w.entries[i].end = end
        w.entries[i].showing = show(core, w, i, table, g, kind: .update, into: &out) ? .emitted : .hidden
    }

    /// Withdraws a session merged into another: the row its group (group `g` of `table`, the session's
    /// state) showed is retracted and the window forgotten (a session window holds one group).
    func withdraw(_ core: WindowCore, window: Int64, _ table: GroupTable, _ g: Int, into out: inout ResultBatch) {
        guard let w = shown.removeValue(forKey: window), let i = w.find(table.key(g)), w.entries[i].showing == .emitted else { return }
        _ = show(core, w, i, table, g, kind: .retract, into: &out)
    }

    /// Emits group `i`'s shown row of `w` (group `g` of `table`, which gives its key) as `kind`; false
    /// when HAVING rejects it or its cells are all empty. Plain output columns are written straight from
    /// the shown cells, without an aggregate row.
    private func show(_ core: WindowCore, _ w: Shown, _ i: Int, _ table: GroupTable, _ g: Int, kind: EmitKind,
                      into out: inout ResultBatch) -> Bool {
        let n = core.aggKinds.count
        let base = i * n
        let firstAgg = BoundWindowQuery.firstKeySlot + core.keyEvals.count
        if let direct = core.directSlots {
            let first = out.values.count
            for s in direct {
                switch s {
                case BoundWindowQuery.windowStartSlot: out.values.append(.int(w.entries[i].start))
                case BoundWindowQuery.windowEndSlot: out.values.append(.int(w.entries[i].end))
                case BoundWindowQuery.rowNumberSlot: out.values.append(.int(1))
                case BoundWindowQuery.emitKindSlot: out.values.append(WindowEmission.names[Int(kind.rawValue)])
                case ..<firstAgg: out.values.append(table.keyValue(g, s - BoundWindowQuery.firstKeySlot))
                default: out.values.append(w.values[base + s - firstAgg])
                }
            }
            let row = first / max(1, direct.count)
            out.firingStarts.append(row)
            // Exactly one row was added: when every earlier row is marked, its kind is one append
            // (`mark`'s first case, without recounting the batch's rows).
            if out.kinds.count == row { out.kinds.append(kind) } else { out.mark(kind, fromRow: row) }
            return true
        }
        let width = core.q.aggregateRowWidth
        if rowBuffer.slots.count != width { rowBuffer = Row(width: width) }
        rowBuffer.slots[BoundWindowQuery.windowStartSlot] = .int(w.entries[i].start)
        rowBuffer.slots[BoundWindowQuery.windowEndSlot] = .int(w.entries[i].end)
        rowBuffer.slots[BoundWindowQuery.rowNumberSlot] = .int(1)
        rowBuffer.slots[BoundWindowQuery.emitKindSlot] = WindowEmission.names[Int(kind.rawValue)]
        for k in 0..<(firstAgg - BoundWindowQuery.firstKeySlot) { rowBuffer.slots[BoundWindowQuery.firstKeySlot + k] = table.keyValue(g, k) }
        for k in 0..<n { rowBuffer.slots[firstAgg + k] = w.values[base + k] }
        return core.project(rowBuffer, kind: kind, into: &out)
    }

    /// A window that can change no more: its last rows stand.
    func forget(window: Int64) {
        if let w = shown.removeValue(forKey: window) { recycle(w) }
    }

    /// One group's window ended (counting and global windows, which restart per group).
    func forget(window: Int64, key: GroupKey) {
        guard let w = shown[window], let i = w.find(key) else { return }
        w.entries[i].showing = .nothing
    }

    /// Every window ending at or before `end` (time windows whose lateness has passed).
    func forget(endingBy end: Int64) {
        guard !shown.isEmpty else { return }
        for w in shown.keys where w <= end {
            if let gone = shown.removeValue(forKey: w) { recycle(gone) }
        }
    }

    /// Windows whose last rows are kept (for state size).
    var shownWindows: Int { shown.count }
}
