import Foundation
import XCTest

/// `streamsql whatif SCRIPT --input S=FILE --replace NAME='SELECT …'`: the diff, and its exit status.
final class WhatIfBinaryTests: ScratchFolderTestCase {
    private var values: [Int] = []

    private func setUpScript() throws -> (script: String, events: String) {
        var rng = SystemRandomNumberGenerator()
        values = (0..<80).map { _ in Int.random(in: 0..<30, using: &rng) }
        let events = try file("ev.jsonl", values.enumerated().map { #"{"k":"k\#($0.offset)","g":\#($0.offset % 3),"v":\#($0.element)}"# }.joined(separator: "\n") + "\n")
        let script = try file("s.sql", """
            CREATE STREAM s;
            CREATE QUERY hot AS SELECT k, v FROM s WHERE v > 20;
            CREATE QUERY totals AS SELECT g, COUNT(*) AS n FROM s GROUP BY g, CountingWindow(5);
            """)
        return (script, events)
    }

    func testNothingDiffersExitsZero() throws {
        let (script, events) = try setUpScript()
        let r = try StreamsqlBinary.run(["whatif", script, "--input", "s=\(events)", "--replace", "hot=SELECT k, v FROM s WHERE 20 < v",
                                         "--output", "csv"])
        XCTAssertEqual(r.status, 0, r.err)
        let old = values.filter { $0 > 20 }.count
        XCTAssertEqual(r.out, "old \(old) rows · new \(old) · 0 gone · 0 new · 0 changed\n")
    }

    func testADifferenceExitsOneAndListsTheRows() throws {
        let (script, events) = try setUpScript()
        let r = try StreamsqlBinary.run(["whatif", script, "--input", "s=\(events)", "--replace", "hot=SELECT k, v FROM s WHERE v > 25",
                                         "--output", "csv"])
        XCTAssertEqual(r.status, 1, r.err)
        let lines = r.out.split(separator: "\n").map(String.init)
        let old = values.filter { $0 > 20 }.count, new = values.filter { $0 > 25 }.count
        XCTAssertEqual(lines.first, "old \(old) rows · new \(new) · \(old - new) gone · 0 new · 0 changed")
        let gone = values.enumerated().filter { $0.element > 20 && $0.element <= 25 }.map { "gone,k\($0.offset),\($0.element)" }
        XCTAssertEqual(Array(lines.dropFirst(2)), gone)
        // A window's changed aggregate: matched by group and window (counting windows of 5 per g; a partial
        // one does not fire), shown as was/now where the sum of its five values is not 5.
        let w = try StreamsqlBinary.run(["whatif", script, "--input", "s=\(events)",
                                         "--replace", "totals=SELECT g, SUM(v) AS n FROM s GROUP BY g, CountingWindow(5)"])
        var windows: [Int] = []
        for g in 0..<3 {
            let mine = values.enumerated().filter { $0.offset % 3 == g }.map(\.element)
            windows += stride(from: 0, to: mine.count - mine.count % 5, by: 5).map { mine[$0..<($0 + 5)].reduce(0, +) }
        }
        let changed = windows.filter { $0 != 5 }.count
        XCTAssertEqual(w.status, changed == 0 ? 0 : 1, w.err)
        XCTAssertTrue(w.out.hasPrefix(#"{"summary":"old \#(windows.count) rows · new \#(windows.count) · 0 gone · 0 new · \#(changed) changed""#), w.out)
        XCTAssertEqual(w.out.split(separator: "\n").count, 1 + 2 * changed)
    }

    func testErrorsExitTwo() throws {
        let (script, events) = try setUpScript()
        for args in [["--replace", "nope=SELECT k FROM s"], ["--replace", "hot=SELECT k FROM s WHERE"], ["--replace", "hot"],
                     ["--replace", "hot=SELECT k FROM s", "--input", "s=\(dir.path)/missing.jsonl"]] {
            let r = try StreamsqlBinary.run(["whatif", script, "--input", "s=\(events)"] + args)
            XCTAssertEqual(r.status, 2, "\(args): \(r.out) \(r.err)")
            XCTAssertFalse(r.err.isEmpty, "\(args)")
        }
        let broken = try file("broken.sql", "CREATE QUERY hot AS SELECT k FROM s WHERE;")
        XCTAssertEqual(try StreamsqlBinary.run(["whatif", broken, "--input", "s=\(events)", "--replace", "hot=SELECT k FROM s"]).status, 2)
        // A failing --init file under --bail is an error too, not a difference.
        XCTAssertEqual(try StreamsqlBinary.run(["whatif", script, "--init", broken, "--bail", "--input", "s=\(events)",
                                                "--replace", "hot=SELECT k FROM s"]).status, 2)
    }
}
