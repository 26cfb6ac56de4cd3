import Foundation
import XCTest

/// `.gen` started again continues event time where its stream left off (no wave of late rows), and rows
/// that do become late get one notice naming the query and the count.
final class GenRestartTmuxTests: XCTestCase {
    let terminal = Tmux(socket: "streamsql-genrestart")

    func send(_ keys: String...) { _ = terminal(["send-keys", "-t", "sh"] + keys) }

    func testRestartedGeneratorMakesNoLateRowsAndLateRowsGetANotice() throws {
        let binary = InteractiveShellTests.root.appendingPathComponent(".build/debug/streamsql").path
        guard FileManager.default.isExecutableFile(atPath: binary) else { throw XCTSkip("build the streamsql binary first") }
        guard !terminal(["-V"]).isEmpty else { throw XCTSkip("tmux is not installed") }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("streamsql-genrestart-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir); _ = terminal(["kill-server"]) }
        _ = terminal(["kill-server"])
        _ = terminal(["new-session", "-d", "-s", "sh", "-x", "160", "-y", "40", "env XDG_STATE_HOME=\(dir.path) HOME=\(dir.path) \(binary)"])
        XCTAssertTrue(terminal.waitFor("streamsql>"), terminal.screen())

        send("CREATE STREAM transactions\\;", "Enter")
        send("CREATE QUERY per10s AS SELECT COUNT(*) AS n FROM transactions GROUP BY TumblingWindow('10s') WITH (TIMESTAMP='timestamp')\\;", "Enter")
        XCTAssertTrue(terminal.waitFor("query per10s running"), terminal.screen())
        send(".gen fraud 2000", "Enter")
        XCTAssertTrue(terminal.waitFor("generating fraud"), terminal.screen())
        sleep(2)
        // Started again: it says where event time goes on, and the query sees no late row.
        send(".gen fraud 2000", "Enter")
        XCTAssertTrue(terminal.waitFor("where it stopped"), terminal.screen())
        sleep(2)
        send(".gen stop", "Enter")
        XCTAssertTrue(terminal.waitFor("stopped fraud"), terminal.screen())
        send("C-l", ".mode csv", "Enter", "SHOW QUERIES\\;", "Enter")
        XCTAssertTrue(terminal.waitFor("per10s,transactions,"), terminal.screen())
        let row = terminal.screen().split(separator: "\n").first { $0.hasPrefix("per10s,transactions,") }?.split(separator: ",").map(String.init) ?? []
        XCTAssertGreaterThan(Int(row.count > 2 ? row[2] : "") ?? 0, 1000, "events in: \(row)")
        XCTAssertEqual(row.count > 5 ? row[5] : nil, "0", "no late rows: \(row)")
        XCTAssertFalse(terminal.screen().contains("late row"), terminal.screen())

        // An event from long ago is late: one notice names the query and the count.
        send("INSERT INTO transactions JSON '{\"timestamp\": \"2020-01-01T00:00:00Z\", \"amount\": 1}'\\;", "Enter")
        XCTAssertTrue(terminal.waitFor("notice: per10s dropped 1 late row"), terminal.screen())
    }
}
