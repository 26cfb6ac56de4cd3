import Foundation
import XCTest

/// The live dashboard in a real terminal (tmux): it draws, and q, Ctrl-C and SIGTERM all give the terminal
/// back to the shell in a usable state.
final class DashboardTerminalTests: XCTestCase {
    /// tmux on a private socket, output through a file (see InteractiveShellTests.tmux).
    func tmux(_ args: [String]) -> String {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("tmux-out-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let quoted = args.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        _ = system("tmux -L streamsql-dash-test \(quoted) > '\(out)' 2>/dev/null < /dev/null")
        return (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
    }

    func screen() -> String { tmux(["capture-pane", "-t", "sh", "-p", "-S", "-100"]) }

    func waitFor(_ text: String, seconds: Double = 30) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if screen().contains(text) { return true }
            usleep(50_000)
        }
        return false
    }

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
