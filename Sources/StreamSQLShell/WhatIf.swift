import Foundation
import OrderedCollections
import StreamSQL

/// `.whatif QUERY AS SELECT …` and `streamsql whatif`: an edited version of a running query, run next to
/// it over its sources' history (`Engine.whatIf`), and the difference printed: the summary line first, then
/// each differing row marked `gone`, `new`, or `was`/`now` for a changed one.
public enum WhatIf {
    /// Runs the what-if of running query `name` with `select` (the text of a SELECT, a trailing ';' allowed).
    public static func diff(_ engine: Engine, query name: String, select: String) throws(ShellError) -> ResultDiff {
        var text = select.trimmingCharacters(in: .whitespacesAndNewlines)
        while text.hasSuffix(";") { text = String(text.dropLast()).trimmingCharacters(in: .whitespaces) }
        guard !name.isEmpty, !text.isEmpty else { throw ShellError(usage) }
        // Parsed as the statement it stands for, so that errors point into text the user recognises.
        let sql = "EXPLAIN DIFF \(name) AS \(text)"
        let statement: Statement
        do throws(StreamSQLError) { statement = try Parser.parse(sql) } catch { throw ShellError(error.rendered()) }
        guard case .explainDiff(let n, let parsed, let range) = statement else { throw ShellError(usage) }
        do throws(StreamSQLError) { return try engine.whatIf(n, select: parsed, sql: sql, range: range) } catch {
            throw ShellError(error.rendered())
        }
    }

    static let usage = "usage: .whatif QUERY AS SELECT …"

    /// Splits `QUERY AS SELECT …` (the arguments of `.whatif`) into the query's name and the SELECT.
    static func split(_ arguments: String) throws(ShellError) -> (name: String, select: String) {
        let words = arguments.split(maxSplits: 2, omittingEmptySubsequences: true, whereSeparator: { $0 == " " || $0 == "\t" })
        guard words.count == 3, words[1].lowercased() == "as" else { throw ShellError(usage) }
        return (String(words[0]), String(words[2]))
    }

    /// The diff as lines in an output mode: the summary (in JSON Lines, an object with the counts), then the
    /// rows with a `change` column first — CSV with a header, JSON objects, or an aligned table.
    public static func lines(_ d: ResultDiff, mode: OutputMode) -> [String] {
        var columns: [String] = []
        for r in d.gone + d.added + d.changed.flatMap({ [$0.old, $0.new] }) {
            for k in r.keys where !columns.contains(k) { columns.append(k) }
        }
        func row(_ tag: String, _ r: ResultDiff.Row) -> [Value] { [.string(tag)] + columns.map { r[$0] ?? .null } }
        var rows = d.gone.map { row("gone", $0) } + d.added.map { row("new", $0) }
        for c in d.changed { rows += [row("was", c.old), row("now", c.new)] }
        var out: [String]
        if mode == .jsonl {
            var o = OrderedDictionary<String, Value>()
            o["summary"] = .string(d.summary)
            o["old"] = .int(Int64(d.oldCount))
            o["new"] = .int(Int64(d.newCount))
            o["gone"] = .int(Int64(d.gone.count))
            o["added"] = .int(Int64(d.added.count))
            o["changed"] = .int(Int64(d.changed.count))
            out = [JSONWriter.string(object: o)]
        } else {
            out = [d.summary]
        }
        guard !rows.isEmpty else { return out }
        out += OutputFormat.statementLines(columns: ["change"] + columns, rows: rows, mode: mode)
        return out
    }
}
