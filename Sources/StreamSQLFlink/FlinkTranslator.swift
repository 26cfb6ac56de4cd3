import Foundation
import StreamSQL

/// Translates StreamSQL scripts into Flink SQL (Flink 2.x), following the translation table of
/// `FLINK.md`: sources and sinks as filesystem tables (JSON), event time and watermarks from a query's
/// `WITH` options, windows as windowing table functions, analytic functions as `OVER` aggregates, counting
/// windows and patterns as `MATCH_RECOGNIZE`. A construct with no Flink equivalent is refused with its
/// name and position — never translated into a query that means something else.
///
/// The work is split by concern: field types (`+Types`), source and sink DDL (`+DDL`), windows (`+Windows`),
/// MATCH_RECOGNIZE (`+Patterns`) and expressions (`FlinkExpressions.swift`); this file holds the entry points.
public struct FlinkTranslator {
    /// What the translation produced: the script, and where each query's rows will be written.
    public struct Output: Sendable {
        public var script: String
        /// Query name → sink directory, in script order.
        public var sinks: [(query: String, path: String)]
    }

    /// Stream name (lower-cased) → input file.
    public var inputs: [String: String]
    /// Where sink directories go (`<outputDirectory>/<query>`).
    public var outputDirectory: String
    /// Name a stream's file `STREAM.jsonl` when no input is given (EXPLAIN FLINK in the shell).
    public var placeholderPaths = false
    /// Declared columns of typed streams (lower-cased stream name).
    public var declared: [String: [(String, FieldType)]] = [:]
    /// Bounded tables read from files (lower-cased name → DDL name).
    var tables: [String: String] = [:]
    var tableDDL: [String] = []
    /// Derived streams (CREATE STREAM … AS SELECT) become views.
    var views: Set<String> = []
    var queryCounter = 0
    /// Field types learnt from input files (lower-cased stream name), so each file is read once.
    var inferred: [String: [(String, FieldType)]] = [:]

    public init(inputs: [String: String] = [:], outputDirectory: String = "flink-out") {
        self.inputs = Dictionary(uniqueKeysWithValues: inputs.map { ($0.key.lowercased(), $0.value) })
        self.outputDirectory = outputDirectory
    }

    /// Translates a whole script. `baseDirectory` resolves table files as `streamsql run` does.
    public mutating func translate(script: String, baseDirectory: String? = nil) throws(StreamSQLError) -> Output {
        var body: [String] = []
        var sinks: [(String, String)] = []
        for text in StatementScanner.scan(script).statements {
            if text.hasPrefix(".") { continue }  // dashboard panes and shell settings have no Flink meaning
            let stmt = try Parser.parse(text)
            switch stmt {
            case .createStream(let name, let columns, let query, _, let range):
                if let query {
                    views.insert(name.lowercased())
                    body.append("CREATE TEMPORARY VIEW `\(name)` AS\n" + (try select(query, sql: text, name: name).query) + ";")
                } else if !columns.isEmpty {
                    var fields: [(String, FieldType)] = []
                    for c in columns {
                        guard let t = FieldType.declared(c.typeName) else {
                            throw refuse("column type \(c.typeName)", c.range, text)
                        }
                        fields.append((c.name, t))
                    }
                    declared[name.lowercased()] = fields
                }
                _ = range
            case .createTable(let name, _, _, let file, let query, _, let range):
                guard let file, query == nil else {
                    throw refuse("CREATE TABLE … AS SELECT (a table kept up to date by a query: an upserting result)", range, text)
                }
                let path = file.hasPrefix("/") ? file : ((baseDirectory ?? FileManager.default.currentDirectoryPath) + "/" + file)
                tableDDL.append(try tableSource(name: name, path: path, range: range, sql: text))
                tables[name.lowercased()] = name
            case .createQuery(let name, let query, _, _):
                let t = try select(query, sql: text, name: name)
                body.append(contentsOf: t.sources)
                body.append(sinkDDL(name, t.query))
                sinks.append((name, outputDirectory + "/" + name))
            case .select(let query):
                queryCounter += 1
                let name = "q\(queryCounter)"
                let t = try select(query, sql: text, name: name)
                body.append(contentsOf: t.sources)
                body.append(sinkDDL(name, t.query))
                sinks.append((name, outputDirectory + "/" + name))
            case .createFunction(let def):
                throw refuse("CREATE FUNCTION (SQL-defined functions; write the expression in the query)", def.range, text)
            case .insert(_, _, _, _, let range):
                throw refuse("INSERT INTO a stream (Flink reads its input from the --input files)", range, text)
            default:
                continue  // SHOW, DESCRIBE, EXPLAIN, DROP, STOP/START: nothing to run
            }
        }
        var out = [
            "-- Generated by streamsql flink export: the script's queries as Flink SQL (Flink 2.x).",
            "SET 'execution.runtime-mode' = 'streaming';",
            "SET 'table.local-time-zone' = 'UTC';",
            "SET 'pipeline.auto-watermark-interval' = '0 ms';",
            "SET 'parallelism.default' = '1';",
        ]
        out += tableDDL
        out += body
        return Output(script: out.joined(separator: "\n\n") + "\n", sinks: sinks)
    }

    /// `EXPLAIN FLINK SELECT …`: the sources and the translated query.
    public mutating func explain(_ s: SelectStatement, sql: String) throws(StreamSQLError) -> String {
        let t = try select(s, sql: sql, name: "q")
        return (t.sources + [t.query + ";"]).joined(separator: "\n\n")
    }

    /// The translator as the engine's `EXPLAIN FLINK` hook: `Engine.flinkExplainer = FlinkTranslator.explainer`
    /// (the `streamsql` executable installs it at start-up). Stream files give field types; a stream without
    /// one is named `STREAM.jsonl`; declared columns of a type Flink lacks are left out.
    public static let explainer: FlinkExplainer = { request throws(StreamSQLError) in
        var t = FlinkTranslator(inputs: request.inputs, outputDirectory: "flink-out")
        t.placeholderPaths = true
        for (stream, columns) in request.declaredColumns {
            let fields = columns.compactMap { c in FieldType.declared(c.typeName).map { (c.name, $0) } }
            if !fields.isEmpty { t.declared[stream.lowercased()] = fields }
        }
        return try t.explain(request.select, sql: request.sql)
    }

    // MARK: queries

    struct Translated { var sources: [String]; var query: String }

    /// EMIT FINAL is what Flink's window aggregations do (one row when the watermark passes the end);
    /// CHANGES and EVERY have no translation with the same rows.
    func emitClause(_ s: SelectStatement, sql: String) throws(StreamSQLError) {
        guard let e = s.emit else { return }
        switch e.mode {
        case .final: return
        case .changes:
            throw refuse("EMIT CHANGES (a retraction and an update inside a window each time a group changes)", e.range, sql)
        case .every:
            throw refuse("EMIT EVERY (Flink's early fire, table.exec.emit.early-fire.*, fires legacy group windows by processing-time delay, not at intervals of the window's time)", e.range, sql)
        }
    }

    func refuse(_ what: String, _ range: SourceRange, _ sql: String) -> StreamSQLError {
        StreamSQLError(.flink, "\(what) has no Flink equivalent; the query is not translated", at: range, in: sql)
    }

    mutating func select(_ s: SelectStatement, sql: String, name: String) throws(StreamSQLError) -> Translated {
        try emitClause(s, sql: sql)
        var time = try timeSpec(s, sql: sql)
        time.session = s.window?.name.lowercased() == "sessionwindow"
        if let mr = s.matchRecognize {
            // A pattern's time is its ORDER BY column (TIMEUNIT gives its unit), as this engine reads it.
            if time.eventField != nil, let r = s.with.first(where: { $0.0.lowercased() == "timestamp" })?.2 {
                throw StreamSQLError(.plan, "WITH (TIMESTAMP) does not apply to MATCH_RECOGNIZE: its time is the ORDER BY column", at: r, in: sql)
            }
            if mr.orderBy.count == 1, case .name(let o, _) = mr.orderBy[0].expr.kind,
               let t = try schema(of: s.from.source, range: s.from.range, sql: sql).first(where: { $0.0 == o })?.1, t == .bigint || t == .string {
                time.eventField = o
            } else {
                throw refuse("ORDER BY a column other than a time column (whole milliseconds or seconds, or ISO text) in MATCH_RECOGNIZE",
                             mr.orderBy.first?.expr.range ?? mr.range, sql)
            }
        }
        var sources: [String] = []
        var fieldTypes: [String: FieldType] = [:]
        let from: String
        if views.contains(s.from.source.lowercased()) {
            from = "`\(s.from.source)`"
            if time.eventField != nil {
                throw refuse("event time on a derived stream (declare the time on the query that reads the input)", s.from.range, sql)
            }
        } else {
            let fields = try schema(of: s.from.source, range: s.from.range, sql: sql)
            fieldTypes = Dictionary(fields, uniquingKeysWith: { a, _ in a })
            let (table, ddl) = try source(s.from.source, fields: fields, for: name, time: time, range: s.from.range, sql: sql)
            sources.append(ddl)
            from = "`\(table)`"
        }
        var ctx = ExprContext(sql: sql, time: time, translator: self)
        ctx.fieldTypes = fieldTypes
        if let a = s.from.alias { ctx.aliases.insert(a.lowercased()) }
        ctx.aliases.insert(s.from.source.lowercased())
        var joins = ""
        for j in s.from.joins {
            guard j.kind == .inner else {
                throw refuse("LEFT JOIN (Flink's regular left join emits retractions a file sink cannot take)", j.range, sql)
            }
            guard let t = tables[j.source.lowercased()] else {
                throw refuse("a join with \(j.source), which is not a table read from a file", j.range, sql)
            }
            joins += "\nJOIN `\(t)`" + (j.alias.map { " AS `\($0)`" } ?? "") + " ON " + (try ctx.expr(j.on))
        }
        let alias = s.from.alias.map { " AS `\($0)`" } ?? ""
        if let mr = s.matchRecognize { return Translated(sources: sources, query: try matchRecognize(s, mr, from: from + alias, ctx: &ctx)) }
        if let w = s.window { return Translated(sources: sources, query: try windowed(s, w, from: from, alias: alias, joins: joins, ctx: &ctx)) }
        if !s.groupBy.isEmpty || s.items.contains(where: { ctx.containsAggregate($0.expr) }) {
            throw refuse("an aggregate without a window (the reference's default window has no fixed Flink counterpart); "
                         + "add GROUP BY …Window(…)", s.range, sql)
        }
        if s.distinct { throw refuse("SELECT DISTINCT on a stream (an updating result in Flink)", s.range, sql) }
        if !s.orderBy.isEmpty { throw refuse("ORDER BY on a row query (Flink sorts streams only by time)", s.orderBy[0].expr.range, sql) }
        var q = "SELECT " + (try items(s.items, ctx: &ctx)) + "\nFROM " + from + alias + joins
        if let w = s.whereClause { q += "\nWHERE " + (try ctx.expr(w)) }
        if let l = s.limit { q += "\nLIMIT \(l)" }
        return Translated(sources: sources, query: q)
    }

    func items(_ items: [SelectItem], ctx: inout ExprContext) throws(StreamSQLError) -> String {
        var out: [String] = []
        for i in items {
            if case .star(let q) = i.expr.kind {
                out.append(q.map { "`\($0)`.*" } ?? "*")
                continue
            }
            let e = try ctx.expr(i.expr)
            out.append(e + " AS `\(i.alias ?? ctx.outputName(i))`")
        }
        return out.joined(separator: ", ")
    }
}
