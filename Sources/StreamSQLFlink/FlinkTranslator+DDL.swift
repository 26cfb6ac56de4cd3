import Foundation
import StreamSQL

/// The CREATE TABLE text of sources (a query's input stream, a table read from a file) and sinks, and the
/// time attribute (event time with its watermark, or processing time) a source declares.
extension FlinkTranslator {
    /// How a query reads time: the rowtime column and its source expression, or processing time.
    struct TimeSpec {
        var eventField: String?
        var precision = 3
        var outOfOrderSeconds: Double = 0
        var session = false
        var column: String { eventField == nil ? "pt" : "rowtime" }
    }

    /// A query's time from its `WITH (TIMESTAMP=…, TIMEUNIT=…, MAXOUTOFORDERNESS=…)` options.
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

    func sinkDDL(_ name: String, _ query: String) -> String {
        "CREATE TABLE `sink_\(name)` WITH (\n  'connector' = 'filesystem',\n  'path' = '\(outputDirectory)/\(name)',\n"
            + "  'format' = 'json'\n) AS\n\(query);"
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
        let ddl = "CREATE TABLE `\(table)` (\n" + cols.joined(separator: ",\n")
            + "\n) WITH (\n  'connector' = 'filesystem',\n  'path' = '\(path)',\n  'format' = 'json',\n  'json.ignore-parse-errors' = 'true'\n);"
        return (table, ddl)
    }

    /// A bounded table read from a CSV or JSON Lines file, its column types from every row of the file.
    func tableSource(name: String, path: String, range: SourceRange, sql: String) throws(StreamSQLError) -> String {
        let csv = path.lowercased().hasSuffix(".csv")
        if !csv && !path.lowercased().hasSuffix(".jsonl") {
            throw refuse("a table file other than CSV or JSON Lines (\(path))", range, sql)
        }
        var fields = InferredFields()
        for row in try TableFile.load(path) { fields.add(row) }
        var opts = "  'connector' = 'filesystem',\n  'path' = '\(path)',\n  'format' = '\(csv ? "csv" : "json")'"
        if csv { opts += ",\n  'csv.ignore-parse-errors' = 'true'" }
        let cols = fields.list.map { "  `\($0.0)` \($0.1)" }.joined(separator: ",\n")
        // A CSV header line fails to parse as data and is skipped by ignore-parse-errors.
        return "CREATE TABLE `\(name)` (\n\(cols)\n) WITH (\n\(opts)\n);"
    }
}
