import Foundation
import OrderedCollections
import StreamSQL

/// The value cursor of a sparkline or bars pane (← → while it has the focus): it reads out the exact value
/// under it and its time (the row's window end or timestamp), or for bars the key. On a sparkline it marks
/// one point and stays on that point while new ones arrive; on bars it is the row cursor, moved bar by bar.
struct ValueCursor {
    /// The point under the cursor, numbered from the first point the reference series ever received
    /// (so that it stays put while the line scrolls); nil while off.
    var point: Int?
    /// The series the points are counted in: the only one, or the first key line shown.
    var reference: String?
    /// Points the reference line showed at the last frame.
    var width = 0
}

extension Pane {
    /// Whether ← → move a value cursor in this pane.
    var hasValueCursor: Bool { spec.widget == .sparkline || spec.widget == .bars }

    /// Moves the value cursor `delta` points (bars: bars); the first move selects the newest point.
    func moveValueCursor(by delta: Int) {
        if spec.widget == .bars { moveCursor(by: delta); return }
        guard let ref = valueCursor.reference, let total = seriesTotal[ref], let count = series[ref]?.count, total > 0 else { return }
        let newest = total - 1
        let oldest = total - min(count, max(1, valueCursor.width))
        let p = valueCursor.point.map { $0 + delta } ?? newest
        valueCursor.point = max(oldest, min(newest, p))
    }

    /// How many points before the reference line's newest the cursor is, clamped to what `shown` points
    /// allow; nil while the cursor is off.
    func pointsBack(shown: Int) -> Int? {
        guard let p = valueCursor.point, let ref = valueCursor.reference, let total = seriesTotal[ref] else { return nil }
        return max(0, min(shown - 1, total - 1 - p))
    }

    /// Takes the rows newer than the last frame's into the series (one per key, or one for the column),
    /// with each point's time.
    func takeSeries(_ rows: [PaneFeed.Entry], value col: String, key: String?, history: Int) {
        let now = Date()
        for e in rows where e.seq > lastSeq {
            guard let n = e.row.path(col).number else { continue }
            let k = key.map { e.row.path($0).cellText } ?? col
            var s = series[k, default: []], t = seriesTimes[k, default: []]
            s.append(n)
            t.append(Pane.pointTime(e, arrived: now))
            if s.count > history { s.removeFirst(s.count - history); t.removeFirst(t.count - history) }
            series[k] = s
            seriesTimes[k] = t
            seriesTotal[k, default: 0] += 1
        }
    }

    /// The time of a row for a read-out: its window end, window start or timestamp (or any timestamp
    /// value) as a readable time, else when the dashboard took it in (wall clock) and its place in the feed.
    static func pointTime(_ e: PaneFeed.Entry, arrived: Date? = nil) -> String {
        for name in ["window_end", "window_start", "timestamp", "ts", "event_time", "time"] {
            let v = e.row.path(name)
            if v == .null { continue }
            if let ns = TimeParse.nanos(v) { return TimeFormat.iso8601(nanos: ns).replacingOccurrences(of: "T", with: " ") }
            let text = DetailView.text(name, v)
            return text.components(separatedBy: "  (").first ?? text
        }
        if let (name, v) = e.row.first(where: { if case .timestamp = $0.value { return true } else { return false } }) {
            return DetailView.text(name, v)
        }
        guard let arrived else { return "row \(e.seq)" }
        let wall = TimeFormat.iso8601(nanos: Int64(arrived.timeIntervalSince1970 * 1e9))
        return "row \(e.seq), arrived \(wall.dropFirst(11).prefix(8))"
    }

    /// A number in full (no rounding): whole numbers without decimals.
    static func exact(_ v: Double) -> String {
        if v == v.rounded() && abs(v) < 1e15 { return String(Int64(v)) }
        return "\(v)"
    }

    /// The read-out of the bar under the cursor: its key and exact value, then its time.
    func barReadout(_ e: PaneFeed.Entry, key: String, value col: String) -> (head: String, time: String) {
        let v = e.row.path(col)
        let text = v.number.map(Pane.exact) ?? v.cellText
        return ("◆ \(key) \(e.row.path(key).cellText) = \(text)", "at \(Pane.pointTime(e))")
    }
}
