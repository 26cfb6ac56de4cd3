import ArgumentParser
import StreamSQL

/// How the batch modes (`query`, `run`, `-e`, `-f`, standard input) feed input files into the engine.
///
/// By default events are processed synchronously in file order (deterministic output, nothing can be
/// dropped). `--back-pressure` switches to buffered ingest with a queue of `--queue` events per query and
/// that policy, as the interactive shell and the embedding API have; what the policy drops is counted and
/// reported in the summary on standard error.
struct FeedOptions: ParsableArguments {
    @Option(name: .customLong("back-pressure"), help: "Buffer events per query and apply this policy when a queue is full: block, drop-oldest or drop-newest (default: process each event synchronously).")
    var backPressure: String?

    @Option(help: "Events buffered per query with --back-pressure.")
    var queue: Int?

    @Option(name: .customLong("max-line-bytes"), help: "Longest input line kept; longer lines are skipped and counted as rejected.")
    var maxLineBytes: Int = LineReader.defaultMaxLineBytes

    /// The engine options these flags ask for, or a usage error.
    func apply(to options: inout EngineOptions) throws {
        if let b = backPressure {
            guard let p = BackPressure(rawValue: b) else {
                warn("--back-pressure must be one of: \(BackPressure.allCases.map(\.rawValue).joined(separator: ", ")), got '\(b)'")
                throw ExitCode(2)
            }
            options.backPressure = p
        }
        if let q = queue {
            guard q > 0 else { warn("--queue must be at least 1, got \(q)"); throw ExitCode(2) }
            guard backPressure != nil else { warn("--queue applies with --back-pressure"); throw ExitCode(2) }
            options.queueCapacity = q
        }
        guard maxLineBytes > 0 else { warn("--max-line-bytes must be at least 1"); throw ExitCode(2) }
    }

    /// Whether events are processed on the reading thread (no --back-pressure).
    var synchronous: Bool { backPressure == nil }
}
