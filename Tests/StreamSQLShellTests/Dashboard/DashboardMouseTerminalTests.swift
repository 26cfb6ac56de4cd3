import Foundation
import XCTest

/// The mouse, the help overlay, the value cursor, per-scenario paused history, the feed pausing with the
/// dashboard and the contrast theme in a real terminal (tmux at 120×40 and 80×24) on generator scenarios.
/// Mouse events are written as the SGR escape sequences a terminal sends (`ESC [ < b ; x ; y M`).
final class DashboardMouseTerminalTests: XCTestCase {
    let terminal = Tmux(socket: "streamsql-mouse-test")
    func tmux(_ args: [String]) -> String { terminal(args) }
    func visible() -> String { terminal.visible() }
    func waitUntil(seconds: Double = 30, _ check: (String) -> Bool) -> Bool { terminal.waitUntil(seconds: seconds, check) }
    func lines(_ s: String) -> [String] { s.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }

    /// Starts a shell in a `cols`×`rows` tmux window and runs `command` (the binary's arguments) there, with
    /// `env` as its only colour setting (the test runner's own NO_COLOR is taken away).
    func start(_ command: String, cols: Int, rows: Int, env: String = "") throws {
        let binary = InteractiveShellTests.root.appendingPathComponent(".build/debug/streamsql").path
        guard FileManager.default.isExecutableFile(atPath: binary) else { throw XCTSkip("build the streamsql binary first") }
        guard !tmux(["-V"]).isEmpty else { throw XCTSkip("tmux is not installed") }
        _ = tmux(["kill-server"])
        _ = tmux(["new-session", "-d", "-s", "sh", "-x", "\(cols)", "-y", "\(rows)", "env PS1='ready$ ' TERM=xterm-256color NCURSES_NO_UTF8_ACS=1 bash --norc"])
        XCTAssertTrue(terminal.waitFor("ready$"), visible())
        _ = tmux(["send-keys", "-t", "sh", "cd '\(InteractiveShellTests.root.path)' && env -u NO_COLOR \(env) \(binary) \(command)", "Enter"])
    }

    /// A press of the left button at the screen's `x`, `y` (0-based), and its release.
    func click(_ x: Int, _ y: Int) { _ = tmux(["send-keys", "-t", "sh", "-l", "\u{1b}[<0;\(x + 1);\(y + 1)M\u{1b}[<0;\(x + 1);\(y + 1)m"]) }
    func wheel(down: Bool, _ x: Int, _ y: Int) { _ = tmux(["send-keys", "-t", "sh", "-l", "\u{1b}[<\(down ? 65 : 64);\(x + 1);\(y + 1)M"]) }

    /// The screen without its header line (whose clock moves) once it stops changing: the generator ran
    /// its --events and the panes show their last results.
    func settled() -> [String] {
        var last: [String] = []
        for _ in 0..<60 {
            let now = Array(lines(visible()).dropFirst())
            if now == last, now.contains(where: { $0.contains("█") }) { return now }
            last = now
            usleep(700_000)
        }
        return last
    }

    /// The mouse flags tmux keeps for the pane: whether the program asked for mouse reports.
    var mouseOn: Bool { tmux(["display-message", "-p", "-t", "sh", "#{mouse_any_flag}#{mouse_standard_flag}#{mouse_sgr_flag}"]).contains("1") }

    func testMouseAt80x24() throws { try mouse(cols: 80, rows: 24) }
    func testMouseAt120x40() throws { try mouse(cols: 120, rows: 40) }

    /// Click a table row (the title says which), double click it (the detail view of that building), the
    /// wheel (three rows), click a bar (its read-out), click the sparkline and ← (the value cursor).
    func mouse(cols: Int, rows: Int) throws {
        defer { _ = tmux(["kill-server"]) }
        try start("demo energy --seed 7 --events 4000", cols: cols, rows: rows)
        XCTAssertTrue(waitUntil { $0.contains("Plan per building") && $0.contains("Savings leaderboard") }, visible())
        var screen = settled()
        XCTAssertTrue(mouseOn, "the dashboard asks for mouse reports")
        // The screen lines below the header: index i is screen row i + 1.
        let planTitle = try XCTUnwrap(screen.firstIndex { $0.contains("Plan per building") }, screen.joined(separator: "\n"))
        let rowLine = planTitle + 4  // title, column names, then the third row
        let row = screen[rowLine]
        let col = try XCTUnwrap(row.range(of: "│B0", options: .backwards).map { row.distance(from: row.startIndex, to: $0.lowerBound) + 1 }, row)
        let building = String(row[row.index(row.startIndex, offsetBy: col)...].prefix(4))
        click(col + 1, rowLine + 1)
        XCTAssertTrue(waitUntil { s in s.contains("Plan per building  3/") }, "the click selects the third row:\n\(visible())")
        // A double click: two presses a moment apart, as a hand makes them.
        click(col + 1, rowLine + 1)
        usleep(100_000)
        click(col + 1, rowLine + 1)
        XCTAssertTrue(waitUntil { s in s.contains("Plan per building › row") && s.contains("building_id: \(building)") }, "opens \(building):\n\(visible())")
        _ = tmux(["send-keys", "-t", "sh", "Escape"])
        XCTAssertTrue(waitUntil { s in !s.contains("› row") && s.contains("Plan per building  3/") }, visible())
        wheel(down: true, col + 1, rowLine + 1)
        XCTAssertTrue(waitUntil { s in s.contains("Plan per building  6/") }, "the wheel moves three rows:\n\(visible())")
        wheel(down: false, col + 1, rowLine + 1)
        XCTAssertTrue(waitUntil { s in s.contains("Plan per building  3/") }, visible())
        // A bar: the read-out names its key and exact value.
        screen = Array(lines(visible()).dropFirst())
        let barsTitle = try XCTUnwrap(screen.firstIndex { $0.contains("Savings leaderboard") })
        let bar = screen[barsTitle + 2]
        let barCol = try XCTUnwrap(bar.range(of: "│B0", options: .backwards).map { bar.distance(from: bar.startIndex, to: $0.lowerBound) + 1 })
        let barKey = String(bar[bar.index(bar.startIndex, offsetBy: barCol)...].prefix(4))
        click(barCol + 1, barsTitle + 2 + 1)
        XCTAssertTrue(waitUntil { s in s.contains("◆ building_id \(barKey) = ") }, "the bar \(barKey):\n\(visible())")
        // The sparkline: a click focuses it, ← reads out its newest point, another ← the one before.
        let sparkTitle = try XCTUnwrap(screen.firstIndex { $0.contains("Campus consumption") })
        click(5, sparkTitle + 1 + 1)
        _ = tmux(["send-keys", "-t", "sh", "Left"])
        XCTAssertTrue(waitUntil { s in s.contains("◆ kw ") && s.contains("(newest)") }, visible())
        _ = tmux(["send-keys", "-t", "sh", "Left"])
        XCTAssertTrue(waitUntil { s in s.contains("◆ kw ") && s.contains("(1 back)") }, visible())
        // The read-out's exact value and the number at the line's end are the same point.
        let now = lines(visible())
        let at = try XCTUnwrap(now.firstIndex { $0.contains("◆ kw ") })
        let exact = try XCTUnwrap(now[at].firstMatch(of: /◆ kw ([0-9.]+)\s/).flatMap { Double($0.1) }, now[at])
        let shown = try XCTUnwrap(now[at - 1].firstMatch(of: /([0-9.]+)│/).flatMap { Double($0.1) }, now[at - 1])
        XCTAssertEqual(shown, exact, accuracy: 0.006)
        _ = tmux(["send-keys", "-t", "sh", "q"])
        _ = tmux(["send-keys", "-t", "sh", "echo back-$((20+22))", "Enter"])
        XCTAssertTrue(terminal.waitFor("back-42"), terminal.screen())
        XCTAssertFalse(mouseOn, "leaving turns the mouse reports off")
    }

    func testHelpFitsAt80x24AndScrolls() throws {
        defer { _ = tmux(["kill-server"]) }
        try start("demo energy --seed 7", cols: 80, rows: 24)
        XCTAssertTrue(waitUntil { $0.contains("Campus consumption") }, visible())
        _ = tmux(["send-keys", "-t", "sh", "?"])
        XCTAssertTrue(waitUntil { $0.contains("─ help ─") }, visible())
        let first = lines(visible())
        let top = try XCTUnwrap(first.firstIndex { $0.contains("─ help ─") })
        let bottom = try XCTUnwrap(first.lastIndex { $0.contains(" of ") && $0.contains("↑↓") }, first.joined(separator: "\n"))
        XCTAssertTrue(top >= 1 && bottom <= 22, "the whole box is on the screen:\n\(visible())")
        XCTAssertTrue(first.contains { $0.contains("Keys") } && !first.contains { $0.contains("close this help") })
        XCTAssertTrue(first.contains { $0.contains(" w ") && $0.contains("why — the inputs") }, "the detail view's w is listed:\n\(visible())")
        _ = tmux(["send-keys", "-t", "sh", "NPage"])
        _ = tmux(["send-keys", "-t", "sh", "NPage"])
        XCTAssertTrue(waitUntil { s in s.contains("close this help") && !s.contains("Keys") }, "scrolled to the end:\n\(visible())")
        _ = tmux(["send-keys", "-t", "sh", "PPage"])
        _ = tmux(["send-keys", "-t", "sh", "PPage"])
        XCTAssertTrue(waitUntil { $0.contains("Keys") && $0.contains("─ help ─") }, visible())
        _ = tmux(["send-keys", "-t", "sh", "?"])
        XCTAssertTrue(waitUntil { !$0.contains("─ help ─") && $0.contains("Campus consumption") }, visible())
        _ = tmux(["send-keys", "-t", "sh", "q"])
        XCTAssertTrue(terminal.waitFor("ready$"), terminal.screen())
    }

    /// Two scripts (two pane groups), the generator feeding one: switching and stepping back while paused
    /// never shows one group's panes under the other's header.
    func testPausedHistoryStaysWithinOneScenario() throws {
        defer { _ = tmux(["kill-server"]) }
        try start("dashboard demos/supply.sql demos/energy.sql --gen energy --rate 400", cols: 120, rows: 40)
        XCTAssertTrue(waitUntil { $0.contains("▸ supply.sql") && $0.contains("Stock alerts") }, visible())
        for _ in 0..<3 {
            _ = tmux(["send-keys", "-t", "sh", "]"])
            XCTAssertTrue(waitUntil { $0.contains("▸ energy.sql") && $0.contains("Campus consumption") }, visible())
            usleep(600_000)
            _ = tmux(["send-keys", "-t", "sh", "]"])
            XCTAssertTrue(waitUntil { $0.contains("▸ supply.sql") && $0.contains("Stock alerts") }, visible())
            usleep(600_000)
        }
        _ = tmux(["send-keys", "-t", "sh", "Space"])
        XCTAssertTrue(waitUntil { $0.contains("PAUSED") }, visible())
        func check(_ s: String) {
            let supply = s.contains("▸ supply.sql"), energy = s.contains("▸ energy.sql")
            XCTAssertTrue(supply != energy, s)
            if supply { XCTAssertTrue(s.contains("Stock alerts") && !s.contains("Campus consumption"), s) }
            if energy { XCTAssertTrue(s.contains("Campus consumption") && !s.contains("Stock alerts"), s) }
        }
        for group in 0..<3 {
            for _ in 0..<5 {
                _ = tmux(["send-keys", "-t", "sh", "Left"])
                usleep(300_000)
                check(visible())
            }
            _ = tmux(["send-keys", "-t", "sh", group % 2 == 0 ? "]" : "["])
            XCTAssertTrue(waitUntil { s in s.contains(group % 2 == 0 ? "▸ energy.sql" : "▸ supply.sql") }, visible())
            check(visible())
        }
        _ = tmux(["send-keys", "-t", "sh", "q"])
        XCTAssertTrue(terminal.waitFor("ready$"), terminal.screen())
    }

    /// The event time in the header stands still while paused (the generator waits) and moves on with
    /// --keep-feeding; the header says which.
    func testPausingHoldsTheFeedUnlessKeepFeeding() throws {
        defer { _ = tmux(["kill-server"]) }
        func eventTime(_ s: String) -> String? { s.firstMatch(of: /event (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)/).map { String($0.1) } }
        for keep in [false, true] {
            try start("demo energy --seed 7" + (keep ? " --keep-feeding" : ""), cols: 120, rows: 40)
            XCTAssertTrue(waitUntil { eventTime($0) != nil && $0.contains("Campus consumption") }, visible())
            _ = tmux(["send-keys", "-t", "sh", "Space"])
            XCTAssertTrue(waitUntil { $0.contains(keep ? "· feed running" : "· feed paused") }, visible())
            usleep(500_000)
            let before = eventTime(visible())
            usleep(2_500_000)
            let after = eventTime(visible())
            if keep { XCTAssertNotEqual(before, after, "the generator goes on") } else { XCTAssertEqual(before, after, "the generator waits") }
            _ = tmux(["send-keys", "-t", "sh", "Space"])
            XCTAssertTrue(waitUntil { s in !s.contains("PAUSED") && eventTime(s) != after }, "resumed:\n\(visible())")
            if keep {
                _ = tmux(["send-keys", "-t", "sh", "q"])
            } else {
                // Ctrl-C while the feed is held: the generator stops all the same, the terminal is restored.
                _ = tmux(["send-keys", "-t", "sh", "Space"])
                XCTAssertTrue(waitUntil { $0.contains("feed paused") }, visible())
                _ = tmux(["send-keys", "-t", "sh", "C-c"])
                XCTAssertTrue(terminal.waitFor("dashboard closed by Ctrl-C; terminal restored"), terminal.screen())
                XCTAssertFalse(mouseOn)
                XCTAssertEqual(tmux(["display-message", "-p", "-t", "sh", "#{alternate_on}"]).trimmingCharacters(in: .whitespacesAndNewlines), "0")
            }
            XCTAssertTrue(terminal.waitFor("ready$"), terminal.screen())
        }
    }

    /// --theme contrast draws on a black background with bright colours; NO_COLOR still wins; --no-mouse
    /// leaves the mouse to the terminal; a wrong theme is a usage error.
    func testContrastThemeNoColorAndNoMouse() throws {
        defer { _ = tmux(["kill-server"]) }
        try start("demo energy --seed 7 --theme contrast", cols: 120, rows: 40)
        XCTAssertTrue(waitUntil { $0.contains("Campus consumption") }, visible())
        usleep(500_000)
        var styled = tmux(["capture-pane", "-t", "sh", "-p", "-e"])
        let codes = Set(DashboardColorTests.colourCodes(in: styled).flatMap { $0.split(separator: ";").compactMap { Int($0) } })
        XCTAssertTrue(codes.contains(40), "a black background: \(codes.sorted())")
        XCTAssertTrue(codes.contains(97) && codes.contains(96), "bright white and cyan text: \(codes.sorted())")
        XCTAssertFalse(codes.contains(90), "no grey: \(codes.sorted())")
        _ = tmux(["send-keys", "-t", "sh", "q"])
        XCTAssertTrue(terminal.waitFor("ready$"), terminal.screen())

        try start("demo energy --seed 7 --theme contrast --no-mouse", cols: 80, rows: 24, env: "NO_COLOR=1")
        XCTAssertTrue(waitUntil { $0.contains("Campus consumption") }, visible())
        usleep(500_000)
        styled = tmux(["capture-pane", "-t", "sh", "-p", "-e"])
        XCTAssertEqual(DashboardColorTests.colourCodes(in: styled), [], "no colour escapes")
        XCTAssertFalse(mouseOn, "--no-mouse leaves the mouse to the terminal")
        let plan = try XCTUnwrap(lines(visible()).firstIndex { $0.contains("Plan per building") })
        click(60, plan + 3)
        usleep(800_000)
        XCTAssertNil(visible().firstMatch(of: /Plan per building  \d+\//), "no row selected:\n\(visible())")
        _ = tmux(["send-keys", "-t", "sh", "q"])
        _ = tmux(["send-keys", "-t", "sh", "\(InteractiveShellTests.root.appendingPathComponent(".build/debug/streamsql").path) demo energy --theme neon; echo status-$?", "Enter"])
        XCTAssertTrue(terminal.waitFor("status-2"), terminal.screen())
        XCTAssertTrue(terminal.screen().contains("--theme must be one of: default, contrast, got 'neon'"), terminal.screen())
    }
}
