import ArgumentParser
import Foundation
import OrderedCollections
import StreamSQL
import StreamSQLShell

/// `streamsql test SCRIPT --input STREAM=FILE … --expect EXPECTED.jsonl [--update]`: a golden test.
struct GoldenTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run a script to the end of its input and compare each query's rows with an expected file.",
        discussion: """
            The expected file holds the lines `streamsql run` prints ({"query": NAME, "row": {…}}). Each \
            query's rows are compared as a multiset (the order of rows is not compared); floating-point \
            numbers match within --tolerance of the larger magnitude, everything else exactly. Prints ok or \
            FAIL per query, the missing (-) and unexpected (+) rows of a failure, and 'N passed, M failed'. \
            --update writes the file from this run instead. Exit status: 0 when every query passes, 1 when \
            one fails, 2 on errors (an unreadable file, a failing statement).
            """)

    @Argument(help: "The SQL script.")
    var script: String

    @Option(help: "The expected results (JSON Lines as `streamsql run` prints them).")
    var expect: String

    @Flag(help: "Write the expected file from this run instead of comparing.")
    var update = false

    @Option(help: "Relative tolerance for floating-point numbers.")
    var tolerance: Double = 1e-9

    @Option(help: "Rows shown per query and kind (missing, unexpected) in a failure.")
    var show: Int = 10

    @OptionGroup var common: ScriptOptions

    func run() throws {
        guard tolerance >= 0, tolerance.isFinite else { warn("--tolerance must be a non-negative number"); throw ExitCode(2) }
        let (text, base) = try readScript(script)
        let lines = Locked<[String]>([])
        let out = Output()
        let prepared = try common.prepare(baseDirectory: base, tagged: true, write: { l in lines.mutate { $0.append(l) } },
                                          flush: { out.flush() })
        let runner = prepared.runner
        runner.mode = .jsonl
        runner.showMessages = false
        guard runner.outputDirectory == nil else { warn("--output-dir does not apply to streamsql test"); throw ExitCode(2) }
        guard try prepared.script(text, name: script, failure: 2) else { throw ExitCode(2) }
        runner.replay(prepared.inputs)
        guard runner.errors == 0 else { throw ExitCode(2) }
        let produced = lines.value
        if update {
            let body = produced.map { $0 + "\n" }.joined()
            do { try body.write(toFile: expect, atomically: true, encoding: .utf8) } catch {
                warn("cannot write \(expect): \(error.localizedDescription)")
                throw ExitCode(2)
            }
            let queries = Set(produced.compactMap { (try? GoldenResults.parse([$0], source: ""))?.keys.first }).count
            out.line("wrote \(produced.count) rows of \(queries) quer\(queries == 1 ? "y" : "ies") to \(expect)")
            out.flush()
            return
        }
        guard let data = FileManager.default.contents(atPath: expect) else {
            warn("cannot read \(expect) (--update writes it)")
            throw ExitCode(2)
        }
        let expected: OrderedDictionary<String, [GoldenResults.Row]>, actual: OrderedDictionary<String, [GoldenResults.Row]>
        do throws(GoldenResults.LineError) {
            expected = try GoldenResults.parse(String(decoding: data, as: UTF8.self).components(separatedBy: "\n"), source: expect)
            actual = try GoldenResults.parse(produced, source: "the results")
        } catch {
            warn(error.description)
            throw ExitCode(2)
        }
        let outcomes = GoldenResults.compare(expected: expected, actual: actual, alsoRan: runner.queries.map(\.name), tolerance: tolerance)
        for line in GoldenResults.report(outcomes, limit: max(0, show)) { out.line(line) }
        out.flush()
        if outcomes.contains(where: { !$0.passed }) { throw ExitCode(1) }
    }
}
