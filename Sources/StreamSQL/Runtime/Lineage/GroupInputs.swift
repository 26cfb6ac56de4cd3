/// The inputs of each group of a window's group table while lineage is on: group g's rows in
/// arrival order, the first `cap` kept and the rest counted. A window that merges tables (a sliding
/// window's panes, sessions bridged by a row) merges these lists the same way.
final class GroupInputs {
    let recorder: LineageRecorder
    private var cap: Int { recorder.limits.inputsPerResult }
    private(set) var lists: [[LineageInput]] = []
    private(set) var dropped: [Int] = []

    init(recorder: LineageRecorder) { self.recorder = recorder }

    private func ensure(_ g: Int) {
        while lists.count <= g { lists.append([]); dropped.append(0) }
    }

    func add(_ g: Int, _ row: Row) {
        ensure(g)
        if lists[g].count < cap { lists[g].append(recorder.input(row, role: "window")) } else { dropped[g] += 1 }
    }

    /// Appends group `h` of `other` to group `g`.
    func merge(_ g: Int, from other: GroupInputs, _ h: Int) {
        ensure(g)
        guard h < other.lists.count else { return }
        let theirs = other.lists[h]
        let room = max(0, cap - lists[g].count)
        lists[g].append(contentsOf: theirs.prefix(room))
        dropped[g] += other.dropped[h] + max(0, theirs.count - room)
    }

    func reset(_ g: Int) {
        guard g < lists.count else { return }
        lists[g].removeAll()
        dropped[g] = 0
    }

    func removeAll() {
        lists.removeAll(keepingCapacity: true)
        dropped.removeAll(keepingCapacity: true)
    }

    func inputs(_ g: Int) -> ([LineageInput], Int) { g < lists.count ? (lists[g], dropped[g]) : ([], 0) }
}
