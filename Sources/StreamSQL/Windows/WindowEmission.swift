/// The runtime half of `EmitPolicy`, shared by every window kind: when a window may fire, when early
/// results are due, and (EMIT CHANGES) the last row each group showed, so its retraction repeats it exactly.
///
/// Window operators ask it three things: `fireLimit(_:)` (how far windows may close), `earlyDue(_:)`
/// (whether EMIT EVERY's next early firing is due), and `change(…)` after a row changed a group.
///
/// - Complexity: EMIT CHANGES costs one aggregate row, one or two projections and one dictionary
///   lookup per row; the other policies cost nothing per row.
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

    /// One window's last shown rows: per group (in `index` order), the window bounds and the aggregates
    /// (`stride` values; the keys are the index's, the other slots constants), flat so that a change
    /// rewrites them in place instead of allocating a row per event.
    private final class Shown {
        let index = KeyMap<Void>()
        var values: [Value] = []
        /// Per group: whether its row passed HAVING and was emitted (only then is there something to retract).
        var emitted: [Bool] = []
        /// Groups whose window ended or was merged away: their row is no longer shown.
        var gone: [Bool] = []

        /// Empties it for another window, keeping the arrays' capacity.
        func clear() {
            index.removeAll()
            values.removeAll(keepingCapacity: true)
            emitted.removeAll(keepingCapacity: true)
            gone.removeAll(keepingCapacity: true)
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
    /// The row a retraction re-projects, refilled in place.
    private var retraction = Row(width: 0)

    /// Which aggregate-row slots a shown row keeps: the bounds and the aggregates.
    @inline(__always) private func kept(_ width: Int, _ keys: Int) -> (stride: Int, firstAgg: Int) {
        let firstAgg = BoundWindowQuery.firstKeySlot + keys
        return (2 + width - firstAgg, firstAgg)
    }

    /// After a row changed `key`'s group in window `window`: when its aggregate row differs from the one
    /// last shown, the previous row again as a retraction, then the new one as an update.
    func change(_ core: WindowCore, _ table: GroupTable, _ g: Int, window: Int64, start: Int64, end: Int64,
                into out: inout ResultBatch) {
        let row = core.aggregateRow(table, g, start: .int(start), end: .int(end), kind: .update)
        let (stride, firstAgg) = kept(row.slots.count, core.keyEvals.count)
        let w = rows(of: window)
        let key = table.key(g)
        guard let i = w.index.position(of: key) else {
            _ = w.index.append(key, ())
            w.values.append(row.slots[0]); w.values.append(row.slots[1])
            for k in firstAgg..<row.slots.count { w.values.append(row.slots[k]) }
            w.emitted.append(core.project(row, kind: .update, into: &out))
            w.gone.append(false)
            return
        }
        let base = i * stride
        let same = w.values.withUnsafeBufferPointer { old -> Bool in
            guard old[base] == row.slots[0], old[base + 1] == row.slots[1] else { return false }
            for k in 0..<(stride - 2) where old[base + 2 + k] != row.slots[firstAgg + k] { return false }
            return true
        }
        if !w.gone[i] {
            if same { return }
            if w.emitted[i] { retract(core, w, i, stride: stride, width: row.slots.count, firstAgg: firstAgg, into: &out) }
        }
        w.values.withUnsafeMutableBufferPointer { v in
            v[base] = row.slots[0]; v[base + 1] = row.slots[1]
            for k in 0..<(stride - 2) { v[base + 2 + k] = row.slots[firstAgg + k] }
        }
        w.emitted[i] = core.project(row, kind: .update, into: &out)
        w.gone[i] = false
    }

    /// Withdraws a session merged into another: the row its group showed is retracted and the window
    /// forgotten (a session window holds one group).
    func withdraw(_ core: WindowCore, window: Int64, key: GroupKey, into out: inout ResultBatch) {
        guard let w = shown.removeValue(forKey: window), let i = w.index.position(of: key), !w.gone[i], w.emitted[i] else { return }
        let width = core.q.aggregateRowWidth
        let (stride, firstAgg) = kept(width, core.keyEvals.count)
        retract(core, w, i, stride: stride, width: width, firstAgg: firstAgg, into: &out)
    }

    /// Group `i`'s shown row of `w` again, marked retract.
    private func retract(_ core: WindowCore, _ w: Shown, _ i: Int, stride: Int, width: Int, firstAgg: Int,
                         into out: inout ResultBatch) {
        if retraction.slots.count != width { retraction = Row(width: width) }
        let base = i * stride
        retraction.slots[0] = w.values[base]
        retraction.slots[1] = w.values[base + 1]
        retraction.slots[BoundWindowQuery.rowNumberSlot] = .int(1)
        retraction.slots[BoundWindowQuery.emitKindSlot] = WindowEmission.names[Int(EmitKind.retract.rawValue)]
        let key = w.index.key(at: i)
        for k in 0..<(firstAgg - BoundWindowQuery.firstKeySlot) { retraction.slots[BoundWindowQuery.firstKeySlot + k] = key.value(k) }
        for k in 0..<(stride - 2) { retraction.slots[firstAgg + k] = w.values[base + 2 + k] }
        _ = core.project(retraction, kind: .retract, into: &out)
    }

    /// A window that can change no more: its last rows stand.
    func forget(window: Int64) {
        if let w = shown.removeValue(forKey: window) { recycle(w) }
    }

    /// One group's window ended (counting and global windows, which restart per group).
    func forget(window: Int64, key: GroupKey) {
        guard let w = shown[window], let i = w.index.position(of: key) else { return }
        w.gone[i] = true
        w.emitted[i] = false
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
