import DequeModule
import OrderedCollections
import Synchronization

/// A row an event-time window dropped because every window it belongs to had closed: the row's fields,
/// its event time and the watermark when it arrived (nanoseconds since the epoch), and its arrival in
/// processing time.
public struct LateRow: Sendable, Equatable {
    public var fields: OrderedDictionary<String, Value>
    public var eventTime: Int64
    public var watermark: Int64
    public var arrived: Int64
}

/// A line or event that did not become a row: its text (the raw line, or the event as JSON; nil when the
/// reader could not keep it), the file and line it came from when it came from a file, and why.
public struct RejectedLine: Sendable, Equatable {
    public var text: String?
    public var file: String?
    public var line: Int?
    public var reason: String
    public init(text: String?, file: String? = nil, line: Int? = nil, reason: String) {
        self.text = text; self.file = file; self.line = line; self.reason = reason
    }
    /// `file:line: reason`, as the batch modes print rejections.
    public var place: String {
        switch (file, line) {
        case let (f?, l?): return "\(f):\(l)"
        case let (nil, l?): return "line \(l)"
        case let (f?, nil): return f
        default: return ""
        }
    }
}

/// Where a record came from in a file (for `RejectedLine`).
public struct LineOrigin: Sendable {
    public var file: String?
    public var line: Int
    public init(file: String?, line: Int) { self.file = file; self.line = line }
}

/// The last few rows diverted from a query or stream (late rows, rejected lines), for the inspector, and
/// the receiver that turns them into a system stream (`q.late`, `s.rejected`) while one is read.
///
/// Only the diverting path pays for it (a lock and a copy per late or rejected row); rows that go through
/// never touch it.
public final class DiversionLog<Item: Sendable>: Sendable {
    /// How many of the latest items are kept.
    public static var keep: Int { 50 }
    private struct State {
        var recent = Deque<Item>()
        var receiver: (@Sendable (Item) -> Void)?
    }
    private let state = Mutex(State())

    public init() {}

    func record(_ item: Item) {
        let receiver = state.withLock { s -> (@Sendable (Item) -> Void)? in
            s.recent.append(item)
            if s.recent.count > DiversionLog.keep { s.recent.removeFirst() }
            return s.receiver
        }
        receiver?(item)
    }

    /// The latest items, oldest first.
    public var recent: [Item] { state.withLock { Array($0.recent) } }

    /// Hands every later item to `receiver` too (on the thread that diverted it); nil stops.
    func setReceiver(_ receiver: (@Sendable (Item) -> Void)?) { state.withLock { $0.receiver = receiver } }
}

extension Counters {
    /// Counts a late row and keeps it (with its fields named by `rowLayout`) for the inspector and `q.late`.
    func late(_ row: Row, eventTime: Int64, watermark: Int64, arrived: Int64) {
        late.add(1, ordering: .relaxed)
        lateRows.record(LateRow(fields: fields(of: row), eventTime: eventTime, watermark: watermark, arrived: arrived))
    }

    /// Counts a rejection with its reason and keeps what was rejected, for the inspector and `s.rejected`.
    func reject(_ line: RejectedLine) {
        reject(line.reason)
        rejectedLines.record(line)
    }

    /// Counts a row a query refused (an invalid event time, the group limit) and keeps it as JSON.
    func reject(_ reason: String, row: Row) {
        reject(RejectedLine(text: JSONWriter.string(object: fields(of: row)), reason: reason))
    }

    /// A row's fields by name: the whole event when the row keeps it, else its non-NULL slots.
    func fields(of row: Row) -> OrderedDictionary<String, Value> {
        if let w = row.whole { return w }
        let names = rowLayout.withLock { $0 }.names
        var o = OrderedDictionary<String, Value>()
        for i in 0..<min(names.count, row.slots.count) where !row.slots[i].isNull { o[names[i]] = row.slots[i] }
        return o
    }
}
