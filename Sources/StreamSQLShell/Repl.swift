import CReadline
import Foundation
import OrderedCollections
import StreamSQL
import StreamSQLScenarios
import Synchronization

/// Set by SIGINT; read by the attached-query loop and the prompt.
nonisolated(unsafe) private var interruptCount: Int32 = 0
nonisolated(unsafe) private var lastPromptInterrupt: Double = 0
nonisolated(unsafe) private var atPrompt = false
/// Names offered by Tab completion (keywords, functions, catalog names), refreshed before each prompt.
nonisolated(unsafe) private var completionWords: [String] = []
nonisolated(unsafe) private var completionMatches: [String] = []
nonisolated(unsafe) private var completionNext = 0

private func onInterrupt(_ sig: Int32) {
    interruptCount &+= 1
    guard atPrompt else { return }
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    let now = Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    if now - lastPromptInterrupt < 1.0 {
        // A second Ctrl-C within a second at the prompt leaves the shell.
        write_history(Repl.historyPath)
        rl_cleanup_after_signal()
        _exit(130)
    }
    lastPromptInterrupt = now
    // Discard the line being typed and show a fresh prompt.
    _ = write(1, "^C\n", 3)
    rl_on_new_line()
    rl_replace_line("", 0)
    rl_redisplay()
}

/// readline's completion generator: words starting with the text typed so far.
private func completionGenerator(_ text: UnsafePointer<CChar>?, _ state: Int32) -> UnsafeMutablePointer<CChar>? {
    if state == 0 {
        let prefix = text.map { String(cString: $0) } ?? ""
        let lower = prefix.lowercased()
        completionMatches = completionWords.filter { $0.lowercased().hasPrefix(lower) }
        // Keep the case the user started typing in for keywords.
        if let first = prefix.first, first.isLowercase {
            completionMatches = completionMatches.map { $0.allSatisfy({ !$0.isLowercase }) ? $0.lowercased() : $0 }
        }
        completionNext = 0
    }
    guard completionNext < completionMatches.count else { return nil }
    defer { completionNext += 1 }
    return strdup(completionMatches[completionNext])
}

/// The interactive shell: GNU readline line editing, a continuation prompt for unfinished statements,
/// one history entry per statement, Tab completion from the catalog, and SELECT queries attached until
/// Ctrl-C (which cancels the query, not the shell).
public final class Repl: @unchecked Sendable {
    public let engine: Engine
    public var mode: OutputMode = .table
    private let printLock = NSLock()

    public static var historyPath: String {
        let env = ProcessInfo.processInfo.environment
        if let state = env["XDG_STATE_HOME"], !state.isEmpty {
            let dir = URL(fileURLWithPath: state).appendingPathComponent("streamsql")
            try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            return dir.appendingPathComponent("history").path
        }
        return URL(fileURLWithPath: env["HOME"] ?? ".").appendingPathComponent(".streamsql_history").path
    }

    static let keywords = [
        "SELECT", "FROM", "WHERE", "GROUP", "BY", "HAVING", "ORDER", "LIMIT", "WITH", "AS", "AND", "OR", "NOT", "IN", "BETWEEN",
        "LIKE", "IS", "NULL", "CASE", "WHEN", "THEN", "ELSE", "END", "CAST", "DISTINCT", "JOIN", "LEFT", "ON", "OVER", "PARTITION",
        "CREATE", "STREAM", "TABLE", "QUERY", "FUNCTION", "DROP", "SHOW", "STREAMS", "TABLES", "QUERIES", "FUNCTIONS", "DESCRIBE",
        "EXPLAIN", "INSERT", "INTO", "VALUES", "JSON", "STOP", "START", "PRIMARY", "KEY", "FILE", "TumblingWindow", "SlidingWindow",
        "CountingWindow", "SessionWindow", "GLOBAL", "WINDOW", "TRIGGER", "TIMESTAMP", "TIMEUNIT", "MAXOUTOFORDERNESS",
        "ALLOWEDLATENESS", "IDLETIMEOUT", "STATETTL", "MATCH_RECOGNIZE", "MEASURES", "PATTERN", "DEFINE", "WITHIN", "SUBSET",
        "AFTER", "MATCH", "SKIP", "PAST", "LAST", "ROW", "ROWS", "PER", "ONE", "ALL", "PERMUTE", "FINAL", "RUNNING",
        ".help", ".quit", ".mode", ".read", ".replay", ".gen", ".pane", ".layout", ".dashboard",
    ]

    public init(engine: Engine) { self.engine = engine }

    func refreshCompletion() {
        var words = Repl.keywords
        words += engine.functionRegistry.all.map(\.name)
        words += engine.streamNames + engine.tableNames + engine.queries.map(\.name)
        for s in engine.streamNames { words += engine.fieldNames(ofStream: s) }
        for t in engine.tableNames { words += engine.table(t)?.snapshot.columnNames ?? [] }
        completionWords = Array(Set(words)).sorted()
    }

    /// Runs until .quit or end of input (Ctrl-D).
    public func run() {
        streamsql_rl_setup(strdup("streamsql"), completionGenerator)
        using_history()
        stifle_history(5000)  // the file is rewritten per statement; keep it bounded
        _ = read_history(Repl.historyPath)
        signal(SIGINT, onInterrupt)
        print("StreamSQL for Swift — statements end with ';', .help lists the commands, Ctrl-D quits.")
        var buffer = ""
        while true {
            refreshCompletion()
            atPrompt = true
            let prompt = buffer.isEmpty ? "streamsql> " : "       ...> "
            guard let raw = readline(prompt) else { atPrompt = false; print(""); break }
            atPrompt = false
            let line = String(cString: raw)
            free(raw)
            if buffer.isEmpty && line.trimmingCharacters(in: .whitespaces).hasPrefix(".") {
                remember(line)
                if !command(line.trimmingCharacters(in: .whitespaces)) { break }
                continue
            }
            if buffer.isEmpty && line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            buffer += (buffer.isEmpty ? "" : "\n") + line
            guard Repl.isComplete(buffer) else { continue }
            remember(buffer)
            let statements = Parser.splitStatements(buffer)
            buffer = ""
            for s in statements { execute(s) }
        }
        _ = write_history(Repl.historyPath)
    }

    /// Adds one history entry and saves the file at once, so history survives a crash or a kill.
    private func remember(_ entry: String) {
        add_history(entry)
        _ = write_history(Repl.historyPath)
    }

    /// Whether the text ends with a `;` outside quotes and comments.
    public static func isComplete(_ text: String) -> Bool {
        var quote: Character? = nil
        var last: Character? = nil
        var chars = Array(text)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if let q = quote {
                if c == q { quote = nil }
                i += 1
                continue
            }
            if c == "-" && i + 1 < chars.count && chars[i + 1] == "-" {
                while i < chars.count && chars[i] != "\n" { i += 1 }
                continue
            }
            if c == "'" || c == "\"" || c == "`" { quote = c }
            if !c.isWhitespace { last = c }
            i += 1
        }
        chars.removeAll()
        return quote == nil && last == ";"
    }

    func say(_ s: String) {
        printLock.withLock { FileHandle.standardOutput.write(Data((s + "\n").utf8)) }
    }

    /// Prints from a background thread: above the prompt when the user is at one.
    func notify(_ s: String) {
        printLock.withLock {
            if atPrompt {
                FileHandle.standardOutput.write(Data(("\r\u{1B}[K" + s + "\n").utf8))
                rl_forced_update_display()
            } else {
                FileHandle.standardOutput.write(Data((s + "\n").utf8))
            }
        }
    }

    /// Replays started with `.replay`, newest last.
    var replays: [Replay] = []
    /// Generators started with `.gen`, by scenario name.
    var generators: [(String, Feeder)] = []
    /// Panes declared with `.pane add`, the `.layout`, and panes already bound to queries (reused, so that
    /// opening the dashboard again does not add sinks).
    var panes: [PaneSpec] = []
    var layoutColumns: Int?
    var boundPanes: [String: Pane] = [:]

    /// `.replay FILE [INTO STREAM] [max|N/s|xN] [BY FIELD]`, `.replay status`, `.replay stop`.
    func replayCommand(_ args: [String]) {
        let usage = "usage: .replay FILE [INTO STREAM] [max|N/s|xN] [BY FIELD]   (.replay status, .replay stop)"
        guard let first = args.first else { say(usage); return }
        switch first.lowercased() {
        case "status":
            let running = replays.filter { !$0.isFinished }
            if replays.isEmpty { say("no replay started") }
            for r in replays { say("\(r.inputs.map(\.path).joined(separator: ", ")) → \(r.inputs.first?.stream ?? ""): \(r.status ?? "")") }
            if !replays.isEmpty && running.isEmpty { say("(none running)") }
            return
        case "stop":
            let running = replays.filter { !$0.isFinished }
            for r in running { r.stop() }
            say(running.isEmpty ? "no replay running" : "stopped \(running.count) replay\(running.count == 1 ? "" : "s")")
            return
        default: break
        }
        var rest = Array(args.dropFirst())
        var stream = "stream"
        var pace = Replay.Pace.max
        var field = "timestamp"
        while let w = rest.first {
            rest.removeFirst()
            switch w.uppercased() {
            case "INTO":
                guard let s = rest.first else { say(usage); return }
                stream = s
                rest.removeFirst()
            case "BY":
                guard let f = rest.first else { say(usage); return }
                field = f
                rest.removeFirst()
            default:
                guard let p = Replay.Pace.parse(w) else { say("'\(w)' is not a pace: max, N/s (events per second) or xN (N times the event time)"); return }
                pace = p
            }
        }
        guard FileManager.default.isReadableFile(atPath: first) else { say("cannot read \(first)"); return }
        let replay = Replay(engine: engine, inputs: [Replay.Input(path: first, stream: stream)], pace: pace, timeField: field)
        replay.onRejection = { [weak self] text in self?.notify(text) }
        replay.onFinish = { [weak self] summary in self?.notify("(\(first): \(summary))") }
        replays.removeAll { $0.isFinished }
        replays.append(replay)
        // In the background, so that attached queries show the rows as they come.
        replay.start()
        say("replaying \(first) into \(stream), \(pace); .replay status shows progress")
    }

    func execute(_ text: String) {
        do {
            switch try engine.run(text) {
            case .query(let q):
                if text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased().hasPrefix("select") {
                    attach(q)
                } else {
                    say("query \(q.name) running (SHOW QUERIES; STOP QUERY \(q.name);)")
                }
            case .message(let m): say(m)
            case .table(let cols, let rows): say(OutputFormat.table(columns: cols, rows: rows))
            }
        } catch {
            say(error.rendered())
        }
    }

    /// Prints a query's rows as they arrive until Ctrl-C or its LIMIT; then stops it.
    func attach(_ q: Query) {
        let start = Date()
        let rows = Atomic<Int>(0)
        let mode = self.mode
        q.addSink { [weak self] batch in
            guard let self else { return }
            rows.add(batch.count, ordering: .relaxed)
            switch mode {
            case .table:
                let cols = batch.schema.names
                let vals = (0..<batch.count).map { i -> [Value] in let o = batch.object(i); return cols.map { o[$0] ?? .null } }
                self.say(OutputFormat.table(columns: cols, rows: vals))
            case .jsonl, .csv:
                for i in 0..<batch.count { self.say(batch.jsonLine(i)) }
            }
        }
        say("(attached to \(q.name): rows print as they arrive; Ctrl-C stops the query)")
        let seen = interruptCount
        while interruptCount == seen && !q.isFinished { usleep(20_000) }
        engine.stop(q)
        let m = q.metrics
        say(String(format: "(%@ stopped: %d rows from %d events in %.1f s)", q.name, rows.load(ordering: .relaxed), m.eventsIn, Date().timeIntervalSince(start)))
    }

    /// A dot command; false to leave the shell.
    func command(_ line: String) -> Bool {
        let parts = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        switch parts[0] {
        case ".quit", ".exit": return false
        case ".help":
            say("""
                SQL statements end with ';' and may span lines. Commands:
                  .mode table|jsonl|csv     how attached queries print rows
                  .read FILE                run the statements in FILE
                  .replay FILE [INTO STREAM] [max|N/s|xN] [BY FIELD]
                                            feed a JSON Lines or CSV file into a stream in the background: as
                                            fast as possible (max, the default), N events/s, or N times faster
                                            than the events' own timestamps (FIELD, default timestamp)
                  .replay status | stop     progress of the running replays, or stop them
                  .gen SCENARIO [RATE] [SEED]  start a built-in generator into its streams (.gen stop ends them)
                  .pane add NAME WIDGET QUERY [option=value …]   a dashboard pane on a running query
                                            (widgets: table, sparkline, gauge, bars, timeline, log, counter)
                  .pane drop NAME | .pane   remove a pane, or list them
                  .layout columns N         panes per row on the dashboard
                  .dashboard                the panes live, full screen, until q (queries keep running)
                  .quit                     leave (also Ctrl-D)
                """)
        case ".mode":
            if parts.count > 1, let m = OutputMode(rawValue: parts[1]) { mode = m; say("mode \(m.rawValue)") }
            else { say("usage: .mode table|jsonl|csv") }
        case ".read":
            guard parts.count > 1, let data = FileManager.default.contents(atPath: parts[1]) else { say("cannot read \(parts.dropFirst().joined())"); break }
            for s in Parser.splitStatements(String(decoding: data, as: UTF8.self)) { execute(s) }
        case ".replay":
            replayCommand(Array(parts.dropFirst()))
        case ".gen":
            genCommand(Array(parts.dropFirst()))
        case ".pane":
            paneCommand(line)
        case ".layout":
            layoutCommand(Array(parts.dropFirst()))
        case ".dashboard":
            dashboardCommand()
        default:
            say("unknown command \(parts[0]); .help lists the commands")
        }
        return true
    }
}
