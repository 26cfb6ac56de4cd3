import Foundation
import StreamSQL

/// `.set @name VALUE`: a parameter change is a what-if of its own. The running queries that use the
/// parameter run with the old and the new value over their sources' history (`Engine.proposeParameter`);
/// the shell shows each difference and asks before adopting it, a script adopts it and prints the summary.
enum ParameterCommand {
    static func set(_ host: any CommandHost, _ parameter: String, _ valueText: String) throws(ShellError) {
        let name = String(parameter.dropFirst())
        guard !name.isEmpty, !valueText.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ShellError("usage: .set @name VALUE   (SHOW PARAMETERS lists them)")
        }
        let sql = "SET @\(name) = \(valueText)"
        let change: ParameterChange
        do throws(StreamSQLError) { change = try host.engine.proposeParameter(sql) } catch { throw ShellError(error.rendered()) }
        if !change.queries.isEmpty {
            if let why = change.unavailable { host.say("no what-if: \(why)") }
            for (query, diff) in change.diffs {
                if host.asksUser {
                    host.emit("\(query): @\(name) \(change.old?.sqlLiteral ?? "unset") → \(change.value.sqlLiteral)")
                    for l in WhatIf.lines(diff, mode: host.settings.mode) { host.emit(l) }
                } else {
                    host.say("\(query): \(diff.summary)")
                }
            }
            let question = "adopt @\(name) = \(change.value.sqlLiteral) and restart \(change.queries.joined(separator: ", "))?"
            guard host.confirm(question) else {
                host.say("kept @\(name) = \(change.old?.sqlLiteral ?? "unset"); nothing changed")
                return
            }
        }
        do throws(StreamSQLError) { host.say(try host.engine.adopt(change)) } catch { throw ShellError(error.rendered()) }
        (host as? Repl)?.panesFollowQueries()
        (host as? ScriptRunner)?.queriesFollowCatalog()
    }
}
