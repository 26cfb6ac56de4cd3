import Foundation
import XCTest

/// The batch modes read files through the one reader: CRLF files lose nothing in any mode, binary data is an
/// error with a non-zero exit, and the summary on standard error names what was rejected or dropped.
final class BatchInputTests: XCTestCase {
    func write(_ bytes: [UInt8], _ ext: String = "jsonl") throws -> String {
        let path = NSTemporaryDirectory() + "streamsql-batch-\(UUID().uuidString).\(ext)"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    func testCRLFInputLosesNoEventInRunEAndQuery() throws {
        let data = try write(Array("{\"a\":1}\r\n{\"a\":2}\r\n{\"a\":3}\r\n".utf8))
        let script = try write(Array("SELECT a FROM s;\r\n".utf8), "sql")
        for args in [["-e", "SELECT a FROM s", "--input", "s=\(data)"], ["run", script, "--input", "s=\(data)"], ["query", "SELECT a FROM stream", "--input", data]] {
            let (status, out, err) = try StreamsqlBinary.run(args)
            XCTAssertEqual(status, 0, "\(args): \(err)")
            XCTAssertEqual(out.split(separator: "\n").count, 3, "\(args): \(out)\n\(err)")
            XCTAssertFalse(err.contains("rejected"), "\(args): \(err)")
        }
    }

    func testBinaryInputIsAnErrorNotZeroRows() throws {
        let data = try write(Array("{\"a\":1}\n".utf8) + [UInt8](repeating: 0, count: 1 << 20))
        for args in [["-e", "SELECT a FROM s", "--input", "s=\(data)"], ["query", "SELECT a FROM stream", "--input", data]] {
            let (status, out, err) = try StreamsqlBinary.run(args)
            XCTAssertEqual(status, 1, "\(args): \(err)")
            XCTAssertEqual(out.split(separator: "\n").count, 1, "\(args): \(out)")
            XCTAssertTrue(err.contains("not a text file"), "\(args): \(err)")
        }
    }

    func testTheSummaryReportsRejectedLines() throws {
        let data = try write(Array("{\"k\":1}\n{oops\n{\"k\":2}\n".utf8))
        let (status, _, err) = try StreamsqlBinary.run(["-e", "SELECT k, count(*) AS n FROM s GROUP BY k, CountingWindow(10)", "--input", "s=\(data)"])
        XCTAssertEqual(status, 0, err)
        XCTAssertTrue(err.contains("summary: stream s: 1 event rejected"), err)
    }

    func testTheSummaryNamesAFinishedQuerysOwnRejections() throws {
        // Queries leave the catalog at end of input; the summary printed after it still names their losses.
        let data = try write(Array("{\"ts\":9223372036854775807}\n{\"ts\":5}\n{\"k\":1}\n".utf8))
        let window = "SELECT COUNT(*) AS c FROM %@ GROUP BY TumblingWindow('1s') WITH (TIMESTAMP='ts', TIMEUNIT='s')"
        for args in [["query", window.replacingOccurrences(of: "%@", with: "stream"), "--input", data],
                     ["-e", window.replacingOccurrences(of: "%@", with: "s"), "--input", "s=\(data)"]] {
            let (status, out, err) = try StreamsqlBinary.run(args)
            XCTAssertEqual(status, 0, "\(args): \(err)")
            XCTAssertEqual(out.split(separator: "\n").count, 1, "\(args): \(out)")
            XCTAssertTrue(err.contains("2 rejected (event time out of range in 'ts': 1; missing or invalid event time in 'ts': 1)"), "\(args): \(err)")
        }
    }

    func testBackPressureOptionsAreCheckedAndHonoured() throws {
        let data = try write(Array((1...500).map { "{\"a\":\($0)}\n" }.joined().utf8))
        let (status, out, err) = try StreamsqlBinary.run(["-e", "SELECT a FROM s", "--input", "s=\(data)", "--back-pressure", "block", "--queue", "8"])
        XCTAssertEqual(status, 0, err)
        XCTAssertEqual(out.split(separator: "\n").count, 500, err)
        let (bad, _, badErr) = try StreamsqlBinary.run(["query", "SELECT a FROM stream", "--input", data, "--back-pressure", "sometimes"])
        XCTAssertEqual(bad, 2)
        XCTAssertTrue(badErr.contains("--back-pressure must be one of"), badErr)
    }
}
