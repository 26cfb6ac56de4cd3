/// Lineage of window results: a result row's inputs are the rows its group accumulated in the window
/// (or the panes merged into it, or the sessions bridged into it); the row that gave MIN or MAX its
/// value is marked.
extension WindowCore {
    /// Reports the inputs of the rows a firing appended: output row `firstRow + k` came from group
    /// `rowGroups[k]` of `table`.
    /// Only the rows lineage keeps get their records: the last `limits.results` of a firing (the
    /// batch's last ones are kept), every row when a derived stream reads the results.
    func recordInputs(_ lineage: LineageRecorder, _ table: GroupTable, rowGroups: ArraySlice<Int>, firstRow: Int) {
        guard let lists = table.inputs else { return }
        let skip = lineage.recordsEveryRow ? 0 : max(0, rowGroups.count - lineage.limits.results)
        for (k, g) in rowGroups.enumerated().dropFirst(skip) {
            var (inputs, dropped) = lists.inputs(g, lineage)
            markExtremes(&inputs, table, g)
            lineage.record(row: firstRow + k, inputs: inputs, dropped: dropped)
        }
    }

    /// Marks, per MIN or MAX aggregate, the first input whose argument equals the result.
    private func markExtremes(_ inputs: inout [LineageInput], _ table: GroupTable, _ g: Int) {
        for (i, mark) in extremeMarks {
            let result = table.columns[i].result(g)
            guard !result.isNull, let at = inputs.firstIndex(where: { aggArgs[i]($0.row) == result }) else { continue }
            inputs[at].marks.append(mark)
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
