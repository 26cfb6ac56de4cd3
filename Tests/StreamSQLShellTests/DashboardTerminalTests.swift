import Foundation
import XCTest

/// The live dashboard in a real terminal (tmux): it draws, and q, Ctrl-C and SIGTERM all give the terminal
/// back to the shell in a usable state.
final class DashboardTerminalTests: XCTestCase {
    let terminal = Tmux(socket: "streamsql-dash-test")
    func tmux(_ args: [String]) -> String { terminal(args) }
    func screen() -> String { terminal.screen() }
    func waitFor(_ text: String, seconds: Double = 30) -> Bool { terminal.waitFor(text, seconds: seconds) }

    func testDashboardDrawsAndEveryExitRestoresTheTerminal() throws {
        let binary = InteractiveShellTests.root.appendingPathComponent(".build/debug/streamsql").path
        guard FileManager.default.isExecutableFile(atPath: binary) else { throw XCTSkip("build the streamsql binary first") }
        guard !tmux(["-V"]).isEmpty else { throw XCTSkip("tmux is not installed") }
        defer { _ = tmux(["kill-server"]) }
        for (size, exitKey, expected) in [(("120", "40"), "q", ""), (("80", "24"), "C-c", "closed by Ctrl-C"), (("80", "24"), "TERM", "closed by SIGTERM")] {
            _ = tmux(["kill-server"])
            _ = tmux(["new-session", "-d", "-s", "sh", "-x", size.0, "-y", size.1, "env PS1='ready$ ' TERM=xterm-256color NCURSES_NO_UTF8_ACS=1 bash --norc"])
            XCTAssertTrue(waitFor("ready$"), screen())
            _ = tmux(["send-keys", "-t", "sh", "cd '\(InteractiveShellTests.root.path)' && \(binary) demo fraud --seed 9", "Enter"])
            XCTAssertTrue(waitFor("Financial risk control"), screen())
            // Live values: the risk gauge shows transaction ids once results arrive.
            XCTAssertTrue(waitFor("TXN0"), screen())
            XCTAssertTrue(waitFor("Decisions per minute"), screen())
            if exitKey == "TERM" {
                _ = system("pkill -TERM -f 'streamsql demo fraud --seed 9'")
            } else {
                _ = tmux(["send-keys", "-t", "sh", exitKey])
            }
            _ = tmux(["send-keys", "-t", "sh", "echo back-$((20+22))", "Enter"])
            XCTAssertTrue(waitFor("back-42"), "\(exitKey):\n\(screen())")
            if !expected.isEmpty { XCTAssertTrue(screen().contains(expected), screen()) }
        }
    }
}
