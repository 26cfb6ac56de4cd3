import Foundation
import XCTest

/// Gated like FlinkEndToEndTests (STREAMSQL_FLINK_TESTS=1, STREAMSQL_FLINK_PYTHON=… a Python with apache-flink):
/// the Kafka variant of an export parsed by Flink's own SQL parser, and the date-time functions run on both engines.
final class FlinkExportCheckTests: XCTestCase {
    var dir: URL!
    var binary: String!

    override func setUpWithError() throws {
        guard ProcessInfo.processInfo.environment["STREAMSQL_FLINK_TESTS"] == "1" else {
            throw XCTSkip("set STREAMSQL_FLINK_TESTS=1 to check exports on Apache Flink")
        }
        binary = InteractiveShellTests.root.appendingPathComponent(".build/debug/streamsql").path
        guard FileManager.default.isExecutableFile(atPath: binary) else { throw XCTSkip("build the streamsql binary first") }
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("streamsql-flink-check-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try """
            {"id":1,"ts":"2026-03-01T23:59:59.9999Z","ms":1772409599999,"sec":1772409599.5}
            {"id":2,"ts":"2026-03-01T10:30:00.75+05:30","ms":1772360000123,"sec":1772360000}
            {"id":3,"ts":"2026-03-02 05:04:03","ms":1772427843001,"sec":1772427843.25}
            {"id":4,"ts":"not a time","ms":-1500,"sec":-1.5}
            """.write(to: dir.appendingPathComponent("ev.jsonl"), atomically: true, encoding: .utf8)
    }

    override func tearDown() { if let dir { try? FileManager.default.removeItem(at: dir) } }

    func streamsql(_ args: [String]) throws -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return (p.terminationStatus, text)
    }

    /// Flink's parser (the Calcite parser inside its planner: syntax only, no connector needed) over the whole
    /// export. EXPLAIN cannot run here: it resolves each source's connector, and the wheel has no Kafka jar.
    func flinkParse(_ file: URL) throws -> String {
        guard let python = ProcessInfo.processInfo.environment["STREAMSQL_FLINK_PYTHON"] else {
            throw XCTSkip("set STREAMSQL_FLINK_PYTHON to a Python with apache-flink")
        }
        let check = dir.appendingPathComponent("parse.py")
        try """
            import sys
            from pyflink.table import EnvironmentSettings, TableEnvironment
            t = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
            p = t._j_tenv.getParser()
            f = p.getClass().getDeclaredField("calciteParserSupplier")
            f.setAccessible(True)
            try:
                nodes = f.get(p).get().parseSqlList(open(sys.argv[1]).read()).getList()
                print("PARSED", " ".join(nodes.get(i).getClass().getSimpleName() for i in range(nodes.size())))
            except Exception as e:
                print("FAILED", " | ".join(l for l in str(e).splitlines() if "SqlParseException" in l))
            """.write(to: check, atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = [check.path, file.path]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return text
    }

    func testKafkaExportParsesWithFlinksParser() throws {
        let script = dir.appendingPathComponent("k.sql")
        try """
            CREATE STREAM ev (id int, ts string, ms int, sec double);
            CREATE QUERY early AS SELECT id, hour(ts) AS h FROM ev WHERE ms > 5;
            SELECT id, COUNT(*) AS n FROM ev GROUP BY id, TumblingWindow('10s') WITH (TIMESTAMP='ts');
            """.write(to: script, atomically: true, encoding: .utf8)
        let (status, text) = try streamsql(["flink", "export", script.path, "--source", "ev=kafka:b1:9092,b2:9092/events?group.id=g1",
                                            "--sink", "kafka:b1:9092/out-{query}"])
        XCTAssertEqual(status, 0, text)
        let exported = dir.appendingPathComponent("k.flink.sql")
        try text.write(to: exported, atomically: true, encoding: .utf8)
        let parsed = try flinkParse(exported)
        XCTAssertEqual(parsed.trimmingCharacters(in: .whitespacesAndNewlines),
                       "PARSED SqlSet SqlSet SqlSet SqlSet SqlCreateTable SqlCreateView SqlCreateTableAs SqlCreateTable SqlCreateTableAs")
        // The check can fail: a syntax error is reported with its place.
        try text.replacingOccurrences(of: "GROUP BY window_start", with: "GROUP BYY window_start").write(to: exported, atomically: true, encoding: .utf8)
        XCTAssertTrue(try flinkParse(exported).contains("Encountered \"BYY\""))
    }

    func testTimeFunctionsAgreeWithFlink() throws {
        let script = dir.appendingPathComponent("t.sql")
        try """
            CREATE STREAM ev (id int, ts string, ms int, sec double);
            SELECT id, hour(ts) AS h, minute(ts) AS mi, date_format(ts, 'YYYY-MM-DD hh:mi:ss.SSS T''x [#]') AS f,
              hour(ms) AS hm, date_format(ms, 'yyyy/MM/dd HH:mm:ss SSS') AS fm, second(sec) AS s,
              date_format(sec, '%Y%m%d %H%M%S.SSS') AS fs, year(ts) AS y, month(ms) AS mo, day(sec) AS d
            FROM ev;
            """.write(to: script, atomically: true, encoding: .utf8)
        let (status, text) = try streamsql(["flink", "run", script.path, "--input", "ev=\(dir.appendingPathComponent("ev.jsonl").path)", "--compare"])
        print(text)
        XCTAssertEqual(status, 0, text)
        XCTAssertTrue(text.contains("q1: 4 equal rows, 0 only here, 0 only in Flink"), text)
    }

    func testOneJobForTheWholeScriptComparesIdentical() throws {
        let script = dir.appendingPathComponent("m.sql")
        let input = dir.appendingPathComponent("ev3.jsonl")
        // Only parsable times: a window over a row whose time is no time fails the Flink job (see docs/FLINK.md).
        let lines = try String(contentsOf: dir.appendingPathComponent("ev.jsonl"), encoding: .utf8).split(separator: "\n").prefix(3)
        try lines.joined(separator: "\n").write(to: input, atomically: true, encoding: .utf8)
        try """
            CREATE STREAM ev (id int, ts string, ms int, sec double);
            CREATE QUERY hours AS SELECT id, hour(ts) AS h FROM ev WHERE ms > 5;
            SELECT id, date_format(ms, 'YYYY-MM-DD') AS d FROM ev;
            SELECT COUNT(*) AS n, window_start() AS ws FROM ev GROUP BY TumblingWindow('1d') WITH (TIMESTAMP='ts');
            """.write(to: script, atomically: true, encoding: .utf8)
        let (status, text) = try streamsql(["flink", "run", script.path, "--input", "ev=\(input.path)", "--compare", "--one-job"])
        print(text)
        XCTAssertEqual(status, 0, text)
        for q in ["hours: 3 equal rows, 0 only here, 0 only in Flink", "q1: 3 equal rows, 0 only here, 0 only in Flink",
                  "q2: 2 equal rows, 0 only here, 0 only in Flink", "no differences"] {
            XCTAssertTrue(text.contains(q), text)
        }
    }
}
