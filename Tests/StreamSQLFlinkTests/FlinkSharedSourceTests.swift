import Foundation
import XCTest
import StreamSQL
import StreamSQLFlink

/// Queries reading a stream the same way (columns, time, watermark) share one source table, so that one job
/// (`flink run --one-job`) scans the stream once; a query with its own time keeps its own.
final class FlinkSharedSourceTests: XCTestCase {
    func testSameShapeSharesDifferentTimeDoesNot() throws {
        var t = FlinkTranslator(outputDirectory: "/out")
        t.placeholderPaths = true
        let s = try t.translate(script: """
            CREATE STREAM ev (id int, ts string, v double);
            CREATE QUERY big AS SELECT id, v FROM ev WHERE v > 5;
            SELECT id FROM ev;
            SELECT COUNT(*) AS n FROM ev GROUP BY TumblingWindow('10s') WITH (TIMESTAMP='ts');
            SELECT MAX(v) AS m FROM ev GROUP BY TumblingWindow('1m') WITH (TIMESTAMP='ts');
            """).script
        XCTAssertEqual(s.components(separatedBy: "CREATE TABLE `src_").count - 1, 2, s)
        XCTAssertTrue(s.contains("SELECT `id` AS `id`\nFROM `src_big_ev`;"), s)
        XCTAssertEqual(s.components(separatedBy: "TABLE(TUMBLE(TABLE `src_q2_ev`, DESCRIPTOR(rowtime)").count - 1, 2, s)
        // A second translation starts afresh: its source is declared again, not taken from the first.
        let again = try t.translate(script: "CREATE STREAM ev (id int, ts string, v double); SELECT id FROM ev;").script
        XCTAssertEqual(again.components(separatedBy: "CREATE TABLE `src_").count - 1, 1, again)
    }
}
