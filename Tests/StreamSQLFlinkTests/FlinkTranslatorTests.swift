import Foundation
import XCTest
import StreamSQL
import StreamSQLFlink

/// The translation table of FLINK.md, row by row, and every refused construct's message and position.
/// (These need no Flink; `streamsql flink run --compare` runs the translations for real.)
final class FlinkTranslatorTests: XCTestCase {
    var dir: URL!
    var input: String!

    override func setUpWithError() throws {
        // As the streamsql executable does at start-up.
        Engine.flinkExplainer = FlinkTranslator.explainer
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("streamsql-flinkt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        input = dir.appendingPathComponent("ev.jsonl").path
        try """
            {"deviceId":"d1","temperature":81,"humidity":40.5,"ts":1700000000000,"meta":{"site":"n","floor":2},"tags":["a"]}
            {"deviceId":"d2","temperature":79.5,"humidity":41,"ts":1700000001000,"meta":{"site":"s","floor":1},"tags":[]}
            not json
            """.write(toFile: input, atomically: true, encoding: .utf8)
    }

    override func tearDown() { try? FileManager.default.removeItem(at: dir) }

    func translate(_ sql: String) throws(StreamSQLError) -> String {
        var t = FlinkTranslator(inputs: ["stream": input], outputDirectory: "/out")
        return try t.translate(script: sql).script
    }

    func refusal(_ sql: String, _ file: StaticString = #filePath, _ line: UInt = #line) -> StreamSQLError? {
        do {
            _ = try translate(sql)
            XCTFail("translated: \(sql)", file: file, line: line)
            return nil
        } catch {
            return error
        }
    }

    func testSourcesSinksAndSettings() throws {
        let s = try translate("CREATE QUERY hot AS SELECT deviceId, meta.site AS site, tags[0] AS tag, temperature / 2 AS half FROM stream WHERE temperature > 80;")
        for part in ["SET 'execution.runtime-mode' = 'streaming';", "SET 'table.local-time-zone' = 'UTC';",
                     "SET 'pipeline.auto-watermark-interval' = '0 ms';", "SET 'parallelism.default' = '1';",
                     "`deviceId` STRING", "`temperature` DOUBLE", "`humidity` DOUBLE", "`ts` BIGINT",
                     "`meta` ROW<`site` STRING, `floor` BIGINT>", "`tags` ARRAY<STRING>", "pt AS PROCTIME()",
                     "'path' = '\(input!)'", "'format' = 'json'", "CREATE TABLE `sink_hot` WITH (", "'path' = '/out/hot'",
                     "`meta`.`site` AS `site`", "`tags`[1] AS `tag`", "(CAST(`temperature` AS DOUBLE) / 2) AS `half`",
                     "WHERE (`temperature` > 80)"] {
            XCTAssertTrue(s.contains(part), "missing \(part) in\n\(s)")
        }
    }

    func testEventTimeWatermarksAndWindows() throws {
        let tumble = try translate("SELECT deviceId, COUNT(*) AS n, window_start() AS ws FROM stream GROUP BY deviceId, TumblingWindow('5s') WITH (TIMESTAMP='ts', TIMEUNIT='ms', MAXOUTOFORDERNESS='2s');")
        XCTAssertTrue(tumble.contains("rowtime AS TO_TIMESTAMP_LTZ(CAST(`ts` AS BIGINT), 3)"), tumble)
        XCTAssertTrue(tumble.contains("WATERMARK FOR rowtime AS rowtime - INTERVAL '2.001' SECOND"), tumble)
        XCTAssertTrue(tumble.contains("TABLE(TUMBLE(TABLE `src_q1_stream`, DESCRIPTOR(rowtime), INTERVAL '5' SECOND))"), tumble)
        XCTAssertTrue(tumble.contains("GROUP BY window_start, window_end, `deviceId`"), tumble)
        XCTAssertTrue(tumble.contains("UNIX_TIMESTAMP(DATE_FORMAT(window_start"), "window_start() keeps our units: \(tumble)")
        let secs = try translate("SELECT COUNT(*) AS n FROM stream GROUP BY TumblingWindow('1m') WITH (TIMESTAMP='ts', TIMEUNIT='s');")
        XCTAssertTrue(secs.contains("TO_TIMESTAMP_LTZ(CAST(`ts` * 1000 AS BIGINT), 3)") && secs.contains("INTERVAL '1' MINUTE"), secs)
        let hop = try translate("SELECT deviceId, MAX(temperature) AS m FROM stream GROUP BY deviceId, SlidingWindow('10s', '2s') WITH (TIMESTAMP='ts', TIMEUNIT='ms');")
        XCTAssertTrue(hop.contains("TABLE(HOP(TABLE `src_q1_stream`, DESCRIPTOR(rowtime), INTERVAL '2' SECOND, INTERVAL '10' SECOND))"), "slide first, then size: \(hop)")
        let session = try translate("SELECT deviceId, COUNT(*) AS n FROM stream GROUP BY deviceId, SessionWindow('5s') WITH (TIMESTAMP='ts', TIMEUNIT='ms');")
        XCTAssertTrue(session.contains("TABLE(SESSION(TABLE `src_q1_stream` PARTITION BY `deviceId`, DESCRIPTOR(rowtime), INTERVAL '5' SECOND))"), session)
        let proc = try translate("SELECT COUNT(*) AS n FROM stream GROUP BY TumblingWindow('5s');")
        XCTAssertTrue(proc.contains("pt AS PROCTIME()") && proc.contains("DESCRIPTOR(pt)"), proc)
    }

    func testAggregatesAnalyticsCountingWindowsAndTopN() throws {
        let aggs = try translate("SELECT stddev(temperature) AS s, var(temperature) AS v, median(temperature) AS m, HAVING_TEST FROM stream GROUP BY TumblingWindow('5s') WITH (TIMESTAMP='ts', TIMEUNIT='ms');".replacingOccurrences(of: ", HAVING_TEST", with: ""))
        XCTAssertTrue(aggs.contains("STDDEV_SAMP(CAST(`temperature` AS DOUBLE))") && aggs.contains("VAR_POP(CAST(`temperature` AS DOUBLE))") && aggs.contains("PERCENTILE(`temperature`, 0.5)"), aggs)
        let having = try translate("SELECT deviceId, AVG(temperature) AS a FROM stream GROUP BY deviceId, TumblingWindow('5s') WITH (TIMESTAMP='ts', TIMEUNIT='ms') HAVING a > 50;")
        XCTAssertTrue(having.contains("HAVING (AVG(CAST(`temperature` AS DOUBLE)) > 50)"), "a HAVING alias becomes its aggregate: \(having)")
        let lag = try translate("SELECT deviceId, lag(temperature) OVER (PARTITION BY deviceId) AS prev, acc_sum(temperature) OVER (PARTITION BY deviceId) AS total FROM stream;")
        XCTAssertTrue(lag.contains("LAG(`temperature`) OVER (PARTITION BY `deviceId` ORDER BY pt)"), lag)
        XCTAssertTrue(lag.contains("SUM(`temperature`) OVER (PARTITION BY `deviceId` ORDER BY pt ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"), lag)
        let counting = try translate("SELECT deviceId, SUM(temperature) AS total FROM stream GROUP BY deviceId, CountingWindow(3);")
        for part in ["MATCH_RECOGNIZE (", "PARTITION BY `deviceId` ORDER BY pt", "MEASURES SUM(A.`temperature`) AS `total`",
                     "AFTER MATCH SKIP PAST LAST ROW", "PATTERN (A{3})", "DEFINE A AS TRUE"] {
            XCTAssertTrue(counting.contains(part), "missing \(part) in \(counting)")
        }
        // Without a window, this engine's default one: ten seconds of processing time.
        let plain = try translate("SELECT COUNT(*) AS n FROM stream;")
        XCTAssertTrue(plain.contains("TABLE(TUMBLE(TABLE `src_q1_stream`, DESCRIPTOR(pt), INTERVAL '10' SECOND))"), plain)
        let top = try translate("SELECT deviceId, COUNT(*) AS n FROM stream GROUP BY deviceId, TumblingWindow('5s') WITH (TIMESTAMP='ts', TIMEUNIT='ms') ORDER BY n DESC LIMIT 2;")
        XCTAssertTrue(top.contains("ROW_NUMBER() OVER (PARTITION BY `__ws`, `__we` ORDER BY `n` DESC)") && top.contains("WHERE `__rn` <= 2"), top)
    }

    func testMatchRecognizePassesThroughWithTheTimeColumn() throws {
        let mr = try translate("""
            SELECT * FROM stream MATCH_RECOGNIZE (PARTITION BY deviceId ORDER BY ts MEASURES LAST(A.temperature) AS peak, COUNT(A.temperature) AS n
            ONE ROW PER MATCH AFTER MATCH SKIP PAST LAST ROW PATTERN (A{3} B) WITHIN '1m' DEFINE A AS temperature > 80, B AS temperature <= 80)
            WITH (TIMEUNIT='ms');
            """)
        for part in ["PARTITION BY `deviceId`", "ORDER BY rowtime", "MEASURES LAST(A.temperature) AS peak, COUNT(A.temperature) AS n", "SELECT `peak`, `n`",
                     "ONE ROW PER MATCH", "PATTERN (A{3} B) WITHIN INTERVAL '60.001' SECOND", "A AS (`temperature` > 80)"] {
            XCTAssertTrue(mr.contains(part), "missing \(part) in \(mr)")
        }
    }

    func testRefusalsNameTheConstructAndItsPosition() throws {
        let cases: [(String, String, String)] = [
            ("SELECT COUNT(*) AS n FROM stream GROUP BY GLOBAL WINDOW TRIGGER WHEN COUNT(*) > 3;", "GLOBAL WINDOW", "GLOBAL"),
            ("SELECT had_changed(true, temperature) AS c FROM stream;", "had_changed(…)", "had_changed"),
            ("SELECT changed_col(true, temperature) AS c FROM stream;", "changed_col(…)", "changed_col"),
            ("SELECT latest(temperature) AS c FROM stream;", "latest(…)", "latest"),
            ("SELECT lag(temperature) OVER (PARTITION BY deviceId WHEN temperature > 1) AS p FROM stream;", "OVER (… WHEN …)", "temperature > 1"),
            ("SELECT COUNT(*) AS n FROM stream GROUP BY TumblingWindow('5s') WITH (TIMESTAMP='ts', TIMEUNIT='ms', ALLOWEDLATENESS='2s');", "ALLOWEDLATENESS", "ALLOWEDLATENESS"),
            ("SELECT COUNT(*) AS n FROM stream GROUP BY TumblingWindow('5s') WITH (TIMESTAMP='ts', TIMEUNIT='ms', IDLETIMEOUT='2s');", "IDLETIMEOUT", "IDLETIMEOUT"),
            ("SELECT * FROM stream MATCH_RECOGNIZE (ORDER BY ts MEASURES A.temperature AS t ALL ROWS PER MATCH PATTERN (A) DEFINE A AS temperature > 1) WITH (TIMEUNIT='ms');", "ALL ROWS PER MATCH", "MATCH_RECOGNIZE"),
            ("SELECT * FROM stream MATCH_RECOGNIZE (ORDER BY ts MEASURES A.temperature AS t PATTERN (PERMUTE(A, B)) DEFINE A AS temperature > 1) WITH (TIMEUNIT='ms');", "PERMUTE", "MATCH_RECOGNIZE"),
            ("SELECT * FROM stream MATCH_RECOGNIZE (ORDER BY ts MEASURES CLASSIFIER() AS c PATTERN (A B) DEFINE A AS temperature > 1) WITH (TIMEUNIT='ms');", "CLASSIFIER()", "CLASSIFIER()"),
            ("SELECT * FROM stream MATCH_RECOGNIZE (ORDER BY ts MEASURES A.temperature AS t PATTERN (A B+) DEFINE A AS temperature > 1) WITH (TIMEUNIT='ms');", "greedy quantifier", "MATCH_RECOGNIZE"),
            ("SELECT * FROM stream MATCH_RECOGNIZE (ORDER BY tags MEASURES A.temperature AS t PATTERN (A B) WITHIN '1m' DEFINE A AS temperature > 1) WITH (TIMEUNIT='ms');", "ORDER BY a column other than", "tags"),
            ("SELECT DISTINCT deviceId FROM stream;", "SELECT DISTINCT", "SELECT"),
            ("SELECT array_transform(tags, x -> x) AS t FROM stream;", "function array_transform", "array_transform"),
            ("CREATE FUNCTION f(x) AS x + 1;", "CREATE FUNCTION", "CREATE"),
            ("SELECT lag(temperature, 1, 0, true) OVER (PARTITION BY deviceId) AS p FROM stream;", "ignoreNull", "true"),
            ("SELECT acc_sum(temperature, temperature > 1, temperature < 0) OVER (PARTITION BY deviceId) AS p FROM stream;", "start and reset", "temperature > 1"),
        ]
        for (sql, message, at) in cases {
            guard let e = refusal(sql) else { continue }
            XCTAssertTrue(e.message.contains(message), "\(sql): \(e.message)")
            XCTAssertTrue(e.message.contains("has no Flink equivalent"), e.message)
            XCTAssertEqual(e.phase, .flink, sql)
            // The caret points at the construct.
            let b = Array(sql.utf8)
            let start = min(e.range.start, b.count)
            let shown = String(decoding: b[start..<min(b.count, start + at.utf8.count)], as: UTF8.self)
            XCTAssertEqual(shown, at, "\(sql): \(e.rendered())")
        }
        // A stream with neither an input file nor declared columns cannot be typed.
        var t = FlinkTranslator()
        XCTAssertThrowsError(try t.translate(script: "SELECT a FROM other;")) { e in
            XCTAssertTrue("\(e)".contains("--input other=FILE"), "\(e)")
        }
    }

    /// The faithfulness fixes of issue 23, as translated text (FlinkDifferentialTests runs them on Flink).
    func testTruthinessDivisionAveragesTimesAndIntervalsKeepOurMeaning() throws {
        let q = try translate("SELECT deviceId, temperature / humidity AS r, temperature % 0 AS m FROM stream WHERE humidity AND NOT temperature;")
        XCTAssertTrue(q.contains("WHERE ((CASE WHEN `humidity` IS NULL THEN CAST(NULL AS BOOLEAN) ELSE TRUE END) AND NOT ((CASE WHEN `temperature` IS NULL"), q)
        XCTAssertTrue(q.contains("(CAST(`temperature` AS DOUBLE) / NULLIF(CAST(`humidity` AS DOUBLE), 0))"), q)
        XCTAssertTrue(q.contains("CAST(NULL AS BIGINT) AS `m`"), "a literal zero divisor is folded: \(q)")
        XCTAssertTrue(refusal("SELECT nothing AS z FROM stream;")?.message.contains("a field no line of the input has") ?? false,
                      "a field no line has is NULL here, of no type Flink could give it")
        let iso = dir.appendingPathComponent("iso.jsonl").path
        try #"{"k":"a","n":3,"ts":"2023-11-14T22:13:20.75+05:30"}"#.write(toFile: iso, atomically: true, encoding: .utf8)
        var t = FlinkTranslator(inputs: ["stream": iso], outputDirectory: "/out")
        let w = try t.translate(script: "SELECT k, AVG(n) AS a, window_start() AS ws FROM stream GROUP BY k, TumblingWindow('500ms') WITH (TIMESTAMP='ts', MAXOUTOFORDERNESS='10h');").script
        XCTAssertTrue(w.contains("rowtime AS TO_TIMESTAMP_LTZ((UNIX_TIMESTAMP(REGEXP_EXTRACT(`ts`"), "ISO text taken apart, offset included: \(w)")
        XCTAssertTrue(w.contains("AVG(CAST(`n` AS DOUBLE))"), w)
        XCTAssertTrue(w.contains("INTERVAL '0.500' SECOND"), w)
        XCTAssertTrue(w.contains("WATERMARK FOR rowtime AS rowtime - INTERVAL '0 10:00:00.001' DAY TO SECOND"), "Flink rejects INTERVAL '36000.001' SECOND: \(w)")
        XCTAssertTrue(w.contains("DATE_FORMAT(window_start, 'SSS')"), "milliseconds of window_start() kept: \(w)")
        // What this engine rejects, export rejects with the engine's message.
        XCTAssertThrowsError(try translate("SELECT lag(temperature) OVER (PARTITION BY deviceId) AS p FROM stream WITH (TIMESTAMP='ts');")) { e in
            XCTAssertEqual((e as? StreamSQLError)?.phase, .plan, "\(e)")
        }
        // Errors point into the script, not the statement.
        XCTAssertThrowsError(try translate("SELECT deviceId FROM stream;\nSELECT latest(temperature) AS l FROM stream;")) { e in
            XCTAssertEqual((e as? StreamSQLError)?.location?.line, 2, "\(e)")
        }
    }

    func testFunctionsKeepOurMeaning() throws {
        let f = try translate("SELECT concat(deviceId, '-', upper(deviceId)) AS c, substring(deviceId, 1, 1) AS s, sqrt(temperature) AS q, ln(humidity) AS l FROM stream;")
        XCTAssertTrue(f.contains("CONCAT_WS('', `deviceId`, '-', UPPER(`deviceId`))"), "NULL arguments are skipped as ours does: \(f)")
        let e = refusal("SELECT concat(deviceId, humidity) AS c FROM stream;")
        XCTAssertTrue(e?.message.contains("concat of a value that is not text") ?? false, "\(String(describing: e))")
        XCTAssertTrue(f.contains("SUBSTRING(`deviceId`, (1) + 1, 1)"), "0-based start: \(f)")
        XCTAssertTrue(f.contains("CASE WHEN `temperature` < 0 THEN NULL ELSE SQRT(`temperature`) END"), f)
        XCTAssertTrue(f.contains("CASE WHEN `humidity` <= 0 THEN NULL ELSE LN(`humidity`) END"), f)
    }

    func testStreamTableJoinReadsTheFileTableAsABoundedTable() throws {
        let meta = dir.appendingPathComponent("meta.csv").path
        try "deviceId,site,limit\nd1,north,50\nd2,south,40\n".write(toFile: meta, atomically: true, encoding: .utf8)
        var t = FlinkTranslator(inputs: ["stream": input], outputDirectory: "/out")
        let s = try t.translate(script: """
            CREATE TABLE meta PRIMARY KEY (deviceId) FROM FILE 'meta.csv';
            CREATE QUERY enriched AS SELECT s.deviceId AS d, m.site AS site FROM stream s JOIN meta m ON s.deviceId = m.deviceId WHERE s.temperature > m.limit;
            """, baseDirectory: dir.path).script
        for part in ["CREATE TABLE `meta` (", "`site` STRING", "`limit` BIGINT", "'format' = 'csv'", "'path' = '\(meta)'",
                     "FROM `src_enriched_stream` AS `s`\nJOIN `meta` AS `m` ON (`s`.`deviceId` = `m`.`deviceId`)",
                     "`m`.`site` AS `site`", "WHERE (`s`.`temperature` > `m`.`limit`)"] {
            XCTAssertTrue(s.contains(part), "missing \(part) in\n\(s)")
        }
        var u = FlinkTranslator(inputs: ["stream": input], outputDirectory: "/out")
        XCTAssertThrowsError(try u.translate(script: """
            CREATE TABLE meta PRIMARY KEY (deviceId) FROM FILE 'meta.csv';
            SELECT s.deviceId AS d FROM stream s LEFT JOIN meta m ON s.deviceId = m.deviceId;
            """, baseDirectory: dir.path)) { e in
            XCTAssertTrue("\(e)".contains("LEFT JOIN"), "\(e)")
        }
    }

    /// Types come from the whole input, not a sample of its first lines: a field whose first 1,500 values are
    /// whole numbers and whose later ones are decimals is a DOUBLE column (a BIGINT column would make Flink drop
    /// those rows); the same for a table file.
    func testFieldTypesAreLearntFromTheWholeInput() throws {
        let late = dir.appendingPathComponent("late.jsonl").path
        var lines = (0..<1_500).map { #"{"v":\#($0),"ts":\#(1_700_000_000_000 + $0)}"# }
        lines.append(#"{"v":2.5,"ts":1700000002000,"extra":"x"}"#)
        try lines.joined(separator: "\n").write(toFile: late, atomically: true, encoding: .utf8)
        let table = dir.appendingPathComponent("limits.jsonl").path
        var rows = (0..<1_200).map { #"{"id":"d\#($0)","limit":\#($0)}"# }
        rows.append(#"{"id":"last","limit":0.5}"#)
        try rows.joined(separator: "\n").write(toFile: table, atomically: true, encoding: .utf8)
        var t = FlinkTranslator(inputs: ["stream": late], outputDirectory: "/out")
        let s = try t.translate(script: "CREATE TABLE limits PRIMARY KEY (id) FROM FILE 'limits.jsonl'; SELECT v FROM stream;",
                                baseDirectory: dir.path).script
        XCTAssertTrue(s.contains("`v` DOUBLE"), s)
        XCTAssertTrue(s.contains("`ts` BIGINT"), s)
        XCTAssertTrue(s.contains("`extra` STRING"), "a field first seen on the last line is a column: \(s)")
        XCTAssertTrue(s.contains("`limit` DOUBLE"), s)
        // EXPLAIN FLINK learns types from the same reader.
        let engine = Engine()
        engine.flinkInputs = ["stream": late]
        guard case .message(let text) = try engine.run("EXPLAIN FLINK SELECT v FROM stream") else { return XCTFail("EXPLAIN FLINK gives text") }
        XCTAssertTrue(text.contains("`v` DOUBLE"), text)
    }

    func testInputWithoutObjectsOrUnreadableIsAnErrorAtTheStream() throws {
        let empty = dir.appendingPathComponent("empty.jsonl").path
        try "not json\n[1, 2]\n".write(toFile: empty, atomically: true, encoding: .utf8)
        for (path, message) in [(empty, "no JSON objects in \(empty)"), (dir.appendingPathComponent("missing.jsonl").path, "cannot read")] {
            var t = FlinkTranslator(inputs: ["stream": path], outputDirectory: "/out")
            let sql = "SELECT v FROM stream;"
            XCTAssertThrowsError(try t.translate(script: sql)) { e in
                guard let e = e as? StreamSQLError else { return XCTFail("\(e)") }
                XCTAssertTrue(e.message.contains(message), e.message)
                XCTAssertEqual(e.range.start, 14, "points at the stream: \(e.rendered())")
            }
        }
    }

    /// A chain just under the parser's depth limit translates (moved here from the engine's DeepExpressionTests).
    func testChainsBelowTheDepthLimitTranslate() throws {
        let n = Parser.maxDepth - 10
        let sum = repeatElement("a", count: n).joined(separator: " + ")
        let all = repeatElement("a > 0", count: n).joined(separator: " AND ")
        let engine = Engine()
        try engine.run("CREATE STREAM typed (a BIGINT)")
        guard case .message(let flink) = try engine.run("EXPLAIN FLINK SELECT \(sum) AS total FROM typed WHERE \(all)") else {
            return XCTFail("EXPLAIN FLINK gives text")
        }
        XCTAssertEqual(flink.filter { $0 == "+" }.count, n - 1)
        XCTAssertEqual(flink.components(separatedBy: " AND ").count, n)
    }

    func testExplainFlinkInTheEngine() throws {
        let engine = Engine()
        _ = try engine.run("CREATE STREAM r (deviceId string, temperature double, ts bigint)")
        guard case .message(let text) = try engine.run("EXPLAIN FLINK SELECT deviceId, AVG(temperature) AS a FROM r GROUP BY deviceId, TumblingWindow('5s') WITH (TIMESTAMP='ts', TIMEUNIT='ms')") else {
            return XCTFail("EXPLAIN FLINK gives text")
        }
        XCTAssertTrue(text.contains("`temperature` DOUBLE") && text.contains("TUMBLE(") && text.contains("'path' = 'r.jsonl'"), text)
        XCTAssertThrowsError(try engine.run("EXPLAIN FLINK SELECT first_seen(deviceId) AS f FROM r")) { e in
            XCTAssertTrue("\(e)".contains("first_seen"), "\(e)")
        }
    }
}
