import Foundation
import XCTest
@testable import StreamSQLShell

/// Scripts run from files, -e and standard input: errors point into the script by name, line and column;
/// every dot-command from the one table that makes sense without a terminal works in a script; `run`
/// honours --output and --output-dir.
final class ScriptFileTests: ScratchFolderTestCase {
    /// Four good lines, then an unknown function on line 5, column 10.
    let badOnLine5 = "-- totals\nCREATE STREAM s;\n\nCREATE QUERY ok AS SELECT k FROM s;\n  SELECT upperr(k) AS u\n  FROM s;\n"
    let line5Error = ":5:10: plan error: unknown function upperr (did you mean 'upper'?)\n    SELECT upperr(k) AS u\n           ^^^^^^^^^"

    func testErrorsInFFileRunAndInitNameTheFileLineAndColumn() throws {
        let path = try file("bad.sql", badOnLine5)
        let f = try StreamsqlBinary.run(["-f", path])
        XCTAssertEqual(f.status, 1, f.err)
        XCTAssertTrue(f.err.contains(path + line5Error), f.err)
        let run = try StreamsqlBinary.run(["run", path])
        XCTAssertEqual(run.status, 1, run.err)
        XCTAssertTrue(run.err.contains(path + line5Error), run.err)
        let initRun = try StreamsqlBinary.run(["-e", "SELECT k FROM s;", "--init", path])
        XCTAssertEqual(initRun.status, 1, initRun.err)
        XCTAssertTrue(initRun.err.contains(path + line5Error), initRun.err)
        let piped = try StreamsqlBinary.run([], stdin: badOnLine5)
        XCTAssertEqual(piped.status, 1, piped.err)
        XCTAssertTrue(piped.err.contains("<stdin>" + line5Error), piped.err)
        // A statement after a tab keeps the caret under the right character.
        let tabbed = try StreamsqlBinary.run(["-e", "CREATE STREAM s;\tSELECT nope(k) FROM s;"])
        XCTAssertTrue(tabbed.err.contains("-e:1:25: plan error: unknown function nope\n  CREATE STREAM s;    SELECT nope(k) FROM s;\n                             ^^^^^^^"), tabbed.err)
    }

    func testReadAndDotCommandErrorsPointIntoTheirFile() throws {
        let inner = try file("inner.sql", badOnLine5)
        let outer = try file("outer.sql", "CREATE STREAM t;\n.read inner.sql\n.mode fancy\n.gen fraud\n")
        let r = try StreamsqlBinary.run(["-f", outer])
        XCTAssertEqual(r.status, 1, r.err)
        XCTAssertTrue(r.err.contains("inner.sql" + line5Error), "relative to the script's folder, named as written: \(r.err)")
        XCTAssertTrue(r.err.contains("\(outer):3: usage: .mode jsonl|csv|table"), r.err)
        XCTAssertTrue(r.err.contains("\(outer):4: .gen cannot run in a script"), r.err)
        XCTAssertFalse(inner.isEmpty)
        // A file that reads itself stops at a depth limit instead of overflowing the stack.
        let loop = try file("loop.sql", ".read loop.sql\n")
        let l = try StreamsqlBinary.run(["-f", loop])
        XCTAssertEqual(l.status, 1)
        XCTAssertTrue(l.err.contains(".read nested more than 16 files deep"), l.err)
    }

    func testScriptsTakeTheCommandsThatNeedNoTerminal() throws {
        let events = try file("ev.jsonl", "{\"k\":\"a\",\"v\":1}\n{\"k\":\"b\",\"v\":2}\n")
        let out = dir.appendingPathComponent("rows.csv").path
        let script = """
            .help
            .set width 12
            .timer on
            .mode csv
            .output \(out)
            SELECT k, v FROM s;
            .output
            .show
            .quit
            SELECT nothing_runs_after_quit FROM s;
            """
        let r = try StreamsqlBinary.run(["-e", script, "--input", "s=\(events)"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains(".replay FILE [INTO STREAM]"), ".help lists every command: \(r.out)")
        XCTAssertTrue(r.out.split(separator: "\n").contains { $0.hasPrefix("width ") && $0.contains("| 12 ") }, ".show prints the settings: \(r.out)")
        XCTAssertTrue(r.err.contains(" ms)"), ".timer reports on standard error: \(r.err)")
        XCTAssertEqual(try String(contentsOfFile: out, encoding: .utf8), "k,v\na,1\nb,2\n")
    }

    func testRunHonoursOutputAndOutputDir() throws {
        let events = try file("ev.jsonl", "{\"k\":\"a\",\"v\":1}\n{\"k\":\"b\",\"v\":2}\n")
        let script = try file("two.sql", "CREATE QUERY ks AS SELECT k FROM s;\nCREATE QUERY vs AS SELECT v FROM s WHERE v > 1;\n")
        let csv = try StreamsqlBinary.run(["run", script, "--input", "s=\(events)", "--output", "csv"])
        XCTAssertEqual(csv.status, 0, csv.err)
        let lines = csv.out.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.filter { $0.hasPrefix("query,") }, ["query,k", "query,v"], "one header per query: \(lines)")
        XCTAssertEqual(Set(lines), ["query,k", "query,v", "ks,a", "ks,b", "vs,2"])
        let table = try StreamsqlBinary.run(["run", script, "--input", "s=\(events)", "--output", "table"])
        XCTAssertEqual(table.status, 0, table.err)
        let rows = table.out.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        XCTAssertTrue(rows.contains("ks | k") && rows.contains("ks | a") && rows.contains("vs | 2"), table.out)
        XCTAssertFalse(table.out.contains("{"), "a table, not JSON: \(table.out)")
        let outDir = dir.appendingPathComponent("results").path
        let split = try StreamsqlBinary.run(["run", script, "--input", "s=\(events)", "--output", "csv", "--output-dir", outDir])
        XCTAssertEqual(split.status, 0, split.err)
        XCTAssertEqual(split.out, "")
        XCTAssertEqual(try String(contentsOfFile: outDir + "/ks.csv", encoding: .utf8), "k\na\nb\n")
        XCTAssertEqual(try String(contentsOfFile: outDir + "/vs.csv", encoding: .utf8), "v\n2\n")
    }

    func testHelpAndCompletionComeFromTheCommandTable() throws {
        let help = try DotCommands.helpText(nil)
        for c in DotCommands.all {
            XCTAssertTrue(help.contains(c.usage), c.name)
            XCTAssertTrue(DotCommands.names.contains(c.name))
        }
        XCTAssertTrue(try DotCommands.helpText("gen").contains("Not in scripts"))
        XCTAssertTrue(DotCommands.names.contains(".exit"))
        XCTAssertFalse(Repl.keywords.contains { $0.hasPrefix(".") }, "command names come from the table, not the keyword list")
    }
}
