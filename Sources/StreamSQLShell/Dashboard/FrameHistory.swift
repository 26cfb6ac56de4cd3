/// The frames the dashboard keeps for stepping back while paused, per pane group (scenario): stepping
/// back in one scenario never shows another's panes under its header, and switching scenario while paused
/// shows the frames of the one switched to.
struct FrameHistory {
    /// Frames kept per group.
    static let limit = 100
    private var frames: [Int: [Frame]] = [:]
    private var index: [Int: Int] = [:]

    /// Keeps a live frame of `group` (the oldest goes past the limit) and points at it.
    mutating func record(_ f: Frame, group: Int) {
        var list = frames[group, default: []]
        list.append(f)
        if list.count > FrameHistory.limit { list.removeFirst(list.count - FrameHistory.limit) }
        frames[group] = list
        index[group] = list.count - 1
    }

    /// Frames kept for `group`.
    func count(group: Int) -> Int { frames[group]?.count ?? 0 }

    /// The place of the frame shown for `group` (0 is the oldest).
    func position(group: Int) -> Int { min(index[group] ?? 0, max(0, count(group: group) - 1)) }

    /// The frame shown for `group` while paused, if it has any.
    func current(group: Int) -> Frame? {
        guard let list = frames[group], !list.isEmpty else { return nil }
        return list[position(group: group)]
    }

    /// Steps `delta` frames (negative: back), staying within the group's frames.
    mutating func step(_ delta: Int, group: Int) {
        let n = count(group: group)
        guard n > 0 else { return }
        let p = position(group: group)
        index[group] = delta < 0 ? max(0, p - min(-delta, p)) : min(n - 1, p + min(delta, n - 1 - p))
    }

    /// Points every group at its newest frame (on pausing).
    mutating func toNewest() {
        for (g, list) in frames { index[g] = list.count - 1 }
    }
}
