import Foundation
@testable import StreamSQLShell
import StreamSQLScenarios
import XCTest

/// The fraud story presented in a real terminal, stepped with keys; and incidents from the shell.
final class PresenterTerminalTests: XCTestCase {
    let terminal = Tmux(socket: "streamsql-present-test")
    @discardableResult func tmux(_ args: [String]) -> String { terminal(args) }
    func visible() -> String { terminal.visible() }

    override func tearDown() { _ = tmux(["kill-server"]) }

    func start(_ command: String, cols: Int = 100, rows: Int = 30) throws {
        let binary = InteractiveShellTests.root.appendingPathComponent(".build/debug/streamsql").path
        guard FileManager.default.isExecutableFile(atPath: binary) else { throw XCTSkip("build the streamsql binary first") }
        guard !tmux(["-V"]).isEmpty else { throw XCTSkip("tmux is not installed") }
        _ = tmux(["kill-server"])
        _ = tmux(["new-session", "-d", "-s", "sh", "-x", "\(cols)", "-y", "\(rows)", "env PS1='ready$ ' TERM=xterm-256color NCURSES_NO_UTF8_ACS=1 bash --norc"])
        XCTAssertTrue(terminal.waitFor("ready$"), visible())
        _ = tmux(["send-keys", "-t", "sh", "cd '\(InteractiveShellTests.root.path)' && \(binary) \(command)", "Enter"])
    }

    /// The screen once step `n` (1-based) has run to its end.
    func settled(step n: Int) -> String {
        var s = ""
        XCTAssertTrue(terminal.waitUntil(seconds: 60) { screen in
            s = screen
            let top = screen.split(separator: "\n").first ?? ""
            return top.contains("step \(n)/4") && (top.contains("→ next") || top.contains("the end"))
        }, "step \(n) did not finish:\n\(s)")
        return visible()
    }

    func line(_ screen: String, _ txn: String) -> String {
        screen.split(separator: "\n").first { $0.contains(txn) }.map(String.init) ?? ""
    }

    func testTheFraudStorySteppedWithKeysAndBackReproducesTheFrameAndIsRecorded() throws {
        let cast = FileManager.default.temporaryDirectory.appendingPathComponent("story-\(getpid()).cast").path
        defer { try? FileManager.default.removeItem(atPath: cast) }
        try start("present fraud --record \(cast)")
        let first = settled(step: 1)
        XCTAssertTrue(first.contains("Normal traffic: each bar is one payment's risk score"), first)
        XCTAssertFalse(first.contains("TXN001201"), first)
        tmux(["send-keys", "-t", "sh", "Right"])
        let second = settled(step: 2)
        XCTAssertTrue(second.contains("Account takeover: user U0042 makes 8 large purchases"), second)
        // The burst's last three transactions score 0.85: new city, new device, and now velocity too.
        XCTAssertTrue(line(second, "TXN001208").contains("0.85"), second)
        tmux(["send-keys", "-t", "sh", "Space"])
        let third = settled(step: 3)
        XCTAssertTrue(third.contains("the decline threshold"), third)
        XCTAssertTrue(line(third, "TXN001208").contains("● decline"), third)
        // ← re-runs the story to the end of step 2: the very same screen.
        tmux(["send-keys", "-t", "sh", "Left"])
        XCTAssertEqual(settled(step: 2), second)
        tmux(["send-keys", "-t", "sh", "Left"])
        XCTAssertEqual(settled(step: 1), first)
        // p pauses: the state says so, and p again resumes.
        tmux(["send-keys", "-t", "sh", "p"])
        XCTAssertTrue(terminal.waitUntil(seconds: 5) { $0.contains("PAUSED: p resumes") }, visible())
        tmux(["send-keys", "-t", "sh", "p"])
        let last = settled(step: 1)
        tmux(["send-keys", "-t", "sh", "q"])
        XCTAssertTrue(terminal.waitFor("ready$"), visible())

        // The recording: asciicast v2 (Cast checks that every line parses and that times never go back),
        // at the terminal's size, its last frame the last screen.
        let recorded = try Cast(text: String(contentsOfFile: cast, encoding: .utf8))
        XCTAssertEqual(recorded.width, 100)
        XCTAssertEqual(recorded.height, 30)
        XCTAssertGreaterThan(recorded.events.count, 5)
        let times = recorded.events.map(\.time)
        XCTAssertEqual(times, times.sorted())
        XCTAssertEqual(Set(times).count, times.count, "times increase")
        func trimmed(_ s: String) -> [String] {
            s.split(separator: "\n", omittingEmptySubsequences: false).map { String($0.reversed().drop { $0 == " " }.reversed()) }
                .reversed().drop { $0.isEmpty }.reversed()
        }
        let final = try XCTUnwrap(recorded.events.last?.text)
        XCTAssertTrue(final.hasPrefix("\u{1B}[H\u{1B}[2J"))
        XCTAssertEqual(trimmed(String(final.dropFirst(7)).replacingOccurrences(of: "\r\n", with: "\n")), trimmed(last))
        // Played back (fast), it ends on that frame.
        let played = try StreamsqlBinary.run(["play", cast, "--speed", "x1000"])
        XCTAssertEqual(played.status, 0, played.err)
        XCTAssertTrue(played.out.contains(String(final.suffix(200))), played.out.suffix(300).description)
        XCTAssertEqual(try StreamsqlBinary.run(["play", cast, "--speed", "fast"]).status, 2)
    }

    /// Every shipped story stepped through with → (which hurries a playing step to its end): each caption
    /// shows, and the last screen is the story's last frame computed without a terminal.
    func testEveryStoryEndToEndWithKeys() throws {
        let demos = InteractiveShellTests.root.appendingPathComponent("demos").path
        func trimmed(_ s: String) -> [String] {
            s.split(separator: "\n", omittingEmptySubsequences: false).map { String($0.reversed().drop { $0 == " " }.reversed()) }
                .reversed().drop { $0.isEmpty }.reversed()
        }
        for scenario in Scenarios.business {
            let story = try Story.parse(try String(contentsOfFile: demos + "/stories/\(scenario.name).sql", encoding: .utf8))
            let n = story.steps.count
            try start("present \(scenario.name)")
            for (k, step) in story.steps.enumerated() {
                if k > 0 { tmux(["send-keys", "-t", "sh", "Right"]) }
                var seen = ""
                XCTAssertTrue(terminal.waitUntil(seconds: 60) { screen in
                    seen = screen
                    let lines = screen.split(separator: "\n")
                    return lines.first?.contains("step \(k + 1)/\(n)") == true && lines.last?.contains(step.caption) == true
                }, "\(scenario.name) step \(k + 1):\n\(seen)")
            }
            var screen = ""
            XCTAssertTrue(terminal.waitUntil(seconds: 60) { screen = $0; return $0.contains("the end") }, screen)
            let expected = try Presenter(story: story, seed: 42, demosDirectory: demos).frame(afterStep: n - 1, width: 100, height: 30)
            XCTAssertEqual(trimmed(visible()), trimmed(expected), scenario.name)
            tmux(["send-keys", "-t", "sh", "q"])
            XCTAssertTrue(terminal.waitFor("ready$"), visible())
        }
    }

    func testIncidentsFromTheShell() throws {
        try start("")
        XCTAssertTrue(terminal.waitFor("streamsql>") || terminal.waitFor(">"), visible())
        tmux(["send-keys", "-t", "sh", ".incident", "Enter"])
        XCTAssertTrue(terminal.waitFor("no generator running: start one with .gen SCENARIO"), visible())
        tmux(["send-keys", "-t", "sh", ".gen fraud 20", "Enter"])
        XCTAssertTrue(terminal.waitFor("generating fraud"), visible())
        tmux(["send-keys", "-t", "sh", ".incident", "Enter"])
        XCTAssertTrue(terminal.waitFor("fraud: burst [user=… count=8]"), visible())
        tmux(["send-keys", "-t", "sh", ".incident burst size=3", "Enter"])
        XCTAssertTrue(terminal.waitFor("burst takes no 'size'; it takes: user, count"), visible())
        tmux(["send-keys", "-t", "sh", ".incident burst user=U0042 count=3", "Enter"])
        XCTAssertTrue(terminal.waitFor("incident burst count=3 user=U0042 from event"), visible())
        tmux(["send-keys", "-t", "sh", ".gen stop", "Enter"])
        tmux(["send-keys", "-t", "sh", ".quit", "Enter"])
        XCTAssertTrue(terminal.waitFor("ready$"), visible())
    }
}
