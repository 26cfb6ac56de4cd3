import Foundation
import OrderedCollections
import StreamSQL
import StreamSQLScenarios
import XCTest

/// The user's brief, end to end through the real binary: for each of the seven scenarios, the generator
/// warms the script up (history, tables kept by queries), then the brief's input example follows, and
/// `streamsql run demos/NAME.sql --input …` must answer it with the brief's output shape — the same keys,
/// nesting and JSON types as the expected output in `seeds/business-scenarios.zh.md`.
final class SeedExampleTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let seeds = root.deletingLastPathComponent().appendingPathComponent("shared/seeds/business-scenarios.zh.md")

    /// The brief's (input, expected output) JSON examples, in case order.
    func briefExamples() throws -> [(input: OrderedDictionary<String, Value>, output: Value)] {
        let text = try String(contentsOf: Self.seeds, encoding: .utf8)
        var blocks: [String] = []
        var current: [String]? = nil
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```json") { current = [] } else if line.hasPrefix("```"), let c = current {
                blocks.append(c.joined(separator: "\n"))
                current = nil
            } else if current != nil { current!.append(String(line)) }
        }
        XCTAssertEqual(blocks.count, 14, "seven cases, an input and an output each")
        var out: [(input: OrderedDictionary<String, Value>, output: Value)] = []
        for i in stride(from: 0, to: blocks.count - 1, by: 2) {
            guard case .object(let input) = try JSONReader.parse(blocks[i]) else { throw XCTSkip("malformed brief") }
            out.append((input, try JSONReader.parse(blocks[i + 1])))
        }
        return out
    }

    /// Where a value's shape differs from the brief's (nil when it matches): the same keys for objects,
    /// arrays whose elements each match some element of the brief's array, and the same JSON type.
    func shapeDifference(_ ours: Value, _ brief: Value, at path: String) -> String? {
        switch (ours, brief) {
        case (.object(let o), .object(let b)):
            guard Set(o.keys) == Set(b.keys) else { return "\(path): keys \(o.keys.sorted()) instead of \(b.keys.sorted())" }
            for (k, v) in b { if let d = shapeDifference(o[k] ?? .null, v, at: path + "." + k) { return d } }
            return nil
        case (.array(let o), .array(let b)):
            if b.isEmpty { return nil }
            for (i, x) in o.enumerated() where !b.contains(where: { shapeDifference(x, $0, at: "") == nil }) {
                return "\(path)[\(i)]: \(x) matches no element of the brief's \(Value.array(b))"
            }
            return nil
        case (.string, .string), (.bool, .bool), (.int, .int), (.int, .double), (.double, .int), (.double, .double): return nil
        default: return "\(path): \(ours) where the brief has \(brief)"
        }
    }

    struct Case { var scenario: String; var stream: String; var warmUp: Int; var query: String; var match: [String] }

    func testEveryScenarioAnswersTheBriefsExampleInTheBriefsShape() throws {
        guard StreamsqlBinary.exists else { throw XCTSkip("build the streamsql binary first") }
        let cases = [
            Case(scenario: "recommend", stream: "user_events", warmUp: 2000, query: "recommendations", match: ["user_id", "timestamp"]),
            Case(scenario: "routing", stream: "tickets", warmUp: 1000, query: "routing", match: ["ticket_id"]),
            Case(scenario: "supply", stream: "inventory", warmUp: 300, query: "supply_actions", match: ["product_id", "warehouse_id", "timestamp"]),
            Case(scenario: "fraud", stream: "transactions", warmUp: 2000, query: "risk_decisions", match: ["transaction_id"]),
            Case(scenario: "traffic", stream: "traffic", warmUp: 2000, query: "signal_plans", match: ["intersection_id", "timestamp"]),
            Case(scenario: "moderation", stream: "posts", warmUp: 1000, query: "moderation", match: ["post_id"]),
            Case(scenario: "energy", stream: "energy", warmUp: 2000, query: "energy_plan", match: ["building_id", "timestamp"]),
        ]
        let examples = try briefExamples()
        XCTAssertEqual(examples.count, cases.count)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("streamsql-seeds-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for (c, example) in zip(cases, examples) {
            let scenario = try XCTUnwrap(Scenarios.named(c.scenario))
            let g = scenario.generator(GeneratorConfig(seed: 3))
            var files: [String: [String]] = [:]
            for _ in 0..<c.warmUp { let e = g.next(); files[e.stream, default: []].append(e.jsonLine) }
            let seedLine = JSONWriter.string(object: example.input)
            files[c.stream, default: []].append(seedLine)
            var args = ["run", Self.root.appendingPathComponent("demos/\(c.scenario).sql").path]
            // Streams other than the example's first (their history), then the example's stream.
            for (stream, lines) in files.sorted(by: { ($0.key == c.stream ? 1 : 0, $0.key) < ($1.key == c.stream ? 1 : 0, $1.key) }) {
                let file = dir.appendingPathComponent("\(c.scenario)-\(stream).jsonl")
                try (lines.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
                args += ["--input", "\(stream)=\(file.path)"]
            }
            let (status, outText, errText) = try StreamsqlBinary.run(args)
            XCTAssertEqual(status, 0, "\(c.scenario): \(errText)")
            let rows = outText.split(separator: "\n").compactMap { line -> OrderedDictionary<String, Value>? in
                guard case .object(let o)? = try? JSONReader.parse(String(line)), o["query"] == .string(c.query),
                      case .object(let row)? = o["row"] else { return nil }
                return row
            }
            let answer = rows.last { row in c.match.allSatisfy { k in row[k] != nil && row[k] == example.input[k] } }
            guard let answer else {
                XCTFail("\(c.scenario): no \(c.query) row for the brief's example among \(rows.count) rows; stderr: \(errText.prefix(500))")
                continue
            }
            XCTAssertNil(shapeDifference(.object(answer), example.output, at: c.scenario), "\(Value.object(answer))")
        }
    }
}
