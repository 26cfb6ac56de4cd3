import Synchronization

/// What `EXPLAIN FLINK SELECT …` hands the Flink translator: the parsed query and its text, and what the
/// engine knows of the streams it reads.
public struct FlinkExplainRequest: Sendable {
    public var select: SelectStatement
    /// The statement text (error positions point into it).
    public var sql: String
    /// Input files by lower-cased stream name (`.replay`, `--input`): where field types can be learnt.
    public var inputs: [String: String]
    /// Declared columns of typed streams, by lower-cased stream name (untyped streams are left out).
    public var declaredColumns: [String: [ColumnDefinition]]

    public init(select: SelectStatement, sql: String, inputs: [String: String], declaredColumns: [String: [ColumnDefinition]]) {
        self.select = select
        self.sql = sql
        self.inputs = inputs
        self.declaredColumns = declaredColumns
    }
}

/// Turns an `EXPLAIN FLINK` request into Flink SQL text, or refuses with a `StreamSQLError`.
public typealias FlinkExplainer = @Sendable (FlinkExplainRequest) throws(StreamSQLError) -> String

extension Engine {
    private static let flinkExplainerBox = Mutex<FlinkExplainer?>(nil)

    /// The translator behind `EXPLAIN FLINK`, for every engine in the process. The engine holds no Flink
    /// code: the `streamsql` executable installs `FlinkTranslator.explainer` (module `StreamSQLFlink`) here
    /// at start-up, before any engine is created. Without one, `EXPLAIN FLINK` is an error that says so.
    public static var flinkExplainer: FlinkExplainer? {
        get { flinkExplainerBox.withLock { $0 } }
        set { flinkExplainerBox.withLock { $0 = newValue } }
    }

    /// `EXPLAIN FLINK SELECT …` through the installed explainer.
    func explainFlink(_ select: SelectStatement, sql: String) throws(StreamSQLError) -> String {
        guard let explainer = Engine.flinkExplainer else {
            throw StreamSQLError(.flink, "EXPLAIN FLINK needs the Flink translator (the streamsql executable installs it)",
                                 at: select.range, in: sql)
        }
        let declared = lock.withLock { streams.mapValues(\.columns).filter { !$0.value.isEmpty } }
        var substitution = ParameterSubstitution(values: lock.withLock { parameterValues }, sql: sql)
        let select = try substitution.select(select)
        return try explainer(FlinkExplainRequest(select: select, sql: sql, inputs: flinkInputs, declaredColumns: declared))
    }
}
