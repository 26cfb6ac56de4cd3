import Foundation
import XCTest

/// `streamsql test` on the demo scripts and their expected results in demos/golden/ (written by
/// demos/golden/update.sh), and on a deliberately changed script, which must fail with a diff.
final class GoldenDemoTests: ScratchFolderTestCase {
    static let demos = InteractiveShellTests.root.appendingPathComponent("demos").path
    static let golden = demos + "/golden"

    /// Each demo script and its inputs, as update.sh runs them.
    static let cases: [(script: String, inputs: [String])] = [
        ("recommend", ["user_events=\(golden)/recommend.jsonl"]),
        ("routing", ["agent_status=\(golden)/routing_agent_status.jsonl", "tickets=\(golden)/routing_tickets.jsonl"]),
        ("supply", ["inventory=\(golden)/supply.jsonl"]),
        ("fraud", ["transactions=\(golden)/fraud.jsonl"]),
        ("traffic", ["traffic=\(golden)/traffic.jsonl"]),
        ("moderation", ["posts=\(golden)/moderation.jsonl"]),
        ("energy", ["energy=\(golden)/energy.jsonl"]),
        ("sensors", ["readings=\(demos)/sensors.jsonl"]),
    ]

    private func arguments(_ script: String, _ inputs: [String], expect: String) -> [String] {
        ["test", script] + inputs.flatMap { ["--input", $0] } + ["--expect", expect]
    }

    func testEveryDemoMatchesItsExpectedResults() throws {
        for c in Self.cases {
            let expect = "\(Self.golden)/\(c.script).expected.jsonl"
            let r = try StreamsqlBinary.run(arguments("\(Self.demos)/\(c.script).sql", c.inputs, expect: expect))
            XCTAssertEqual(r.status, 0, "\(c.script): \(r.out)\(r.err)")
            let lines = r.out.split(separator: "\n").map(String.init)
            // Every query of the demo is in the expected file, and each passes.
            let queries = Set(try String(contentsOfFile: expect, encoding: .utf8).split(separator: "\n")
                .compactMap { line -> String? in
                    guard let d = line.data(using: .utf8), let o = try? JSONSerialization.jsonObject(with: d) as? [String: Any] else { return nil }
                    return o["query"] as? String
                })
            XCTAssertFalse(queries.isEmpty, c.script)
            XCTAssertEqual(lines.last, "\(lines.count - 1) passed, 0 failed", c.script)
            XCTAssertTrue(lines.count - 1 >= queries.count, c.script)
            for q in queries { XCTAssertTrue(lines.contains { $0.hasPrefix("ok   \(q) (") }, "\(c.script): \(q)") }
        }
    }

    /// The energy demo with a different night-time temperature: the rows it changes show as missing and unexpected.
    func testAChangedScriptFailsWithADiff() throws {
        let original = try String(contentsOfFile: "\(Self.demos)/energy.sql", encoding: .utf8)
        let changed = original.replacingOccurrences(of: "THEN 18.0", with: "THEN 18.5")
        XCTAssertNotEqual(changed, original, "the energy demo no longer has the temperature this test edits")
        let script = try file("energy.sql", changed)
        let inputs = ["energy=\(Self.golden)/energy.jsonl"]
        let r = try StreamsqlBinary.run(arguments(script, inputs, expect: "\(Self.golden)/energy.expected.jsonl"))
        XCTAssertEqual(r.status, 1, r.out + r.err)
        let lines = r.out.split(separator: "\n").map(String.init)
        let failed = lines.filter { $0.hasPrefix("FAIL ") }
        XCTAssertFalse(failed.isEmpty, r.out)
        XCTAssertTrue(lines.contains { $0.hasPrefix("  - {") }, "missing rows are listed")
        XCTAssertTrue(lines.contains { $0.hasPrefix("  + {") }, "unexpected rows are listed")
        let passed = lines.filter { $0.hasPrefix("ok   ") }.count
        XCTAssertEqual(lines.last, "\(passed) passed, \(failed.count) failed")

        // --update writes the changed script's results; then it passes against them.
        let expect = dir.appendingPathComponent("energy.expected.jsonl").path
        XCTAssertEqual(try StreamsqlBinary.run(arguments(script, inputs, expect: expect) + ["--update"]).status, 0)
        let again = try StreamsqlBinary.run(arguments(script, inputs, expect: expect))
        XCTAssertEqual(again.status, 0, again.out)
        XCTAssertTrue(again.out.hasSuffix("\(passed + failed.count) passed, 0 failed\n"), again.out)
    }

    func testMistakesExitTwo() throws {
        let script = "\(Self.demos)/sensors.sql"
        let inputs = ["readings=\(Self.demos)/sensors.jsonl"]
        XCTAssertEqual(try StreamsqlBinary.run(arguments(script, inputs, expect: dir.appendingPathComponent("none.jsonl").path)).status, 2)
        let notResults = try file("bad.jsonl", "{\"row\": {}}\n")
        let r = try StreamsqlBinary.run(arguments(script, inputs, expect: notResults))
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.err.contains("bad.jsonl line 1"), r.err)
        let broken = try file("broken.sql", "CREATE QUERY q AS SELECT FROM readings;")
        XCTAssertEqual(try StreamsqlBinary.run(arguments(broken, inputs, expect: notResults)).status, 2)
    }
}
