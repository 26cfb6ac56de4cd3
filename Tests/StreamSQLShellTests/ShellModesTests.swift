import Foundation
import StreamSQL
import XCTest
@testable import StreamSQLShell

/// The non-interactive shell through pipes: output modes, --init, --for, and every error path with its
/// caret and message.
final class ShellModesTests: ScratchFolderTestCase {
    func run(_ args: [String], stdin: String? = nil) throws -> (status: Int32, out: String, err: String) {
        try StreamsqlBinary.run(args, stdin: stdin)
    }

    var events: String {
        get throws {
            try file("w.jsonl", #"""
                {"k":"a","v":1,"ts":1000}
                {"k":"b","v":2,"ts":1500}
                {"k":"a","v":3,"ts":2500}
                {"k":"c","v":4,"ts":3500}
                """#)
        }
    }

    func testChangelogReplacesTheLastFiringAndVerticalAndTableModes() throws {
        let window = "SELECT k, SUM(v) AS total FROM s GROUP BY k, TumblingWindow('1s') WITH (TIMESTAMP='ts', TIMEUNIT='ms');"
        let c = try run(["-e", window, "--input", "s=\(try events)", "--output", "changelog"])
        XCTAssertEqual(c.status, 0, c.err)
        XCTAssertEqual(c.out.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) },
                       ["k | total", "--+------", "+ a |     1", "+ b |     2", "- a |     1", "- b |     2", "+ a |     3", "- a |     3", "+ c |     4"],
                       "numbers are right-aligned")
        let v = try run(["-e", "SELECT k, v FROM s;", "--input", "s=\(try events)", "--output", "vertical"])
        XCTAssertEqual(Array(v.out.split(separator: "\n").prefix(6)).map(String.init),
                       ["-[ row 1 ]------------------------------", "k | a", "v | 1", "-[ row 2 ]------------------------------", "k | b", "v | 2"])
        let t = try run(["-e", "SELECT k, v FROM s;", "--input", "s=\(try events)", "--output", "table"])
        XCTAssertEqual(t.out.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) },
                       ["k | v", "--+--", "a | 1", "b | 2", "a | 3", "c | 4"], "the header once, then rows as they come")
        let bad = try run(["-e", "SELECT 1;", "--output", "fancy"])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.err.contains("--output must be one of"), bad.err)
    }

    func testChangelogShowsEmitChangesRetractionsAsMinus() throws {
        let changes = "SELECT k, SUM(v) AS total FROM s GROUP BY k, TumblingWindow('10s') WITH (TIMESTAMP='ts', TIMEUNIT='ms') EMIT CHANGES;"
        let c = try run(["-e", changes, "--input", "s=\(try events)", "--output", "changelog"])
        XCTAssertEqual(c.status, 0, c.err)
        XCTAssertEqual(c.out.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) },
                       ["k | total", "--+------", "+ a |     1", "+ b |     2", "- a |     1", "+ a |     4", "+ c |     4"],
                       "each group's previous row is withdrawn before its new one; other groups' rows stay (numbers right-aligned)")
    }

    func testRowPrinterRepeatsTheHeaderEveryScreenfulAndCutsLongValues() {
        var lines: [String] = []
        let p = RowPrinter(mode: .table, windowed: false, color: false, screenRows: 6, screenColumns: 30, maxWidth: 12, write: { lines.append($0) })
        let engine = Engine()
        let q = try? engine.execute("SELECT k, note FROM stream")
        q?.addSink { p.print($0) }
        for i in 0..<8 { engine.emitSync(["k": .int(Int64(i)), "note": .string(String(repeating: "x", count: 40))]) }
        XCTAssertEqual(lines.filter { $0.hasPrefix("k ") }.count, 2, "a header per 4 rows on a 6-line screen: \(lines)")
        XCTAssertTrue(lines.contains { $0.contains("xxxxxxxxxxx…") }, "\(lines)")
        XCTAssertTrue(lines.allSatisfy { $0.count <= 30 }, "\(lines)")
        var colored: [String] = []
        let c = RowPrinter(mode: .changelog, windowed: true, color: true, write: { colored.append($0) })
        q?.addSink { c.print($0) }
        engine.emitSync(["k": 1, "note": .null])
        XCTAssertTrue(colored.contains { $0.hasPrefix("\u{1B}[32m+") && $0.contains("\u{1B}[2mNULL") }, "\(colored)")
    }

    func testInitModeAndForBoundTheRun() throws {
        let initFile = try file("init.sql", "CREATE STREAM s;\nCREATE QUERY first AS SELECT k FROM s;\n")
        let r = try run(["-e", ".mode csv\nSELECT k, v FROM s;", "--input", "s=\(try events)", "--init", initFile])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains(#"{"k":"a"}"#), "the init file's query prints as JSON lines: \(r.out)")
        XCTAssertTrue(r.out.contains("k,v\na,1"), "the script switched to CSV: \(r.out)")
        let missing = try run(["-e", "SELECT 1;", "--init", dir.appendingPathComponent("nope.sql").path])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.err.contains("cannot read"), missing.err)

        let big = try file("big.jsonl", (0..<200_000).map { #"{"i":\#($0)}"# }.joined(separator: "\n"))
        let f = try run(["-e", "SELECT i FROM s;", "--input", "s=\(big)", "--for", "1ms"])
        XCTAssertEqual(f.status, 0, f.err)
        XCTAssertLessThan(f.out.split(separator: "\n").count, 200_000, "input stops after the duration")
        let badFor = try run(["-e", "SELECT 1;", "--for", "soon"])
        XCTAssertEqual(badFor.status, 2)
        XCTAssertTrue(badFor.err.contains("--for takes a duration"), badFor.err)
    }

    func testEveryErrorPathShowsItsPlaceAndMessage() throws {
        // Parse error, with the caret under the misspelt keyword and a suggestion; the line shown is the script's.
        let parse = try run(["-e", "SELECT a FRM s;"])
        XCTAssertEqual(parse.status, 1)
        XCTAssertTrue(parse.err.contains("-e:1:10: syntax error: "), parse.err)
        XCTAssertTrue(parse.err.contains("  SELECT a FRM s;\n           ^^^"), parse.err)
        XCTAssertTrue(parse.err.contains("did you mean 'FROM'"), parse.err)
        // Plan error: an unknown function, underlined, with the closest name.
        let plan = try run(["-e", "SELECT upperr(k) AS u FROM stream;"])
        XCTAssertTrue(plan.err.contains("-e:1:8: plan error: unknown function upperr (did you mean 'upper'?)"), plan.err)
        XCTAssertTrue(plan.err.contains("  SELECT upperr(k) AS u FROM stream;\n         ^^^^^^^^^"), plan.err)
        // A misspelt stream, on the second statement of a script and its second line: the place is in the script.
        let cat = try run(["-e", "CREATE STREAM sensors;\nINSERT INTO\n  sensor JSON '{}';"])
        XCTAssertTrue(cat.err.contains("-e:3:3: catalog error: unknown stream sensor (did you mean 'sensors'?)"), cat.err)
        XCTAssertTrue(cat.err.contains("    sensor JSON '{}';\n    ^^^^^^"), cat.err)
        // A wrong type on a typed stream is a counted rejection, and bad JSON lines a counted summary, not a flood.
        let lines = (1...30).map { "{bad \($0)" } + [#"{"k": 1}"#, #"{"k": "x"}"#]
        let input = try file("bad.jsonl", lines.joined(separator: "\n"))
        let flood = try run(["-e", "CREATE STREAM s (k bigint); SELECT k FROM s;", "--input", "s=\(input)"])
        XCTAssertEqual(flood.err.components(separatedBy: "invalid JSON").count - 1, 20, flood.err)
        XCTAssertTrue(flood.err.contains("line 1: invalid JSON"), flood.err)
        XCTAssertTrue(flood.err.contains("31 lines rejected in all"), flood.err)
        XCTAssertEqual(flood.out, "{\"k\":1}\n")
    }
}
