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

    /// A script to load: its pane group's name and title, and its file.
    public struct Script: Sendable {
        public var name: String
        public var title: String
        public var path: String
        public init(name: String, title: String, path: String) { self.name = name; self.title = title; self.path = path }
    }

    /// Pane groups, one per script, with the layout each script asked for.
    public private(set) var groups: [Dashboard.Group] = []

    /// Runs each scenario's script from `demosDirectory`. Errors are collected, not thrown, so one broken
    /// script does not hide the others; `print` attaches the queries' results to `write` as tagged JSON lines.
    public convenience init(scenarios: [Scenario], demosDirectory: String, engine: Engine = Engine(),
                            print write: (@Sendable (String) -> Void)? = nil) {
        self.init(scripts: scenarios.map { Script(name: $0.name, title: $0.title, path: demosDirectory + "/" + $0.script) },
                  scenarios: scenarios, engine: engine, print: write)
    }

    /// Runs any scripts (`streamsql dashboard`); file paths inside each resolve against its folder.
    public init(scripts: [Script], scenarios: [Scenario] = [], engine: Engine = Engine(),
                print write: (@Sendable (String) -> Void)? = nil) {
        self.engine = engine
        self.scenarios = scenarios
        // Every query here feeds a pane: keep lineage, so a row's detail view can say why it came out (`w`).
        engine.updateOptions { $0.lineage = true }
        for s in scripts {
            let file = URL(fileURLWithPath: s.path).lastPathComponent
            guard let data = FileManager.default.contents(atPath: s.path) else {
                errors.append("cannot read \(s.path)")
                continue
            }
            engine.baseDirectory = URL(fileURLWithPath: s.path).deletingLastPathComponent().path
            let runner = ScriptRunner(engine: engine, write: write ?? { _ in }, writeError: { [weak self] m in
                self?.errors.append("\(file): \(m)")
            })
            runner.attachQueries = write != nil
            runner.showMessages = false
            runner.tagged = true
            runner.paneGroup = s.name
            if !runner.runScript(String(decoding: data, as: UTF8.self)) && runner.errors > 0 && errors.isEmpty {
                errors.append("\(file): a statement failed")
            }
            runners.append(runner)
            queries += runner.queries
            groups.append(Dashboard.Group(name: s.name, title: s.title, columns: runner.layoutColumns))
            var specs = runner.panes
            if specs.isEmpty {
                // No panes declared: a widget per query, chosen from the result's shape.
                specs = runner.queries.map { PaneSpec.automatic(for: $0, group: s.name) }
            }
            for spec in specs {
                if let q = runner.queries.first(where: { $0.name.lowercased() == spec.query.lowercased() }) {
                    panes.append(Pane(spec: spec, query: q))
                }
            }
        }
        // A later script may have dropped or replaced an earlier one's queries.
        panes.removeAll { !$0.followQuery(in: engine) }
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
        f.scenarioNames = scenarios.map(\.name)
        return f
    }

    public func dashboard(feeder: LiveSource?) -> Dashboard {
        Dashboard(engine: engine, panes: panes, groups: groups, feeder: feeder)
    }
}
