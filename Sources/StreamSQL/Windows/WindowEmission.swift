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
    }

    var changes: Bool { policy == .changes }
    /// Whether closing a window emits its rows (EMIT CHANGES has shown them already, row by row).
    var emitsOnClose: Bool { policy != .changes }
    /// Whether a row arriving within ALLOWEDLATENESS re-emits its closed windows (EMIT FINAL held them).
    var refiresLate: Bool { policy == .onClose || { if case .every = policy { return true } else { return false } }() }

    /// How far windows may close when the window's time (watermark or clock) is `limit`.
    @inline(__always) func fireLimit(_ limit: Int64) -> Int64 { TimeMath.sub(limit, holdBack) }

    // MARK: EMIT EVERY

    private var nextEarly: Int64?

    /// True when the window's time reached the next multiple of EMIT EVERY's interval (then the one after
    /// is next: a jump over several intervals fires once).
    func earlyDue(_ limit: Int64) -> Bool {
        guard case .every(let d) = policy, limit != Int64.min, limit < Int64.max - d else { return false }
        let next = (TimeMath.floorDiv(limit, d) + 1) * d
        guard let due = nextEarly else { nextEarly = next; return false }
        guard limit >= due else { return false }
        nextEarly = next
        return true
    }

    // MARK: EMIT CHANGES

    private struct Shown {
        var row: ContiguousArray<Value>
        /// Whether the row passed HAVING and was emitted (only then is there something to retract).
        var emitted: Bool
    }
    /// Per window (its end, or a session's id) and group: the aggregate row last shown.
    private var shown: [Int64: [GroupKey: Shown]] = [:]

    /// After a row changed `key`'s group in window `window`: when its aggregate row differs from the one
    /// last shown, the previous row again as a retraction, then the new one as an update.
    func change(_ core: WindowCore, _ table: GroupTable, _ g: Int, window: Int64, start: Int64, end: Int64,
                into out: inout ResultBatch) {
        let row = core.aggregateRow(table, g, start: .int(start), end: .int(end), kind: .update)
        let key = table.key(g)
        let before = shown[window]?[key]
        if let before, before.row.elementsEqual(row.slots) { return }
        if let before, before.emitted { retract(core, before.row, into: &out) }
        let emitted = core.project(row, kind: .update, into: &out)
        shown[window, default: [:]][key] = Shown(row: row.slots, emitted: emitted)
    }

    /// Withdraws what `key` showed in `window` (a session merged into another), forgetting it.
    func withdraw(_ core: WindowCore, window: Int64, key: GroupKey, into out: inout ResultBatch) {
        guard let before = shown[window]?.removeValue(forKey: key) else { return }
        if shown[window]?.isEmpty == true { shown[window] = nil }
        if before.emitted { retract(core, before.row, into: &out) }
    }

    private func retract(_ core: WindowCore, _ slots: ContiguousArray<Value>, into out: inout ResultBatch) {
        var old = Row(width: slots.count)
        old.slots = slots
        old.slots[BoundWindowQuery.emitKindSlot] = WindowEmission.names[Int(EmitKind.retract.rawValue)]
        _ = core.project(old, kind: .retract, into: &out)
    }

    /// A window that can change no more: its last rows stand.
    func forget(window: Int64) { shown[window] = nil }

    /// One group's window ended (counting and global windows, which restart per group).
    func forget(window: Int64, key: GroupKey) {
        shown[window]?[key] = nil
    }

    /// Every window ending at or before `end` (time windows whose lateness has passed).
    func forget(endingBy end: Int64) {
        guard !shown.isEmpty else { return }
        for w in shown.keys where w <= end { shown[w] = nil }
    }

    /// Windows whose last rows are kept (for state size).
    var shownWindows: Int { shown.count }
}
