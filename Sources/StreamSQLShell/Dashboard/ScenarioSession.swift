import Foundation
import StreamSQL
import StreamSQLScenarios

/// Loads scenario scripts into one engine, binds their panes, and sets up their generators: what
/// `streamsql demo` and the shell's `.gen` / `.dashboard` share.
public final class ScenarioSession: @unchecked Sendable {
    public let engine: Engine
    public let scenarios: [Scenario]
    public private(set) var panes: [Pane] = []
    public private(set) var queries: [Query] = []
    public private(set) var errors: [String] = []
    /// The script runners stay alive: their sinks print the queries' results.
    private var runners: [ScriptRunner] = []

    /// Finds the folder of demo scripts: `$STREAMSQL_DEMOS`, `./demos`, or the source tree's `demos/`.
    public static func demosDirectory(_ explicit: String? = nil) -> String? {
        var candidates: [String] = []
        if let e = explicit { candidates.append(e) }
        if let env = ProcessInfo.processInfo.environment["STREAMSQL_DEMOS"] { candidates.append(env) }
        candidates.append(FileManager.default.currentDirectoryPath + "/demos")
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("demos").path
        candidates.append(source)
        return candidates.first { FileManager.default.fileExists(atPath: $0 + "/supply.sql") }
    }

    /// Runs each scenario's script from `demosDirectory`. Errors are collected, not thrown, so one broken
    /// script does not hide the others; `print` attaches the queries' results to `write` as tagged JSON lines.
    public init(scenarios: [Scenario], demosDirectory: String, engine: Engine = Engine(),
                print write: (@Sendable (String) -> Void)? = nil) {
        self.engine = engine
        self.scenarios = scenarios
        engine.baseDirectory = demosDirectory
        for s in scenarios {
            let path = demosDirectory + "/" + s.script
            guard let data = FileManager.default.contents(atPath: path) else {
                errors.append("cannot read \(path)")
                continue
            }
            let runner = ScriptRunner(engine: engine, write: write ?? { _ in }, writeError: { [weak self] m in
                self?.errors.append("\(s.script): \(m)")
            })
            runner.attachQueries = write != nil
            runner.showMessages = false
            runner.tagged = true
            runner.paneGroup = s.name
            if !runner.runScript(String(decoding: data, as: UTF8.self)) && runner.errors > 0 && errors.isEmpty {
                errors.append("\(s.script): a statement failed")
            }
            runners.append(runner)
            queries += runner.queries
            var specs = runner.panes
            if specs.isEmpty {
                // No panes declared: one table per query.
                specs = runner.queries.map { PaneSpec(name: $0.name, widget: .table, query: $0.name, group: s.name) }
            }
            for spec in specs {
                if let q = runner.queries.first(where: { $0.name.lowercased() == spec.query.lowercased() }) {
                    panes.append(Pane(spec: spec, query: q))
                }
            }
        }
    }

    /// A feeder with each scenario's generator at `rate` events/s, or at the rate that makes its event time
    /// run `timeScale` times faster than wall time, or at its demo rate; optionally recording.
    public func feeder(seed: UInt64, rate: Double?, timeScale: Double? = nil, recordTo: String? = nil) throws -> Feeder {
        let sources = scenarios.map { s in
            Feeder.Source(generator: s.generator(GeneratorConfig(seed: seed)),
                          rate: rate ?? timeScale.map { s.rate(timeScale: $0) } ?? s.demoRate)
        }
        let f = try Feeder(engine: engine, sources: sources, recordTo: recordTo)
        f.tagRecording = scenarios.count > 1 || scenarios.contains { $0.streams.count > 1 }
        return f
    }

    public func dashboard(feeder: LiveSource?) -> Dashboard {
        Dashboard(engine: engine, panes: panes, groups: scenarios.map { Dashboard.Group(name: $0.name, title: $0.title) },
                  feeder: feeder)
    }
}
