import Foundation
import StreamSQL
import StreamSQLScenarios

/// The shell's live commands, which scripts cannot hold: generators (`.gen`) and the dashboard (`.dashboard`),
/// over the shell's own engine and its running queries. `DotCommands` lists them with the others.
extension Repl {
    /// `.gen SCENARIO [EVENTS_PER_SECOND] [SEED]`, `.gen stop`, `.gen` (what runs).
    func genCommand(_ args: [String]) {
        let usage = "usage: .gen SCENARIO [EVENTS_PER_SECOND] [SEED] | .gen stop   (scenarios: \(Scenarios.names.joined(separator: ", ")))"
        guard let first = args.first else {
            if generators.isEmpty { say("no generator running; " + usage) }
            for (name, f) in generators { say("\(name): \(f.emitted) events") }
            return
        }
        if first.lowercased() == "stop" {
            for (name, f) in generators {
                f.stop()
                if let t = f.eventTimeMs { generatorEventTimes[name] = t }
            }
            say(generators.isEmpty ? "no generator running" : "stopped \(generators.map { $0.0 }.joined(separator: ", "))")
            generators.removeAll()
            return
        }
        guard let scenario = Scenarios.named(first) else {
            say("unknown scenario '\(first)'; " + usage)
            return
        }
        var rate = scenario.demoRate
        if args.count > 1 {
            guard let r = Double(args[1]), r > 0, r.isFinite else { say("the rate must be a positive number of events per second"); return }
            rate = r
        }
        var seed: UInt64 = 42
        if args.count > 2 {
            guard let s = UInt64(args[2]) else { say("the seed must be a whole number"); return }
            seed = s
        }
        if let running = generators.first(where: { $0.0 == scenario.name }) {
            running.1.stop()
            if let t = running.1.eventTimeMs { generatorEventTimes[scenario.name] = t }
            generators.removeAll { $0.0 == scenario.name }
        }
        // Started again: event time goes on a second after where it stopped, so no row of it is late.
        let resume = generatorEventTimes[scenario.name].map { $0 &+ 1000 }
        // The generator's streams are created if the user has not declared them yet.
        for s in scenario.streams where !engine.streamNames.contains(where: { $0.lowercased() == s.lowercased() }) {
            engine.createStream(s)
        }
        do {
            let f = try Feeder(engine: engine, sources: [Feeder.Source(generator: scenario.generator(GeneratorConfig(seed: seed, startMs: resume)), rate: rate)])
            f.label = "generator \(scenario.name)"
            f.scenarioNames = [scenario.name]
            f.start()
            generators.append((scenario.name, f))
            let from = resume.map { ", event time from \(TimeFormat.iso8601(nanos: $0.multipliedReportingOverflow(by: 1_000_000).partialValue)) where it stopped" } ?? ""
            say("generating \(scenario.name) into \(scenario.streams.joined(separator: ", ")) at \(Int(rate)) events/s (seed \(seed)\(from)); .gen stop ends it")
        } catch {
            say("\(error)")
        }
    }

    /// `.dashboard`: the panes (or a widget per running query) full screen until q; queries keep running.
    func dashboardCommand() {
        let queries = engine.queries
        var specs = panes.filter { spec in queries.contains { $0.name.lowercased() == spec.query.lowercased() } }
        if specs.isEmpty { specs = queries.map { PaneSpec.automatic(for: $0, group: "") } }
        guard !specs.isEmpty else {
            say("nothing to show: start a query (CREATE QUERY name AS SELECT …) and optionally .pane add NAME WIDGET QUERY")
            return
        }
        if let r = Dashboard.refusal() { say(r); return }
        var bound: [Pane] = []
        for spec in specs {
            guard let q = queries.first(where: { $0.name.lowercased() == spec.query.lowercased() }) else { continue }
            let key = spec.name.lowercased()
            if let p = boundPanes[key], p.spec == spec, p.query === q { bound.append(p); continue }
            let p = Pane(spec: spec, query: q)
            boundPanes[key] = p
            bound.append(p)
        }
        let source: LiveSource? = replays.last { !$0.isFinished } ?? generators.last?.1 ?? replays.last
        let board = Dashboard(engine: engine, panes: bound, groups: [Dashboard.Group(name: "", title: "shell", columns: layoutColumns)], feeder: source)
        board.theme = settings.theme
        board.heldSources = replays.filter { !$0.isFinished } + generators.map(\.1)
        let exit = board.run()
        if case .refused(let m) = exit { say(m) }
        // The panes stay bound (a bounded feed each) so that the next .dashboard shows their history.
        say("back in the shell; \(queries.count) quer\(queries.count == 1 ? "y" : "ies") still running")
    }
}
