import Foundation
import StreamSQL
import XCTest
@testable import StreamSQLShell

final class Lines: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func add(_ s: String) { lock.withLock { items.append(s) } }
    var all: [String] { lock.withLock { items } }
}

final class ScriptRunnerTests: XCTestCase {
    func testRunScriptOverInputFiles() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("streamsql-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try #"[{"deviceId": "d1", "site": "north", "limit": 50}]"#.write(to: dir.appendingPathComponent("meta.json"), atomically: true, encoding: .utf8)
        try "{\"deviceId\":\"d1\",\"t\":60}\nnot json\n{\"deviceId\":\"d1\",\"t\":10}\n".write(to: dir.appendingPathComponent("ev.jsonl"), atomically: true, encoding: .utf8)
        let out = Lines(), err = Lines()
        let engine = Engine()
        engine.baseDirectory = dir.path
        engine.createStream("readings")   // as `run --input readings=…` does before the script
        let runner = ScriptRunner(engine: engine, write: out.add, writeError: err.add)
        runner.tagged = true
        XCTAssertTrue(runner.runScript("""
            CREATE TABLE meta PRIMARY KEY (deviceId) FROM FILE 'meta.json';
            CREATE QUERY hot AS SELECT s.deviceId AS d, m.site AS site FROM readings s JOIN meta m ON s.deviceId = m.deviceId WHERE s.t > m.limit;
            SELECT COUNT(*) AS n FROM readings GROUP BY CountingWindow(5);
            """))
        runner.replay([.init(stream: "readings", path: dir.appendingPathComponent("ev.jsonl").path)])
        XCTAssertEqual(out.all, [#"{"query":"hot","row":{"d":"d1","site":"north"}}"#])
        XCTAssertEqual(runner.rejectedLines, 1)
        XCTAssertTrue(err.all.contains { $0.contains("ev.jsonl line 2") }, "\(err.all)")
    }

    func testErrorsAreRenderedWithACaretAndBailStops() {
        let out = Lines(), err = Lines()
        let runner = ScriptRunner(write: out.add, writeError: err.add)
        runner.bail = true
        XCTAssertFalse(runner.runScript("SELECT a FROM stream WHERE (a > 1; SELECT 1 AS x FROM stream"))
        XCTAssertEqual(runner.errors, 1)
        XCTAssertTrue(err.all[0].contains("^"), err.all[0])
        XCTAssertTrue(err.all[0].contains("expected ')'"), err.all[0])
    }

    func testOutputModes() throws {
        let out = Lines()
        let runner = ScriptRunner(write: out.add, writeError: { _ in })
        runner.mode = .table
        XCTAssertTrue(runner.runScript("SHOW FUNCTIONS LIKE 'array_sum'"))
        XCTAssertTrue(out.all[0].contains("array_sum | scalar"), out.all[0])
        XCTAssertEqual(OutputFormat.csvField("a,\"b\""), "\"a,\"\"b\"\"\"")
        let t = OutputFormat.table(columns: ["k", "v"], rows: [["x", .string(String(repeating: "y", count: 100))]], maxWidth: 10)
        XCTAssertTrue(t.contains("yyyyyyyyy…"), t)
        XCTAssertTrue(t.hasSuffix("(1 row)"))
    }
}

/// The demo script in demos/ runs over its sample data, and its rows agree with the input.
final class DemoScriptTests: XCTestCase {
    func testSensorsDemo() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let demos = root.appendingPathComponent("demos")
        let script = try String(contentsOf: demos.appendingPathComponent("sensors.sql"), encoding: .utf8)
        let out = Lines(), err = Lines()
        let engine = Engine()
        engine.baseDirectory = demos.path
        let runner = ScriptRunner(engine: engine, write: out.add, writeError: err.add)
        runner.tagged = true
        XCTAssertTrue(runner.runScript(script), err.all.joined(separator: "\n"))
        runner.replay([.init(stream: "readings", path: demos.appendingPathComponent("sensors.jsonl").path)])
        XCTAssertEqual(runner.errors, 0, err.all.joined(separator: "\n"))
        var byQuery: [String: [[String: Value]]] = [:]
        for line in out.all {
            guard case .object(let o) = try JSONReader.parse(line), case .string(let q) = o["query"], case .object(let row) = o["row"] else {
                return XCTFail(line)
            }
            byQuery[q, default: []].append(Dictionary(uniqueKeysWithValues: row.map { ($0.key, $0.value) }))
        }
        // Recompute over_limit from the input and the devices file.
        let limits: [String: Double] = ["dev-00": 40, "dev-01": 42, "dev-02": 44, "dev-03": 40, "dev-04": 42, "dev-05": 44, "dev-06": 40, "dev-07": 42]
        let lines = try String(contentsOf: demos.appendingPathComponent("sensors.jsonl"), encoding: .utf8).split(separator: "\n")
        var expectedOver = 0
        for l in lines {
            guard case .object(let e) = try JSONReader.parse(String(l)), let d = e["deviceId"]?.asString, let t = e["temperature"]?.asDouble else { continue }
            if t > limits[d]! { expectedOver += 1 }
        }
        XCTAssertEqual(byQuery["over_limit"]?.count, expectedOver)
        for r in byQuery["over_limit"] ?? [] { XCTAssertGreaterThan(r["t"]!.asDouble!, r["limit"]!.asDouble!) }
        XCTAssertEqual(byQuery["per_site"]?.reduce(0) { $0 + Int($1["readings"]!.asInt!) }, lines.count, "every reading lands in one site window")
        XCTAssertFalse(byQuery["hot_runs"]?.isEmpty ?? true)
        for r in byQuery["hot_runs"] ?? [] { XCTAssertGreaterThanOrEqual(r["n"]!.asInt!, 3) }
    }
}
