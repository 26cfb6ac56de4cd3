import ArgumentParser
import Foundation
import StreamSQL
import StreamSQLFlink
import StreamSQLShell

@main
struct StreamSQLCommand: ParsableCommand {
    /// Installs the engine's hooks before any command creates an engine, then runs the command line.
    static func main() {
        Engine.flinkExplainer = FlinkTranslator.explainer
        main(nil)
    }

    static let configuration = CommandConfiguration(
        commandName: "streamsql",
        abstract: "A fast, embeddable stream-SQL engine.",
        discussion: """
            Without a subcommand, runs SQL from -e, -f or standard input (statements in order, SELECT \
            queries print their results, --input files are replayed into their streams), or opens the \
            interactive shell when standard input is a terminal.
            """,
        subcommands: [ShellCommand.self, RunCommand.self, WhatIfCommand.self, GoldenTestCommand.self, DemoCommand.self, DashboardCommand.self, GenCommand.self, FlinkCommand.self, QueryCommand.self,
                      ConformanceCommand.self, BenchCommand.self, PresentCommand.self, PlayCommand.self],
        defaultSubcommand: ShellCommand.self
    )
}

/// The default: the shell, or a script from -e / -f / standard input.
struct ShellCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shell",
        abstract: "Run SQL from -e, -f or standard input, or open the interactive shell on a terminal.")

    @Option(name: .short, help: "SQL statements to run (separated by ';').")
    var e: String?

    @Option(name: .short, help: "A SQL script to run.")
    var f: String?

    @OptionGroup var common: ScriptOptions

    func run() throws {
        let script: String
        var base: String? = nil
        var name = "<stdin>"
        if let e {
            script = e
            name = "-e"
        } else if let f {
            guard let data = FileManager.default.contents(atPath: f) else {
                warn("cannot read \(f)")
                throw ExitCode(2)
            }
            script = String(decoding: data, as: UTF8.self)
            base = URL(fileURLWithPath: f).deletingLastPathComponent().path
            name = f
        } else if isatty(0) == 0 {
            script = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
        } else {
            let repl = Repl(engine: Engine())   // every stream keeps recent events for .whatif and EXPLAIN DIFF
            if let initFile = common.initFile {
                guard FileManager.default.isReadableFile(atPath: initFile) else { warn("cannot read \(initFile)"); throw ExitCode(2) }
                repl.read(initFile)
            }
            repl.run()
            return
        }
        try common.execute(script, name: name, baseDirectory: base, tagged: false)
    }
}

/// Options shared by the script-running commands.
struct ScriptOptions: ParsableArguments {
    @Option(name: .customLong("input"), help: "Replay a file into a stream: STREAM=FILE (JSON Lines or CSV). Repeatable.")
    var inputs: [String] = []

    @Option(help: "Result format: jsonl, csv, table, vertical or changelog.")
    var output: String = "jsonl"

    @Option(name: .customLong("output-dir"), help: "Write each query's results to a file of its own in this folder (NAME.csv, NAME.jsonl or NAME.txt).")
    var outputDirectory: String?

    @Option(help: "Stop after this many input events.")
    var events: Int?

    @Option(help: "At the end of the input: flush (fire open windows and pending matches) or none.")
    var end: String = "flush"

    @Flag(help: "Stop at the first statement that fails.")
    var bail = false

    @Option(name: .customLong("init"), help: "Statements to run first (also before the interactive shell starts).")
    var initFile: String?

    @Option(name: .customLong("for"), help: "Stop reading input after this long (e.g. 10s, 2m), then end as at the end of the input.")
    var duration: String?

    @OptionGroup var feed: FeedOptions

    /// Runs `script` (called `name` in error messages) after the --init file, then replays the inputs.
    func execute(_ script: String, name: String, baseDirectory: String?, tagged: Bool) throws {
        let out = Output()
        let run = try prepare(baseDirectory: baseDirectory, tagged: tagged, write: { out.line($0) }, flush: { out.flush() })
        run.runner.writeLines = { out.lines($0) }
        let ok = try run.script(script, name: name)
        if ok || !bail { run.runner.replay(run.inputs) }
        out.flush()
        if !ok || run.runner.errors > 0 { throw ExitCode(1) }
    }

    /// A script run set up from the options: its engine and runner (results to `write`), and the inputs.
    struct Prepared {
        let runner: ScriptRunner
        let inputs: [ScriptRunner.Input]
        let initFile: String?
        let bail: Bool
        let flush: () -> Void

        /// Runs the --init file, then `script`; false if a statement failed (under --bail, a failing --init
        /// file exits with `failure`).
        func script(_ script: String, name: String, failure: Int32 = 1) throws -> Bool {
            var ok = true
            if let initFile {
                guard let data = FileManager.default.contents(atPath: initFile) else { warn("cannot read \(initFile)"); throw ExitCode(2) }
                ok = runner.runScript(String(decoding: data, as: UTF8.self), name: initFile)
                if !ok && bail { flush(); throw ExitCode(failure) }
            }
            return runner.runScript(script, name: name) && ok
        }
    }

    /// Checks the options and builds the engine and runner; the input files' streams exist afterwards.
    func prepare(baseDirectory: String?, tagged: Bool, history: StreamHistory.Limits = .default, write: @escaping @Sendable (String) -> Void,
                 flush: @escaping @Sendable () -> Void) throws -> Prepared {
        guard let mode = OutputMode(name: output) else {
            warn("--output must be one of: \(OutputMode.allCases.map(\.rawValue).joined(separator: ", "))")
            throw ExitCode(2)
        }
        guard end == "flush" || end == "none" else {
            warn("--end must be flush or none")
            throw ExitCode(2)
        }
        var parsed: [ScriptRunner.Input] = []
        for i in inputs {
            guard let input = ScriptRunner.Input(argument: i) else {
                warn("--input takes STREAM=FILE, got '\(i)'")
                throw ExitCode(2)
            }
            parsed.append(input)
        }
        var options = EngineOptions()
        try feed.apply(to: &options)
        options.history = history
        let engine = Engine(options: options)
        engine.baseDirectory = baseDirectory
        let runner = ScriptRunner(engine: engine, write: write, writeError: { s in flush(); warn(s) })
        runner.mode = mode
        if let dir = outputDirectory {
            do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
                warn("cannot create --output-dir \(dir): \(error.localizedDescription)")
                throw ExitCode(2)
            }
            runner.outputDirectory = dir
        }
        runner.tagged = tagged
        runner.bail = bail
        runner.flushAtEnd = end == "flush"
        runner.maxEvents = events
        runner.synchronous = feed.synchronous
        runner.maxLineBytes = feed.maxLineBytes
        if let d = duration {
            guard let nanos = Durations.parse(d), nanos > 0 else {
                warn("--for takes a duration such as 10s, 500ms or 2m, got '\(d)'")
                throw ExitCode(2)
            }
            runner.deadline = Date().addingTimeInterval(Double(nanos) / 1e9)
        }
        // The input files' streams exist before the script runs, so its queries can read them.
        for input in parsed { engine.createStream(input.stream) }
        return Prepared(runner: runner, inputs: parsed, initFile: initFile, bail: bail, flush: flush)
    }
}

/// `streamsql run SCRIPT.sql --input STREAM=FILE … [--end flush]`
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a script over input files and print every query's results tagged with the query name.",
        discussion: "File paths inside the script resolve relative to the script's folder. Results are JSON lines ({\"query\": …, \"row\": …}) unless --output says otherwise: csv adds a query column, table, vertical and changelog start each line with the query's name; --output-dir writes a file per query instead.")

    @Argument(help: "The SQL script.")
    var script: String

    @OptionGroup var common: ScriptOptions

    func run() throws {
        guard let data = FileManager.default.contents(atPath: script) else {
            warn("cannot read \(script)")
            throw ExitCode(2)
        }
        let base = URL(fileURLWithPath: script).deletingLastPathComponent().path
        try common.execute(String(decoding: data, as: UTF8.self), name: script, baseDirectory: base, tagged: true)
    }
}

/// Standard error, unbuffered.
func warn(_ s: String) {
    FileHandle.standardError.write(Data((s + "\n").utf8))
}

/// Buffered standard output for result lines.
final class Output: @unchecked Sendable {
    private let lock = NSLock()
    private var buffer: [UInt8] = []
    /// Where flushed bytes go; nil: nowhere (the bench formats every row and drops it).
    private let fd: Int32?
    /// Bytes written (or dropped) so far.
    private(set) var bytes = 0

    init(fd: Int32? = 1) {
        self.fd = fd
        buffer.reserveCapacity(80 * 1024)
    }

    func line(_ s: String) {
        lock.lock()
        defer { lock.unlock() }
        buffer.append(contentsOf: s.utf8)
        buffer.append(10)
        if buffer.count > 64 * 1024 { flushLocked() }
    }

    /// Lines already formatted as bytes, each ending in a newline.
    func lines(_ bytes: [UInt8]) {
        lock.lock()
        defer { lock.unlock() }
        buffer.append(contentsOf: bytes)
        if buffer.count > 64 * 1024 { flushLocked() }
    }

    /// Every row of `batch` as a JSON line, written straight from its cells.
    func rows(_ batch: ResultBatch, _ writer: ResultJSONWriter) {
        lock.lock()
        defer { lock.unlock() }
        for i in 0..<batch.count {
            writer.write(batch, row: i, into: &buffer)
            buffer.append(10)
            if buffer.count > 64 * 1024 { flushLocked() }
        }
    }

    func flush() {
        lock.lock()
        defer { lock.unlock() }
        flushLocked()
    }
    private func flushLocked() {
        guard !buffer.isEmpty else { return }
        bytes += buffer.count
        guard let fd else { buffer.removeAll(keepingCapacity: true); return }
        buffer.withUnsafeBufferPointer { p in
            var off = 0
            while off < p.count {
                guard let base = p.baseAddress else { return }
                let n = Foundation.write(fd, base + off, p.count - off)
                if n <= 0 { break }
                off += n
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
