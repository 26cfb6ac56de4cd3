import Foundation
import StreamSQL
import XCTest
@testable import StreamSQLShell

/// `.whatif QUERY AS SELECT …` in a script: the summary first, then the differing rows in the output mode.
final class WhatIfCommandTests: XCTestCase {
    /// Random values through a filter; the edited threshold's gained and lost rows are recomputed here.
    func testWhatIfOfAFilterListsTheRowsLostAndGained() throws {
        var rng = SystemRandomNumberGenerator()
        let values = (0..<60).map { _ in Int.random(in: 0..<20, using: &rng) }
        let inserts = values.enumerated().map { "('k\($0.offset)', \($0.element))" }.joined(separator: ", ")
        let out = Lines(), err = Lines()
        let runner = ScriptRunner(write: out.add, writeError: err.add)
        runner.attachQueries = false
        XCTAssertTrue(runner.runScript("""
            CREATE STREAM s WITH (HISTORY = 1000);
            CREATE QUERY hot AS SELECT k, v FROM s WHERE v > 10;
            INSERT INTO s (k, v) VALUES \(inserts);
            .mode csv
            .whatif hot AS SELECT k, v FROM s WHERE v > 4;
            """), err.all.joined(separator: "\n"))
        let old = values.filter { $0 > 10 }.count
        let gained = values.enumerated().filter { $0.element > 4 && $0.element <= 10 }
        let lines = out.all
        XCTAssertEqual(lines.first, "old \(old) rows · new \(old + gained.count) · 0 gone · \(gained.count) new · 0 changed")
        if gained.isEmpty { return XCTAssertEqual(lines.count, 1) }
        guard lines.count > 1 else { return XCTFail("\(lines)") }
        XCTAssertEqual(lines[1], "change,k,v")
        XCTAssertEqual(Set(lines.dropFirst(2)), Set(gained.map { "new,k\($0.offset),\($0.element)" }))
    }

    /// A windowed query's rows are matched by key and window: an edited aggregate shows was/now pairs.
    func testWhatIfOfAWindowShowsChangedRowsAsWasAndNow() throws {
        let out = Lines(), err = Lines()
        let runner = ScriptRunner(write: out.add, writeError: err.add)
        runner.attachQueries = false
        XCTAssertTrue(runner.runScript("""
            CREATE STREAM s WITH (HISTORY = 1000);
            CREATE QUERY per_key AS SELECT k, COUNT(*) AS n FROM s GROUP BY k, CountingWindow(4);
            INSERT INTO s (k, v) VALUES ('a', 1), ('a', 2), ('a', 3), ('a', 4);
            .whatif per_key AS SELECT k, SUM(v) AS n FROM s GROUP BY k, CountingWindow(4)
            """), err.all.joined(separator: "\n"))
        let lines = out.all
        guard lines.count == 3 else { return XCTFail("\(lines)") }
        XCTAssertTrue(lines[0].contains(#""summary":"old 1 rows · new 1 · 0 gone · 0 new · 1 changed""#), lines[0])
        XCTAssertEqual(lines[1], #"{"change":"was","k":"a","n":4}"#)
        XCTAssertEqual(lines[2], #"{"change":"now","k":"a","n":\#(1 + 2 + 3 + 4)}"#)
    }

    func testMistakesAreReported() {
        let out = Lines(), err = Lines()
        let runner = ScriptRunner(write: out.add, writeError: err.add)
        XCTAssertFalse(runner.runScript("""
            CREATE STREAM s;
            CREATE QUERY hot AS SELECT v FROM s WHERE v > 1;
            .whatif hott AS SELECT v FROM s
            .whatif hot SELECT v FROM s
            """))
        XCTAssertTrue(err.all.contains { $0.contains("no running query named hott") && $0.contains("hot") }, "\(err.all)")
        XCTAssertTrue(err.all.contains { $0.contains("usage: .whatif QUERY AS SELECT") }, "\(err.all)")
        XCTAssertTrue(out.all.isEmpty)
    }

    /// `.set @t VALUE` in a script: the what-if summary of each query using it, then the change adopted (the
    /// restarted query's rows keep printing), and `.save` writes the parameter before the query.
    func testSettingAParameterInAScriptShowsTheDiffAndAdopts() throws {
        let out = Lines(), err = Lines()
        let runner = ScriptRunner(write: out.add, writeError: err.add)
        runner.showMessages = true
        let saved = FileManager.default.temporaryDirectory.appendingPathComponent("streamsql-param-\(UUID().uuidString).sql").path
        defer { try? FileManager.default.removeItem(atPath: saved) }
        XCTAssertFalse(runner.runScript("""
            CREATE STREAM s WITH (HISTORY = 1000);
            SET @t = 50;
            CREATE QUERY hot AS SELECT v FROM s WHERE v > @t;
            INSERT INTO s (v) VALUES (40), (60), (80);
            .set @t 70
            INSERT INTO s (v) VALUES (65), (90);
            .set @nope
            .save \(saved)
            """), "the .set without a value fails the script")
        XCTAssertEqual(out.all, [#"{"v":60}"#, #"{"v":80}"#, #"{"v":90}"#], "the restarted query prints with the new value")
        XCTAssertTrue(err.all.contains("hot: old 2 rows · new 1 · 1 gone · 0 new · 0 changed"), "\(err.all)")
        XCTAssertTrue(err.all.contains("@t = 70; restarted hot"), "\(err.all)")
        XCTAssertTrue(err.all.contains { $0.contains("usage: .set") }, "\(err.all)")
        let script = try String(contentsOfFile: saved, encoding: .utf8)
        let set = try XCTUnwrap(script.range(of: "SET @t = 70;"))
        XCTAssertLessThan(set.lowerBound, try XCTUnwrap(script.range(of: "CREATE QUERY hot")).lowerBound)
    }

    /// `.set history N` bounds every input stream at once (what-if replays only the last N), `off` stops
    /// recording (a what-if then says there is no history), a bad value is refused.
    func testSetHistoryBoundsEveryInputStream() throws {
        let out = Lines(), err = Lines()
        let runner = ScriptRunner(write: out.add, writeError: err.add)
        runner.attachQueries = false
        XCTAssertTrue(runner.runScript("""
            CREATE STREAM s;
            CREATE QUERY hot AS SELECT v FROM s WHERE v > 10;
            INSERT INTO s (v) VALUES (11), (12), (13), (1), (2);
            .set history 2
            .mode csv
            .whatif hot AS SELECT v FROM s WHERE v > 0;
            """), err.all.joined(separator: "\n"))
        // Only the last two events (1 and 2) are replayed: the old query kept none of them, the new one both.
        XCTAssertEqual(out.all.first { $0.hasPrefix("old ") }, "old 0 rows · new 2 · 0 gone · 2 new · 0 changed", "\(out.all)")
        let off = Lines(), offErr = Lines()
        let second = ScriptRunner(write: off.add, writeError: offErr.add)
        second.attachQueries = false
        XCTAssertFalse(second.runScript("""
            CREATE STREAM s;
            CREATE QUERY hot AS SELECT v FROM s WHERE v > 10;
            .set history off
            INSERT INTO s (v) VALUES (11);
            .whatif hot AS SELECT v FROM s WHERE v > 0;
            """))
        XCTAssertTrue(offErr.all.joined().contains("history"), "\(offErr.all)")
        let bad = ScriptRunner(write: off.add, writeError: offErr.add)
        XCTAssertFalse(bad.runScript(".set history soon"))
        XCTAssertTrue(offErr.all.joined().contains("history takes a number of events"), "\(offErr.all)")
    }
}
