import Foundation
import XCTest

/// `.mode live` on a real terminal: one row per key updated in place while a generator runs, changed cells
/// in reverse video, sorting by a column key, and `q` (or Ctrl-C) back to the prompt with the terminal
/// restored; SIGTERM leaves with 143.
final class LiveModeTmuxTests: XCTestCase {
    let terminal = Tmux(socket: "streamsql-live")

    func send(_ keys: String...) { _ = terminal(["send-keys", "-t", "sh"] + keys) }

    /// The live table's body lines (below the status line, header and rule).
    func bodyLines(_ screen: String) -> [Substring] {
        screen.split(separator: "\n").filter { $0.hasPrefix("20") && $0.contains(" | ") }
    }

    func testLiveTableUpdatesRowsInPlaceSortsAndReturns() throws {
        let binary = InteractiveShellTests.root.appendingPathComponent(".build/debug/streamsql").path
        guard FileManager.default.isExecutableFile(atPath: binary) else { throw XCTSkip("build the streamsql binary first") }
        guard !terminal(["-V"]).isEmpty else { throw XCTSkip("tmux is not installed") }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("streamsql-live-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir); _ = terminal(["kill-server"]) }
        _ = terminal(["kill-server"])
        _ = terminal(["new-session", "-d", "-s", "sh", "-x", "150", "-y", "40", "env XDG_STATE_HOME=\(dir.path) HOME=\(dir.path) \(binary); echo exited $?; sleep 30"])
        XCTAssertTrue(terminal.waitFor("streamsql>"), terminal.screen())

        send(".gen fraud 300", "Enter")
        XCTAssertTrue(terminal.waitFor("generating fraud"), terminal.screen())
        send(".mode live", "Enter")
        // One day's window: every merchant keeps one row, its count growing in place (EMIT CHANGES).
        send("SELECT window_start() AS day, merchant, COUNT(*) AS n FROM transactions GROUP BY merchant, TumblingWindow('1d') WITH (TIMESTAMP='timestamp') EMIT CHANGES\\;", "Enter")
        XCTAssertTrue(terminal.waitUntil { $0.contains(" updates ·") && self.bodyLines($0).count >= 5 }, terminal.visible())
        func counts() -> [String: Int] {
            var out: [String: Int] = [:]
            for l in bodyLines(terminal.visible()) {
                let cells = l.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
                if cells.count == 3, let n = Int(cells[2]) { XCTAssertNil(out[cells[1]], "one row per merchant: \(l)"); out[cells[1]] = n }
            }
            return out
        }
        let first = counts()
        XCTAssertTrue(terminal.waitUntil { _ in
            let now = counts()
            return now.keys.count <= 20 && first.contains { k, n in (now[k] ?? 0) > n + 5 }
        }, terminal.visible())
        let later = counts()
        XCTAssertLessThanOrEqual(later.count, 20, "the rows stay one per merchant: \(later)")
        XCTAssertFalse(terminal.visible().contains("streamsql>"), "the live view holds the screen")
        // Changed cells show in reverse video.
        XCTAssertTrue(terminal(["capture-pane", "-t", "sh", "-p", "-e"]).contains("\u{1B}[7m"))

        // 3 sorts by the count; 3 again reverses it.
        send("3")
        XCTAssertTrue(terminal.waitFor("sorted by n ↑"), terminal.visible())
        send("3")
        XCTAssertTrue(terminal.waitUntil { $0.contains("sorted by n ↓") }, terminal.visible())
        XCTAssertTrue(terminal.waitUntil { s in
            let ns = self.bodyLines(s).compactMap { Int($0.split(separator: "|").last?.trimmingCharacters(in: .whitespaces) ?? "") }
            return ns.count >= 5 && ns == ns.sorted(by: >)
        }, terminal.visible())

        // q returns to the prompt, the live screen gone and the line editor working.
        send("q")
        XCTAssertTrue(terminal.waitFor("stopped:"), terminal.visible())
        XCTAssertFalse(terminal.visible().contains("q quits"), terminal.visible())
        send(".mode csv", "Enter")
        XCTAssertTrue(terminal.waitFor("mode csv"), terminal.screen())

        // A query on a named query's results shows its newest rows first (.set replay_rows), then new ones.
        send("CREATE QUERY big AS SELECT merchant, amount FROM transactions WHERE amount > 100\\;", "Enter")
        XCTAssertTrue(terminal.waitFor("query big running"), terminal.screen())
        sleep(1)
        send(".set replay_rows 3", "Enter", "SELECT * FROM big\\;", "Enter")
        XCTAssertTrue(terminal.waitFor("(attached to q2: the 3 newest rows of big above, then rows print"), terminal.screen())
        let lines = terminal.screen().split(separator: "\n").map(String.init)
        if let at = lines.lastIndex(where: { $0.hasPrefix("(attached to q2") }) {
            XCTAssertEqual(lines[at - 4], "merchant,amount", "a header, then the three rows: \(lines)")
        }
        send("C-c")
        XCTAssertTrue(terminal.waitFor("(q2 stopped"), terminal.screen())

        // Ctrl-C leaves too.
        send(".mode live", "Enter", "SELECT merchant, amount FROM transactions\\;", "Enter")
        XCTAssertTrue(terminal.waitFor("q quits"), terminal.visible())
        send("C-c")
        XCTAssertTrue(terminal.waitUntil { !$0.contains("q quits") && $0.contains("stopped:") }, terminal.visible())

        // SIGTERM in the live view: the terminal comes back and the exit status is 143.
        send("SELECT merchant, amount FROM transactions\\;", "Enter")
        XCTAssertTrue(terminal.waitFor("q quits"), terminal.visible())
        let shell = terminal.panePID ?? 0
        let pids = (try? String(contentsOfFile: "/proc/\(shell)/task/\(shell)/children", encoding: .utf8)) ?? ""
        let child = pids.split(separator: " ").compactMap { Int32($0) }.first
        XCTAssertNotNil(child, "the streamsql process under the pane's shell")
        if let child { kill(child, SIGTERM) }
        XCTAssertTrue(terminal.waitFor("exited 143"), terminal.screen())
        XCTAssertFalse(terminal.visible().contains("q quits"), terminal.visible())
    }
}
