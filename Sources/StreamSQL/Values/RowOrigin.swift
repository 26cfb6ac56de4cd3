import OrderedCollections

/// Where an event came from, for lineage ("why did this row come out?"). It travels beside the row, not
/// in it (a field in `Row` made every copy of a row dearer: +20 % instructions per event on the tumbling
/// workload with lineage off): whoever delivers a row now, on this thread, names its origin in
/// `RowOrigin.current` while the queries run it, and a query recording lineage reads it as it keeps an
/// input. Rows buffered for a worker thread (`emit`) therefore have no origin.
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

    /// The origin of the rows being delivered on this thread (nil: none known).
    @TaskLocal public static var current: RowOrigin?

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
    /// Where the event came from (file line, derived stream's result), when known.
    public var origin: RowOrigin?

    public init(role: String, source: String, row: Row, fields: OrderedDictionary<String, Value>? = nil, marks: [String] = [],
                origin: RowOrigin? = nil) {
        self.origin = origin
        self.role = role
        self.source = source
        self.row = row
        self.fields = fields
        self.marks = marks
    }
}
