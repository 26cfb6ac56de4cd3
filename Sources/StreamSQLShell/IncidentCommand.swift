import Foundation
import StreamSQL
import StreamSQLScenarios

/// Whatever can cause incidents: the interactive shell (its `.gen` generators) and a story being presented.
protocol IncidentHost {
    func incidentCommand(_ args: [String]) throws(ShellError)
}

extension Repl: IncidentHost {
    /// `.incident` lists the running generators' incidents; `.incident NAME [key=value …]` causes one.
    func incidentCommand(_ args: [String]) throws(ShellError) {
        let feeders = generators.map(\.1)
        guard !feeders.isEmpty else {
            throw ShellError("no generator running: start one with .gen SCENARIO, then .incident lists its incidents")
        }
        guard !args.isEmpty else {
            for f in feeders {
                for (scenario, inc) in f.incidents { emit("\(scenario): \(inc.summary)\n    changes: \(inc.changes)") }
            }
            return
        }
        let name = args[0].lowercased()
        guard let f = feeders.first(where: { $0.incidents.contains { $0.incident.name == name } }) else {
            let known = feeders.flatMap { $0.incidents.map(\.incident.name) }
            throw ShellError("no running generator has an incident '\(args[0])'" + (known.isEmpty ? "" : "; running: \(known.joined(separator: ", "))"))
        }
        do throws(IncidentError) {
            let t = try f.parseIncident(args)
            f.trigger(t)
            let settings = t.settings.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            say("incident \(t.name)\(settings.isEmpty ? "" : " " + settings) from event \(f.emitted + 1) on")
        } catch {
            throw ShellError(error.description)
        }
    }
}
