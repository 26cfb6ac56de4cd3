import ArgumentParser
import Foundation
import StreamSQL
import StreamSQLScenarios
import StreamSQLShell

/// `streamsql present STORY`: a story script on the dashboard, step by step.
struct PresentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "present",
        abstract: "Present a story (demos/stories/NAME.sql) on the dashboard: → or Space next step, ← back, p pause, q quit.",
        discussion: "A story is .story SCENARIO 'title', then steps: .step 'caption', .incident NAME [key=value …], .wait 10m (event time), .speed x600, .focus PANE, .zoom PANE, .highlight PANE key=value. The same seed always gives the same screens.")

    @Argument(help: "The story script, or a scenario name for its story in demos/stories/.")
    var story: String

    @Option(help: "Generator seed.")
    var seed: UInt64 = 42

    @Option(help: "The folder of demo scripts (default: ./demos or the source tree's).")
    var demos: String?

    @Option(help: "Instead of the screen, write the frame at the end of this step (1-based) to --snapshot FILE.")
    var step: Int?

    @Option(help: "With --step: the file to write the frame to.")
    var snapshot: String?

    @Option(help: "Frame size for --snapshot, as COLSxROWS.")
    var size: String = "100x30"

    @Option(help: "Record the session as an asciicast v2 file (FILE.cast), for asciinema players and `streamsql play`.")
    var record: String?

    @Flag(name: .customLong("no-screen"), help: "With --record: play every step into the recording without a terminal, at --size (the same seed gives the same file).")
    var noScreen = false

    @Option(name: .customLong("snapshot-every"), parsing: .upToNextOption,
            help: "INTERVAL DIR: also write the screen as a text file every INTERVAL (e.g. 5s) into DIR (frame-0001.txt, …).")
    var snapshotEvery: [String] = []

    @OptionGroup var screen: ScreenOptions

    func run() throws {
        let snapshots = try Self.snapshotWriter(snapshotEvery)
        if noScreen {
            guard record != nil || snapshots != nil else {
                warn("--no-screen goes with --record FILE.cast or --snapshot-every 5s DIR")
                throw ExitCode(2)
            }
            return try Self.recordWithoutScreen(story, seed: seed, demos: demos, size: size, to: record, snapshots: snapshots)
        }
        try Self.present(story, seed: seed, demos: demos, screen: screen, step: step, snapshot: snapshot, size: size, record: record,
                         snapshots: snapshots)
    }

    /// `--snapshot-every INTERVAL DIR`, checked: nil when not given.
    static func snapshotWriter(_ args: [String]) throws -> SnapshotWriter? {
        guard !args.isEmpty else { return nil }
        guard args.count == 2, let ns = Durations.parse(args[0]), ns > 0 else {
            warn("--snapshot-every takes an interval and a folder, e.g. --snapshot-every 5s frames/")
            throw ExitCode(2)
        }
        do { return try SnapshotWriter(every: Double(ns) / 1e9, into: args[1]) } catch {
            warn(error.description)
            throw ExitCode(2)
        }
    }

    static func recordWithoutScreen(_ story: String, seed: UInt64, demos: String?, size: String, to path: String?,
                                    snapshots: SnapshotWriter? = nil) throws {
        let (presenter, storyPath) = try load(story, seed: seed, demos: demos)
        let (w, h) = try DashboardCommand.parseSize(size)
        do {
            let recorder = try path.map { p throws(CastError) in try CastRecorder(path: p, title: presenter.story.title) }
            defer { recorder?.close() }
            presenter.snapshots = snapshots
            try presenter.record(to: recorder, width: w, height: h)
        } catch let e as CastError {
            warn(e.description)
            throw ExitCode(2)
        } catch let e as Story.ParseError {
            warn("\(storyPath): \(e)")
            throw ExitCode(2)
        }
    }

    /// The story file for a path or a scenario name, parsed.
    static func load(_ story: String, seed: UInt64, demos: String?) throws -> (Presenter, String) {
        guard let dir = ScenarioSession.demosDirectory(demos) else {
            warn("cannot find the demo scripts: run from the project folder, or pass --demos DIR")
            throw ExitCode(2)
        }
        var path = story
        if !FileManager.default.fileExists(atPath: path), Scenarios.named(story) != nil {
            path = dir + "/stories/" + story.lowercased() + ".sql"
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            warn("cannot read the story \(path)" + (Scenarios.named(story) != nil ? " (no story for this scenario yet)" : ""))
            throw ExitCode(2)
        }
        do {
            return (Presenter(story: try Story.parse(String(decoding: data, as: UTF8.self)), seed: seed, demosDirectory: dir), path)
        } catch {
            warn("\(path): \(error)")
            throw ExitCode(2)
        }
    }

    static func present(_ story: String, seed: UInt64, demos: String?, screen: ScreenOptions, step: Int? = nil,
                        snapshot: String? = nil, size: String = "100x30", record: String? = nil,
                        snapshots: SnapshotWriter? = nil) throws {
        let theme = try screen.theme()
        let (presenter, path) = try load(story, seed: seed, demos: demos)
        presenter.configure = { screen.apply(to: $0, theme: theme) }
        if step != nil || snapshot != nil {
            guard let step, let snapshot, step >= 1, step <= presenter.story.steps.count else {
                warn("--step N (1…\(presenter.story.steps.count)) and --snapshot FILE go together")
                throw ExitCode(2)
            }
            let (w, h) = try DashboardCommand.parseSize(size)
            do {
                let text = try presenter.frame(afterStep: step - 1, width: w, height: h)
                guard FileManager.default.createFile(atPath: snapshot, contents: Data(text.utf8)) else { warn("cannot write \(snapshot)"); throw ExitCode(2) }
            } catch let e as Story.ParseError {
                warn("\(path): \(e)")
                throw ExitCode(2)
            }
            return
        }
        if Dashboard.refusal() != nil {
            warn("presenting needs a terminal; without one, --step N --snapshot FILE writes the screen at the end of step N")
            throw ExitCode(2)
        }
        if let record {
            do { presenter.recorder = try CastRecorder(path: record, title: presenter.story.title) } catch { warn(error.description); throw ExitCode(2) }
        }
        presenter.snapshots = snapshots
        defer { presenter.recorder?.close() }
        let exit: Dashboard.Exit
        do { exit = try presenter.run() } catch {
            warn("\(path): \(error)")
            throw ExitCode(2)
        }
        switch exit {
        case .quit: return
        case .signal(let s): throw ExitCode(128 + s)
        case .refused(let m): warn(m); throw ExitCode(2)
        }
    }
}
