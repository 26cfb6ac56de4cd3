/// The window of a grouped query.
public enum WindowKind: Sendable, Equatable {
    case tumbling(size: Int64)
    case sliding(size: Int64, slide: Int64)
    case counting(Int)
    /// `CountingWindow(n, m)`: the last n rows of a group, every m-th row once n have arrived.
    case countingEvery(size: Int, every: Int)
    /// `SessionWindow(gap[, max])`: a session never crosses a multiple of `maxDuration` (as eKuiper checks
    /// its maximum duration at t = 0, max, 2·max, …).
    case session(gap: Int64, maxDuration: Int64?)
    /// `StateWindow(begin, end)`: per group, from a row where `begin` holds to the next row where `end` holds.
    case state
    /// `SlidingWindow(size) OVER (WHEN cond)`: per row where cond holds, its group over the `size` before it.
    case slidingOnRows(size: Int64)
    case global

    public var name: String {
        switch self {
        case .tumbling: return "TumblingWindow"
        case .sliding, .slidingOnRows: return "SlidingWindow"
        case .counting, .countingEvery: return "CountingWindow"
        case .state: return "StateWindow"
        case .session: return "SessionWindow"
        case .global: return "GLOBAL WINDOW"
        }
    }
}

/// When a window's results leave it (the `EMIT` clause).
public enum EmitPolicy: Sendable, Equatable {
    /// No EMIT clause: the result when the window closes, and again for each row that arrives within
    /// ALLOWEDLATENESS (the reference's behaviour).
    case onClose
    /// `EMIT FINAL`: one result per window, held until the window's lateness has passed.
    case final
    /// `EMIT CHANGES`: a group's new result whenever its row changes, after a retraction of its previous one.
    case changes
    /// `EMIT EVERY d`: the current result of every open window each time the window's time crosses a
    /// multiple of d (nanoseconds), then the final result when it closes.
    case every(Int64)
}

/// Time settings from `WITH (…)`. Durations are nanoseconds.
public struct TimeOptions: Sendable, Equatable {
    /// Event time: the slot of the timestamp field and the unit of numeric timestamps (ns per unit).
    /// nil means processing time.
    public var eventTimeSlot: Int?
    public var eventTimeField: String?
    public var unitNanos: Int64 = 1_000_000
    public var maxOutOfOrderness: Int64 = 0
    public var allowedLateness: Int64 = 0
    public var idleTimeout: Int64?
    public var stateTTL: Int64?
}

/// The bound form of a grouped or windowed query.
///
/// Aggregation produces, per group and window, an *aggregate row* whose slots are
/// `[window_start, window_end, row_number, emit_kind, group keys…, aggregates…]`; the projections, HAVING, ORDER BY and the
/// global window's trigger are ordinary bound expressions over that row, compiled by the same compiler
/// as row queries.
public struct BoundWindowQuery: Sendable {
    public static let windowStartSlot = 0
    public static let windowEndSlot = 1
    /// `row_number()`: the row's position in its window firing (from 1).
    public static let rowNumberSlot = 2
    /// `emit_kind()`: 'final', 'early', 'update' or 'retract'.
    public static let emitKindSlot = 3
    public static let firstKeySlot = 4

    public var window: WindowKind
    /// True when the query has aggregates but no window: the reference's default 10-second tumbling window.
    public var implicitWindow: Bool
    public var time: TimeOptions
    public var emit: EmitPolicy = .onClose
    public var filter: BoundExpr?
    public var groupKeys: [BoundExpr]
    public var groupKeyNames: [String]
    public var aggregates: [(kind: AggregateKind, argument: BoundExpr?)]
    /// Per aggregate: its FILTER (WHERE …) condition over input rows, if any.
    public var aggregateFilters: [BoundExpr?] = []
    public var trigger: BoundExpr?
    /// Conditions over input rows that drive the window: StateWindow's begin and end, or the WHEN of
    /// `SlidingWindow(…) OVER (WHEN …)`.
    public var windowConditions: [BoundExpr] = []
    public var schema: ResultSchema
    public var projections: [BoundExpr]
    public var having: BoundExpr?
    public var orderBy: [(expr: BoundExpr, descending: Bool)]
    public var limit: Int?
    public var distinct: Bool
    /// Analytic calls over aggregate rows (state carried across windows, partitioned by the keys).
    public var analytics: [BoundAnalyticCall] = []
    public var joins: [BoundJoin] = []

    public var aggregateRowWidth: Int { BoundWindowQuery.firstKeySlot + groupKeys.count + aggregates.count }
}

/// Aggregates and group keys found while binding the expressions of a grouped query.
final class AggregateScope {
    let keyCanonicals: [String]
    let keyNames: [String]
    var aggregateCanonicals: [String] = []
    var aggregates: [(kind: AggregateKind, argument: BoundExpr?)] = []
    var aggregateFilters: [BoundExpr?] = []
    /// In HAVING and ORDER BY, a bare name may be a SELECT alias.
    var aliases: [String: Expr] = [:]
    var aliasDepth = 0

    init(keyCanonicals: [String], keyNames: [String]) {
        self.keyCanonicals = keyCanonicals
        self.keyNames = keyNames
    }
}
