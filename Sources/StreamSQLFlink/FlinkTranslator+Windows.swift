import Foundation
import StreamSQL

/// GROUP BY windows as Flink windowing table functions (TUMBLE, HOP, SESSION), top-n per window, and
/// counting windows as a MATCH_RECOGNIZE of n rows per key.
extension FlinkTranslator {
    mutating func windowed(_ s: SelectStatement, _ w: WindowSpec?, from: String, alias: String, joins: String,
                           ctx: inout ExprContext) throws(StreamSQLError) -> String {
        let sql = ctx.sql
        func duration(_ i: Int) throws(StreamSQLError) -> String {
            guard let w else { return "INTERVAL '10' SECOND" }  // this engine's default window
            guard i < w.args.count, case .literal(let v) = w.args[i].kind, let text = v.asString, let n = Durations.parse(text) else {
                throw refuse("window argument", w.range, sql)
            }
            return FlinkTranslator.interval(n)
        }
        if !joins.isEmpty { throw refuse("a join in a windowed query (join in a derived stream first)", w?.range ?? s.range, sql) }
        let keys = s.groupBy
        let keyText = try keys.map { e throws(StreamSQLError) in try ctx.expr(e) }
        let col = ctx.time.column
        if let w {
            switch w.name.lowercased() {
            case "sessionwindow" where w.args.count > 1:
                throw refuse("SessionWindow's maximum duration", w.args[1].range, sql)
            case "countingwindow" where w.args.count > 1:
                throw refuse("CountingWindow(n, m) (the last n rows every m rows)", w.range, sql)
            case "slidingwindow" where w.when != nil:
                throw refuse("SlidingWindow(…) OVER (WHEN …) (a window per triggering row)", w.range, sql)
            case "statewindow":
                throw refuse("StateWindow (a window opened and closed by conditions on rows)", w.range, sql)
            default: break
            }
        }
        if let w, w.name.lowercased() == "countingwindow" {
            return try countingWindow(s, w, from: from + alias, keys: keyText, ctx: &ctx)
        }
        let tvf: String
        switch w?.name.lowercased() ?? "tumblingwindow" {
        case "tumblingwindow":
            tvf = "TABLE(TUMBLE(TABLE \(from), DESCRIPTOR(\(col)), \(try duration(0))))"
        case "slidingwindow":
            tvf = "TABLE(HOP(TABLE \(from), DESCRIPTOR(\(col)), \(try duration(1)), \(try duration(0))))"
        case "sessionwindow":
            let part = keyText.isEmpty ? "" : " PARTITION BY " + keyText.joined(separator: ", ")
            tvf = "TABLE(SESSION(TABLE \(from)\(part), DESCRIPTOR(\(col)), \(try duration(0))))"
        default:
            throw refuse("GLOBAL WINDOW … TRIGGER WHEN (a window closed by a condition on its aggregates)", w?.range ?? s.range, sql)
        }
        ctx.windowed = true
        var q = "SELECT " + (try items(s.items, ctx: &ctx))
        let limited = s.limit != nil || !s.orderBy.isEmpty
        if limited { q += ", window_start AS `__ws`, window_end AS `__we`" }
        q += "\nFROM " + tvf
        if !alias.isEmpty { q += alias }
        if let wh = s.whereClause { q += "\nWHERE " + (try ctx.predicate(wh)) }
        q += "\nGROUP BY window_start, window_end" + (keyText.isEmpty ? "" : ", " + keyText.joined(separator: ", "))
        if let h = s.having { q += "\nHAVING " + (try ctx.havingPredicate(h, items: s.items)) }
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
    func countingWindow(_ s: SelectStatement, _ w: WindowSpec, from: String, keys: [String],
                        ctx: inout ExprContext) throws(StreamSQLError) -> String {
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

    /// A duration as a Flink interval literal: one unit when the number fits its default two digits
    /// (`INTERVAL '5' SECOND`, `INTERVAL '0.500' SECOND`), else `DAY TO SECOND` (`INTERVAL '0 10:00:00.001'
    /// DAY TO SECOND`; Flink's planner supports only the default precisions, so `INTERVAL '36000' SECOND(5)` fails).
    static func interval(_ nanos: Int64) -> String {
        let ms = max(0, nanos / 1_000_000)
        func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let frac = String(String(1000 + ms % 1000).dropFirst())
        if ms % 3_600_000 == 0, ms / 3_600_000 < 100 { return "INTERVAL '\(ms / 3_600_000)' HOUR" }
        if ms % 60_000 == 0, ms / 60_000 < 100 { return "INTERVAL '\(ms / 60_000)' MINUTE" }
        if ms % 1000 == 0, ms / 1000 < 100 { return "INTERVAL '\(ms / 1000)' SECOND" }
        if ms < 100_000 { return "INTERVAL '\(ms / 1000).\(frac)' SECOND" }
        let s = ms / 1000
        return "INTERVAL '\(s / 86_400) \(two(s / 3600 % 24)):\(two(s / 60 % 60)):\(two(s % 60)).\(frac)' DAY TO SECOND"
    }
}
