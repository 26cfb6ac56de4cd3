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
        /// Queries whose Flink results may differ in a stated way (also written as comments in the script).
        public var warnings: [String] = []
        /// With `skipRefused`: each statement left out, with its line and the refusal.
        public var refused: [String] = []
    }

    /// Functions refused by name (`had_changed(…)`): they depend on what the query saw before, in ways no
    /// Flink function reproduces. Listed in docs/FLINK.md (checked by FlinkRefusalListTests).
    public static let refusedFunctions = ["had_changed", "changed_col", "changed_cols", "latest", "first_seen", "recent_count",
                                          "recent_collect", "acc_stddev"]
    /// Pattern functions Flink's MATCH_RECOGNIZE lacks (`CLASSIFIER()`).
    public static let refusedPatternFunctions = ["classifier", "match_number"]

    /// Stream name (lower-cased) → input file.
    public var inputs: [String: String]
    /// Where sink directories go (`<outputDirectory>/<query>`).
    public var outputDirectory: String
    /// Streams (lower-cased) read from Kafka instead of a file (`--source`); an input file, if also given, is a
    /// sample their field types are learnt from.
    public var kafkaSources: [String: KafkaEndpoint] = [:]
    /// Every query writes to Kafka instead of a folder (`--sink`).
    public var kafkaSink: KafkaEndpoint?
    /// Name a stream's file `STREAM.jsonl` when no input is given (EXPLAIN FLINK in the shell).
    public var placeholderPaths = false
    /// Declared columns of typed streams (lower-cased stream name).
    public var declared: [String: [(String, FieldType)]] = [:]
    /// Bounded tables read from files (lower-cased name → DDL name).
    var tables: [String: String] = [:]
    /// Their columns (lower-cased name), and the versioned copies made for temporal joins.
    var tableFields: [String: [(String, FieldType)]] = [:]
    var tableFiles: [String: (path: String, key: [String])] = [:]
    var versioned: Set<String> = []
    /// Source tables by their DDL with the name left out: queries reading the same stream the same way share one.
    var sharedSources: [String: String] = [:]
    var tableDDL: [String] = []
    /// Derived streams (CREATE STREAM … AS SELECT) become views.
    var views: Set<String> = []
    var queryCounter = 0
    var warnings: [String] = []
    var refused: [String] = []
    /// Derived streams whose statement was left out (`skipRefused`).
    var untranslated: Set<String> = []
    /// Flink configuration for the job (key → value), after the defaults that make runs reproducible:
    /// `parallelism.default`, `execution.checkpointing.interval`, `state.backend.type`, … .
    public var jobOptions: [(String, String)] = []
    /// Leave out the statements Flink cannot express (listed in the output) instead of stopping at the first.
    public var skipRefused = false
    /// STATETTL (milliseconds): one value for the whole Flink job.
    var stateTTLMillis: Int64?
    /// Field types learnt from input files (lower-cased stream name), so each file is read once.
    var inferred: [String: [(String, FieldType)]] = [:]

    public init(inputs: [String: String] = [:], outputDirectory: String = "flink-out") {
        self.inputs = Dictionary(uniqueKeysWithValues: inputs.map { ($0.key.lowercased(), $0.value) })
        self.outputDirectory = outputDirectory
    }

    /// Translates a whole script. `baseDirectory` resolves table files as `streamsql run` does.
    /// Errors point into the script (its line and column), not into the statement.
    public mutating func translate(script: String, baseDirectory: String? = nil) throws(StreamSQLError) -> Output {
        var body: [String] = []
        var sinks: [(String, String)] = []
        warnings = []
        refused = []
        untranslated = []
        stateTTLMillis = nil
        sharedSources = [:]
        // The same language on both sides: every statement must first be accepted by this engine, planned
        // over the same streams (a scratch engine that reads no input).
        let check = Engine()
        check.baseDirectory = baseDirectory
        let items = StatementScanner.scan(script).items
        var declaredHere = Set<String>()
        for case .statement(let text, _) in items {
            if case .createStream(let name, _, _, _, _)? = try? Parser.parse(text) { declaredHere.insert(name.lowercased()) }
        }
        for stream in Set(inputs.keys).union(kafkaSources.keys) where !declaredHere.contains(stream) { check.createStream(stream) }
        defer { check.stopAll(flush: false) }
        for case .statement(let text, let start) in items {
            let warned = warnings.count
            do {
                let stmt = try Parser.parse(text)
                _ = try check.run(text)
                try translate(stmt, text: text, baseDirectory: baseDirectory, body: &body, sinks: &sinks)
            } catch {
                let moved = error.source == text && error.range.isKnown
                    ? StreamSQLError(error.phase, error.message, at: SourceRange(error.range.start + start.offset, error.range.end + start.offset),
                                     in: script, suggestions: error.suggestions)
                    : error
                if skipRefused && error.phase == .flink {
                    // Left out, and said so: the rest of the script still runs on Flink.
                    let at = moved.location.map { "line \($0.line): " } ?? "line \(start.line): "
                    refused.append(at + moved.message)
                    // A derived stream left out: what reads it is left out too, saying why.
                    switch try? Parser.parse(text) {
                    case .createStream(let name, _, _?, _, _)?, .createQuery(let name, _, _, _)?: untranslated.insert(name.lowercased())
                    default: break
                    }
                    warnings.removeSubrange(warned...)
                    continue
                }
                throw moved
            }
        }
        if let k = kafkaSink, sinks.count > 1, !k.topic.contains("{query}") {
            throw StreamSQLError(.plan, "--sink kafka:…/\(k.topic): the script has \(sinks.count) queries, each needs a topic "
                                 + "of its own: put {query} in the topic name (kafka:\(k.brokers)/\(k.topic)-{query})")
        }
        var out = [
            "-- Generated by streamsql flink export: the script's queries as Flink SQL (Flink 2.x).",
        ]
        out += warnings.map { "-- WARNING: " + $0 }
        out += refused.map { "-- NOT TRANSLATED: " + $0 }
        var set: [(String, String)] = [("execution.runtime-mode", "streaming"), ("table.local-time-zone", "UTC"),
                                       ("pipeline.auto-watermark-interval", "0 ms"), ("parallelism.default", "1")]
        if let ttl = stateTTLMillis { set.append(("table.exec.state.ttl", "\(ttl) ms")) }
        // The job options (`flink export --parallelism …`) override the defaults above.
        for (k, v) in jobOptions {
            if let i = set.firstIndex(where: { $0.0 == k }) { set[i].1 = v } else { set.append((k, v)) }
        }
        out += set.map { "SET '\($0.0)' = '\($0.1.replacingOccurrences(of: "'", with: "''"))';" }
        out += tableDDL
        out += body
        return Output(script: out.joined(separator: "\n\n") + "\n", sinks: sinks, warnings: warnings, refused: refused)
    }

    mutating func translate(_ stmt: Statement, text: String, baseDirectory: String?, body: inout [String],
                            sinks: inout [(String, String)]) throws(StreamSQLError) {
            switch stmt {
            case .createStream(let name, let columns, let query, _, let range):
                if let query {
                    views.insert(name.lowercased())
                    body.append("CREATE TEMPORARY VIEW `\(name)` AS\n" + (try select(query, sql: text, name: name).query) + ";")
                } else if !columns.isEmpty {
                    // Types a declaration leaves open (an array's elements, an object's fields) come from the input file.
                    let learnt = inputs[name.lowercased()] == nil ? [] : try schema(of: name, range: range, sql: text)
                    var fields: [(String, FieldType)] = []
                    for c in columns {
                        if let t = FieldType.declared(c.typeName) {
                            fields.append((c.name, t))
                        } else if let t = FieldType.open(c.typeName, learnt: learnt.first(where: { $0.0 == c.name })?.1) {
                            fields.append((c.name, t))
                        } else {
                            throw refuse("column type \(c.typeName) without an input file to learn its fields from", c.range, text)
                        }
                    }
                    declared[name.lowercased()] = fields
                }
                _ = range
            case .createTable(let name, _, let key, let file, let query, _, let range):
                guard let file, query == nil else {
                    throw refuse("CREATE TABLE … AS SELECT (a table kept up to date by a query: an upserting result)", range, text)
                }
                let path = file.hasPrefix("/") ? file : ((baseDirectory ?? FileManager.default.currentDirectoryPath) + "/" + file)
                tableDDL.append(try tableSource(name: name, path: path, range: range, sql: text))
                tables[name.lowercased()] = name
                tableFiles[name.lowercased()] = (path, key)
            case .createQuery(let name, let query, _, _):
                let t = try select(query, sql: text, name: name)
                body.append(contentsOf: t.sources)
                // A view as well, so that later queries can read the query's rows (as FROM a query does here).
                body.append("CREATE TEMPORARY VIEW `\(name)` AS\n\(t.query);")
                views.insert(name.lowercased())
                body.append(sinkDDL(name, "SELECT * FROM `\(name)`"))
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
                return  // SHOW, DESCRIBE, EXPLAIN, DROP, STOP/START: nothing to run
            }
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
        if untranslated.contains(s.from.source.lowercased()) {
            throw refuse("reading \(s.from.source), a derived stream or query that was not translated", s.from.range, sql)
        }
        var time = try timeSpec(s, sql: sql)
        time.session = s.window?.name.lowercased() == "sessionwindow"
        if let ttl = time.stateTTLMillis, let r = s.with.first(where: { $0.0.lowercased() == "statettl" })?.2 {
            // Flink keeps one state TTL per job (table.exec.state.ttl): a second, different one cannot be kept.
            if let other = stateTTLMillis, other != ttl {
                throw refuse("a second, different STATETTL in one script (Flink's table.exec.state.ttl is one value per job)", r, sql)
            }
            stateTTLMillis = ttl
        }
        if time.eventField != nil, let w = s.window?.name.lowercased(), w == "slidingwindow" || w == "sessionwindow" {
            warnings.append("query \(name): a row behind the watermark is dropped by Flink from every \(w == "slidingwindow" ? "sliding" : "session") "
                            + "window; this engine still adds it to the windows that are open (\(w == "slidingwindow" ? "the later slides" : "a session it extends")). "
                            + "With late rows the results differ.")
        }
        if let mr = s.matchRecognize {
            // A pattern's time is its ORDER BY column (TIMEUNIT gives its unit), as this engine reads it.
            if time.eventField != nil, let r = s.with.first(where: { $0.0.lowercased() == "timestamp" })?.2 {
                throw StreamSQLError(.plan, "WITH (TIMESTAMP) does not apply to MATCH_RECOGNIZE: its time is the ORDER BY column", at: r, in: sql)
            }
            guard mr.orderBy.count == 1, case .name(let o, _) = mr.orderBy[0].expr.kind else {
                throw refuse("ORDER BY an expression or several columns in MATCH_RECOGNIZE", mr.orderBy.first?.expr.range ?? mr.range, sql)
            }
            let t = try schema(of: s.from.source, range: s.from.range, sql: sql).first(where: { $0.0 == o })?.1
            if mr.withinNanos != nil, t != .bigint && t != .double && t != .string {
                throw refuse("WITHIN with ORDER BY a column other than a time column (a number of TIMEUNITs, or ISO text) in MATCH_RECOGNIZE",
                             mr.orderBy.first?.expr.range ?? mr.range, sql)
            }
            if mr.withinNanos != nil {
                // WITHIN measures the ORDER BY column's time: Flink needs it as event time, and then sorts by it.
                time.eventField = o
                warnings.append("query \(name): MATCH_RECOGNIZE … WITHIN runs on event time in Flink, which orders each key's rows by "
                                + "\(o) and drops rows that arrive after the watermark; this engine matches in arrival order. "
                                + "With out-of-order input the matches differ.")
            }
            // Without WITHIN, Flink matches in processing-time order: the arrival order this engine matches in.
        }
        var sources: [String] = []
        var fieldTypes: [String: FieldType] = [:]
        var from: String
        if views.contains(s.from.source.lowercased()) {
            from = "`\(s.from.source)`"
            if time.eventField != nil {
                throw refuse("event time on a derived stream (declare the time on the query that reads the input)", s.from.range, sql)
            }
        } else {
            let fields = try schema(of: s.from.source, range: s.from.range, sql: sql)
            fieldTypes = Dictionary(fields, uniquingKeysWith: { a, _ in a })
            let (table, ddl) = try source(s.from.source, fields: fields, for: name, time: time, range: s.from.range, sql: sql)
            // Queries that read a stream with the same columns, time and watermark share one source table (and
            // in one job, `flink run --one-job`, one scan).
            let shape = ddl.replacingOccurrences(of: "`\(table)`", with: "`?`")
            if let shared = sharedSources[shape] {
                from = "`\(shared)`"
            } else {
                sharedSources[shape] = table
                sources.append(ddl)
                from = "`\(table)`"
            }
        }
        var ctx = ExprContext(sql: sql, time: time, translator: self)
        ctx.fieldTypes = fieldTypes
        if let a = s.from.alias { ctx.aliases.insert(a.lowercased()) }
        ctx.aliases.insert(s.from.source.lowercased())
        var joins = ""
        // A windowed query over joined rows: an event-time temporal join of the versioned table in a view, which
        // keeps the stream's rowtime for the window (a regular join would drop it); the view's table columns are
        // named ALIAS__COLUMN.
        let aggregated = s.window != nil || !s.groupBy.isEmpty || s.items.contains(where: { ctx.containsAggregate($0.expr) })
        let temporal = aggregated && !s.from.joins.isEmpty && s.matchRecognize == nil
        if temporal && time.eventField == nil {
            throw refuse("a join in a processing-time window (Flink joins a file table for a window only on event time)",
                         s.window?.range ?? s.range, sql)
        }
        let streamAlias = s.from.alias ?? s.from.source
        if !s.from.joins.isEmpty { ctx.streamQualifier = streamAlias }
        var viewColumns = ["`\(streamAlias)`.*"]
        for j in s.from.joins {
            guard j.kind == .inner else {
                throw refuse("LEFT JOIN (Flink's regular left join emits retractions a file sink cannot take)", j.range, sql)
            }
            guard let t = tables[j.source.lowercased()] else {
                throw refuse("a join with \(j.source), which is not a table read from a file", j.range, sql)
            }
            let a = j.alias ?? t
            ctx.joinAliases.insert(a.lowercased())
            if temporal {
                let info = try versionedTable(j.source, range: j.range, sql: sql)
                viewColumns += info.fields.map { "`\(a)`.`\($0.0)` AS `\(a)__\($0.0)`" }
                joins += "\nJOIN `\(info.versioned)` FOR SYSTEM_TIME AS OF `\(streamAlias)`.rowtime AS `\(a)` ON " + (try ctx.predicate(j.on))
            } else {
                joins += "\nJOIN `\(t)`" + (j.alias.map { " AS `\($0)`" } ?? "") + " ON " + (try ctx.predicate(j.on))
            }
        }
        var alias = (s.from.alias ?? (s.from.joins.isEmpty ? nil : s.from.source)).map { " AS `\($0)`" } ?? ""
        if temporal {
            let view = "join_\(name)"
            sources.append("CREATE TEMPORARY VIEW `\(view)` AS\nSELECT " + viewColumns.joined(separator: ", ") + "\nFROM " + from
                           + " AS `\(streamAlias)`" + joins + ";")
            from = "`\(view)`"
            alias = ""
            joins = ""
            ctx.streamQualifier = nil
            for j in s.from.joins {
                let a = j.alias ?? j.source
                ctx.viewTables[a.lowercased()] = a
            }
        }
        if let mr = s.matchRecognize { return Translated(sources: sources, query: try matchRecognize(s, mr, from: from + alias, ctx: &ctx)) }
        if aggregated {
            // Without a window this engine aggregates in its default window: ten seconds of processing time.
            return Translated(sources: sources, query: try windowed(s, s.window, from: from, alias: alias, joins: joins, ctx: &ctx))
        }
        if s.distinct { throw refuse("SELECT DISTINCT on a stream (an updating result in Flink)", s.range, sql) }
        if !s.orderBy.isEmpty { throw refuse("ORDER BY on a row query (Flink sorts streams only by time)", s.orderBy[0].expr.range, sql) }
        var q = "SELECT " + (try items(s.items, ctx: &ctx)) + "\nFROM " + from + alias + joins
        if let w = s.whereClause { q += "\nWHERE " + (try ctx.predicate(w)) }
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
