import Foundation
import OrderedCollections
import StreamSQL

/// Runs SQL scripts without a terminal: statements in order, continuous queries attached, input
/// files replayed into streams as fast as possible, and every query's results printed.
///
/// This is `streamsql run SCRIPT --input STREAM=FILE` and `streamsql -e/-f`: the form tests and
/// scripts use. Output is deterministic: events are processed synchronously in file order.
public final class ScriptRunner: @unchecked Sendable {
    public struct Input: Sendable {
        public var stream: String
        public var path: String
        public init(stream: String, path: String) { self.stream = stream; self.path = path }

        /// Parses `STREAM=FILE`.
        public init?(argument: String) {
            guard let eq = argument.firstIndex(of: "="), eq != argument.startIndex else { return nil }
            stream = String(argument[..<eq])
            path = String(argument[argument.index(after: eq)...])
            if path.isEmpty { return nil }
        }
    }

    public let engine: Engine
    /// `.mode`, `.timer`, `.set`: the settings a script may change. Results print as JSON lines unless told.
    public var settings: ShellSettings = {
        var s = ShellSettings()
        s.mode = .jsonl
        return s
    }()
    public var mode: OutputMode {
        get { settings.mode }
        set { settings.mode = newValue }
    }
    /// Tag each result line with its query's name (`{"query": …, "row": {…}}`).
    public var tagged = false
    /// Stop at the first failing statement.
    public var bail = false
    /// End of input fires open windows and pending matches (`--end flush`).
    public var flushAtEnd = true
    /// Stop after this many events in all.
    public var maxEvents: Int?
    /// Pace the replay at this many events per second (nil: as fast as possible).
    public var eventsPerSecond: Double?
    /// Stop reading input at this time (`--for`).
    public var deadline: Date?
    /// Process each event on the reading thread (the default; deterministic) or buffer it per query under
    /// the engine's back-pressure policy (`--back-pressure`).
    public var synchronous = true
    /// Longest input line kept (`--max-line-bytes`).
    public var maxLineBytes = LineReader.defaultMaxLineBytes
    /// Write each query's results to a file of its own in this folder (`--output-dir`): `NAME.csv`,
    /// `NAME.jsonl` or `NAME.txt` by the mode, a CSV file with its one header.
    public var outputDirectory: String?
    private let write: @Sendable (String) -> Void
    /// Takes a batch's JSON result lines as bytes (each ending in a newline) where they would go to `write`,
    /// so that no String is made per line (`streamsql run` sets it).
    public var writeLines: (@Sendable ([UInt8]) -> Void)?
    let writeError: @Sendable (String) -> Void
    private let lock = NSLock()
    private var csvHeaders: Set<String> = []
    /// Where `.output FILE` sends results; nil for `write`.
    private var outputFile: ResultFile?
    /// Print the results of the script's queries (off when a dashboard shows them instead).
    public var attachQueries = true
    /// Print statements' confirmations ("stream x created") to the error channel.
    public var showMessages = true
    /// Panes the script declared with `.pane add …`, and the group they go to.
    public internal(set) var panes: [PaneSpec] = []
    public var paneGroup = ""
    /// Panes per row, from `.layout columns N`.
    public internal(set) var layoutColumns: Int?
    /// Queries the script started, in order.
    public internal(set) var queries: [Query] = []
    public internal(set) var errors = 0
    public private(set) var rejectedLines = 0
    /// Set by `.quit`, or by a failure under `bail`: no further statement runs.
    private var stopped = false
    private var readDepth = 0
    /// The deepest `.read` files may nest (a file reading itself stops there).
    static let maxReadDepth = 16

    public init(engine: Engine = Engine(), write: @escaping @Sendable (String) -> Void, writeError: @escaping @Sendable (String) -> Void) {
        self.engine = engine
        self.write = write
        self.writeError = writeError
    }

    /// Runs every statement and command of `script`; returns false if any failed. With a `name` (a file's
    /// path, `-e`, `<stdin>`), errors point into the script: `NAME:LINE:COLUMN: phase: message`, the line
    /// and a caret; without one, into the statement as the shell shows them.
    @discardableResult
    public func runScript(_ script: String, name: String? = nil) -> Bool {
        let before = errors
        for item in StatementScanner.scan(script).items {
            if stopped { break }
            switch item {
            case .command(let text, let line):
                do {
                    if try DotCommands.run(text, on: self, inScript: true) == .quit { stopped = true }
                } catch {
                    fail(name.map { "\($0):\(line): " } ?? "", error.description)
                }
            case .statement(let text, let start):
                let began = DispatchTime.now().uptimeNanoseconds
                do {
                    try runStatement(text)
                } catch {
                    fail("", name.map { error.rendered(file: $0, script: script, statement: text, at: start) } ?? error.rendered())
                }
                if settings.timer { say(String(format: "(%.1f ms)", Double(DispatchTime.now().uptimeNanoseconds - began) / 1e6)) }
            }
        }
        return errors == before
    }

    private func fail(_ prefix: String, _ message: String) {
        errors += 1
        writeError(prefix + message)
        if bail { stopped = true }
    }

    func runStatement(_ text: String) throws(StreamSQLError) {
        switch try engine.run(text) {
        case .query(let q), .started(let q, _):
            queries.append(q)
            if attachQueries { attach(q) }
            queriesFollowCatalog()
        case .message(let m):
            say(m)
            queriesFollowCatalog()
        case .table(let columns, let rows):
            for line in OutputFormat.statementLines(columns: columns, rows: rows, mode: mode) { emit(line) }
        }
    }

    /// Prints a query's results as they come: to the query's own file under `outputDirectory`, to the
    /// `.output` file in force when it started, or to `write`. `run` (tagged) marks each line with the query:
    /// a `query` field or column, or a `NAME | ` prefix on table lines.
    public func attach(_ q: Query) {
        let name = q.name
        let mode = self.mode, tagged = self.tagged && outputDirectory == nil
        let out: @Sendable (String) -> Void
        if let dir = outputDirectory {
            let ext = mode == .csv ? "csv" : (mode == .jsonl ? "jsonl" : "txt")
            let path = URL(fileURLWithPath: dir).appendingPathComponent("\(name).\(ext)").path
            guard let file = ResultFile(path: path) else {
                fail("", "cannot write \(path)")
                return
            }
            out = { file.line($0) }
        } else if let file = outputFile {
            out = { file.line($0) }
        } else {
            out = write
        }
        if mode == .table || mode == .vertical || mode == .changelog || mode == .live {
            // Without a terminal the header is printed once.
            let prefix = tagged ? "\(name) | " : ""
            let line: @Sendable (String) -> Void = { out(prefix + $0) }
            let printer = RowPrinter(mode: mode, windowed: q.windowed, color: false, screenRows: Int.max / 2, screenColumns: 1000,
                                     maxWidth: 40, write: line)
            q.addSink { [weak self] batch in
                guard let self else { return }
                self.lock.withLock { printer.print(batch) }
            }
            return
        }
        // JSON and CSV rows are written straight from the batch's cells (no object per row).
        let json = ResultJSONWriter(schema: q.schema)
        let csv = ResultCSVWriter(schema: q.schema, tagColumn: tagged ? "query" : nil, tag: name)
        var tag: [UInt8] = []
        if tagged {
            tag = Array(#"{"query":"#.utf8)
            JSONWriter.writeString(name, into: &tag)
            tag.append(contentsOf: #","row":"#.utf8)
        }
        let prefix = tag
        let line: @Sendable (ResultBatch, Int, inout [UInt8]) -> Void = { batch, i, bytes in
            if mode == .csv {
                csv.write(batch, row: i, into: &bytes)
            } else {
                bytes.append(contentsOf: prefix)
                json.write(batch, row: i, into: &bytes)
                if tagged { bytes.append(UInt8(ascii: "}")) }
            }
        }
        if outputDirectory == nil, outputFile == nil, let writeLines {
            q.addSink { [weak self] batch in
                guard let self, !batch.isEmpty else { return }
                var bytes: [UInt8] = []
                for i in 0..<batch.count {
                    line(batch, i, &bytes)
                    bytes.append(10)
                }
                self.lock.withLock {
                    if mode == .csv, self.csvHeaders.insert(name).inserted { writeLines(csv.header + [10]) }
                    writeLines(bytes)
                }
            }
            return
        }
        q.addSink { [weak self] batch in
            guard let self else { return }
            self.lock.lock()
            defer { self.lock.unlock() }
            if mode == .csv, !batch.isEmpty, self.csvHeaders.insert(name).inserted { out(String(decoding: csv.header, as: UTF8.self)) }
            var bytes: [UInt8] = []
            for i in 0..<batch.count {
                bytes.removeAll(keepingCapacity: true)
                line(batch, i, &bytes)
                out(String(decoding: bytes, as: UTF8.self))
            }
        }
    }

    /// Replays the inputs in order (JSON Lines, or CSV with a header), then ends input and prints the
    /// loss summary (what was rejected, dropped, evicted, late or made NULL) to the error channel.
    public func replay(_ inputs: [Input], endInput: Bool = true) {
        var total = 0
        outer: for input in inputs {
            let file: EventFile
            do { file = try EventFile(path: input.path, maxLineBytes: maxLineBytes) } catch {
                errors += 1
                writeError("cannot read input file \(input.path): \(error.description)")
                continue
            }
            engine.createStream(input.stream)
            guard engine.queries.contains(where: { $0.streamName.lowercased() == input.stream.lowercased() }) else {
                // Nothing reads it: the usual cause is a misspelt name, and the events would vanish unseen.
                errors += 1
                let read = Set(engine.queries.map(\.streamName)).sorted()
                let hint = closestNames(to: input.stream, in: read).first.map { " (did you mean '\($0)'?)" } ?? ""
                writeError("--input \(input.stream)=\(input.path): no query reads stream '\(input.stream)'\(hint); "
                           + "streams read: \(read.isEmpty ? "none" : read.joined(separator: ", "))")
                continue
            }
            // One lookup of the stream for the whole file (the stream exists: created above).
            guard let writer = try? engine.writer(for: input.stream) else { continue }
            // A script with one query reads its lines in batches (the same rows in the same order; with
            // more queries, batches would change how their results interleave). Paced replays go one by one.
            if synchronous && eventsPerSecond == nil && engine.queries.count == 1 { writer.batchSize = 1024 }
            defer { writer.flush() }
            while let record = file.next() {
                if let m = maxEvents, total >= m { break outer }
                if let d = deadline, total % 256 == 0, Date() >= d { break outer }
                if let r = eventsPerSecond, r > 0 { usleep(UInt32(min(1_000_000, 1_000_000 / r))) }
                if let why = writer.feed(record, sync: synchronous, file: input.path) {
                    rejectedLines += 1
                    if rejectedLines <= 20 { writeError("\(input.path) line \(record.line): \(why)") }
                }
                total += 1
            }
            if let f = file.failure {
                errors += 1
                writeError("error: \(f)")
            }
        }
        if rejectedLines > 20 { writeError("\(rejectedLines) lines rejected in all") }
        guard endInput else { return }
        if flushAtEnd { engine.finish() } else { engine.stopAll(flush: false) }
        for line in engine.lossSummary() { writeError("summary: " + line) }
    }
}

extension ScriptRunner: CommandHost {
    var paneQueries: [Query] { queries }

    func say(_ s: String) { if showMessages { writeError(s) } }

    func confirm(_ question: String) -> Bool { true }
    var asksUser: Bool { false }

    func emit(_ s: String) {
        if let outputFile { outputFile.line(s) } else { write(s) }
    }

    func setOutput(_ path: String?) throws(ShellError) -> String {
        guard let path else {
            outputFile = nil
            return "results go to standard output"
        }
        let resolved = resolve(path)
        guard let file = ResultFile(path: resolved) else { throw ShellError("cannot write \(resolved)") }
        outputFile = file
        return "results of the queries started from here on go to \(resolved)"
    }

    /// `.read FILE` in a script: relative to the script's folder, errors pointing into FILE.
    func readFile(_ path: String) throws(ShellError) -> DotCommand.Outcome {
        let resolved = resolve(path)
        guard readDepth < ScriptRunner.maxReadDepth else { throw ShellError("\(resolved): .read nested more than \(ScriptRunner.maxReadDepth) files deep") }
        guard let data = FileManager.default.contents(atPath: resolved) else { throw ShellError("cannot read \(resolved)") }
        readDepth += 1
        defer { readDepth -= 1 }
        _ = runScript(String(decoding: data, as: UTF8.self), name: path)
        return stopped ? .quit : .proceed
    }

    /// A path in a script: relative to the script's folder when the engine knows it.
    private func resolve(_ path: String) -> String {
        guard !path.hasPrefix("/"), let base = engine.baseDirectory else { return path }
        return URL(fileURLWithPath: base).appendingPathComponent(path).path
    }
}

/// A file results are written to, a line at a time, from any thread.
final class ResultFile: @unchecked Sendable {
    private let handle: FileHandle
    private let lock = NSLock()

    init?(path: String) {
        guard FileManager.default.createFile(atPath: path, contents: nil), let h = FileHandle(forWritingAtPath: path) else { return nil }
        handle = h
    }

    func line(_ s: String) { lock.withLock { handle.write(Data((s + "\n").utf8)) } }

    deinit { try? handle.close() }
}
