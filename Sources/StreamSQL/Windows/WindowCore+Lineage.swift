/// Lineage of window results: a result row's inputs are the rows its group accumulated in the window
/// (or the panes merged into it, or the sessions bridged into it); the row that gave MIN or MAX its
/// value is marked.
extension WindowCore {
    /// Reports the inputs of the rows a firing appended: output row `firstRow + k` came from group
    /// `rowGroups[k]` of `table`.
    func recordInputs(_ lineage: LineageRecorder, _ table: GroupTable, rowGroups: ArraySlice<Int>, firstRow: Int) {
        guard let lists = table.inputs else { return }
        for (k, g) in rowGroups.enumerated() {
            var (inputs, dropped) = lists.inputs(g)
            markExtremes(&inputs, table, g)
            lineage.record(row: firstRow + k, inputs: inputs, dropped: dropped)
        }
    }

    /// Marks, per MIN or MAX aggregate, the first input whose argument equals the result.
    private func markExtremes(_ inputs: inout [LineageInput], _ table: GroupTable, _ g: Int) {
        for (i, kind) in aggKinds.enumerated() where (kind.op == .min || kind.op == .max) && !kind.distinct {
            let result = table.columns[i].result(g)
            guard !result.isNull, let at = inputs.firstIndex(where: { aggArgs[i]($0.row) == result }) else { continue }
            inputs[at].marks.append("\(kind.op.rawValue)(\(aggregateArgumentNames[i]))")
        }
    }

    /// What each aggregate reads, for marks: the field's name, or `…` for an expression.
    var aggregateArgumentNames: [String] {
        q.aggregates.map { a in
            if case .slot(_, let name)? = a.argument { return name }
            return a.argument == nil ? "*" : "…"
        }
    }
}
