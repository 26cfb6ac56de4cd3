import Foundation
import StreamSQL
import StreamSQLScenarios
import XCTest
@testable import StreamSQLShell

/// `streamsql dashboard SCRIPT`: any script on the dashboard, panes chosen from the results' shapes or
/// declared with `.pane add` / `.layout`, snapshots written without a terminal.
final class DashboardCommandTests: ScratchFolderTestCase {
    func run(_ args: [String]) throws -> (Int32, String, String) { try StreamsqlBinary.run(args) }

    func write(_ name: String, _ text: String) throws -> String { try file(name, text) }

    func testWidgetsFromTheResultsShapesAndASnapshotWithoutATerminal() throws {
        let script = try write("tx.sql", """
            CREATE STREAM transactions;
            CREATE QUERY per_minute AS SELECT COUNT(*) AS n FROM transactions GROUP BY TumblingWindow('1m') WITH (TIMESTAMP='timestamp');
            CREATE QUERY by_city AS SELECT location, COUNT(*) AS n FROM transactions GROUP BY location, TumblingWindow('1m') WITH (TIMESTAMP='timestamp');
            CREATE QUERY big AS SELECT transaction_id, amount FROM transactions WHERE amount > 1000;
            """)
        let g = try XCTUnwrap(Scenarios.named("fraud")).generator(GeneratorConfig(seed: 9))
        let events = (0..<2000).map { _ in g.next() }
        let data = try write("tx.jsonl", events.map(\.jsonLine).joined(separator: "\n") + "\n{bad\n")
        let frameFile = dir.appendingPathComponent("frame.txt").path
        let (status, _, err) = try run(["dashboard", script, "--replay", "transactions=\(data)", "--snapshot", frameFile, "--size", "130x30"])
        XCTAssertEqual(status, 0, err)
        XCTAssertTrue(err.contains("line 2001"), "the bad line is reported with its number: \(err)")
        let frame = try String(contentsOfFile: frameFile, encoding: .utf8)
        let lines = frame.split(separator: "\n")
        XCTAssertEqual(lines.count, 30)
        XCTAssertTrue(lines.allSatisfy { Frame.width(String($0)) <= 130 }, frame)
        XCTAssertTrue(frame.contains("replay done · 2000 events · 1 rejected"), frame)
        // per_minute (one column, windowed) is a counter in big digits; by_city (key, value) is bars; big a table.
        XCTAssertTrue(frame.contains("─ per_minute") && (frame.contains("╶─") || frame.contains("┌─┐")), frame)
        XCTAssertTrue(frame.contains("█"), frame)
        XCTAssertTrue(frame.contains("transaction_id") && frame.contains("amount"), frame)
        let biggest = events.filter { ($0.fields["amount"]?.asDouble ?? 0) > 1000 }.last?.fields["transaction_id"]?.asString
        XCTAssertTrue(frame.contains(try XCTUnwrap(biggest)), "the table's newest row is the last big transaction")
    }

    func testDeclaredPanesAndLayoutAndInputErrors() throws {
        let script = try write("s.sql", """
            CREATE STREAM s;
            CREATE QUERY a AS SELECT k, v FROM s;
            CREATE QUERY b AS SELECT k, v FROM s WHERE v > 2;
            .pane add first table a title='All rows'
            .pane add second log b columns=k,v title='Big ones'
            .layout columns 1
            """)
        let data = try write("s.csv", "k,v\nx,1\ny,3\nz,5\n")
        let frameFile = dir.appendingPathComponent("f.txt").path
        let (status, _, err) = try run(["dashboard", script, "--replay", "s=\(data)", "--snapshot", frameFile, "--size", "80x24"])
        XCTAssertEqual(status, 0, err)
        let frame = try String(contentsOfFile: frameFile, encoding: .utf8)
        // One pane per row: both boxes span the full width.
        let tops = frame.split(separator: "\n").filter { $0.hasPrefix("┌─ ") }
        XCTAssertEqual(tops.count, 2, frame)
        XCTAssertTrue(tops.allSatisfy { $0.hasSuffix("┐") && Frame.width(String($0)) == 80 }, frame)
        XCTAssertTrue(frame.contains("All rows") && frame.contains("Big ones"), frame)

        let bad = try run(["dashboard", script, "--replay", "nope=\(data)", "--snapshot", frameFile])
        XCTAssertEqual(bad.0, 2)
        XCTAssertTrue(bad.2.contains("no stream 'nope'"), bad.2)
        let gen = try run(["dashboard", script, "--gen", "energy", "--snapshot", frameFile])
        XCTAssertEqual(gen.0, 2)
        XCTAssertTrue(gen.2.contains("CREATE STREAM energy"), gen.2)
        let layout = try write("l.sql", "CREATE STREAM s;\n.layout rows 2\n")
        let l = try run(["dashboard", layout, "--snapshot", frameFile])
        XCTAssertEqual(l.0, 1)
        XCTAssertTrue(l.2.contains("usage: .layout columns N"), l.2)
    }
}

/// The panes' feeds: rows become objects only when drawn, a table shows the latest window firing even
/// when several came in one batch, and only the last 512 rows are kept.
final class PaneFeedTests: XCTestCase {
    func testLatestFiringAndBoundedRows() throws {
        let engine = Engine()
        let q = try engine.execute("SELECT k, COUNT(*) AS n FROM stream GROUP BY k, TumblingWindow('1s') WITH (TIMESTAMP='ts', TIMEUNIT='ms')")
        let pane = Pane(spec: PaneSpec(name: "t", widget: .table, query: q.name), query: q)
        // Window 1 has keys a, b; window 2 has c; window 3 (d) closes them in the same batch.
        let rows = [("a", 100), ("b", 200), ("c", 1100), ("d", 2100)].map { engine.makeRow(["k": .string($0.0), "ts": .int(Int64($0.1))]) }
        engine.emitSync(rows: rows)
        let (entries, total) = pane.feed.snapshot()
        XCTAssertEqual(total, 3)
        XCTAssertEqual(Widgets.latest(pane, entries, limit: 200).map { $0.row["k"] ?? .null }, ["c"])

        let r = try engine.execute("SELECT k FROM stream")
        let big = Pane(spec: PaneSpec(name: "r", widget: .table, query: r.name), query: r)
        for chunk in 0..<3 {
            engine.emitSync(rows: (0..<400).map { engine.makeRow(["k": .int(Int64(chunk * 400 + $0)), "ts": 5000]) })
        }
        let (kept, all) = big.feed.snapshot()
        XCTAssertEqual(all, 1200)
        XCTAssertEqual(kept.count, 512)
        XCTAssertEqual(kept.last?.row["k"], 1199)
        XCTAssertEqual(kept.first?.row["k"], 688)
        XCTAssertEqual(kept.last?.seq, 1200)
    }
}

/// Without a usable terminal the dashboard refuses with a clear message instead of drawing garbage.
final class DashboardRefusalTests: XCTestCase {
    func testDumbUnsetOrPipedTerminalsAreRefused() throws {
        guard StreamsqlBinary.exists else { throw XCTSkip("build the streamsql binary first") }
        for (term, expected) in [("dumb", "TERM is dumb"), ("", "TERM is unset"), ("xterm-256color", "needs a terminal on standard input and output")] {
            var env = ProcessInfo.processInfo.environment
            env["TERM"] = term.isEmpty ? nil : term
            let (status, _, e) = try StreamsqlBinary.run(["demo", "fraud"], environment: env)
            XCTAssertEqual(status, 2, e)
            XCTAssertTrue(e.contains(expected) && e.contains("--snapshot"), "\(term): \(e)")
        }
    }
}
