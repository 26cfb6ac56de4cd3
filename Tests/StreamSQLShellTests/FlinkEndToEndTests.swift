import Foundation
import XCTest

/// The same queries on Apache Flink and on this engine, compared row by row. Flink is a ~500 MB download
/// and a JVM per run, so this runs only with STREAMSQL_FLINK_TESTS=1 (the translation itself is tested
/// without Flink in FlinkTranslatorTests).
final class FlinkEndToEndTests: XCTestCase {
    func testTumblingSlidingSessionFilterAndPatternAgreeWithFlink() throws {
        guard ProcessInfo.processInfo.environment["STREAMSQL_FLINK_TESTS"] == "1" else {
            throw XCTSkip("set STREAMSQL_FLINK_TESTS=1 to run the queries on Apache Flink")
        }
        let binary = InteractiveShellTests.root.appendingPathComponent(".build/debug/streamsql").path
        guard FileManager.default.isExecutableFile(atPath: binary) else { throw XCTSkip("build the streamsql binary first") }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("streamsql-flink-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        // 20,000 sensor events, 50 devices, 50 ms apart with gaps so that sessions close.
        var lines: [String] = []
        var seed: UInt64 = 7
        func next() -> UInt64 { seed = seed &* 6364136223846793005 &+ 1442695040888963407; return seed >> 33 }
        var ts: Int64 = 1_700_000_000_000
        for i in 0..<20_000 {
            ts += 50 + (i % 997 == 0 ? 9_000 : 0)
            let temp = Double(600 + Int(next() % 400)) / 10
            lines.append(#"{"deviceId":"dev-\#(next() % 50)","temperature":\#(temp),"ts":\#(ts)}"#)
        }
        let input = dir.appendingPathComponent("events.jsonl")
        try lines.joined(separator: "\n").write(to: input, atomically: true, encoding: .utf8)
        let script = dir.appendingPathComponent("queries.sql")
        try """
            CREATE QUERY hot AS SELECT deviceId, temperature, ts FROM stream WHERE temperature > 99;
            CREATE QUERY tumbling AS SELECT deviceId, COUNT(*) AS n, ROUND(AVG(temperature), 3) AS avg_t, MAX(temperature) AS max_t
              FROM stream GROUP BY deviceId, TumblingWindow('10s') WITH (TIMESTAMP='ts', TIMEUNIT='ms');
            CREATE QUERY sliding AS SELECT deviceId, COUNT(*) AS n, MIN(temperature) AS min_t
              FROM stream GROUP BY deviceId, SlidingWindow('30s', '10s') WITH (TIMESTAMP='ts', TIMEUNIT='ms');
            CREATE QUERY sessions AS SELECT deviceId, COUNT(*) AS n, SUM(temperature) AS total
              FROM stream GROUP BY deviceId, SessionWindow('5s') WITH (TIMESTAMP='ts', TIMEUNIT='ms');
            CREATE QUERY peaks AS SELECT * FROM stream MATCH_RECOGNIZE (PARTITION BY deviceId ORDER BY ts
              MEASURES LAST(A.temperature) AS peak, COUNT(A.temperature) AS n ONE ROW PER MATCH AFTER MATCH SKIP PAST LAST ROW
              PATTERN (A{3}) DEFINE A AS temperature > 90) WITH (TIMEUNIT='ms');
            """.write(to: script, atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = ["flink", "run", script.path, "--input", "stream=\(input.path)", "--compare"]
        let out = Pipe()
        p.standardOutput = out
        let started = Date()
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        print("flink --compare took \(String(format: "%.0f", Date().timeIntervalSince(started))) s:\n\(text)")
        XCTAssertEqual(p.terminationStatus, 0, text)
        XCTAssertTrue(text.contains("no differences"), text)
        for q in ["hot", "tumbling", "sliding", "sessions", "peaks"] {
            XCTAssertTrue(text.contains("\(q): ") && !text.contains("\(q): 0 equal rows"), "\(q) produced rows on both sides: \(text)")
        }
    }
}
