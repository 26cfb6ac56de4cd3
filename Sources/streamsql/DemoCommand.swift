import ArgumentParser
import Foundation
import StreamSQL
import StreamSQLScenarios
import StreamSQLShell

/// `streamsql demo [NAME]`: the scenarios, live on the dashboard, fed by their generators.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the business scenarios live on the dashboard (all seven, or one by name).",
        discussion: "Scenarios: \(Scenarios.names.joined(separator: ", ")). The SQL lives in demos/NAME.sql.")

    @Argument(help: "A scenario name (default: all seven).")
    var name: String?

    @Flag(help: "No curses: print result rows as JSON lines tagged with the query name.")
    var print = false

    @Option(help: "Write the dashboard frame as text to FILE after --events events, instead of opening the screen.")
    var snapshot: String?

    @Option(help: "Frame size for --snapshot, as COLSxROWS.")
    var size: String = "120x40"

    @Option(help: "Stop after this many generated events (as fast as possible unless --rate is given).")
    var events: Int?

    @Option(help: "Generator seed.")
    var seed: UInt64 = 42

    @Option(help: "Events per second per scenario (default: each scenario's demo rate).")
    var rate: Double?

    @Option(name: .customLong("time-scale"), help: "How much faster than wall time event time runs (sets the rate from the scenario's cadence).")
    var timeScale: Double?

    @Option(help: "Record every generated event to this JSON Lines file.")
    var record: String?

    @Option(help: "The folder of demo scripts (default: ./demos or the source tree's).")
    var demos: String?

    @Flag(name: .customLong("keep-frame"), help: "Print the last frame into the scrollback when leaving the dashboard.")
    var keepFrame = false

    @Flag(help: "On leaving the dashboard, print the CPU time it used.")
    var stats = false

    @Flag(help: "Present the scenario's story (demos/stories/NAME.sql) step by step, as `streamsql present NAME` does.")
    var story = false

    @OptionGroup var replayOptions: ReplayOptions

    @OptionGroup var screen: ScreenOptions

    func run() throws {
        if story {
            guard let name else { warn("--story needs a scenario name (streamsql demo fraud --story)"); throw ExitCode(2) }
            return try PresentCommand.present(name, seed: seed, demos: demos, screen: screen)
        }
        var chosen: [Scenario]
        if let name {
            guard let s = Scenarios.named(name) else {
                warn("unknown scenario '\(name)'; choose one of: \(Scenarios.names.joined(separator: ", "))")
                throw ExitCode(2)
            }
            chosen = [s]
        } else {
            chosen = Scenarios.business
        }
        guard let dir = ScenarioSession.demosDirectory(demos) else {
            warn("cannot find the demo scripts: run from the project folder, or pass --demos DIR")
            throw ExitCode(2)
        }
        if name == nil {
            // All scenarios that have a script (a missing one is named, not hidden).
            let missing = chosen.filter { !FileManager.default.fileExists(atPath: dir + "/" + $0.script) }
            for m in missing { warn("\(m.name): no demo script \(m.script) yet; skipped") }
            chosen.removeAll { m in missing.contains { $0.name == m.name } }
        }
        if let r = rate, !(r > 0) { warn("--rate must be positive"); throw ExitCode(2) }
        if let t = timeScale, !(t > 0) { warn("--time-scale must be positive"); throw ExitCode(2) }
        if let e = events, e < 0 { warn("--events must not be negative"); throw ExitCode(2) }
        _ = try screen.theme()

        let out = Output()
        var writer: (@Sendable (String) -> Void)? = nil
        if print { writer = { s in out.line(s) } }
        let session = ScenarioSession(scenarios: chosen, demosDirectory: dir, print: writer)
        if !session.errors.isEmpty {
            out.flush()
            for e in session.errors { warn(e) }
            throw ExitCode(1)
        }
        if !replayOptions.replays.isEmpty { return try runReplay(session: session, out: out) }
        let feeder: Feeder
        do {
            // Bounded runs go as fast as possible (unless a rate is asked for) and deterministically.
            feeder = try session.feeder(seed: seed, rate: events != nil && rate == nil && timeScale == nil ? 0 : rate,
                                        timeScale: timeScale, recordTo: record)
        } catch {
            warn("\(error)")
            throw ExitCode(2)
        }
        feeder.limit = events

        if print {
            if events != nil {
                feeder.synchronous = true
                feeder.runHere()
                session.engine.finish()
            } else {
                feeder.start()
                feeder.wait()
            }
            out.flush()
            return
        }
        if snapshot != nil {
            feeder.limit = events ?? 5000
            feeder.synchronous = true
            feeder.runHere()
        }
        try show(session, feeder, start: { feeder.start() }, stop: { feeder.stop() })
    }

    /// The dashboard of `source`: written once to --snapshot (after the engine drained), or live on the terminal.
    private func show(_ session: ScenarioSession, _ source: LiveSource, start: () -> Void, stop: () -> Void,
                      after: () -> [String] = { [] }) throws {
        if let snapshot {
            let size = try DashboardCommand.parseSize(self.size)
            session.engine.drain()
            try DashboardCommand.write(session.dashboard(feeder: source), size: size, to: snapshot)
            return
        }
        let board = session.dashboard(feeder: source)
        board.printLastFrame = keepFrame
        board.reportCPU = stats
        screen.apply(to: board, theme: (try? screen.theme()) ?? .default)
        try DashboardCommand.present(board, engine: session.engine, start: start, stop: stop, after: after)
    }
}

/// `streamsql gen NAME`: a scenario's generator as JSON Lines.
struct GenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gen",
        abstract: "Write a scenario generator's events as JSON Lines (to replay with `streamsql run … --input`).")

    @Argument(help: "Scenario: \(Scenarios.names.joined(separator: ", ")).")
    var name: String = ""

    @Option(name: .customLong("write-tables"), help: "Instead, write the scenarios' lookup tables into this folder (demos/).")
    var writeTables: String?

    @Option(help: "Number of events.")
    var events: Int = 10_000

    @Option(help: "Generator seed.")
    var seed: UInt64 = 42

    @Option(help: "Only events of this stream (for scenarios with several streams); otherwise events of several streams are tagged {\"stream\":…,\"event\":…}.")
    var stream: String?

    func run() throws {
        if let dir = writeTables {
            for (file, text) in Scenarios.tableFiles.sorted(by: { $0.key < $1.key }) {
                guard FileManager.default.createFile(atPath: dir + "/" + file, contents: Data(text.utf8)) else {
                    warn("cannot write \(dir)/\(file)")
                    throw ExitCode(2)
                }
            }
            return
        }
        guard let s = Scenarios.named(name) else {
            warn("unknown scenario '\(name)'; choose one of: \(Scenarios.names.joined(separator: ", "))")
            throw ExitCode(2)
        }
        if let st = stream, !s.streams.contains(st) {
            warn("scenario \(s.name) has streams \(s.streams.joined(separator: ", ")), not '\(st)'")
            throw ExitCode(2)
        }
        let g = s.generator(GeneratorConfig(seed: seed))
        let out = Output()
        var n = 0
        var produced = 0
        while n < events && produced < events * 100 {
            let e = g.next()
            produced += 1
            if let st = stream, e.stream != st { continue }
            if stream == nil && s.streams.count > 1 {
                out.line(JSONWriter.string(object: ["stream": .string(e.stream), "event": .object(e.fields)]))
            } else {
                out.line(e.jsonLine)
            }
            n += 1
        }
        out.flush()
    }
}

extension DemoCommand {
    /// The dashboard (or --print, or --snapshot) fed by files instead of the generators.
    func runReplay(session: ScenarioSession, out: Output) throws {
        if events != nil || rate != nil || timeScale != nil || record != nil {
            warn("--events, --rate, --time-scale and --record apply to the generators, not to --replay")
            throw ExitCode(2)
        }
        let streams = Set(session.scenarios.flatMap(\.streams).map { $0.lowercased() })
        guard let replay = try replayOptions.replay(into: session.engine, streams: streams) else { return }
        if print || snapshot != nil {
            replay.synchronous = true
            replay.onRejection = { warn($0) }
            replay.run()
            if print {
                session.engine.finish()
                out.flush()
                warn("\(replay.summary)")
                return
            }
        }
        try show(session, replay, start: { replay.start() }, stop: { replay.stop() }, after: { replay.summary.report })
    }
}
