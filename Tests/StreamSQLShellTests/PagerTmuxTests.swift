import Foundation
import XCTest

/// Statement results longer than the terminal go through the pager: `$PAGER` when set (here a `sed` that
/// marks its lines, and `cat`), `less -SRFX` otherwise; `.pager off` prints them directly.
final class PagerTmuxTests: XCTestCase {
    let terminal = Tmux(socket: "streamsql-pager")

    func start(env: String) throws -> URL {
        let binary = InteractiveShellTests.root.appendingPathComponent(".build/debug/streamsql").path
        guard FileManager.default.isExecutableFile(atPath: binary) else { throw XCTSkip("build the streamsql binary first") }
        guard !terminal(["-V"]).isEmpty else { throw XCTSkip("tmux is not installed") }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("streamsql-pager-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        _ = terminal(["kill-server"])
        _ = terminal(["new-session", "-d", "-s", "sh", "-x", "100", "-y", "20", "env \(env) XDG_STATE_HOME=\(dir.path) HOME=\(dir.path) \(binary)"])
        XCTAssertTrue(terminal.waitFor("streamsql>"), terminal.screen())
        return dir
    }

    func send(_ keys: String...) { _ = terminal(["send-keys", "-t", "sh"] + keys) }

    func testPagerFromTheEnvironmentAndOff() throws {
        let dir = try start(env: "PAGER='sed s/^/PAGED:/'")
        defer { try? FileManager.default.removeItem(at: dir); _ = terminal(["kill-server"]) }
        send("SHOW FUNCTIONS\\;", "Enter")
        XCTAssertTrue(terminal.waitFor("PAGED:("), terminal.screen())
        XCTAssertTrue(terminal.screen().contains("PAGED:year "), terminal.screen())
        // Short results are not paged.
        send("SHOW TABLES\\;", "Enter")
        XCTAssertTrue(terminal.waitFor("(0 rows)"), terminal.screen())
        XCTAssertFalse(terminal.screen().contains("PAGED:(0 rows)"), terminal.screen())
        send("C-l", ".pager off", "Enter")
        XCTAssertTrue(terminal.waitFor("pager off"), terminal.screen())
        send("SHOW FUNCTIONS\\;", "Enter")
        XCTAssertTrue(terminal.waitFor("rows)"), terminal.screen())
        // What came after `.pager off` (the paged output before it may still be in the scrollback).
        let afterOff = terminal.screen().components(separatedBy: "pager off").last ?? ""
        XCTAssertFalse(afterOff.contains("PAGED:"), afterOff)
    }

    func testPagerCatShowsEverything() throws {
        let dir = try start(env: "PAGER=cat")
        defer { try? FileManager.default.removeItem(at: dir); _ = terminal(["kill-server"]) }
        send("SHOW FUNCTIONS\\;", "Enter")
        XCTAssertTrue(terminal.waitFor("rows)\nstreamsql>"), "the whole result, then the prompt: \(terminal.screen())")
        let screen = terminal.screen()
        XCTAssertTrue(screen.contains("window_start") && screen.contains("year"), screen)
    }

    func testLessByDefaultAndQuitReturnsToThePrompt() throws {
        guard system("command -v less > /dev/null 2>&1") == 0 else { throw XCTSkip("less is not installed") }
        let dir = try start(env: "-u PAGER")
        defer { try? FileManager.default.removeItem(at: dir); _ = terminal(["kill-server"]) }
        send("SHOW FUNCTIONS\\;", "Enter")
        // less waits with its prompt on the last line; the shell's prompt is not back yet.
        XCTAssertTrue(terminal.waitUntil(seconds: 10) { $0.split(separator: "\n").last == ":" }, terminal.visible())
        XCTAssertFalse(terminal.visible().contains("streamsql>"), terminal.visible())
        send("q")
        XCTAssertTrue(terminal.waitUntil(seconds: 10) { $0.contains("streamsql>") }, terminal.visible())
        send("SHOW STREAMS\\;", "Enter")
        XCTAssertTrue(terminal.waitFor("(2 rows)"), "the shell reads input again: \(terminal.screen())")
    }
}
