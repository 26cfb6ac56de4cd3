import ArgumentParser
import Foundation
import StreamSQL
import StreamSQLScenarios
import StreamSQLShell

/// `streamsql dashboard SCRIPT.sql …`: any script's queries on the dashboard (its `.pane add` lines, or a
/// widget per query chosen from the result's shape), fed by file replays or a scenario's generator.
struct DashboardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard",
        abstract: "Show a script's queries on the live dashboard, fed by file replays or a built-in generator.",
        discussion: """
            Panes come from the script's `.pane add NAME WIDGET QUERY [option=value …]` lines (and `.layout columns N`);
            without them each query gets a widget chosen from its result's shape. With --snapshot the frame is
            written as text after the input ends (replays) or after --events generated events, without a terminal.
            """)

    @Argument(help: "SQL scripts (one pane group each).")
    var scripts: [String]

    @OptionGroup var replayOptions: ReplayOptions

    @Option(help: ArgumentHelp("Feed the script from a scenario's generator (its streams must exist in the script): \(Scenarios.names.joined(separator: ", ")).", valueName: "SCENARIO"))
    var gen: String?

    @Option(help: "Generator events per second (default: the scenario's demo rate).")
    var rate: Double?

    @Option(help: "Generator seed.")
    var seed: UInt64 = 42

    @Option(help: "Generated events before --snapshot (default 5000).")
    var events: Int?

    @Option(help: "Write the frame as text to FILE instead of opening the screen.")
    var snapshot: String?

    @Option(help: "Frame size for --snapshot, as COLSxROWS.")
    var size: String = "120x40"

    @Flag(name: .customLong("keep-frame"), help: "Print the last frame into the scrollback when leaving the dashboard.")
    var keepFrame = false

    @OptionGroup var screen: ScreenOptions

    func run() throws {
        if !replayOptions.replays.isEmpty && gen != nil { warn("use --replay or --gen, not both"); throw ExitCode(2) }
        if let r = rate, !(r > 0) { warn("--rate must be positive"); throw ExitCode(2) }
        if let e = events, e < 0 { warn("--events must not be negative"); throw ExitCode(2) }
        let size = try DashboardCommand.parseSize(self.size)
        let theme = try screen.theme()
        let scripts = self.scripts.map { path in
            ScenarioSession.Script(name: URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent,
                                   title: URL(fileURLWithPath: path).lastPathComponent, path: path)
        }
        let session = ScenarioSession(scripts: scripts)
        if !session.errors.isEmpty {
            for e in session.errors { warn(e) }
            throw ExitCode(1)
        }
        let streams = Set(session.engine.streamNames.map { $0.lowercased() })
        var source: LiveSource? = nil
        var runToEnd: () -> Void = {}
        var start: () -> Void = {}
        var stop: () -> Void = {}
        var summary: () -> [String] = { [] }
        if let replay = try replayOptions.replay(into: session.engine, streams: streams) {
            source = replay
            runToEnd = { replay.synchronous = true; replay.onRejection = { warn($0) }; replay.run() }
            start = { replay.start() }
            stop = { replay.stop() }
            summary = { replay.summary.report }
        } else if let gen {
            guard let scenario = Scenarios.named(gen) else {
                warn("unknown scenario '\(gen)'; choose one of: \(Scenarios.names.joined(separator: ", "))")
                throw ExitCode(2)
            }
            for s in scenario.streams where !streams.contains(s.lowercased()) {
                warn("the \(gen) generator feeds stream '\(s)', which the scripts do not create (CREATE STREAM \(s);)")
                throw ExitCode(2)
            }
            let feeder = try Feeder(engine: session.engine, sources: [Feeder.Source(generator: scenario.generator(GeneratorConfig(seed: seed)),
                                                                                   rate: rate ?? scenario.demoRate)])
            source = feeder
            let limit = events
            runToEnd = { feeder.limit = limit ?? 5000; feeder.synchronous = true; feeder.runHere() }
            start = { feeder.limit = limit; feeder.start() }
            stop = { feeder.stop() }
        }
        let board = session.dashboard(feeder: source)
        if let snapshot {
            runToEnd()
            session.engine.drain()
            try DashboardCommand.write(board, size: size, to: snapshot)
            return
        }
        board.printLastFrame = keepFrame
        screen.apply(to: board, theme: theme)
        try DashboardCommand.present(board, engine: session.engine, start: start, stop: stop, after: summary)
    }

    /// Runs the board full screen between `start` and `stop` of its source, stops the queries, prints
    /// `after`'s lines, and turns how the dashboard ended into the exit status.
    static func present(_ board: Dashboard, engine: Engine, start: () -> Void, stop: () -> Void,
                        after: () -> [String] = { [] }) throws {
        if let r = Dashboard.refusal() { warn(r); throw ExitCode(2) }
        if let replay = board.feeder as? Replay { replay.onNotice = { [weak board] in board?.post(notice: $0) } }
        start()
        let exit = board.run()
        stop()
        engine.stopAll(flush: false)
        for line in after() { warn(line) }
        switch exit {
        case .quit: return
        // The shell convention: 128 + the signal's number (Ctrl-C 130, SIGHUP 129, SIGQUIT 131, SIGTERM 143).
        case .signal(let s): throw ExitCode(128 + s)
        case .refused(let m): warn(m); throw ExitCode(2)
        }
    }

    static func parseSize(_ text: String) throws -> (Int, Int) {
        let parts = text.lowercased().split(separator: "x").compactMap { Int($0) }
        guard parts.count == 2, parts[0] >= 40, parts[1] >= 10, parts[0] <= 1000, parts[1] <= 500 else {
            warn("--size must be COLSxROWS, from 40x10 to 1000x500")
            throw ExitCode(2)
        }
        return (parts[0], parts[1])
    }

    static func write(_ board: Dashboard, size: (Int, Int), to path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: Data(board.snapshot(width: size.0, height: size.1).utf8)) else {
            warn("cannot write \(path)")
            throw ExitCode(2)
        }
    }
}

/// `--theme`, `--no-mouse`, `--keep-feeding`: how the live dashboard looks and behaves (demo, dashboard).
struct ScreenOptions: ParsableArguments {
    @Option(name: .customLong("theme"), help: ArgumentHelp("The dashboard's look: \(DashboardTheme.names) (contrast: white on black, bright colours, for projectors; NO_COLOR still turns colour off).", valueName: "THEME"))
    var themeName: String = "default"

    @Flag(name: .customLong("no-mouse"), help: "Leave the mouse to the terminal (no clicking, wheel or double click in the dashboard).")
    var noMouse = false

    @Flag(name: .customLong("keep-feeding"), help: "Keep the generator or replay running while the dashboard is paused (by default it pauses too).")
    var keepFeeding = false

    /// The theme asked for, or a usage error.
    func theme() throws -> DashboardTheme {
        guard let t = DashboardTheme(name: themeName) else { warn("--theme must be one of: \(DashboardTheme.names), got '\(themeName)'"); throw ExitCode(2) }
        return t
    }

    func apply(to board: Dashboard, theme: DashboardTheme) {
        board.theme = theme
        board.mouse = !noMouse
        board.keepFeeding = keepFeeding
    }
}

/// `--replay STREAM=FILE …`, `--speed`, `--time-field`: files instead of the generators (demo, dashboard).
struct ReplayOptions: ParsableArguments {
    @Option(name: .customLong("replay"), help: ArgumentHelp("Feed STREAM from FILE (JSON Lines or CSV) instead of a generator; repeatable.", valueName: "STREAM=FILE"))
    var replays: [String] = []

    @Option(help: "Replay pace: max (default), N/s (events per second), or xN (N times faster than the events' timestamps).")
    var speed: String = "max"

    @Option(name: .customLong("time-field"), help: "The field holding each replayed event's time (for --speed xN and the header).")
    var timeField: String = "timestamp"

    /// The replay the options ask for (nil without --replay), each stream checked against `streams`
    /// (lower-cased) and each file against the file system.
    func replay(into engine: Engine, streams: Set<String>) throws -> Replay? {
        guard !replays.isEmpty else { return nil }
        guard let pace = Replay.Pace.parse(speed) else { warn("--speed must be max, N/s or xN, got '\(speed)'"); throw ExitCode(2) }
        var inputs: [Replay.Input] = []
        for r in replays {
            guard let i = ScriptRunner.Input(argument: r) else { warn("--replay takes STREAM=FILE, got '\(r)'"); throw ExitCode(2) }
            guard streams.contains(i.stream.lowercased()) else {
                warn("no stream '\(i.stream)' here to replay into; streams: \(streams.sorted().joined(separator: ", "))")
                throw ExitCode(2)
            }
            guard FileManager.default.isReadableFile(atPath: i.path) else { warn("cannot read \(i.path)"); throw ExitCode(2) }
            inputs.append(Replay.Input(path: i.path, stream: i.stream))
        }
        let replay = Replay(engine: engine, inputs: inputs, pace: pace, timeField: timeField)
        // Batch modes say it on stderr; a dashboard shows it in its footer instead (`present`).
        replay.onNotice = { warn($0) }
        replay.timeFieldHint = "--time-field FIELD names the time field"
        return replay
    }
}
