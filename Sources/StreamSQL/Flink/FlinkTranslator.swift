import Foundation
import OrderedCollections

/// Translates StreamSQL scripts into Flink SQL (Flink 2.x), following the translation table of
/// `FLINK.md`: sources and sinks as filesystem tables (JSON), event time and watermarks from a query's
/// `WITH` options, windows as windowing table functions, analytic functions as `OVER` aggregates, counting
/// windows and patterns as `MATCH_RECOGNIZE`. A construct with no Flink equivalent is refused with its
/// name and position — never translated into a query that means something else.
public struct FlinkTranslator {
    /// A SQL type in Flink's spelling, inferred from sample input or declared columns.
    public indirect enum FieldType: Equatable, Sendable, CustomStringConvertible {
        case bigint, double, string, boolean
        case row([(String, FieldType)])
        case array(FieldType)

        public static func == (a: FieldType, b: FieldType) -> Bool { a.description == b.description }

        public var description: String {
            switch self {
            case .bigint: "BIGINT"
            case .double: "DOUBLE"
            case .string: "STRING"
            case .boolean: "BOOLEAN"
            case .row(let fs): "ROW<" + fs.map { "`\($0.0)` \($0.1)" }.joined(separator: ", ") + ">"
            case .array(let t): "ARRAY<\(t)>"
            }
        }

        /// The type of a JSON value (nil for NULL: unknown yet).
        static func of(_ v: Value) -> FieldType? {
            switch v {
            case .int: return .bigint
            case .double: return .double
            case .bool: return .boolean
            case .string, .timestamp: return .string
            case .object(let o):
                return .row(o.map { ($0.key, FieldType.of($0.value) ?? .string) })
            case .array(let a):
                return .array(a.lazy.compactMap(FieldType.of).first ?? .string)
            default: return nil
            }
        }

        /// Two samples of one field: integers and decimals widen to DOUBLE; objects merge their fields.
        func merged(with other: FieldType) -> FieldType {
            switch (self, other) {
            case (.bigint, .double), (.double, .bigint): return .double
            case (.row(let a), .row(let b)):
                var fields = OrderedDictionary<String, FieldType>()
                for (k, t) in a { fields[k] = t }
                for (k, t) in b { fields[k] = fields[k].map { $0.merged(with: t) } ?? t }
                return .row(fields.map { ($0.key, $0.value) })
            default: return self == other ? self : .string
            }
        }
    }

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
    /// Lines of each input file sampled for the schema.
    public var sampleLines = 1000
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
                        guard let t = FlinkTranslator.declaredType(c.typeName) else {
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

    // MARK: sources and sinks

    func sinkDDL(_ name: String, _ query: String) -> String {
        "CREATE TABLE `sink_\(name)` WITH (\n  'connector' = 'filesystem',\n  'path' = '\(outputDirectory)/\(name)',\n  'format' = 'json'\n) AS\n\(query);"
    }

    static func declaredType(_ name: String) -> FieldType? {
        switch name.lowercased() {
        case "int", "integer", "bigint", "long", "smallint", "tinyint": return .bigint
        case "float", "double", "real", "decimal", "numeric": return .double
        case "string", "varchar", "text", "char": return .string
        case "bool", "boolean": return .boolean
        default: return nil
        }
    }

    /// Field types of a stream: declared columns, or a sample of its input file.
    func schema(of stream: String, range: SourceRange, sql: String) throws(StreamSQLError) -> [(String, FieldType)] {
        if let d = declared[stream.lowercased()] { return d }
        guard let path = inputs[stream.lowercased()] else {
            throw StreamSQLError(.plan, "Flink needs the fields of stream \(stream): give its input file (--input \(stream)=FILE) or declare its columns (CREATE STREAM \(stream) (name type, …))", at: range, in: sql)
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw StreamSQLError(.io, "cannot read \(path)", at: range, in: sql)
        }
        defer { try? handle.close() }
        let data = handle.readData(ofLength: 4 << 20)
        var fields = OrderedDictionary<String, FieldType>()
        var n = 0
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") where n < sampleLines {
            guard case .object(let o)? = try? JSONReader.parse(String(line)) else { continue }
            n += 1
            for (k, v) in o {
                guard let t = FieldType.of(v) else { continue }
                fields[k] = fields[k].map { $0.merged(with: t) } ?? t
            }
        }
        guard !fields.isEmpty else {
            throw StreamSQLError(.io, "no JSON objects in the first lines of \(path) to learn stream \(stream)'s fields from", at: range, in: sql)
        }
        return fields.map { ($0.key, $0.value) }
    }

    func tableSource(name: String, path: String, range: SourceRange, sql: String) throws(StreamSQLError) -> String {
        let rows: [OrderedDictionary<String, Value>]
        rows = try TableFile.load(path)
        var fields = OrderedDictionary<String, FieldType>()
        for r in rows.prefix(sampleLines) { for (k, v) in r { if let t = FieldType.of(v) { fields[k] = fields[k].map { $0.merged(with: t) } ?? t } } }
        let csv = path.lowercased().hasSuffix(".csv")
        if !csv && !path.lowercased().hasSuffix(".jsonl") {
            throw refuse("a table file other than CSV or JSON Lines (\(path))", range, sql)
        }
        var opts = "  'connector' = 'filesystem',\n  'path' = '\(path)',\n  'format' = '\(csv ? "csv" : "json")'"
        if csv { opts += ",\n  'csv.ignore-parse-errors' = 'true'" }
        let cols = fields.map { "  `\($0.key)` \($0.value)" }.joined(separator: ",\n")
        // A CSV header line fails to parse as data and is skipped by ignore-parse-errors.
        return "CREATE TABLE `\(name)` (\n\(cols)\n) WITH (\n\(opts)\n);"
    }

    // MARK: queries

    struct Translated { var sources: [String]; var query: String }

    /// How a query reads time: the rowtime column and its source expression, or processing time.
    struct TimeSpec {
        var eventField: String?
        var precision = 3
        var outOfOrderSeconds: Double = 0
        var session = false
        var column: String { eventField == nil ? "pt" : "rowtime" }
    }

    func refuse(_ what: String, _ range: SourceRange, _ sql: String) -> StreamSQLError {
        StreamSQLError(.flink, "\(what) has no Flink equivalent; the query is not translated", at: range, in: sql)
    }

    func timeSpec(_ s: SelectStatement, sql: String) throws(StreamSQLError) -> TimeSpec {
        var t = TimeSpec()
        for (k, v, r) in s.with {
            switch k.lowercased() {
            case "timestamp": t.eventField = v.asString
            case "timeunit":
                switch (v.asString ?? "").lowercased() {
                case "ms": t.precision = 3
                case "ss", "s": t.precision = 0
                default: throw refuse("TIMEUNIT '\(v.asString ?? "")'", r, sql)
                }
            case "maxoutoforderness":
                guard let text = v.asString, let n = Durations.parse(text) else { throw refuse("MAXOUTOFORDERNESS \(v)", r, sql) }
                t.outOfOrderSeconds = Double(n) / 1e9
            case "allowedlateness": throw refuse("ALLOWEDLATENESS (re-firing windows for late rows)", r, sql)
            case "idletimeout": throw refuse("IDLETIMEOUT (advancing the watermark of an idle source by wall time)", r, sql)
            case "statettl": throw refuse("STATETTL", r, sql)
            default: throw refuse("WITH option \(k)", r, sql)
            }
        }
        return t
    }

    /// The source table of one query (each query has its own, because time and watermark are per query).
    func source(_ stream: String, for name: String, time: TimeSpec, range: SourceRange, sql: String) throws(StreamSQLError) -> (String, String) {
        let fields = try schema(of: stream, range: range, sql: sql)
        var cols = fields.map { "  `\($0.0)` \($0.1)" }
        if let f = time.eventField {
            guard let ft = fields.first(where: { $0.0 == f })?.1 else {
                throw StreamSQLError(.plan, "the TIMESTAMP field '\(f)' is not a field of stream \(stream)", at: range, in: sql)
            }
            switch ft {
            case .bigint, .double: cols.append("  rowtime AS TO_TIMESTAMP_LTZ(CAST(`\(f)` AS BIGINT), \(time.precision))")
            case .string: cols.append("  rowtime AS TO_TIMESTAMP_LTZ(`\(f)`, 'yyyy-MM-dd''T''HH:mm:ss[.SSS]X')")
            default: throw refuse("a TIMESTAMP field of type \(ft)", range, sql)
            }
            // Flink fires a window when the watermark reaches its end − 1 ms: 1 ms more lag fires it when ours
            // does (watermark ≥ end); sessions, which we close only once the watermark is past their end, need 2.
            let lag = String(format: "%.3f", time.outOfOrderSeconds + (time.session ? 0.002 : 0.001))
            cols.append("  WATERMARK FOR rowtime AS rowtime - INTERVAL '\(lag)' SECOND")
        } else {
            cols.append("  pt AS PROCTIME()")
        }
        let table = "src_\(name)_\(stream)"
        guard let path = inputs[stream.lowercased()] ?? (placeholderPaths ? "\(stream).jsonl" : nil) else {
            throw StreamSQLError(.plan, "Flink reads stream \(stream) from a file: give --input \(stream)=FILE", at: range, in: sql)
        }
        let ddl = "CREATE TABLE `\(table)` (\n" + cols.joined(separator: ",\n") + "\n) WITH (\n  'connector' = 'filesystem',\n  'path' = '\(path)',\n  'format' = 'json',\n  'json.ignore-parse-errors' = 'true'\n);"
        return (table, ddl)
    }

    mutating func select(_ s: SelectStatement, sql: String, name: String) throws(StreamSQLError) -> Translated {
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
                throw refuse("ORDER BY a column other than a time column (whole milliseconds or seconds, or ISO text) in MATCH_RECOGNIZE", mr.orderBy.first?.expr.range ?? mr.range, sql)
            }
        }
        var sources: [String] = []
        let from: String
        if views.contains(s.from.source.lowercased()) {
            from = "`\(s.from.source)`"
            if time.eventField != nil { throw refuse("event time on a derived stream (declare the time on the query that reads the input)", s.from.range, sql) }
        } else {
            let (table, ddl) = try source(s.from.source, for: name, time: time, range: s.from.range, sql: sql)
            sources.append(ddl)
            from = "`\(table)`"
        }
        var ctx = ExprContext(sql: sql, time: time, translator: self)
        if !views.contains(s.from.source.lowercased()), let fields = try? schema(of: s.from.source, range: s.from.range, sql: sql) {
            ctx.fieldTypes = Dictionary(fields, uniquingKeysWith: { a, _ in a })
        }
        if let a = s.from.alias { ctx.aliases.insert(a.lowercased()) }
        ctx.aliases.insert(s.from.source.lowercased())
        var joins = ""
        for j in s.from.joins {
            guard j.kind == .inner else { throw refuse("LEFT JOIN (Flink's regular left join emits retractions a file sink cannot take)", j.range, sql) }
            guard let t = tables[j.source.lowercased()] else {
                throw refuse("a join with \(j.source), which is not a table read from a file", j.range, sql)
            }
            joins += "\nJOIN `\(t)`" + (j.alias.map { " AS `\($0)`" } ?? "") + " ON " + (try ctx.expr(j.on))
        }
        let alias = s.from.alias.map { " AS `\($0)`" } ?? ""
        if let mr = s.matchRecognize { return Translated(sources: sources, query: try matchRecognize(s, mr, from: from + alias, ctx: &ctx)) }
        if let w = s.window { return Translated(sources: sources, query: try windowed(s, w, from: from, alias: alias, joins: joins, ctx: &ctx)) }
        if !s.groupBy.isEmpty || s.items.contains(where: { ctx.containsAggregate($0.expr) }) {
            throw refuse("an aggregate without a window (the reference's default window has no fixed Flink counterpart); add GROUP BY …Window(…)", s.range, sql)
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

    mutating func windowed(_ s: SelectStatement, _ w: WindowSpec, from: String, alias: String, joins: String, ctx: inout ExprContext) throws(StreamSQLError) -> String {
        let sql = ctx.sql
        func duration(_ i: Int) throws(StreamSQLError) -> String {
            guard i < w.args.count, case .literal(let v) = w.args[i].kind, let text = v.asString, let n = Durations.parse(text) else {
                throw refuse("window argument", w.range, sql)
            }
            return FlinkTranslator.interval(n)
        }
        if !joins.isEmpty { throw refuse("a join in a windowed query (join in a derived stream first)", w.range, sql) }
        let keys = s.groupBy
        let keyText = try keys.map { e throws(StreamSQLError) in try ctx.expr(e) }
        let col = ctx.time.column
        let tvf: String
        switch w.name.lowercased() {
        case "tumblingwindow":
            tvf = "TABLE(TUMBLE(TABLE \(from), DESCRIPTOR(\(col)), \(try duration(0))))"
        case "slidingwindow":
            tvf = "TABLE(HOP(TABLE \(from), DESCRIPTOR(\(col)), \(try duration(1)), \(try duration(0))))"
        case "sessionwindow":
            let part = keyText.isEmpty ? "" : " PARTITION BY " + keyText.joined(separator: ", ")
            tvf = "TABLE(SESSION(TABLE \(from)\(part), DESCRIPTOR(\(col)), \(try duration(0))))"
        case "countingwindow":
            return try countingWindow(s, w, from: from + alias, keys: keyText, ctx: &ctx)
        default:
            throw refuse("GLOBAL WINDOW … TRIGGER WHEN (a window closed by a condition on its aggregates)", w.range, sql)
        }
        ctx.windowed = true
        var q = "SELECT " + (try items(s.items, ctx: &ctx))
        let limited = s.limit != nil || !s.orderBy.isEmpty
        if limited { q += ", window_start AS `__ws`, window_end AS `__we`" }
        q += "\nFROM " + tvf
        if !alias.isEmpty { q += alias }
        if let wh = s.whereClause { q += "\nWHERE " + (try ctx.expr(wh)) }
        q += "\nGROUP BY window_start, window_end" + (keyText.isEmpty ? "" : ", " + keyText.joined(separator: ", "))
        if let h = s.having { q += "\nHAVING " + (try ctx.havingExpr(h, items: s.items)) }
        guard limited else { return q }
        // ORDER BY … LIMIT n per firing: the top n rows of each window.
        let names = s.items.map { $0.alias ?? ctx.outputName($0) }
        var order: [String] = []
        for o in s.orderBy {
            let text: String
            if case .name(let n, _) = o.expr.kind, names.contains(where: { $0.lowercased() == n.lowercased() }) { text = "`\(n)`" }
            else if let i = s.items.firstIndex(where: { $0.expr.canonical == o.expr.canonical }) { text = "`\(names[i])`" }
            else { throw refuse("ORDER BY an expression that is not a selected column", o.expr.range, sql) }
            order.append(text + (o.descending ? " DESC" : " ASC"))
        }
        if order.isEmpty { order = ["`__ws`"] }
        let rn = "ROW_NUMBER() OVER (PARTITION BY `__ws`, `__we` ORDER BY " + order.joined(separator: ", ") + ")"
        let outer = names.map { "`\($0)`" }.joined(separator: ", ")
        return "SELECT \(outer) FROM (\n  SELECT *, \(rn) AS `__rn` FROM (\n\(q)\n  )\n) WHERE `__rn` <= \(s.limit ?? Int(Int32.max))"
    }

    /// `CountingWindow(n)` per key: a pattern of n rows per key, aggregates in MEASURES.
    func countingWindow(_ s: SelectStatement, _ w: WindowSpec, from: String, keys: [String], ctx: inout ExprContext) throws(StreamSQLError) -> String {
        let sql = ctx.sql
        guard case .literal(let v) = w.args.first?.kind, let n = v.asInt, n > 0 else { throw refuse("CountingWindow argument", w.range, sql) }
        if s.whereClause != nil || s.having != nil || !s.orderBy.isEmpty {
            throw refuse("WHERE, HAVING or ORDER BY with a CountingWindow", w.range, sql)
        }
        var measures: [String] = []
        var outer: [String] = []
        for i in s.items {
            let name = i.alias ?? ctx.outputName(i)
            if let k = s.groupBy.firstIndex(where: { $0.canonical == i.expr.canonical }) {
                outer.append("\(keys[k]) AS `\(name)`")
                continue
            }
            ctx.patternVariable = "A"
            defer { ctx.patternVariable = nil }
            measures.append(try ctx.expr(i.expr) + " AS `\(name)`")
            outer.append("`\(name)`")
        }
        let part = keys.isEmpty ? "" : "PARTITION BY " + keys.joined(separator: ", ") + " "
        return """
            SELECT \(outer.joined(separator: ", "))
            FROM \(from) MATCH_RECOGNIZE (
              \(part)ORDER BY \(ctx.time.column)
              MEASURES \(measures.joined(separator: ", "))
              ONE ROW PER MATCH
              AFTER MATCH SKIP PAST LAST ROW
              PATTERN (A{\(n)})
              DEFINE A AS TRUE
            )
            """
    }

    func matchRecognize(_ s: SelectStatement, _ mr: MatchRecognizeClause, from: String, ctx: inout ExprContext) throws(StreamSQLError) -> String {
        let sql = ctx.sql
        if mr.allRows { throw refuse("ALL ROWS PER MATCH", mr.range, sql) }
        if case .toNextRow = mr.afterMatch {} // supported
        guard mr.orderBy.count == 1, case .name(let o, _) = mr.orderBy[0].expr.kind, o == ctx.time.eventField else {
            throw refuse("ORDER BY a column other than the query's event time in MATCH_RECOGNIZE", mr.orderBy.first?.expr.range ?? mr.range, sql)
        }
        if s.whereClause != nil || s.window != nil { throw refuse("WHERE or a window around MATCH_RECOGNIZE", s.range, sql) }
        ctx.inPattern = true
        // `SELECT *` gives the measures, as this engine (and the reference) does; Flink would add the partition columns.
        let selected: String
        if s.items.count == 1, case .star = s.items[0].expr.kind {
            selected = mr.measures.map { "`\($0.alias ?? ctx.outputName($0))`" }.joined(separator: ", ")
        } else {
            selected = try items(s.items, ctx: &ctx)
        }
        var text = "SELECT " + selected + "\nFROM " + from + " MATCH_RECOGNIZE (\n"
        if !mr.partitionBy.isEmpty { text += "  PARTITION BY " + (try mr.partitionBy.map { e throws(StreamSQLError) in try ctx.expr(e) }).joined(separator: ", ") + "\n" }
        text += "  ORDER BY \(ctx.time.column)\n"
        if !mr.measures.isEmpty { text += "  MEASURES " + (try items(mr.measures, ctx: &ctx)).replacingOccurrences(of: "`", with: "") + "\n" }
        text += "  ONE ROW PER MATCH\n"
        switch mr.afterMatch {
        case .pastLastRow: text += "  AFTER MATCH SKIP PAST LAST ROW\n"
        case .toNextRow: text += "  AFTER MATCH SKIP TO NEXT ROW\n"
        case .toFirst(let v): text += "  AFTER MATCH SKIP TO FIRST \(v)\n"
        case .toLast(let v): text += "  AFTER MATCH SKIP TO LAST \(v)\n"
        }
        if lastIsGreedy(mr.pattern) { throw refuse("a greedy quantifier on the pattern's last element", mr.range, sql) }
        text += "  PATTERN (" + (try pattern(mr.pattern, mr, sql)) + ")"
        if let w = mr.withinNanos { text += " WITHIN \(FlinkTranslator.interval(w))" }
        text += "\n"
        if !mr.subsets.isEmpty { text += "  SUBSET " + mr.subsets.map { "\($0.0) = (\($0.1.joined(separator: ", ")))" }.joined(separator: ", ") + "\n" }
        text += "  DEFINE " + (try mr.defines.map { d throws(StreamSQLError) in "\(d.0) AS " + (try ctx.expr(d.1)) }).joined(separator: ",\n    ") + "\n)"
        return text
    }

    func lastIsGreedy(_ p: PatternNode) -> Bool {
        switch p {
        case .sequence(let xs): return xs.last.map(lastIsGreedy) ?? false
        case .quantified(_, let min, let max, let reluctant): return !reluctant && max != min
        default: return false
        }
    }

    func pattern(_ p: PatternNode, _ mr: MatchRecognizeClause, _ sql: String) throws(StreamSQLError) -> String {
        switch p {
        case .symbol(let s, _): return s
        case .sequence(let xs): return try xs.map { x throws(StreamSQLError) in try pattern(x, mr, sql) }.joined(separator: " ")
        case .alternation(let xs): return "(" + (try xs.map { x throws(StreamSQLError) in try pattern(x, mr, sql) }).joined(separator: " | ") + ")"
        case .quantified(let x, let min, let max, let reluctant):
            let inner = try pattern(x, mr, sql)
            let q: String
            switch (min, max) {
            case (0, nil): q = "*"
            case (1, nil): q = "+"
            case (0, 1): q = "?"
            case (let a, nil): q = "{\(a),}"
            case (let a, let b?) where a == b: q = "{\(a)}"
            case (let a, let b?): q = "{\(a),\(b)}"
            }
            return inner + q + (reluctant ? "?" : "")
        case .permute: throw refuse("PERMUTE", mr.range, sql)
        case .anchorStart, .anchorEnd: throw refuse("pattern anchors ^ and $", mr.range, sql)
        }
    }

    static func interval(_ nanos: Int64) -> String {
        let ms = nanos / 1_000_000
        if ms % 3_600_000 == 0 { return "INTERVAL '\(ms / 3_600_000)' HOUR" }
        if ms % 60_000 == 0 { return "INTERVAL '\(ms / 60_000)' MINUTE" }
        if ms % 1000 == 0 { return "INTERVAL '\(ms / 1000)' SECOND" }
        return "INTERVAL '\(String(format: "%.3f", Double(ms) / 1000))' SECOND"
    }
}

/// Expression translation state for one query.
struct ExprContext {
    let sql: String
    let time: FlinkTranslator.TimeSpec
    let translator: FlinkTranslator
    var aliases: Set<String> = []
    /// Types of the source's top-level fields.
    var fieldTypes: [String: FlinkTranslator.FieldType] = [:]
    var windowed = false
    var inPattern = false
    /// Inside a counting window's MEASURES: fields are read through this pattern variable.
    var patternVariable: String?

    init(sql: String, time: FlinkTranslator.TimeSpec, translator: FlinkTranslator) {
        self.sql = sql
        self.time = time
        self.translator = translator
    }

    static let aggregates: [String: String] = [
        "count": "COUNT", "sum": "SUM", "avg": "AVG", "min": "MIN", "max": "MAX",
        "stddev": "STDDEV_SAMP", "stddevs": "STDDEV_SAMP", "stddevp": "STDDEV_POP", "var": "VAR_POP", "varp": "VAR_POP",
        "vars": "VAR_SAMP", "first_value": "FIRST_VALUE", "last_value": "LAST_VALUE", "collect": "ARRAY_AGG",
    ]
    static let scalars: [String: String] = [
        "abs": "ABS", "round": "ROUND", "floor": "FLOOR", "ceil": "CEIL", "ceiling": "CEIL", "power": "POWER",
        "pow": "POWER", "exp": "EXP", "sign": "SIGN", "mod": "MOD",
        "upper": "UPPER", "lower": "LOWER", "trim": "TRIM", "ltrim": "LTRIM", "rtrim": "RTRIM", "length": "CHAR_LENGTH",
        "replace": "REPLACE", "coalesce": "COALESCE", "greatest": "GREATEST",
        "least": "LEAST", "lpad": "LPAD", "rpad": "RPAD", "nullif": "NULLIF", "if": "IF", "reverse": "REVERSE",
    ]
    static let accumulators: [String: String] = ["acc_sum": "SUM", "acc_count": "COUNT", "acc_max": "MAX", "acc_min": "MIN", "acc_avg": "AVG"]

    func refuse(_ what: String, _ range: SourceRange) -> StreamSQLError { translator.refuse(what, range, sql) }

    /// Whether an expression is text for sure: a string literal, a STRING field, or a text function of those.
    func isText(_ e: Expr) -> Bool {
        switch e.kind {
        case .literal(.string): return true
        case .name(let n, _): return fieldTypes[n] == .string
        case .call(let n, let args, _, _, _):
            return ["upper", "lower", "trim", "ltrim", "rtrim", "concat", "substring", "substr", "replace"].contains(n.lowercased())
                && args.first.map(isText) == true
        default: return false
        }
    }

    func containsAggregate(_ e: Expr) -> Bool {
        var found = false
        func walk(_ x: Expr) {
            if case .call(let n, let args, _, let over, _) = x.kind {
                if over == nil && (ExprContext.aggregates[n.lowercased()] != nil || n.lowercased() == "median") { found = true }
                args.forEach(walk)
            }
            switch x.kind {
            case .unary(_, let a), .isNull(let a, _), .cast(let a, _), .member(let a, _): walk(a)
            case .binary(_, let a, let b), .like(let a, let b, _), .index(let a, let b): walk(a); walk(b)
            case .caseWhen(let o, let ws, let other): if let o { walk(o) }; for (c, v) in ws { walk(c); walk(v) }; if let other { walk(other) }
            default: break
            }
        }
        walk(e)
        return found
    }

    func outputName(_ i: SelectItem) -> String {
        switch i.expr.kind {
        case .name(let n, _): return n
        case .member: return i.expr.canonical
        default:
            guard i.range.start >= 0, i.range.end <= sql.utf8.count else { return i.expr.canonical }
            let b = Array(sql.utf8)
            return String(decoding: b[i.range.start..<i.range.end], as: UTF8.self)
        }
    }

    func literal(_ v: Value) -> String {
        switch v {
        case .null: return "NULL"
        case .bool(let b): return b ? "TRUE" : "FALSE"
        case .string(let s): return "'" + s.replacingOccurrences(of: "'", with: "''") + "'"
        case .int(let i): return String(i)
        case .double(let d): return d == d.rounded() && abs(d) < 1e15 ? String(format: "%.1f", d) : "\(d)"
        default: return "'" + v.description.replacingOccurrences(of: "'", with: "''") + "'"
        }
    }

    func field(_ n: String) -> String {
        let base = "`\(n)`"
        return patternVariable.map { "\($0).\(base)" } ?? base
    }

    /// HAVING may name a select alias; Flink wants the aggregate itself.
    mutating func havingExpr(_ e: Expr, items: [SelectItem]) throws(StreamSQLError) -> String {
        if case .name(let n, _) = e.kind, let i = items.first(where: { $0.alias?.lowercased() == n.lowercased() }) { return try expr(i.expr) }
        switch e.kind {
        case .binary(let op, let a, let b):
            let o = op == .ne ? "<>" : (op == .eq ? "=" : op.rawValue)
            return "(" + (try havingExpr(a, items: items)) + " \(o) " + (try havingExpr(b, items: items)) + ")"
        case .unary(.not, let a): return "NOT " + (try havingExpr(a, items: items))
        default: return try expr(e)
        }
    }

    mutating func expr(_ e: Expr) throws(StreamSQLError) -> String {
        switch e.kind {
        case .literal(let v): return literal(v)
        case .name(let n, _): return field(n)
        case .star: throw refuse("'*' here", e.range)
        case .member(let base, let f):
            if case .name(let q, _) = base.kind {
                if aliases.contains(q.lowercased()) && patternVariable == nil { return field(f) }
                if translator.tables.keys.contains(q.lowercased()) || inPattern { return "`\(q)`.`\(f)`" }
                return field(q) + ".`\(f)`"
            }
            return try expr(base) + ".`\(f)`"
        case .index(let base, let i):
            // Flink arrays are 1-based; ours (and the reference's) 0-based.
            if case .literal(.int(let k)) = i.kind, k >= 0 { return try expr(base) + "[\(k + 1)]" }
            if case .literal(.string(let k)) = i.kind { return try expr(base) + ".`\(k)`" }
            return try expr(base) + "[" + (try expr(i)) + " + 1]"
        case .unary(let op, let a):
            return op == .not ? "NOT (" + (try expr(a)) + ")" : "(" + op.rawValue + (try expr(a)) + ")"
        case .binary(let op, let a, let b):
            if op == .eq || op == .ne {
                if case .literal(.null) = b.kind { return "(" + (try expr(a)) + (op == .eq ? " IS NULL)" : " IS NOT NULL)") }
            }
            let x = try expr(a), y = try expr(b)
            switch op {
            case .div: return "(CAST(\(x) AS DOUBLE) / \(y))"   // ours always divides as decimals
            case .mod: return "MOD(\(x), \(y))"
            case .ne: return "(\(x) <> \(y))"
            case .concat: return "CONCAT(\(x), \(y))"
            default: return "(\(x) \(op.rawValue) \(y))"
            }
        case .isNull(let a, let neg): return "(" + (try expr(a)) + (neg ? " IS NOT NULL)" : " IS NULL)")
        case .inList(let a, let xs, let neg):
            return "(" + (try expr(a)) + (neg ? " NOT IN (" : " IN (") + (try xs.map { x throws(StreamSQLError) in try expr(x) }).joined(separator: ", ") + "))"
        case .between(let a, let lo, let hi, let neg):
            return "(" + (try expr(a)) + (neg ? " NOT BETWEEN " : " BETWEEN ") + (try expr(lo)) + " AND " + (try expr(hi)) + ")"
        case .like(let a, let p, let neg): return "(" + (try expr(a)) + (neg ? " NOT LIKE " : " LIKE ") + (try expr(p)) + ")"
        case .caseWhen(let op, let whens, let other):
            var s = "CASE"
            if let op { s += " " + (try expr(op)) }
            for (c, v) in whens { s += " WHEN " + (try expr(c)) + " THEN " + (try expr(v)) }
            if let other { s += " ELSE " + (try expr(other)) }
            return s + " END"
        case .cast(let a, let t):
            guard let ft = FlinkTranslator.declaredType(t) else { throw refuse("CAST to \(t)", e.range) }
            return "CAST(" + (try expr(a)) + " AS \(ft))"
        case .arrayLiteral(let xs): return "ARRAY[" + (try xs.map { x throws(StreamSQLError) in try expr(x) }).joined(separator: ", ") + "]"
        case .objectLiteral: throw refuse("an object literal", e.range)
        case .lambda: throw refuse("a lambda (x -> …)", e.range)
        case .call(let name, let args, let distinct, let over, let semantics):
            return try call(e, name.lowercased(), args, distinct: distinct, over: over, semantics: semantics)
        }
    }

    mutating func call(_ e: Expr, _ name: String, _ args: [Expr], distinct: Bool, over: OverClause?, semantics: String?) throws(StreamSQLError) -> String {
        func list() throws(StreamSQLError) -> String {
            try args.map { a throws(StreamSQLError) -> String in
                if case .star = a.kind { return "*" }
                return try expr(a)
            }.joined(separator: ", ")
        }
        if let w = over?.when { throw refuse("OVER (… WHEN …) (an analytic function that skips rows)", w.range) }
        if ["window_start", "window_end"].contains(name) {
            guard windowed else { throw refuse("\(name)() outside a window", e.range) }
            // Ours are Unix nanoseconds, as the reference's; Flink's are TIMESTAMP(3).
            let col = name == "window_start" ? "window_start" : "window_end"
            return "(CAST(UNIX_TIMESTAMP(DATE_FORMAT(\(col), 'yyyy-MM-dd HH:mm:ss')) AS BIGINT) * 1000000000)"
        }
        if let agg = ExprContext.aggregates[name], over == nil {
            if inPattern {
                return (semantics.map { $0.uppercased() + " " } ?? "") + agg + "(" + (try list()) + ")"
            }
            guard windowed || patternVariable != nil else { throw refuse("aggregate \(name)(…) outside a window", e.range) }
            if name == "collect" && patternVariable != nil { throw refuse("collect in a CountingWindow", e.range) }
            return agg + "(" + (distinct ? "DISTINCT " : "") + (try list()) + ")"
        }
        if name == "median" {
            guard windowed, args.count == 1 else { throw refuse("median outside a window", e.range) }
            return "PERCENTILE(" + (try expr(args[0])) + ", 0.5)"
        }
        if name == "percentile" {
            guard windowed, args.count == 2 else { throw refuse("percentile outside a window", e.range) }
            return "PERCENTILE(" + (try expr(args[0])) + ", " + (try expr(args[1])) + ")"
        }
        let partition = try (over?.partitionBy ?? []).map { x throws(StreamSQLError) in try expr(x) }
        let overText = "OVER (" + (partition.isEmpty ? "" : "PARTITION BY " + partition.joined(separator: ", ") + " ") + "ORDER BY \(time.column)"
        if name == "lag" {
            if windowed { throw refuse("lag(…) over window results", e.range) }
            if args.count > 3 { throw refuse("lag's ignoreNull argument (Flink ignores IGNORE NULLS)", args[3].range) }
            var s = "LAG(" + (try expr(args[0]))
            if args.count > 1 { s += ", " + (try expr(args[1])) }
            if args.count > 2 { s += ", " + (try expr(args[2])) }
            return s + ") " + overText + ")"
        }
        if let acc = ExprContext.accumulators[name] {
            if windowed { throw refuse("\(name)(…) over window results", e.range) }
            if args.count > 1 { throw refuse("\(name)'s start and reset conditions", args[1].range) }
            return acc + "(" + (try expr(args[0])) + ") " + overText + " ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"
        }
        if ["had_changed", "changed_col", "changed_cols", "latest", "first_seen", "recent_count", "recent_collect", "acc_stddev"].contains(name) {
            throw refuse("\(name)(…)", e.range)
        }
        if inPattern, ["first", "last", "prev", "next"].contains(name) {
            return (semantics.map { $0.uppercased() + " " } ?? "") + name.uppercased() + "(" + (try list()) + ")"
        }
        if inPattern, ["classifier", "match_number"].contains(name) { throw refuse("\(name.uppercased())()", e.range) }
        switch name {
        case "concat":  // ours skips NULL arguments; Flink's CONCAT would return NULL
            // Text only: numbers print differently (99 here, 99.0 in Flink).
            for a in args where !isText(a) { throw refuse("concat of a value that is not text (numbers print differently in Flink)", a.range) }
            let parts = try args.map { a throws(StreamSQLError) in try expr(a) }
            return "CONCAT_WS(''" + (parts.isEmpty ? "" : ", ") + parts.joined(separator: ", ") + ")"
        case "substring", "substr":  // ours counts from 0, Flink's from 1
            guard args.count >= 2 else { throw refuse("\(name) with \(args.count) argument(s)", e.range) }
            return "SUBSTRING(" + (try expr(args[0])) + ", (" + (try expr(args[1])) + ") + 1" + (args.count > 2 ? ", " + (try expr(args[2])) : "") + ")"
        case "sqrt", "ln", "log10":  // ours gives NULL outside the domain, Flink NaN
            let x = try expr(args[0])
            let bad = name == "sqrt" ? "\(x) < 0" : "\(x) <= 0"
            return "CASE WHEN \(bad) THEN NULL ELSE \(name.uppercased())(\(x)) END"
        default: break
        }
        if let f = ExprContext.scalars[name] {
            if name == "round" && args.count == 1 { return "ROUND(" + (try expr(args[0])) + ", 0)" }
            return f + "(" + (try list()) + ")"
        }
        throw refuse("function \(name)(…)", e.range)
    }
}
