import Foundation
import XCTest

/// `q.late` and `s.rejected` from the command line: `streamsql run` and `-e` over a file with a late row and
/// bad lines print them with the file and line numbers; `SHOW WINDOWS` prints the inspector.
final class SystemStreamsBinaryTests: ScratchFolderTestCase {
    let events = """
        {"k":"a","ts":1000}
        {"k":"b","ts":3000
        {"k":"a","ts":15000}
        not json
        {"k":"a","ts":2000}
        {"k":"b","ts":25000}
        """
    let window = "CREATE QUERY w AS SELECT k, COUNT(*) AS c FROM s GROUP BY k, TumblingWindow('10s') WITH (TIMESTAMP='ts', TIMEUNIT='ms', MAXOUTOFORDERNESS='2s');"

    func testRunPrintsRejectedLinesWithFileAndLineAndLateRowsWithTheirWatermark() throws {
        let data = try file("ev.jsonl", events)
        let script = try file("q.sql", window + "\nCREATE QUERY bad AS SELECT line_number, reason, line FROM s.rejected;\nCREATE QUERY lost AS SELECT row.k AS k, event_time, watermark FROM w.late;\n")
        let (status, out, err) = try StreamsqlBinary.run(["run", script, "--input", "s=\(data)"])
        XCTAssertEqual(status, 0, err)
        let lines = out.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.filter { $0.hasPrefix(#"{"query":"bad""#) }, [
            #"{"query":"bad","row":{"line_number":2,"reason":"unterminated object: expected ',' or '}'","line":"{\"k\":\"b\",\"ts\":3000"}}"#,
            #"{"query":"bad","row":{"line_number":4,"reason":"an event must be a JSON object","line":"not json"}}"#,
        ], out)
        XCTAssertEqual(lines.filter { $0.hasPrefix(#"{"query":"lost""#) },
                       [#"{"query":"lost","row":{"k":"a","event_time":"1970-01-01T00:00:02Z","watermark":"1970-01-01T00:00:13Z"}}"#], out)
        XCTAssertEqual(lines.filter { $0.hasPrefix(#"{"query":"w""#) }.count, 3, "the window's own rows still come: \(out)")
    }

    func testShowWindowsBeforeTheEndOfInput() throws {
        // The script's own rows (INSERT), then the inspector.
        let sql = "CREATE STREAM s; " + window + #" INSERT INTO s JSON '{"k":"a","ts":1000}', '{"k":"a","ts":15000}', '{"k":"a","ts":2000}'; SHOW WINDOWS w;"#
        let (status, out, err) = try StreamsqlBinary.run(["-e", sql, "--output", "jsonl"])
        XCTAssertEqual(status, 0, err)
        XCTAssertTrue(out.contains(#""section":"next firing","key":"k=a","window":"[1970-01-01 00:00:10Z, 00:00:20Z)","rows":1,"fires in":"7.0s""#), out)
        XCTAssertTrue(out.contains(#""section":"late","key":"","window":"","rows":1"#), out)
    }
}
