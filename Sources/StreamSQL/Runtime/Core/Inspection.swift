/// What a windowed query holds now and what it waits for: the inspector's answer to "why has nothing
/// fired?" (`Query.inspect()`, `Engine.inspect(query:)`, `SHOW WINDOWS q`, `i` in the dashboard).
///
/// Times are nanoseconds: event times and window bounds since the epoch, durations as differences.
public struct WindowInspection: Sendable, Equatable {
    /// One open window (or session, or counting group) of one key.
    public struct OpenWindow: Sendable, Equatable {
        /// The group key's values, in GROUP BY order (empty without GROUP BY keys).
        public var key: [Value]
        /// Bounds: `[start, end)` for time windows and sessions; first and last row's time for counting
        /// and global windows.
        public var start: Int64
        public var end: Int64
        public var rows: Int
        /// What firing waits for.
        public var due: Due
    }

    public enum Due: Sendable, Equatable {
        /// Event time: fires when the watermark reaches (`strictly: false`) or passes (`strictly: true`,
        /// sessions) `at`; `left` is how far the watermark still has to move (nil before any watermark).
        case watermark(at: Int64, left: Int64?, strictly: Bool)
        /// Processing time: fires when the clock reaches `at`, `left` from now.
        case clock(at: Int64, left: Int64)
        /// A counting window: fires on the group's n-th row.
        case rows(left: Int)
        /// A global window: fires when its trigger holds.
        case trigger

        /// How much time is left, when the firing waits for time.
        public var timeLeft: Int64? {
            switch self {
            case .watermark(_, let l, _): return l
            case .clock(_, let l): return l
            case .rows, .trigger: return nil
            }
        }
    }

    /// The plan's one-line description (EXPLAIN's "plan").
    public var plan: String
    /// GROUP BY key names, for `OpenWindow.key`.
    public var keyNames: [String]
    /// Event time: the field, the watermark (nil before the first row; Int64.max after end of input),
    /// the largest event time seen and the options that move the watermark. Nil fields on processing time.
    public var eventTimeField: String?
    public var watermark: Int64?
    public var maxEventTime: Int64?
    public var outOfOrderness: Int64 = 0
    public var allowedLateness: Int64 = 0
    public var idleTimeout: Int64?
    /// Processing time now, and when the last row arrived (nil before any). `arrivalExact` is false when
    /// rows came since the last stamp (event-time tumbling and sliding windows without IDLETIMEOUT read
    /// the clock for one row in 16): the idle time is then at most `now − lastArrival`.
    public var now: Int64
    public var lastArrival: Int64?
    public var arrivalExact = true
    /// The open windows, firing order first (at most `limit` of `openCount`).
    public var open: [OpenWindow]
    public var openCount: Int

    /// The window that fires next (the first of `open`), if any waits for time or rows.
    public var next: OpenWindow? { open.first }

    /// Processing time since the last row.
    public var idle: Int64? {
        lastArrival.map { a in
            let (d, o) = now.subtractingReportingOverflow(a)
            return o ? (a > now ? Int64.min : Int64.max) : d
        }
    }
}

/// An operator that can say what it holds and waits for (window operators; a join forwards to its input).
protocol InspectableOperator {
    /// At most `limit` open windows, in firing order.
    func inspect(limit: Int) -> WindowInspection?
}

extension Query {
    /// What this query's windows hold and wait for now; nil for a query without windows.
    /// - Complexity: O(open windows × keys) under the query's lock (it pauses the query that long).
    public func inspect(limit: Int = 200) -> WindowInspection? {
        withLock { (op as? InspectableOperator)?.inspect(limit: limit) ?? nil }
    }
}
