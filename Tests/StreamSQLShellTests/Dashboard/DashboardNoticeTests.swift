import Foundation
import StreamSQL
import XCTest
@testable import StreamSQLShell

/// Notices from a feed's thread reach the dashboard's footer (a replay at `--speed xN` whose events have no
/// usable time); without a dashboard they go to stderr with the CLI's way of naming the field.
final class DashboardNoticeTests: XCTestCase {
    func testAPostedNoticeShowsInTheFooterUntilAKey() {
        let board = Dashboard(engine: Engine(), panes: [], groups: [])
        let done = expectation(description: "posted")
        Thread { board.post(notice: "(notice: no usable 'timestamp' field)"); done.fulfill() }.start()
        wait(for: [done], timeout: 5)
        let f = board.render(width: 80, height: 24)
        let footer = f.text.split(separator: "\n", omittingEmptySubsequences: false)[23]
        XCTAssertTrue(footer.contains("(notice: no usable 'timestamp' field)"), String(footer))
        _ = board.handle(Int32(UInt8(ascii: "+")))
        let after = board.render(width: 80, height: 24).text.split(separator: "\n", omittingEmptySubsequences: false)[23]
        XCTAssertFalse(after.contains("notice"), String(after))
    }

    func testBatchReplayWithoutTimesSaysSoOnStderr() throws {
        guard StreamsqlBinary.exists else { throw XCTSkip("build the streamsql binary first") }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("notime-\(getpid()).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let lines = (1...60).map { "{\"transaction_id\":\"T\($0)\",\"amount\":\($0)}" }.joined(separator: "\n") + "\n"
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(lines.utf8)))
        let r = try StreamsqlBinary.run(["demo", "fraud", "--replay", "transactions=\(path)", "--speed", "x10", "--print"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.err.contains("none of the first 50 had a usable 'timestamp' field"), r.err)
        XCTAssertTrue(r.err.contains("--time-field FIELD names the time field"), r.err)
        XCTAssertEqual(r.err.components(separatedBy: "(notice:").count, 2, "one notice: \(r.err)")
    }
}
