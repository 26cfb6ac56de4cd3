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
/// What Tab completion knows (catalog names, columns), refreshed before each prompt, and the earlier lines
/// of an unfinished statement (the context of the line being typed).
nonisolated(unsafe) private var completer = Completer(catalog: .init())
nonisolated(unsafe) private var completionPending = ""
/// Builds the catalog anew when Tab is pressed: a generator started at the last prompt has filled its
/// stream's profile since, and its fields complete at once.
nonisolated(unsafe) private var completionSource: (() -> Completer.Catalog)?
nonisolated(unsafe) private var completionMatches: [String] = []
nonisolated(unsafe) private var completionNext = 0

/// The prompt of a new statement (it counts running queries), for the Ctrl-C handler's fresh prompt.
nonisolated(unsafe) private var mainPrompt = "streamsql> "
nonisolated(unsafe) private var highlighter = Highlighter(catalog: .init(), keywords: [])

/// readline's redisplay hook: the line with colours (`Highlighter`), as a string C frees.
private func highlightLine(_ line: UnsafePointer<CChar>?) -> UnsafeMutablePointer<CChar>? {
    guard let line else { return nil }
    return strdup(highlighter.highlight(String(cString: line), context: completionPending))
}

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
    // Discard the line being typed (the run loop drops a half-typed statement too) and show a fresh prompt.
    _ = write(1, "\n", 1)  // readline has echoed the ^C
    rl_set_prompt(mainPrompt)
    rl_on_new_line()
    rl_replace_line("", 0)
    rl_redisplay()
}

/// readline's completion generator: the words `Completer` offers where the cursor is that start with the
/// text typed so far.
private func completionGenerator(_ text: UnsafePointer<CChar>?, _ state: Int32) -> UnsafeMutablePointer<CChar>? {
    if state == 0 {
        if let source = completionSource { completer = Completer(catalog: source()) }
        let prefix = text.map { String(cString: $0) } ?? ""
        let lower = prefix.lowercased()
        // The line up to the word being completed, and after the cursor (readline's text ends at the cursor).
        let line = Array(String(cString: streamsql_rl_line()).utf8)
        let point = min(max(0, Int(streamsql_rl_point())), line.count)
        let start = max(0, point - prefix.utf8.count)
        let before = String(decoding: line[..<start], as: UTF8.self)
        let after = String(decoding: line[point...], as: UTF8.self)
        let context = completionPending.isEmpty ? before : completionPending + "\n" + before
        var seen = Set<String>()
        completionMatches = completer.candidates(before: context, after: after, word: prefix)
            .filter { $0.lowercased().hasPrefix(lower) && seen.insert($0).inserted }.sorted()
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
    public var settings = ShellSettings()
    /// The file `.output` sends results to.
    var outputHandle: FileHandle?
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
        "CREATE", "STREAM", "TABLE", "QUERY", "FUNCTION", "DROP", "SHOW", "STREAMS", "TABLES", "QUERIES", "FUNCTIONS", "WINDOWS", "DESCRIBE",
        "EXPLAIN", "INSERT", "INTO", "VALUES", "JSON", "STOP", "START", "PRIMARY", "KEY", "FILE", "TumblingWindow", "SlidingWindow",
        "CountingWindow", "SessionWindow", "GLOBAL", "WINDOW", "TRIGGER", "TIMESTAMP", "TIMEUNIT", "MAXOUTOFORDERNESS",
        "ALLOWEDLATENESS", "IDLETIMEOUT", "STATETTL", "MATCH_RECOGNIZE", "MEASURES", "PATTERN", "DEFINE", "WITHIN", "SUBSET",
        "AFTER", "MATCH", "SKIP", "PAST", "LAST", "ROW", "ROWS", "PER", "ONE", "ALL", "PERMUTE", "FINAL", "RUNNING", "SET", "PARAMETERS",
        "EMIT", "CHANGES", "EVERY", "OR", "REPLACE", "IF", "EXISTS", "ASC", "DESC", "TRUE", "FALSE", "INNER", "EXTENDED", "HISTORY",
        "STRICT", "RETURNS", "RETURN", "DIFF", "UNION", "TO",
    ]

    /// What `SELECT * FROM <named query>` shows of that query's rows before new ones, unless `.set replay_rows`.
    static let replayRows = 20

    public init(engine: Engine) { self.engine = engine }

    /// The catalog completion offers names from: an untyped stream's columns include the fields its events held.
    func completionCatalog() -> Completer.Catalog {
        var c = Completer.Catalog()
        let queries = engine.queries
        c.streams = engine.streamNames
        c.tables = engine.tableNames
        c.queries = queries.map(\.name)
        c.functions = engine.functionRegistry.all.map(\.name)
        for s in c.streams { c.columns[s.lowercased()] = engine.fieldNames(ofStream: s) }
        for t in c.tables { c.columns[t.lowercased()] = engine.table(t)?.snapshot.columnNames ?? [] }
        for q in queries where c.columns[q.name.lowercased()] == nil { c.columns[q.name.lowercased()] = q.schema.names.filter { $0 != "*" } }
        c.panes = panes.map(\.name)
        return c
    }

    func refreshCompletion(pending: String = "") {
        let catalog = completionCatalog()
        completer = Completer(catalog: catalog)
        completionSource = { [weak self] in self?.completionCatalog() ?? .init() }
        completionPending = pending
        // Colours for the line being typed: on a terminal, unless NO_COLOR or `.highlight off`.
        let colour = settings.highlight && isatty(1) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"].map(\.isEmpty) != false
        highlighter = Highlighter(catalog: catalog, keywords: Repl.keywords)
        streamsql_rl_set_highlighter(colour ? highlightLine : nil)
    }

    /// The prompt: how many queries run, when any do (`streamsql [3 running]> `); the continuation prompt
    /// as wide.
    func prompt(continuing: Bool) -> String {
        let running = engine.queries.count
        let main = running == 0 ? "streamsql> " : "streamsql [\(running) running]> "
        return continuing ? String(repeating: " ", count: main.count - 5) + "...> " : main
    }

    /// Runs until .quit or end of input (Ctrl-D).
    public func run() {
        streamsql_rl_setup(strdup("streamsql"), completionGenerator)
        using_history()
        stifle_history(5000)  // the file is rewritten per statement; keep it bounded
        _ = read_history(Repl.historyPath)
        signal(SIGINT, onInterrupt)
        signal(SIGTERM, onTerminate)
        // A query on a named query's results shows its newest rows first (`.set replay_rows`).
        if engine.options.replayRows == 0 { engine.updateOptions { $0.replayRows = Repl.replayRows } }
        lateNotices.start(engine: engine) { [weak self] in self?.notify($0) }
        print("StreamSQL for Swift — statements end with ';', .help lists the commands, Ctrl-D quits.")
        var buffer = ""
        session: while true {
            refreshCompletion(pending: buffer)
            atPrompt = true
            mainPrompt = prompt(continuing: false)
            let prompt = prompt(continuing: !buffer.isEmpty)
            let interrupts = interruptCount
            guard let raw = readline(prompt) else { atPrompt = false; _ = streamsql_rl_take_drawn(); print(""); break }
            atPrompt = false
            endHighlightedLine()
            let line = String(cString: raw)
            free(raw)
            // Ctrl-C at the prompt threw away the line being typed; at the continuation prompt, the statement too.
            if interruptCount != interrupts { buffer = "" }
            if buffer.isEmpty && line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            buffer += (buffer.isEmpty ? "" : "\n") + line
            let scanned = StatementScanner.scan(buffer)
            guard scanned.isComplete else { continue }
            if !scanned.items.isEmpty { remember(buffer) }
            buffer = ""
            for item in scanned.items {
                switch item {
                case .statement(let text, _): execute(text)
                case .command(let text, _): if !command(text) { break session }
                }
            }
        }
        _ = write_history(Repl.historyPath)
    }

    /// Adds one history entry and saves the file at once, so history survives a crash or a kill.
    private func remember(_ entry: String) {
        add_history(entry)
        _ = write_history(Repl.historyPath)
    }

    /// Asks at the terminal (`.set @parameter` before adopting); anything but y or yes is no.
    func confirm(_ question: String) -> Bool {
        guard let raw = readline(question + " [y/N] ") else { _ = streamsql_rl_take_drawn(); return false }
        endHighlightedLine()
        let answer = String(cString: raw).trimmingCharacters(in: .whitespaces).lowercased()
        free(raw)
        return answer == "y" || answer == "yes"
    }

    /// Ends the line readline accepted when the highlighting hook drew it (readline does not then).
    private func endHighlightedLine() {
        if streamsql_rl_take_drawn() != 0 { printLock.withLock { FileHandle.standardOutput.write(Data("\n".utf8)) } }
    }

    /// At the prompt of a terminal, not inside `.read`.
    var asksUser: Bool { readDepth == 0 && isatty(0) == 1 }

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
    /// The latest event time (ms) each scenario's generator reached, so that `.gen` started again continues
    /// from there instead of going back in event time (which made every later row late).
    var generatorEventTimes: [String: Int64] = [:]
    /// Late rows per query already told about (`LateRowNotices`).
    let lateNotices = LateRowNotices()
    /// Panes declared with `.pane add`, the `.layout`, and panes already bound to queries (reused, so that
    /// opening the dashboard again does not add sinks).
    var panes: [PaneSpec] = []
    var layoutColumns: Int?
    var boundPanes: [String: Pane] = [:]
    /// How many `.read` files are open inside each other.
    var readDepth = 0

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
        engine.flinkInputs[stream.lowercased()] = first
        replay.onRejection = { [weak self] text in self?.notify(text) }
        replay.onNotice = { [weak self] text in self?.notify(text) }
        replay.onFinish = { [weak self] summary in self?.notify("(\(first): \(summary))") }
        replays.removeAll { $0.isFinished }
        replays.append(replay)
        // In the background, so that attached queries show the rows as they come.
        replay.start()
        say("replaying \(first) into \(stream), \(pace); .replay status shows progress")
    }

    /// Runs one statement; `describe` words its error (as the shell shows it, or pointing into a file).
    func execute(_ text: String, describe: (StreamSQLError) -> String = { $0.rendered() }) {
        let start = DispatchTime.now().uptimeNanoseconds
        defer {
            if settings.timer {
                say(String(format: "(%.1f ms)", Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6))
            }
        }
        do {
            switch try engine.run(text) {
            case .query(let q):
                if let n = engine.unseenFieldsNotice(q) { say(n) }
                attach(q)
            case .started(let q, let m):
                say(m)
                if let n = engine.unseenFieldsNotice(q) { say(n) }
                checkPanes(on: q)
            case .message(let m): say(m)
            case .table(let cols, let rows):
                // On the terminal the table fits its width (text wrapped, nothing cut); a file gets text cut at the width.
                let screen = outputHandle == nil ? terminalSize().columns : nil
                showLines(OutputFormat.statementLines(columns: cols, rows: rows, mode: settings.mode, maxWidth: max(settings.width, 40), screenColumns: screen))
            }
        } catch {
            say(describe(error))
        }
        panesFollowQueries()
    }

    /// Whether result rows get colour: a terminal, no NO_COLOR, not redirected by `.output`.
    var useColor: Bool {
        switch settings.color {
        case .on: return true
        case .off: return false
        case .auto: return outputHandle == nil && isatty(1) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"].map(\.isEmpty) != false
        }
    }

    /// Writes result text: to the `.output` file, or the terminal.
    func emit(_ s: String) {
        printLock.withLock {
            if let h = outputHandle { h.write(Data((s + "\n").utf8)) } else { FileHandle.standardOutput.write(Data((s + "\n").utf8)) }
        }
    }

    /// Statement results: through the pager (`$PAGER`, else `less -SRFX` as psql uses) when they are longer
    /// than the terminal and go to it; `.pager off` prints them as they are.
    func showLines(_ lines: [String]) {
        let height = lines.reduce(0) { $0 + 1 + $1.utf8.reduce(0) { $0 + ($1 == 10 ? 1 : 0) } }
        guard settings.pager, outputHandle == nil, isatty(1) == 1, height > terminalSize().rows - 2 else {
            for l in lines { emit(l) }
            return
        }
        let env = ProcessInfo.processInfo.environment["PAGER"]?.trimmingCharacters(in: .whitespaces) ?? ""
        let command = env.isEmpty ? "less -SRFX" : env
        // Quitting the pager early closes the pipe: writes then fail instead of killing the shell.
        let oldPipe = signal(SIGPIPE, SIG_IGN)
        defer { signal(SIGPIPE, oldPipe) }
        guard let pipe = popen(command, "w") else {
            for l in lines { emit(l) }
            return
        }
        printLock.withLock {
            for l in lines where fputs(l + "\n", pipe) < 0 { break }
            _ = pclose(pipe)
        }
    }

    /// Writes to the terminal as it is (escape sequences of the live view).
    func writeTerminal(_ s: String) {
        printLock.withLock { FileHandle.standardOutput.write(Data(s.utf8)) }
    }

    /// Prints a query's rows as they arrive until Ctrl-C or its LIMIT; then stops it. In `.mode live` on a
    /// terminal, shows them as a table updated in place (`LiveView`) until `q` or Ctrl-C.
    func attach(_ q: Query) {
        let start = Date()
        if settings.mode == .live && outputHandle == nil && isatty(0) == 1 && isatty(1) == 1 {
            let (rows, _) = LiveView.run(q, in: self)
            engine.stop(q)
            say(String(format: "(%@ stopped: %d results from %d events in %.1f s)", q.name, rows, q.metrics.eventsIn, Date().timeIntervalSince(start)))
            return
        }
        let rows = Atomic<Int>(0)
        let size = terminalSize()
        let printer = RowPrinter(mode: settings.mode, windowed: q.windowed, color: useColor,
                                 screenRows: outputHandle == nil ? size.rows : Int.max / 2, screenColumns: outputHandle == nil ? size.columns : 1000,
                                 maxWidth: settings.width, timeColumns: q.windowBoundColumns, write: { [weak self] in self?.emit($0) })
        let printLock = NSLock()
        q.addSink { batch in
            rows.add(batch.count, ordering: .relaxed)
            printLock.withLock { printer.print(batch) }
        }
        let recent = engine.showRecentRows(to: q)
        say("(attached to \(q.name): " + (recent > 0 ? "the \(recent) newest rows of \(q.streamName) above, then " : "") + "rows print as they arrive; Ctrl-C stops the query)")
        let seen = interruptCount
        while interruptCount == seen && !q.isFinished { usleep(20_000) }
        engine.stop(q)
        let m = q.metrics
        var summary = String(format: "(%@ stopped: %d rows from %d events in %.1f s", q.name, rows.load(ordering: .relaxed), m.eventsIn, Date().timeIntervalSince(start))
        if m.rejected > 0 { summary += ", \(m.rejected) rejected" + (m.rejectionReasons.max { $0.value < $1.value }.map { " (most: \($0.key))" } ?? "") }
        if m.late > 0 { summary += ", \(m.late) late" }
        say(summary + ")")
    }

    /// Runs a file's statements and commands (`--init FILE`), as `.read` does.
    public func read(_ path: String) { _ = command(".read \(path)") }

    /// A dot command; false to leave the shell.
    func command(_ line: String) -> Bool {
        do {
            return try DotCommands.run(line, on: self, inScript: false) == .proceed
        } catch {
            say(error.description)
            return true
        }
    }
}

extension Repl: CommandHost {
    var paneGroup: String { "" }
    var paneQueries: [Query] { engine.queries }

    func setOutput(_ path: String?) throws(ShellError) -> String {
        guard let path else {
            try? outputHandle?.close()
            outputHandle = nil
            settings.output = nil
            return "results go to the terminal"
        }
        guard FileManager.default.createFile(atPath: path, contents: nil), let h = FileHandle(forWritingAtPath: path) else {
            throw ShellError("cannot write \(path)")
        }
        try? outputHandle?.close()
        outputHandle = h
        settings.output = path
        return "results go to \(path) (.output alone returns them to the terminal)"
    }

    func readFile(_ path: String) throws(ShellError) -> DotCommand.Outcome {
        guard readDepth < ScriptRunner.maxReadDepth else { throw ShellError("\(path): .read nested more than \(ScriptRunner.maxReadDepth) files deep") }
        guard let data = FileManager.default.contents(atPath: path) else { throw ShellError("cannot read \(path)") }
        readDepth += 1
        defer { readDepth -= 1 }
        let script = String(decoding: data, as: UTF8.self)
        for item in StatementScanner.scan(script).items {
            switch item {
            case .statement(let text, let start):
                execute(text) { $0.rendered(file: path, script: script, statement: text, at: start) }
            case .command(let text, let line):
                do {
                    if try DotCommands.run(text, on: self, inScript: false) == .quit { return .quit }
                } catch {
                    say("\(path):\(line): \(error.description)")
                }
            }
        }
        return .proceed
    }
}
