/// Lineage of window results: a result row's inputs are the rows its group accumulated in the window
/// (or the panes merged into it, or the sessions bridged into it); the row that gave MIN or MAX its
/// value is marked.
extension WindowCore {
    /// Reports the inputs of the rows a firing appended: output row `firstRow + k` came from group
    /// `rowGroups[k]` of `table`.
    /// Only the rows lineage may keep are reported: the last `limits.results` of a firing (the batch's
    /// last ones are kept), every row when a derived stream reads the results. A row's inputs are not
    /// copied: it keeps a span of the table's store, and the MIN and MAX results that mark the inputs
    /// that decided them (`LineageRecorder.decidingMarks`, found only for the results the log keeps).
    func recordInputs(_ lineage: LineageRecorder, _ table: GroupTable, rowGroups: ArraySlice<Int>, firstRow: Int) {
        guard let lists = table.inputs else { return }
        let skip = lineage.recordsEveryRow ? 0 : max(0, rowGroups.count - lineage.limits.results)
        var k = firstRow + skip
        for g in rowGroups.dropFirst(skip) {
            lineage.recordWindow(row: k, lists, g)
            for (i, _) in extremeMarks { lineage.recordExtreme(table.columns[i].result(g)) }
            k += 1
        }
    }

    /// Per MIN or MAX aggregate: its index and its mark, `max(temperature)` (`max(…)` over an expression).
    static func extremeMarks(_ q: BoundWindowQuery) -> [(Int, String)] {
        q.aggregates.enumerated().compactMap { i, a in
            guard (a.kind.op == .min || a.kind.op == .max) && !a.kind.distinct else { return nil }
            var name = "…"
            if case .slot(_, let n)? = a.argument { name = n }
            return (i, "\(a.kind.op.rawValue)(\(name))")
        }
    }
}
