/// Lineage in the catalog: `SET lineage = on|off`, `EXPLAIN ROW query n`, and the recorders of queries
/// that recorded it (kept after they stop, so the last results of a finished query can still be asked
/// about).
extension Engine {
    /// The lineage of query `name` (running or among the last stopped that recorded it), or nil.
    public func lineage(ofQuery name: String) -> LineageRecorder? {
        lock.withLock { namedQueries[name.lowercased()]?.lineage ?? lineageRecorders[name.lowercased()] }
    }

    /// Called when a query that records lineage starts.
    func keepLineage(_ r: LineageRecorder) {
        lock.withLock {
            lineageRecorders[r.query.lowercased()] = r
            if lineageRecorders.count > Engine.keptLineageRecorders { lineageRecorders.removeFirst() }
        }
    }

    static let keptLineageRecorders = 64

    /// The names of a stream's slots, in slot order (for showing the rows lineage kept).
    func slotNames(ofStream name: String) -> [String] {
        lock.withLock { streams[name.lowercased()]?.layout.names ?? [] }
    }

    /// A result row and its inputs as a table, for `EXPLAIN ROW` and the front ends.
    public func lineageTable(_ record: LineageRecord) -> LineageTable {
        LineageTable(record) { slotNames(ofStream: $0) }
    }

    /// `EXPLAIN ROW query n`.
    func explainRow(_ name: String, n: Int, range: SourceRange, sql: String) throws(StreamSQLError) -> StatementResult {
        guard let r = lineage(ofQuery: name) else {
            let running = lock.withLock { namedQueries[name.lowercased()] != nil }
            if running {
                throw StreamSQLError(.plan, "query \(name) does not record lineage: it started before SET lineage = on; start it again after",
                                     at: range, in: sql)
            }
            let known = lock.withLock { Array(namedQueries.keys) + Array(lineageRecorders.keys) }
            throw StreamSQLError(.catalog, "unknown query \(name)", at: range, in: sql, suggestions: closestNames(to: name, in: known))
        }
        guard let record = r.record(latest: n) else {
            let kept = r.count
            return .message(kept == 0 ? "query \(name) has produced no result yet"
                            : "query \(name) keeps the inputs of its latest \(kept) result\(kept == 1 ? "" : "s"); there is no result \(n)")
        }
        let t = lineageTable(record)
        return .table(columns: t.columns, rows: t.rows)
    }

    /// `SET name = value`.
    func set(_ name: String, _ value: String, range: SourceRange, sql: String) throws(StreamSQLError) -> StatementResult {
        switch name.lowercased() {
        case "lineage":
            let on: Bool
            switch value.lowercased() {
            case "on", "true", "1": on = true
            case "off", "false", "0": on = false
            default: throw StreamSQLError(.plan, "SET lineage takes on or off, not '\(value)'", at: range, in: sql)
            }
            updateOptions { $0.lineage = on }
            return .message(on ? "lineage on: queries started from now keep the inputs of their latest \(options.lineageLimits.results) results (EXPLAIN ROW query n, .why query n)"
                            : "lineage off for queries started from now")
        default:
            throw StreamSQLError(.plan, "unknown setting \(name) (SET lineage = on|off)", at: range, in: sql, suggestions: closestNames(to: name, in: ["lineage"]))
        }
    }
}
