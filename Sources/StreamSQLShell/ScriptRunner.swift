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
    public var mode: OutputMode = .jsonl
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
    private let write: @Sendable (String) -> Void
    private let writeError: @Sendable (String) -> Void
    private let lock = NSLock()
    private var csvHeaders: Set<String> = []
    /// Print the results of the script's queries (off when a dashboard shows them instead).
    public var attachQueries = true
    /// Print statements' confirmations ("stream x created") to the error channel.
    public var showMessages = true
    /// Panes the script declared with `.pane add …`, and the group they go to.
    public private(set) var panes: [PaneSpec] = []
    public var paneGroup = ""
    /// Panes per row, from `.layout columns N`.
    public private(set) var layoutColumns: Int?
    /// Queries the script started, in order.
    public private(set) var queries: [Query] = []
    public private(set) var errors = 0
    public private(set) var rejectedLines = 0

    public init(engine: Engine = Engine(), write: @escaping @Sendable (String) -> Void, writeError: @escaping @Sendable (String) -> Void) {
        self.engine = engine
        self.write = write
        self.writeError = writeError
    }

    /// Runs every statement of `script`; returns false if any failed.
    @discardableResult
    public func runScript(_ script: String) -> Bool {
        var ok = true
        for text in Parser.splitStatements(script) {
            if text.hasPrefix(".") {
                do {
                    try runCommand(text)
                } catch {
                    errors += 1
                    ok = false
                    writeError(error.description)
                    if bail { return false }
                }
                continue
            }
            do {
                try runStatement(text)
            } catch {
                errors += 1
                ok = false
                writeError(error.rendered())
                if bail { return false }
            }
        }
        return ok
    }

    /// Shell commands a script may hold: `.pane add NAME WIDGET QUERY [option=value …]` and
    /// `.layout columns N`.
    func runCommand(_ text: String) throws(PaneError) {
        let words = text.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
        if words.first == ".mode" {
            guard words.count == 2, let m = OutputMode(name: String(words[1])) else {
                throw PaneError("usage: .mode \(OutputMode.allCases.map(\.rawValue).joined(separator: "|"))")
            }
            mode = m
            return
        }
        if words.first == ".layout" {
            layoutColumns = try PaneSpec.parseLayout(words.dropFirst().joined(separator: " "))
            return
        }
        guard words.first == ".pane", words.count == 3, words[1] == "add" else {
            throw PaneError("\(text.prefix(40)): scripts may hold SQL statements, `.mode …`, `.pane add NAME WIDGET QUERY [option=value …]` and `.layout columns N` lines only")
        }
        let spec = try PaneSpec.parse(String(words[2]), group: paneGroup)
        guard queries.contains(where: { $0.name.lowercased() == spec.query.lowercased() }) else {
            let known = queries.map(\.name).joined(separator: ", ")
            throw PaneError(".pane \(spec.name): no query named '\(spec.query)' in this script (queries: \(known.isEmpty ? "none" : known))")
        }
        panes.append(spec)
    }

    func runStatement(_ text: String) throws(StreamSQLError) {
        switch try engine.run(text) {
        case .query(let q), .started(let q, _):
            queries.append(q)
            if attachQueries { attach(q) }
        case .message(let m):
            if showMessages { writeError(m) }
        case .table(let columns, let rows):
            for line in OutputFormat.statementLines(columns: columns, rows: rows, mode: mode) { write(line) }
        }
    }

    /// Prints a query's results as they come.
    public func attach(_ q: Query) {
        let name = q.name
        let mode = self.mode, tagged = self.tagged
        if !tagged && (mode == .table || mode == .vertical || mode == .changelog) {
            // Without a terminal the header is printed once.
            let printer = RowPrinter(mode: mode, windowed: q.windowed, color: false, screenRows: Int.max / 2, screenColumns: 1000,
                                     maxWidth: 40, write: { [weak self] in self?.write($0) })
            q.addSink { [weak self] batch in
                guard let self else { return }
                self.lock.withLock { printer.print(batch) }
            }
            return
        }
        // JSON rows are written straight from the batch's cells (no object per row); CSV reads them by name.
        let json = ResultJSONWriter(schema: q.schema)
        var tag: [UInt8] = []
        if tagged {
            tag = Array(#"{"query":"#.utf8)
            JSONWriter.writeString(name, into: &tag)
            tag.append(contentsOf: #","row":"#.utf8)
        }
        let prefix = tag
        q.addSink { [weak self] batch in
            guard let self else { return }
            self.lock.lock()
            defer { self.lock.unlock() }
            var bytes: [UInt8] = []
            for i in 0..<batch.count {
                switch mode {
                case .jsonl, .table, .vertical, .changelog:
                    bytes.removeAll(keepingCapacity: true)
                    bytes.append(contentsOf: prefix)
                    json.write(batch, row: i, into: &bytes)
                    if tagged { bytes.append(UInt8(ascii: "}")) }
                    self.write(String(decoding: bytes, as: UTF8.self))
                case .csv:
                    let o = batch.object(i)
                    let cols = batch.schema.names.filter { $0 != "*" }
                    let header = (tagged ? ["query"] : []) + cols
                    if self.csvHeaders.insert(name).inserted { self.write(header.map(OutputFormat.csvField).joined(separator: ",")) }
                    let cells = (tagged ? [name] : []) + cols.map { OutputFormat.cell(o[$0] ?? .null) }
                    self.write(cells.map(OutputFormat.csvField).joined(separator: ","))
                }
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
            while let record = file.next() {
                if let m = maxEvents, total >= m { break outer }
                if let d = deadline, total % 256 == 0, Date() >= d { break outer }
                if let r = eventsPerSecond, r > 0 { usleep(UInt32(min(1_000_000, 1_000_000 / r))) }
                if let why = writer.feed(record, sync: synchronous) {
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
