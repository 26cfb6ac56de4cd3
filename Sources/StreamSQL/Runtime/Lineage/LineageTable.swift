import OrderedCollections

/// A result row and its inputs as a table (the shell's `EXPLAIN ROW` and `.why`, the dashboard's "why"
/// list): the result first, then one line per input — its role (window row, pattern variable, table
/// row, event), where it came from (stream, `file:line`, the query of a derived stream), the values
/// that decided the result, and its fields. An input of a derived stream is followed by its own
/// inputs (`2.1`, `2.2`, …), back to the events that entered the first stream.
public struct LineageTable: Sendable {
    public var columns: [String]
    public var rows: [[Value]]

    /// Levels of derived streams followed, and lines at most (a chain of wide windows multiplies).
    public static let maxDepth = 16
    public static let maxLines = 10_000

    /// `fieldNames(stream)`: the names of a stream's slots, in slot order.
    public init(_ record: LineageRecord, fieldNames: (String) -> [String]) {
        var lines: [(id: String, role: String, source: String, marks: String, fields: OrderedDictionary<String, Value>)] = []
        var result = OrderedDictionary<String, Value>()
        for (c, v) in zip(record.columns, record.values) {
            // `SELECT *` is one column holding the event: spread it, as results print.
            if c == "*", case .object(let o) = v { for (k, x) in o { result[k] = x } } else { result[c] = v }
        }
        lines.append(("result", "result #\(record.number)", record.query, "", result))
        var names: [String: [String]] = [:]
        func fields(_ input: LineageInput) -> OrderedDictionary<String, Value> {
            if let f = input.fields { return f }
            if let w = input.row.whole { return w }
            let n = names[input.source] ?? fieldNames(input.source)
            names[input.source] = n
            var o = OrderedDictionary<String, Value>()
            for (i, name) in n.enumerated() where i < input.row.slots.count { o[name] = input.row.slots[i] }
            return o
        }
        func walk(_ inputs: [LineageInput], dropped: Int, prefix: String, depth: Int) {
            for (k, input) in inputs.enumerated() {
                guard lines.count < LineageTable.maxLines else { return }
                let id = prefix + "\(k + 1)"
                let origin = input.origin
                var source = input.source
                if let o = origin, let label = o.label { source += " (\(label))" }
                lines.append((id, input.role, source, input.marks.joined(separator: ", "), fields(input)))
                if let o = origin, o.query != nil, depth < LineageTable.maxDepth {
                    walk(o.inputs, dropped: o.droppedInputs, prefix: id + ".", depth: depth + 1)
                }
            }
            if dropped > 0, lines.count < LineageTable.maxLines {
                lines.append((prefix + "…", "\(dropped) more", "not kept (at most \(inputs.count) inputs per result)", "", [:]))
            }
        }
        walk(record.inputs, dropped: record.droppedInputs, prefix: "", depth: 0)
        var fieldColumns = OrderedSet<String>()
        for l in lines { for k in l.fields.keys { fieldColumns.append(k) } }
        columns = ["#", "role", "source", "decided"] + fieldColumns.elements
        rows = lines.map { l in
            [.string(l.id), .string(l.role), .string(l.source), l.marks.isEmpty ? .null : .string(l.marks)] + fieldColumns.map { l.fields[$0] ?? .null }
        }
    }
}

extension LineageRecord {
    /// The events at the start of the chain: the inputs, with every input of a derived stream replaced
    /// by its own inputs (at most `LineageTable.maxDepth` levels).
    public var sourceInputs: [LineageInput] {
        func expand(_ inputs: [LineageInput], _ depth: Int) -> [LineageInput] {
            inputs.flatMap { i -> [LineageInput] in
                if let o = i.origin, o.query != nil, depth < LineageTable.maxDepth { return expand(o.inputs, depth + 1) }
                return [i]
            }
        }
        return expand(inputs, 0)
    }
}
