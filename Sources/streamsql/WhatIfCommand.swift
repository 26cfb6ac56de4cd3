import ArgumentParser
import Foundation
import StreamSQL
import StreamSQLShell

/// `streamsql whatif SCRIPT --input STREAM=FILE … --replace NAME='SELECT …'`: a backtest without a terminal.
struct WhatIfCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "whatif",
        abstract: "Run a script over input files, then show how query NAME's rows change with another SELECT.",
        discussion: """
            The script runs over the inputs as `streamsql run` would (its own results are not printed); its \
            streams keep their history, and the what-if replays it through the running and the edited version \
            (as `.whatif NAME AS SELECT …` does in the shell). Prints the summary line, then the rows that \
            differ, marked gone, new, or was/now, in the --output format. Exit status: 0 when nothing \
            differs, 1 when something does, 2 on errors (so it can run in CI).
            """)

    @Argument(help: "The SQL script.")
    var script: String

    @Option(help: "The query to replace and its edited version: NAME='SELECT …'.")
    var replace: String

    @OptionGroup var common: ScriptOptions

    func run() throws {
        guard let eq = replace.firstIndex(of: "="), eq != replace.startIndex else {
            warn("--replace takes NAME='SELECT …', got '\(replace)'")
            throw ExitCode(2)
        }
        let name = replace[..<eq].trimmingCharacters(in: .whitespaces)
        let select = String(replace[replace.index(after: eq)...])
        let (text, base) = try readScript(script)
        let out = Output()
        // The whole input is the history a backtest replays (up to 1 GB of it).
        let prepared = try common.prepare(baseDirectory: base, tagged: true, history: StreamHistory.Limits(events: .max, bytes: 1 << 30),
                                          write: { out.line($0) }, flush: { out.flush() })
        let runner = prepared.runner
        runner.attachQueries = false
        guard try prepared.script(text, name: script, failure: 2) else { throw ExitCode(2) }
        // The input ends in the what-if's own engine; the running queries need not flush theirs.
        runner.replay(prepared.inputs, endInput: false)
        guard runner.errors == 0 else { throw ExitCode(2) }
        let diff: ResultDiff
        do throws(ShellError) { diff = try WhatIf.diff(runner.engine, query: name, select: select) } catch {
            warn(error.description)
            throw ExitCode(2)
        }
        for line in WhatIf.lines(diff, mode: runner.mode) { out.line(line) }
        out.flush()
        runner.engine.stopAll(flush: false)
        if !diff.isEmpty { throw ExitCode(1) }
    }
}

/// A script's text and its folder (where the paths inside it resolve); exit status 2 when it cannot be read.
func readScript(_ path: String) throws -> (text: String, folder: String) {
    guard let data = FileManager.default.contents(atPath: path) else {
        warn("cannot read \(path)")
        throw ExitCode(2)
    }
    return (String(decoding: data, as: UTF8.self), URL(fileURLWithPath: path).deletingLastPathComponent().path)
}
