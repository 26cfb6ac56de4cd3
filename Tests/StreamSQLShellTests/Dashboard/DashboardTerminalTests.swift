import Foundation
import XCTest

/// The live dashboard in a real terminal (tmux): it draws, and q, Ctrl-C, SIGTERM, SIGHUP and SIGQUIT all give the
/// terminal back to the shell in a usable state, with the conventional exit status.
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
        // Each way out, what it says, and the exit status (128 + the signal's number, as shells report).
        let exits: [((String, String), String, String, Int)] = [
            (("120", "40"), "q", "", 0), (("80", "24"), "C-c", "closed by Ctrl-C", 130), (("80", "24"), "TERM", "closed by SIGTERM", 143),
            (("80", "24"), "HUP", "closed by SIGHUP", 129), (("80", "24"), "QUIT", "closed by SIGQUIT", 131),
        ]
        for (size, exitKey, expected, status) in exits {
            _ = tmux(["kill-server"])
            _ = tmux(["new-session", "-d", "-s", "sh", "-x", size.0, "-y", size.1, "env PS1='ready$ ' TERM=xterm-256color NCURSES_NO_UTF8_ACS=1 bash --norc"])
            XCTAssertTrue(waitFor("ready$"), screen())
            _ = tmux(["send-keys", "-t", "sh", "cd '\(InteractiveShellTests.root.path)' && \(binary) demo fraud --seed 9", "Enter"])
            XCTAssertTrue(waitFor("Financial risk control"), screen())
            // Live values: the risk gauge shows transaction ids once results arrive.
            XCTAssertTrue(waitFor("TXN0"), screen())
            XCTAssertTrue(waitFor("Decisions per minute"), screen())
            if ["TERM", "HUP", "QUIT"].contains(exitKey) {
                // Only the shell's own child (the dashboard): other test runs may have dashboards of their own.
                let shell = try XCTUnwrap(terminal.panePID, "the tmux pane's shell")
                _ = system("pkill -\(exitKey) -P \(shell)")
            } else {
                _ = tmux(["send-keys", "-t", "sh", exitKey])
            }
            _ = tmux(["send-keys", "-t", "sh", "echo back-$?-$((20+22))", "Enter"])
            XCTAssertTrue(waitFor("back-\(status)-42"), "\(exitKey):\n\(screen())")
            if !expected.isEmpty { XCTAssertTrue(screen().contains(expected), screen()) }
        }
    }

    func visible() -> String { terminal.visible() }
    func waitUntil(seconds: Double = 30, _ check: (String) -> Bool) -> Bool { terminal.waitUntil(seconds: seconds, check) }

    func testEveryWidgetKindRendersLiveAtBothSizesAndTheKeysAndResizeWork() throws {
        let binary = InteractiveShellTests.root.appendingPathComponent(".build/debug/streamsql").path
        guard FileManager.default.isExecutableFile(atPath: binary) else { throw XCTSkip("build the streamsql binary first") }
        guard !tmux(["-V"]).isEmpty else { throw XCTSkip("tmux is not installed") }
        defer { _ = tmux(["kill-server"]) }
        let spark = Set("▁▂▃▄▅▆▇")
        // Per scenario group: a pane title and what its widget draws once live values arrive.
        let groups: [(String, [(String, (String) -> Bool)])] = [
            ("recommend", [("Most recommended", { $0.contains("product_id") && $0.contains("│P0") }),           // table
                           ("Purchase probability", { $0.contains { spark.contains($0) } }),                   // sparkline
                           ("Shopper events", { $0.contains("events/min") && ($0.contains("┘") || $0.contains("┴")) })]), // counter
            ("routing", [("Agent load", { $0.contains("A001") && $0.contains("█") })]),                         // bars
            ("supply", [("Stock alerts", { $0.contains("● ") })]),                                              // log
            ("fraud", [("Risk score", { $0.contains("TXN0") && $0.contains("·") })]),                            // gauge
            ("traffic", [("Signal plan", { $0.contains("█ ns_green") && $0.contains("INT0") })]),               // timeline
        ]
        for size in [("120", "40"), ("80", "24")] {
            _ = tmux(["kill-server"])
            _ = tmux(["new-session", "-d", "-s", "sh", "-x", size.0, "-y", size.1, "env PS1='ready$ ' TERM=xterm-256color NCURSES_NO_UTF8_ACS=1 bash --norc"])
            XCTAssertTrue(waitFor("ready$"), screen())
            _ = tmux(["send-keys", "-t", "sh", "cd '\(InteractiveShellTests.root.path)' && \(binary) demo --seed 5", "Enter"])
            for (i, (name, panes)) in groups.enumerated() {
                if i > 0 { _ = tmux(["send-keys", "-t", "sh", "]"]) }
                for (title, live) in panes {
                    XCTAssertTrue(waitUntil { $0.contains(title) && live($0) }, "\(size) \(name) \(title):\n\(visible())")
                }
            }
            // Every line fits the terminal.
            XCTAssertTrue(visible().split(separator: "\n").allSatisfy { $0.count <= Int(size.0)! }, visible())
            _ = tmux(["send-keys", "-t", "sh", "q"])
            _ = tmux(["send-keys", "-t", "sh", "echo back-$((20+22))", "Enter"])
            XCTAssertTrue(waitFor("back-42"), screen())
        }

        // Keys and resize on one scenario: pause and step, zoom, filter, then a smaller window.
        _ = tmux(["kill-server"])
        _ = tmux(["new-session", "-d", "-s", "sh", "-x", "120", "-y", "40", "env PS1='ready$ ' TERM=xterm-256color NCURSES_NO_UTF8_ACS=1 bash --norc"])
        XCTAssertTrue(waitFor("ready$"), screen())
        _ = tmux(["send-keys", "-t", "sh", "cd '\(InteractiveShellTests.root.path)' && \(binary) demo fraud --seed 5", "Enter"])
        XCTAssertTrue(waitUntil { $0.contains("Declines and reviews") && $0.contains("TXN0") }, visible())
        usleep(1_500_000)  // a few frames of history
        _ = tmux(["send-keys", "-t", "sh", "Space"])
        XCTAssertTrue(waitUntil { $0.contains("PAUSED") }, visible())
        let pausedAt = visible().components(separatedBy: "PAUSED ").last?.prefix(while: { $0 != " " }) ?? ""
        _ = tmux(["send-keys", "-t", "sh", "Left"])
        _ = tmux(["send-keys", "-t", "sh", "Left"])
        XCTAssertTrue(waitUntil { s in !s.contains("PAUSED \(pausedAt) ") && s.contains("PAUSED ") }, "stepping back changes the frame shown: \(pausedAt)\n\(visible())")
        _ = tmux(["send-keys", "-t", "sh", "Space"])
        XCTAssertTrue(waitUntil { !$0.contains("PAUSED") }, visible())
        // Zoom the third pane (the log): the other panes' boxes are gone.
        _ = tmux(["send-keys", "-t", "sh", "3"])
        _ = tmux(["send-keys", "-t", "sh", "Enter"])
        XCTAssertTrue(waitUntil { $0.contains("Declines and reviews") && !$0.contains("Risk score") && !$0.contains("Decisions per minute") }, visible())
        // Filter it down to nothing, then clear the filter.
        _ = tmux(["send-keys", "-t", "sh", "/"])
        _ = tmux(["send-keys", "-t", "sh", "-l", "zzqq"])
        XCTAssertTrue(waitUntil { $0.contains("filter: zzqq") }, visible())
        _ = tmux(["send-keys", "-t", "sh", "Enter"])
        XCTAssertTrue(waitUntil { !$0.contains("TXN0") }, "no row matches the filter:\n\(visible())")
        _ = tmux(["send-keys", "-t", "sh", "/"])
        _ = tmux(["send-keys", "-t", "sh", "Escape"])
        XCTAssertTrue(waitUntil { $0.contains("TXN0") }, "the filter is cleared:\n\(visible())")
        _ = tmux(["send-keys", "-t", "sh", "Enter"])
        XCTAssertTrue(waitUntil { $0.contains("Risk score") }, "unzoomed:\n\(visible())")
        // Resize: the layout follows the new size.
        _ = tmux(["resize-window", "-t", "sh", "-x", "90", "-y", "26"])
        XCTAssertTrue(waitUntil { s in
            let lines = s.split(separator: "\n", omittingEmptySubsequences: false)
            return lines.count >= 26 && lines.allSatisfy { $0.count <= 90 } && lines.contains { $0.hasSuffix("┐") && $0.count == 90 }
        }, "relaid out at 90x26:\n\(visible())")
        _ = tmux(["send-keys", "-t", "sh", "q"])
        _ = tmux(["send-keys", "-t", "sh", "echo back-$((20+22))", "Enter"])
        XCTAssertTrue(waitFor("back-42"), screen())
    }
}
