import Foundation
import XCTest

/// Navigation in a real terminal (tmux, 80×24) on the fraud scenario: the row cursor scrolls the log past its
/// visible rows, Enter opens the detail view of the selected row, Esc closes it and never leaves, q does.
final class DashboardNavigationTerminalTests: XCTestCase {
    let terminal = Tmux(socket: "streamsql-nav-test")
    func tmux(_ args: [String]) -> String { terminal(args) }
    func visible() -> String { terminal.visible() }
    func waitUntil(seconds: Double = 30, _ check: (String) -> Bool) -> Bool { terminal.waitUntil(seconds: seconds, check) }

    /// The numbers in the log pane's title: the cursor's place, the rows listed, and the rows received.
    func logTitle(_ screen: String) -> (cursor: Int, listed: Int, received: Int)? {
        guard let line = screen.split(separator: "\n").first(where: { $0.contains("Declines and reviews") }),
              let m = line.firstMatch(of: /(\d+)\/(\d+)  \(declines, (\d+) rows\)/),
              let c = Int(m.1), let l = Int(m.2), let r = Int(m.3) else { return nil }
        return (c, l, r)
    }

    func testTheCursorScrollsTheLogAndEnterOpensTheDetailViewAndEscClosesIt() throws {
        let binary = InteractiveShellTests.root.appendingPathComponent(".build/debug/streamsql").path
        guard FileManager.default.isExecutableFile(atPath: binary) else { throw XCTSkip("build the streamsql binary first") }
        guard !tmux(["-V"]).isEmpty else { throw XCTSkip("tmux is not installed") }
        defer { _ = tmux(["kill-server"]) }
        _ = tmux(["kill-server"])
        _ = tmux(["new-session", "-d", "-s", "sh", "-x", "80", "-y", "24", "env PS1='ready$ ' TERM=xterm-256color NCURSES_NO_UTF8_ACS=1 bash --norc"])
        XCTAssertTrue(terminal.waitFor("ready$"), visible())
        _ = tmux(["send-keys", "-t", "sh", "cd '\(InteractiveShellTests.root.path)' && \(binary) demo fraud --seed 7", "Enter"])
        XCTAssertTrue(waitUntil { $0.contains("Declines and reviews") && $0.contains("TXN0") }, visible())
        // The log (third pane): the first ↓ puts the cursor on the newest row, which it follows.
        _ = tmux(["send-keys", "-t", "sh", "3"])
        _ = tmux(["send-keys", "-t", "sh", "Down"])
        XCTAssertTrue(waitUntil { $0.contains("following newest") }, visible())
        // Enough rows to scroll, then two pages and a row down: past the rows the pane shows.
        XCTAssertTrue(waitUntil(seconds: 60) { s in s.contains("(declines, ") && Int(s.firstMatch(of: /\(declines, (\d+) rows\)/).map { String($0.1) } ?? "") ?? 0 >= 40 },
                      visible())
        let logLines = visible().split(separator: "\n").filter { $0.hasPrefix("│●") || $0.hasPrefix("│  ") }.count
        for key in ["NPage", "NPage", "Down"] { _ = tmux(["send-keys", "-t", "sh", key]) }
        XCTAssertTrue(waitUntil { s in (self.logTitle(s)?.cursor ?? 0) > logLines }, "the cursor is below the first \(logLines) lines:\n\(visible())")
        // Enter: the detail view of that row, every field of it.
        _ = tmux(["send-keys", "-t", "sh", "Enter"])
        XCTAssertTrue(waitUntil { s in s.contains("Declines and reviews › row") && s.contains("transaction_id: TXN") && s.contains("decision: ") },
                      visible())
        XCTAssertTrue(visible().contains("Esc back"), visible())
        // Esc: back to the dashboard, the cursor where it was; a second Esc clears the cursor and stays.
        _ = tmux(["send-keys", "-t", "sh", "Escape"])
        XCTAssertTrue(waitUntil { s in !s.contains("› row") && s.contains("Risk score") && self.logTitle(s) != nil }, visible())
        _ = tmux(["send-keys", "-t", "sh", "Escape"])
        XCTAssertTrue(waitUntil { s in s.contains("Declines and reviews  (declines") }, "the cursor is gone:\n\(visible())")
        _ = tmux(["send-keys", "-t", "sh", "Escape"])
        usleep(1_500_000)
        XCTAssertTrue(visible().contains("Risk score") && !visible().contains("ready$"), "Esc never leaves:\n\(visible())")
        _ = tmux(["send-keys", "-t", "sh", "q"])
        _ = tmux(["send-keys", "-t", "sh", "echo back-$((20+22))", "Enter"])
        XCTAssertTrue(terminal.waitFor("back-42"), terminal.screen())
    }
}
