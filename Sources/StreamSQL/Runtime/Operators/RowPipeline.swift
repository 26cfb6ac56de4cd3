import OrderedCollections

/// The row-at-a-time pipeline: WHERE, projection (with `unnest` expansion), per-event ORDER BY,
/// DISTINCT and LIMIT.
///
/// - Complexity: O(projections) per event; no allocation per event beyond the output values
///   (DISTINCT adds one hash of the output row).
final class RowPipeline: QueryOperator {
    let schema: ResultSchema
    private let filter: Condition?
    private let projections: [Column]
    private let unnestColumn: Int?
    private let order: [(column: Int, descending: Bool)]
    private var remaining: Int?
    private var distinct: DistinctMemory?
    private let counters: Counters
    private let analytics: AnalyticRunner?
    private let suppressEmpty: Bool
    /// With joins, the event whose analytic values were computed last: analytic functions advance once
    /// per event (on its first matched combination that reaches them), not once per matched table row.
    private let joins: JoinRows?
    private var whereAnalyticsFor = -1
    private var selectAnalyticsFor = -1

    /// Lineage on: result rows also name the previous rows lag / had_changed compared with.
    private let lineage: LineageRecorder?

    init(_ q: BoundRowQuery, distinctCap: Int, maxPartitions: Int, counters: Counters, joins: JoinRows? = nil,
         lineage: LineageRecorder? = nil) {
        self.lineage = lineage
        let store = q.analytics.isEmpty ? nil : AnalyticValues(count: q.analytics.count)
        let compiler = ExpressionCompiler(analytics: store, joins: joins)
        analytics = store == nil ? nil : AnalyticRunner(q.analytics, compiler: compiler, maxPartitions: maxPartitions, counters: counters)
        suppressEmpty = q.schema.suppressesEmptyRows
        schema = q.schema
        filter = q.filter.map(compiler.condition)
        projections = q.projections.map(compiler.column)
        unnestColumn = q.unnestColumn
        order = q.orderBy
        remaining = q.limit
        distinct = q.distinct ? DistinctMemory(capacity: distinctCap) : nil
        self.counters = counters
        self.joins = joins
        if lineage != nil { analytics?.keepPreviousRows() }
    }

    var explain: String {
        var parts = ["row-at-a-time"]
        if filter != nil { parts.append("filter") }
        parts.append("project \(projections.count) column\(projections.count == 1 ? "" : "s")")
        if unnestColumn != nil { parts.append("unnest") }
        if distinct != nil { parts.append("distinct (remembers \(distinct!.capacity) rows)") }
        if let r = remaining { parts.append("limit \(r)") }
        return parts.joined(separator: ", ")
    }

    var stateSize: StateSize { StateSize(groups: analytics?.partitions ?? 0, bufferedRows: distinct?.count ?? 0) }

    func process(_ row: Row, into out: inout ResultBatch) -> Bool {
        if let r = remaining, r <= 0 { return false }
        if let analytics {
            // The reference's order (stream.applyWhereAndAnalytic): when WHERE calls an analytic function,
            // every analytic call, the select list's too, advances on every row before the filter; otherwise
            // the select list's calls see only the rows that pass WHERE.
            let event = joins?.event ?? -1
            let early = analytics.hasWhereCalls
            if event < 0 || whereAnalyticsFor != event {
                analytics.run(row, inWhere: true)
                if early { analytics.run(row, inWhere: false) }
                whereAnalyticsFor = event
            }
            if let filter, !filter(row) { return true }
            if !early && (event < 0 || selectAnalyticsFor != event) {
                analytics.run(row, inWhere: false)
                selectAnalyticsFor = event
            }
        } else if let filter, !filter(row) {
            return true
        }
        let firstRow = out.values.count
        if let u = unnestColumn {
            guard case .array(let elements) = projections[u](row) else { return true }  // NULL or not an array: no rows
            var fixed: [Value] = []
            fixed.reserveCapacity(projections.count)
            for (i, p) in projections.enumerated() { fixed.append(i == u ? .null : p(row)) }
            for e in elements {
                fixed[u] = e
                out.values.append(contentsOf: fixed)
                if !admitLastRow(&out) { break }
            }
        } else {
            for k in projections.indices { out.values.append(projections[k](row)) }
            _ = admitLastRow(&out)
        }
        if !order.isEmpty { sortRows(&out, from: firstRow) }
        if let lineage, joins == nil, let analytics, out.values.count > firstRow {
            let previous = analytics.previousRows.map { lineage.input($0.row, role: "previous", marks: ["\($0.function)"], now: false) }
            if !previous.isEmpty { lineage.attach(rows: (firstRow / max(1, schema.width))..<out.count, previous) }
        }
        if let r = remaining { return r > 0 }
        return true
    }

    /// Applies DISTINCT and LIMIT to the row just appended; false when LIMIT is used up.
    @inline(__always) private func admitLastRow(_ out: inout ResultBatch) -> Bool {
        let w = schema.width
        if suppressEmpty && out.values[(out.values.count - w)...].allSatisfy(\.isNull) {
            out.values.removeLast(w)
            return true
        }
        if distinct != nil {
            let start = out.values.count - w
            let key = Array(out.values[start...])
            if !distinct!.insert(key, counters: counters) {
                out.values.removeLast(w)
                return true
            }
        }
        if let r = remaining {
            remaining = r - 1
            return r - 1 > 0
        }
        return true
    }

    private func sortRows(_ out: inout ResultBatch, from start: Int) {
        let w = schema.width
        let n = (out.values.count - start) / w
        guard n > 1 else { return }
        var rows = (0..<n).map { Array(out.values[(start + $0 * w)..<(start + ($0 + 1) * w)]) }
        rows.sort { a, b in
            for (c, desc) in order {
                let r = Value.sortOrder(a[c], b[c])
                if r != 0 { return desc ? r > 0 : r < 0 }
            }
            return false
        }
        out.values.replaceSubrange(start..., with: rows.joined())
    }
}

/// Rows already emitted by a DISTINCT row query. Bounded: past `capacity` the oldest rows are
/// forgotten (and counted as evictions), so a long-running DISTINCT query cannot grow without limit.
struct DistinctMemory {
    let capacity: Int
    private var seen = Set<[Value]>()
    private var order = Deque<[Value]>()

    init(capacity: Int) { self.capacity = max(1, capacity) }
    var count: Int { order.count }

    mutating func insert(_ key: [Value], counters: Counters) -> Bool {
        guard seen.insert(key).inserted else { return false }
        order.append(key)
        if order.count > capacity, let old = order.popFirst() {
            seen.remove(old)
            counters.evicted.add(1, ordering: .relaxed)
        }
        return true
    }
}

import DequeModule
