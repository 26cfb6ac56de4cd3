import Foundation
import StreamSQL
import Synchronization
import XCTest
@testable import StreamSQLShell

/// `.replay FILE xN` on events without a usable time field says so once, naming the field it looked for
/// and the fields the events had; events with times get no notice.
final class ReplayTimeNoticeTests: XCTestCase {
    func notices(_ lines: [String], field: String = "timestamp") throws -> [String] {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("notime-\(UUID().uuidString).jsonl").path
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let replay = Replay(engine: Engine(), inputs: [Replay.Input(path: path, stream: "s")], pace: .speed(1000), timeField: field)
        let got = Mutex<[String]>([])
        replay.onNotice = { n in got.withLock { $0.append(n) } }
        replay.synchronous = true
        replay.run()
        return got.withLock { $0 }
    }

    func testNoUsableTimeIsToldOnceWithTheFieldsSeen() throws {
        let n = try notices((0..<120).map { #"{"id": \#($0), "when": "x"}"# })
        XCTAssertEqual(n.count, 1, "\(n)")
        XCTAssertTrue(n.first?.contains("looked for: timestamp") == true, "\(n)")
        XCTAssertTrue(n.first?.contains("Fields seen: id, when") == true, "\(n)")
    }

    func testEventsWithTimesGetNoNotice() throws {
        XCTAssertEqual(try notices((0..<60).map { #"{"id": \#($0), "ts": \#(1_700_000_000_000 + $0)}"# }, field: "ts"), [])
    }
}
