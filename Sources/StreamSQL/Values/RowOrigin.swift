import OrderedCollections

/// Where an event came from, for lineage ("why did this row come out?"). Rows carry one only while a
/// query on their stream records lineage (`Row.origin` is nil otherwise, so tracing costs nothing off).
///
/// - a line of a replayed file: `source` is the file, `line` its 1-based line;
/// - a row of a derived stream: `query` made it, and `inputs` are the inputs of that result row, so a
///   chain of derived streams can be followed back to the events that entered the first one.
public final class RowOrigin: Sendable {
    public let source: String?
    public let line: Int?
    public let query: String?
    public let inputs: [LineageInput]
    /// Inputs of `query`'s result beyond the per-result bound (counted, not kept).
    public let droppedInputs: Int

    public init(source: String? = nil, line: Int? = nil, query: String? = nil, inputs: [LineageInput] = [], droppedInputs: Int = 0) {
        self.source = source
        self.line = line
        self.query = query
        self.inputs = inputs
        self.droppedInputs = droppedInputs
    }

    /// `file.jsonl:12`, `via q1`, or nil.
    public var label: String? {
        if let source { return line.map { "\(source):\($0)" } ?? source }
        return query.map { "via \($0)" }
    }
}

/// One input of a result row: an event of the query's stream, or a table row a join matched.
public struct LineageInput: Sendable {
    /// What the input was to the result: `window`, `event`, a pattern variable (`A`), `table t`, `previous`.
    public var role: String
    /// The stream the event came from, or the table.
    public var source: String
    /// The event, in its stream's slots (names from the stream's layout), for events.
    public var row: Row
    /// The row of a table, for table rows.
    public var fields: OrderedDictionary<String, Value>?
    /// The values that decided the result, where the plan knows them: `DEFINE A`, `max(temperature)`,
    /// `key deviceId`.
    public var marks: [String]

    public init(role: String, source: String, row: Row, fields: OrderedDictionary<String, Value>? = nil, marks: [String] = []) {
        self.role = role
        self.source = source
        self.row = row
        self.fields = fields
        self.marks = marks
    }
}
