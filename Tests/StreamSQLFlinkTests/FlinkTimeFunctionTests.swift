import Foundation
import XCTest
import StreamSQL
import StreamSQLFlink

/// `hour(t)` and the other parts, `date_format(t, pattern)`: the generated Flink SQL, and what is refused.
/// (`streamsql flink run --compare` over ISO text with fractions and offsets, ms and second epochs, a negative
/// epoch and text that is no time gave identical rows: see docs/FLINK.md.)
final class FlinkTimeFunctionTests: XCTestCase {
    var dir: URL!
    var input: String!

    override func setUpWithError() throws {
        Engine.flinkExplainer = FlinkTranslator.explainer
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("streamsql-flinktime-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        input = dir.appendingPathComponent("ev.jsonl").path
        try """
            {"id":"a","ts":"2026-03-01T23:59:59.9999Z","ms":1772409599999,"sec":1772409599.5,"flag":true}
            """.write(toFile: input, atomically: true, encoding: .utf8)
    }

    override func tearDown() { try? FileManager.default.removeItem(at: dir) }

    func translate(_ sql: String) throws(StreamSQLError) -> String {
        var t = FlinkTranslator(inputs: ["ev": input], outputDirectory: "/out")
        return try t.translate(script: sql).script
    }

    func testPartsReadThroughDateFormatInUTC() throws {
        let s = try translate("SELECT hour(ts) AS h, minute(ms) AS m, year(sec) AS y FROM ev;")
        // ISO text through the same parts-and-offset expression the event time uses.
        XCTAssertTrue(s.contains("CAST(DATE_FORMAT(CAST(TO_TIMESTAMP_LTZ((UNIX_TIMESTAMP(REGEXP_EXTRACT(`ts`"), s)
        XCTAssertTrue(s.contains("AS TIMESTAMP(3)), 'HH') AS BIGINT) AS `h`"), s)
        // An epoch number scaled by its size, as this engine reads it.
        XCTAssertTrue(s.contains("CAST(`ms` AS DOUBLE) * CASE WHEN ABS(CAST(`ms` AS DOUBLE)) < 1E11 THEN 1E9 WHEN ABS(CAST(`ms` AS DOUBLE)) < 1E14 THEN 1E6"), s)
        XCTAssertTrue(s.contains("'mm') AS BIGINT) AS `m`"), s)
        XCTAssertTrue(s.contains("'yyyy') AS BIGINT) AS `y`"), s)
        XCTAssertTrue(s.contains("SET 'table.local-time-zone' = 'UTC';"), s)
    }

    func testWindowBoundsAreFlinksOwn() throws {
        let s = try translate("SELECT hour(window_start()) AS h, COUNT(*) AS n FROM ev GROUP BY TumblingWindow('1h') WITH (TIMESTAMP='ts');")
        XCTAssertTrue(s.contains("CAST(DATE_FORMAT(window_start, 'HH') AS BIGINT) AS `h`"), s)
    }

    func testPatternLettersMappedAndLiteralsQuoted() throws {
        // Ours: YYYY year, DD day of month, hh hour 0-23, mi minute; Java: week year, day of year, 12-hour clock.
        let s = try translate("SELECT date_format(ts, 'YYYY-DD hh:mi T''x') AS f, date_format(ms, '%Y%m%d %H%M%S.SSS') AS g FROM ev;")
        // Java pattern yyyy'-'dd' 'HH':'mm' T''x' inside an SQL literal (quotes doubled).
        XCTAssertTrue(s.contains(", 'yyyy''-''dd'' ''HH'':''mm'' T''''x''') AS `f`"), s)
        XCTAssertTrue(s.contains(", 'yyyyMMdd'' ''HHmmss''.''SSS') AS `g`"), s)
    }

    func testPatternPiecesAreTheEnginesOwn() {
        XCTAssertEqual(DateFormatPattern.pieces("Admin hh"), [.literal("A"), .literal("d"), .field(.minute), .literal("n"),
                                                              .literal(" "), .field(.hour)])
    }

    func testRefusals() {
        for (sql, what) in [
            ("SELECT date_format(ts, id) AS f FROM ev;", "date_format with a pattern that is not literal text"),
            ("SELECT hour(flag) AS h FROM ev;", "hour(…) of a value that is not ISO-8601 text, an epoch number or window_start()/window_end()"),
            ("SELECT hour(window_start()) AS h FROM ev;", nil),
        ] as [(String, String?)] {
            do {
                _ = try translate(sql)
                XCTFail("translated: \(sql)")
            } catch {
                if let what { XCTAssertTrue(error.description.contains(what), "\(sql): \(error.description)") }
            }
        }
    }
}
