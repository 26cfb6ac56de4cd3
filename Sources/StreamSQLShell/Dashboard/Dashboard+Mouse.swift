import Foundation

/// A mouse event the dashboard acts on (the shim reports presses of the left button and the wheel).
enum MouseEvent: Equatable {
    case press, wheelUp, wheelDown

    /// The shim's code: 1 press, 2 wheel up, 3 wheel down.
    init?(kind: Int32) {
        switch kind {
        case 1: self = .press
        case 2: self = .wheelUp
        case 3: self = .wheelDown
        default: return nil
        }
    }
}

/// Tells a double click from two clicks: a second press on the same line of the same pane within
/// `interval` seconds. Curses' own click grouping is off (it would delay every click by its interval).
struct ClickTracker {
    static let interval = 0.4
    private var last: (x: Int, y: Int, time: Double)?

    /// Whether a press at (x, y) at `time` completes a double click.
    mutating func press(x: Int, y: Int, time: Double) -> Bool {
        guard let l = last, l.y == y, abs(l.x - x) <= 2, time >= l.time, time - l.time <= ClickTracker.interval else {
            last = (x, y, time)
            return false
        }
        // A third press starts a new click.
        last = nil
        return true
    }
}

extension Dashboard {
    /// Rows the wheel moves per notch.
    static let wheelRows = 3

    /// Handles a mouse event at (x, y): a press on a scenario tab switches to it, on a pane focuses it and
    /// selects the row under it (a double press opens the row, as Enter does); the wheel scrolls the help,
    /// the detail view, or the rows of the pane under the pointer. Returns false to leave (never, today).
    func handleMouse(_ event: MouseEvent, x: Int, y: Int, time: Double) -> Bool {
        let notch = event == .wheelUp ? -Dashboard.wheelRows : Dashboard.wheelRows
        if var h = help {
            if event != .press { h.scroll(notch); help = h }
            return true
        }
        if var d = detail {
            if event != .press { d.top = max(0, d.top + notch); detail = d }
            return true
        }
        if filtering { filtering = false }
        if event == .press, let tab = tabs.first(where: { y == 1 && x >= $0.x && x < $0.x + $0.w }) {
            if tab.group != group { group = tab.group; focus = 0; zoomed = false }
            return true
        }
        let ps = groupPanes
        guard let hit = paneRects.first(where: { x >= $0.rect.x && x < $0.rect.x + $0.rect.w && y >= $0.rect.y && y < $0.rect.y + $0.rect.h }),
              ps.indices.contains(hit.index) else { return true }
        let p = ps[hit.index]
        focus = hit.index
        switch event {
        case .wheelUp, .wheelDown:
            if p.listsRows { p.moveCursor(by: notch) }
        case .press:
            let double = clicks.press(x: x, y: y, time: time)
            if let row = p.rowAt[y] {
                p.cursor.index = row
                p.cursor.id = nil
                p.moveCursor(by: 0)
            }
            // The second press opens the row (or zooms the pane) through the same path as Enter.
            if double { return handle(13) }
        }
        return true
    }
}
