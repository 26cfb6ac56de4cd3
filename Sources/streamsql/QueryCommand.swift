import ArgumentParser
import Foundation
import StreamSQL

/// `streamsql query SQL [--input FILE]`: runs one continuous query over JSON Lines (or CSV) events and
/// prints its results as JSON Lines. Rejected lines are counted and reported with their line numbers; a
/// summary of everything rejected, dropped, evicted, late or made NULL goes to standard error at the end.
struct QueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Run one query over JSON Lines events (a file or standard input); print results as JSON Lines.")

    @Argument(help: "The SELECT statement.")
    var sql: String

    @Option(name: .shortAndLong, help: "JSON Lines (or .csv) file of events (default: standard input).")
    var input: String?

    @Option(help: "Report at most this many rejected lines individually.")
    var maxErrors = 10

    @Option(help: "Threads for a file: 2 reads and decodes it on a thread of its own while the query runs on another (results are the same); 1 does both on one. Default: 2 when more than one core is available.")
    var threads: Int?

    @OptionGroup var feed: FeedOptions

    func run() throws {
        var options = EngineOptions()
        try feed.apply(to: &options)
        options.autoCreateStreams = true   // the input is the query's FROM stream, whatever its name
        let engine = Engine(options: options)
        let query: Query
        do {
            query = try engine.execute(sql)
        } catch {
            warn(error.rendered())
            throw ExitCode(2)
        }
        let out = Output()
        let json = ResultJSONWriter(schema: query.schema)
        query.addSink { batch in out.rows(batch, json) }
        let writer: StreamWriter
        do { writer = try engine.writer(for: query.streamName) } catch {
            warn(error.rendered())
            throw ExitCode(2)
        }
        let file: EventFile
        if let input {
            do { file = try EventFile(path: input, maxLineBytes: feed.maxLineBytes) } catch {
                warn(error.description)
                throw ExitCode(2)
            }
        } else {
            file = EventFile(reader: LineReader(fileDescriptor: 0, name: "standard input", maxLineBytes: feed.maxLineBytes), format: .jsonLines)
        }
        // One query: its lines are decoded and run in batches (results in the same order), on two threads
        // when there are cores for them.
        var bad = 0
        var lines = 0
        let report: (Int, String) -> Void = { line, why in
            bad += 1
            if bad <= maxErrors { warn("line \(line): \(why)") }
        }
        if feed.synchronous { writer.batchSize = 1024 }
        if feed.synchronous && (threads ?? (ProcessInfo.processInfo.activeProcessorCount > 1 ? 2 : 1)) > 1 {
            lines = writer.feedPipelined(file, rejected: report, stop: { query.isFinished })
        } else {
            // Batched, the query runs once per batch: asking whether it finished (a lock) once per batch is enough.
            let every = feed.synchronous ? max(1, writer.batchSize) : 1
            while let record = file.next() {
                lines += 1
                if let why = writer.feed(record, sync: feed.synchronous, file: file.name) { report(record.line, why) }
                if lines % every == 0 && query.isFinished { break }
            }
        }
        writer.flush()
        engine.finish()
        out.flush()
        if bad > 0 { warn("\(bad) line\(bad == 1 ? "" : "s") rejected of \(lines)") }
        for line in engine.lossSummary() { warn("summary: " + line) }
        if let f = file.failure {
            warn("error: " + f)
            throw ExitCode(1)
        }
    }
}
