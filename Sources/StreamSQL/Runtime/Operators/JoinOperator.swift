/// Stream–table joins in front of a query's pipeline: for each event, the matching rows of each
/// table (a hash lookup when ON has `stream side = t.col` equalities, a scan otherwise), then the
/// pipeline once per combination with the matched rows readable as `t.col`. LEFT JOIN passes NULLs
/// when nothing matches. Each event reads one version of every table.
///
/// For row queries ORDER BY and LIMIT apply to the rows one event produces, so a query can pick the
/// best match: `… JOIN agents a ON array_contains(a.skills, t.category) ORDER BY a.load LIMIT 1`.
final class JoinOperator: QueryOperator {
    let inner: QueryOperator
    let joins: [BoundJoin]
    let tables: [TableState]
    let store: JoinRows
    let keyEvals: [[Column]]
    let residuals: [Condition?]
    let orderKeys: [(Eval, Bool)]
    let perEventLimit: Int?
    private var snapshots: [TableSnapshot] = []
    /// Per join, for the current snapshots: whether ON's single equality can use the table's key index.
    private var hashOnOne: [Bool] = []
    /// With lineage (row queries only): each result row's inputs get the table rows of its combination.
    let lineage: LineageRecorder?

    init(inner: QueryOperator, joins: [BoundJoin], tables: [TableState], store: JoinRows, compiler: ExpressionCompiler,
         order: BoundJoinOrder?, lineage: LineageRecorder? = nil) {
        self.lineage = lineage
        self.inner = inner
        self.joins = joins
        self.tables = tables
        self.store = store
        keyEvals = joins.map { $0.streamKeys.map(compiler.column) }
        residuals = joins.map { $0.residual.map(compiler.condition) }
        orderKeys = (order?.keys ?? []).map { (compiler.compile($0.0), $0.1) }
        perEventLimit = order?.limit
    }

    var schema: ResultSchema { inner.schema }
    var needsTicks: Bool { inner.needsTicks }
    var stateSize: StateSize { inner.stateSize }
    var explain: String {
        joins.map { j in
            "\(j.left ? "left" : "inner") join \(j.table) " + (j.tableKeys.isEmpty ? "(scan)" : "(hash on \(j.tableKeys.joined(separator: ", ")))")
        }.joined(separator: ", ") + "; then " + inner.explain
    }

    func onTick(now: Int64, into out: inout ResultBatch) { inner.onTick(now: now, into: &out) }
    func finish(into out: inout ResultBatch) { inner.finish(into: &out) }

    fileprivate struct Produced { var keys: [Value]; var values: ArraySlice<Value>; var tableRows: [LineageInput] = [] }

    func process(_ row: Row, into out: inout ResultBatch) -> Bool {
        if snapshots.count != tables.count {
            snapshots = tables.map(\.snapshot)
            hashOnOne = Array(repeating: false, count: tables.count)
            for j in 0..<tables.count { adopt(snapshots[j], j) }
        }
        for j in 0..<tables.count where tables[j].version.load(ordering: .acquiring) != snapshots[j].version {
            adopt(tables[j].snapshot, j)
        }
        store.event &+= 1
        let ordered = !orderKeys.isEmpty || perEventLimit != nil
        if !ordered { return visit(0, row, &out, nil) }
        var produced: [Produced] = []
        var scratch = ResultBatch(schema: out.schema)
        let alive = visit(0, row, &scratch, &produced)
        if !orderKeys.isEmpty {
            produced.sort { a, b in
                for (k, (_, desc)) in orderKeys.enumerated() {
                    let r = Value.sortOrder(a.keys[k], b.keys[k])
                    if r != 0 { return desc ? r > 0 : r < 0 }
                }
                return false
            }
        }
        let w = max(1, out.schema.width)
        var rows = 0
        for p in produced {
            let n = p.values.count / w
            for r in 0..<n {
                if let l = perEventLimit, rows >= l { break }
                out.values.append(contentsOf: p.values[(p.values.startIndex + r * w)..<(p.values.startIndex + (r + 1) * w)])
                if let lineage { lineage.attach(rows: (out.count - 1)..<out.count, p.tableRows) }
                rows += 1
            }
        }
        return alive
    }

    private func adopt(_ snap: TableSnapshot, _ j: Int) {
        snapshots[j] = snap
        store.snapshots[j] = snap
        hashOnOne[j] = keyEvals[j].count == 1 && snap.key == joins[j].tableKeys
    }

    /// Walks the joins depth-first; at the end runs the pipeline for the current combination.
    private func visit(_ j: Int, _ row: Row, _ out: inout ResultBatch, _ produced: UnsafeMutablePointer<[Produced]>?) -> Bool {
        if j == joins.count {
            guard let produced else {
                guard let lineage else { return inner.process(row, into: &out) }
                let before = out.count
                let alive = inner.process(row, into: &out)
                if out.count > before { lineage.attach(rows: before..<out.count, tableRows()) }
                return alive
            }
            let before = out.values.count
            let keys = orderKeys.map { $0.0(row) }
            let alive = inner.process(row, into: &out)
            if out.values.count > before {
                produced.pointee.append(Produced(keys: keys, values: out.values[before...], tableRows: lineage == nil ? [] : tableRows()))
            }
            return alive
        }
        let snap = snapshots[j]
        var matched = false
        var alive = true
        let residual = residuals[j]
        if hashOnOne[j] {
            let v = keyEvals[j][0](row)
            if !v.isNull, let hits = snap.lookup(one: v) {
                for i in hits {
                    store.rowIndex[j] = i
                    if let residual, !residual(row) { continue }
                    matched = true
                    alive = visit(j + 1, row, &out, produced)
                    if !alive { break }
                }
            }
        } else {
            let keyCols = joins[j].tableKeys
            let vals = keyEvals[j].map { $0(row) }
            let indexed = !keyCols.isEmpty && snap.key == keyCols && !vals.contains(where: \.isNull)
            let candidates: [Int] = indexed ? snap.lookup(vals) : Array(snap.rows.indices)
            for i in candidates {
                if !indexed && !keyCols.isEmpty {
                    var ok = true
                    for (c, v) in zip(keyCols, vals) where !(Ops.compare(.eq, snap.rows[i][c] ?? .null, v).isTruthy) { ok = false; break }
                    if !ok { continue }
                }
                store.rowIndex[j] = i
                if let residual, !residual(row) { continue }
                matched = true
                alive = visit(j + 1, row, &out, produced)
                if !alive { break }
            }
        }
        if !matched && joins[j].left && alive {
            store.rowIndex[j] = -1
            alive = visit(j + 1, row, &out, produced)
        }
        return alive
    }
}

extension JoinOperator {
    /// The table rows of the current combination, each marked with the join's key columns.
    fileprivate func tableRows() -> [LineageInput] {
        var out: [LineageInput] = []
        for j in 0..<joins.count {
            let i = store.rowIndex[j]
            guard i >= 0, i < snapshots[j].rows.count else { continue }
            let keys = joins[j].tableKeys
            out.append(LineageInput(role: "table", source: joins[j].table, row: Row(width: 0), fields: snapshots[j].rows[i],
                                    marks: keys.isEmpty ? ["ON"] : keys.map { "key \($0)" }))
        }
        return out
    }

    /// Convenience for the `produced` collection: a pointer into a local array.
    fileprivate func visit(_ j: Int, _ row: Row, _ out: inout ResultBatch, _ produced: inout [Produced]) -> Bool {
        withUnsafeMutablePointer(to: &produced) { p in visit(j, row, &out, p) }
    }
}
