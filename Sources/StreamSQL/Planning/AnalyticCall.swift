/// An analytic function call after binding: which function, its arguments, and its `OVER` clause.
public struct BoundAnalyticCall: Sendable {
    public enum Kind: String, Sendable {
        case lag, latest, hadChanged = "had_changed", changedCol = "changed_col", changedCols = "changed_cols"
        case accSum = "acc_sum", accMax = "acc_max", accMin = "acc_min", accCount = "acc_count", accAvg = "acc_avg"
        case accStddev = "acc_stddev", firstSeen = "first_seen", recentCount = "recent_count"
        case recentCollect = "recent_collect"
    }
    public var kind: Kind
    /// The value arguments (lag's value; had_changed's, changed_col(s)' and acc_*'s watched values).
    public var values: [BoundExpr]
    /// Output names of changed_cols' values (prefix applied).
    public var names: [String]
    /// `*`: the whole event (had_changed, changed_cols).
    public var wholeEvent: Bool
    public var ignoreNull: Bool
    public var lagOffset: Int
    /// recent_count's time span in nanoseconds.
    public var spanNanos: Int64 = 0
    public var lagDefault: BoundExpr?
    /// acc_*'s start and reset conditions.
    public var start: BoundExpr?
    public var reset: BoundExpr?
    public var partitionBy: [BoundExpr]
    public var when: BoundExpr?
    /// The call appears in WHERE: it sees every row, before the filter.
    public var inWhere: Bool
}

/// Analytic calls collected while binding a query.
final class AnalyticScope {
    var calls: [BoundAnalyticCall] = []
    var inWhere = false
    var nesting = 0
    /// Partition used when OVER has no PARTITION BY (a grouped query's keys).
    var defaultPartition: [BoundExpr] = []
}
