import Foundation
import StreamSQL

/// The CREATE TABLE text of sources (a query's input stream, a table read from a file) and sinks, and the
/// time attribute (event time with its watermark, or processing time) a source declares.
extension FlinkTranslator {
    /// How a query reads time: the rowtime column and its source expression, or processing time.
    struct TimeSpec {
        var eventField: String?
        /// Nanoseconds per unit of a numeric time field (TIMEUNIT; milliseconds by default, as this engine).
        var unitNanos: Int64 = 1_000_000
        var outOfOrderNanos: Int64 = 0
        var session = false
        /// STATETTL: Flink's `table.exec.state.ttl`, one value for the whole job.
        var stateTTLMillis: Int64?
        var column: String { eventField == nil ? "pt" : "rowtime" }
    }

    /// A query's time from its `WITH (TIMESTAMP=…, TIMEUNIT=…, MAXOUTOFORDERNESS=…)` options.
    func timeSpec(_ s: SelectStatement, sql: String) throws(StreamSQLError) -> TimeSpec {
        var t = TimeSpec()
        for (k, v, r) in s.with {
            switch k.lowercased() {
            case "timestamp": t.eventField = v.asString
            case "timeunit":
                guard let n = v.asString.flatMap(Durations.unit) else { throw refuse("TIMEUNIT '\(v.asString ?? "")'", r, sql) }
                t.unitNanos = n
            case "maxoutoforderness":
                guard let text = v.asString, let n = Durations.parse(text, allowZero: true) else { throw refuse("MAXOUTOFORDERNESS \(v)", r, sql) }
                t.outOfOrderNanos = n
            case "allowedlateness": throw refuse("ALLOWEDLATENESS (re-firing windows for late rows)", r, sql)
            case "idletimeout": throw refuse("IDLETIMEOUT (advancing the watermark of an idle source by wall time)", r, sql)
            case "statettl":
                guard let text = v.asString, let n = Durations.parse(text) else { throw refuse("STATETTL \(v)", r, sql) }
                t.stateTTLMillis = max(1, n / 1_000_000)
            default: throw refuse("WITH option \(k)", r, sql)
            }
        }
        return t
    }

    /// Milliseconds since the epoch of ISO-8601 text as this engine reads it: `T`, `t` or a space between date and
    /// time, seconds optional, 0–9 fraction digits (cut to milliseconds, as Flink's rowtime holds them), and `Z`
    /// or an offset `±hh[:mm]` (none: UTC). Flink's own TO_TIMESTAMP_LTZ ignores the offset, so the parts are
    /// taken apart with one regular expression and added up.
    static func isoMillis(_ field: String) -> String {
        let re = "^ *([0-9]{4}-[0-9]{2}-[0-9]{2})(?:[Tt ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:[.,]([0-9]+))?)?)? *(?:[Zz]|([+-])([0-9]{2}):?([0-9]{2})?)? *$"
        func g(_ i: Int) -> String { "REGEXP_EXTRACT(\(field), '\(re)', \(i))" }
        func n(_ i: Int) -> String { "COALESCE(TRY_CAST(\(g(i)) AS BIGINT), 0)" }
        return "(UNIX_TIMESTAMP(\(g(1)), 'yyyy-MM-dd') * 1000 + \(n(2)) * 3600000 + \(n(3)) * 60000 + \(n(4)) * 1000"
            + " + COALESCE(TRY_CAST(RPAD(SUBSTR(\(g(5)), 1, 3), 3, '0') AS BIGINT), 0)"
            + " - (CASE \(g(6)) WHEN '-' THEN -1 WHEN '+' THEN 1 ELSE 0 END) * (\(n(7)) * 3600000 + \(n(8)) * 60000))"
    }

    /// The table as a versioned table for an event-time temporal join: its primary key, and a version time of
    /// 0 whose watermark holds the join back until the whole (bounded) file is read — every row then joins with
    /// the file's content, as this engine's lookup does. Declared once per script.
    mutating func versionedTable(_ table: String, range: SourceRange, sql: String) throws(StreamSQLError)
        -> (versioned: String, fields: [(String, FieldType)]) {
        let key = table.lowercased()
        guard let fields = tableFields[key], let file = tableFiles[key], let name = tables[key] else {
            throw refuse("a join with \(table), which is not a table read from a file", range, sql)
        }
        guard !file.key.isEmpty else { throw refuse("a windowed join with a table without a PRIMARY KEY (Flink's temporal join needs one)", range, sql) }
        let v = "\(name)__versioned"
        if !versioned.contains(key) {
            versioned.insert(key)
            let csv = file.path.lowercased().hasSuffix(".csv")
            let cols = fields.map { "  `\($0.0)` \($0.1)" + (file.key.contains($0.0) ? " NOT NULL" : "") }
                + ["  `__version` AS TO_TIMESTAMP_LTZ(0, 3)", "  WATERMARK FOR `__version` AS `__version`",
                   "  PRIMARY KEY (" + file.key.map { "`\($0)`" }.joined(separator: ", ") + ") NOT ENFORCED"]
            tableDDL.append("CREATE TABLE `\(v)` (\n" + cols.joined(separator: ",\n") + "\n) WITH (\n  'connector' = 'filesystem',\n  'path' = '\(file.path)',\n"
                            + "  'format' = '\(csv ? "csv" : "json")',\n  '\(csv ? "csv" : "json").ignore-parse-errors' = 'true'\n);")
        }
        return (v, fields)
    }

    func sinkDDL(_ name: String, _ query: String) -> String {
        let options = kafkaSink.map { $0.sinkOptions(query: name) }
            ?? "  'connector' = 'filesystem',\n  'path' = '\(outputDirectory)/\(name)',\n  'format' = 'json'"
        return "CREATE TABLE `sink_\(name)` WITH (\n\(options)\n) AS\n\(query);"
    }

    /// The source table of one query (each query has its own, because time and watermark are per query).
    func source(_ stream: String, fields: [(String, FieldType)], for name: String, time: TimeSpec, range: SourceRange,
                sql: String) throws(StreamSQLError) -> (table: String, ddl: String) {
        var cols = fields.map { "  `\($0.0)` \($0.1)" }
        if let f = time.eventField {
            guard let ft = fields.first(where: { $0.0 == f })?.1 else {
                throw StreamSQLError(.plan, "the TIMESTAMP field '\(f)' is not a field of stream \(stream)", at: range, in: sql)
            }
            switch ft {
            case .bigint, .double:
                // Milliseconds, as Flink's rowtime holds them (finer units are cut, as windows are whole milliseconds).
                let millis = time.unitNanos < 1_000_000 ? "CAST(`\(f)` AS BIGINT) / \(1_000_000 / time.unitNanos)"
                    : time.unitNanos == 1_000_000 ? "CAST(`\(f)` AS BIGINT)" : "CAST(`\(f)` * \(time.unitNanos / 1_000_000) AS BIGINT)"
                cols.append("  rowtime AS TO_TIMESTAMP_LTZ(\(millis), 3)")
            case .string: cols.append("  rowtime AS TO_TIMESTAMP_LTZ(\(FlinkTranslator.isoMillis("`\(f)`")), 3)")
            default: throw refuse("a TIMESTAMP field of type \(ft)", range, sql)
            }
            // Flink fires a window when the watermark reaches its end − 1 ms: 1 ms more lag fires it when ours
            // does (watermark ≥ end); sessions, which we close only once the watermark is past their end, need 2.
            let lag = time.outOfOrderNanos / 1_000_000 * 1_000_000 + (time.session ? 2_000_000 : 1_000_000)
            cols.append("  WATERMARK FOR rowtime AS rowtime - \(FlinkTranslator.interval(lag))")
        } else {
            cols.append("  pt AS PROCTIME()")
        }
        let table = "src_\(name)_\(stream)"
        if let k = kafkaSources[stream.lowercased()] {
            return (table, "CREATE TABLE `\(table)` (\n" + cols.joined(separator: ",\n") + "\n) WITH (\n" + k.sourceOptions(query: name) + "\n);")
        }
        guard let path = inputs[stream.lowercased()] ?? (placeholderPaths ? "\(stream).jsonl" : nil) else {
            throw StreamSQLError(.plan, "Flink reads stream \(stream) from a file: give --input \(stream)=FILE", at: range, in: sql)
        }
        let ddl = "CREATE TABLE `\(table)` (\n" + cols.joined(separator: ",\n")
            + "\n) WITH (\n  'connector' = 'filesystem',\n  'path' = '\(path)',\n  'format' = 'json',\n  'json.ignore-parse-errors' = 'true'\n);"
        return (table, ddl)
    }

    /// A bounded table read from a CSV or JSON Lines file, its column types from every row of the file.
    mutating func tableSource(name: String, path: String, range: SourceRange, sql: String) throws(StreamSQLError) -> String {
        let csv = path.lowercased().hasSuffix(".csv")
        if !csv && !path.lowercased().hasSuffix(".jsonl") {
            throw refuse("a table file other than CSV or JSON Lines (\(path))", range, sql)
        }
        var fields = InferredFields()
        for row in try TableFile.load(path) { fields.add(row) }
        var opts = "  'connector' = 'filesystem',\n  'path' = '\(path)',\n  'format' = '\(csv ? "csv" : "json")'"
        if csv { opts += ",\n  'csv.ignore-parse-errors' = 'true'" }
        tableFields[name.lowercased()] = fields.list
        let cols = fields.list.map { "  `\($0.0)` \($0.1)" }.joined(separator: ",\n")
        // A CSV header line fails to parse as data and is skipped by ignore-parse-errors.
        return "CREATE TABLE `\(name)` (\n\(cols)\n) WITH (\n\(opts)\n);"
    }
}
