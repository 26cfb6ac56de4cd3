import Foundation
import XCTest

/// The line being typed is coloured through readline's redisplay hook (keywords, strings, numbers, comments,
/// unknown names in red), `.highlight off` and NO_COLOR turn it off, and the prompt counts running queries.
final class HighlightTmuxTests: XCTestCase {
    let terminal = Tmux(socket: "streamsql-highlight")

    func send(_ keys: String...) { _ = terminal(["send-keys", "-t", "sh"] + keys) }
    /// The visible screen with its escape sequences.
    func coloured() -> String { terminal(["capture-pane", "-t", "sh", "-p", "-e"]) }

    func start(_ env: String) throws -> URL {
        let binary = InteractiveShellTests.root.appendingPathComponent(".build/debug/streamsql").path
        guard FileManager.default.isExecutableFile(atPath: binary) else { throw XCTSkip("build the streamsql binary first") }
        guard !terminal(["-V"]).isEmpty else { throw XCTSkip("tmux is not installed") }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("streamsql-hl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        _ = terminal(["kill-server"])
        _ = terminal(["new-session", "-d", "-s", "sh", "-x", "160", "-y", "30", "env -u NO_COLOR XDG_STATE_HOME=\(dir.path) HOME=\(dir.path) \(env) \(binary); echo exited $?; sleep 30"])
        XCTAssertTrue(terminal.waitFor("streamsql>"), terminal.screen())
        return dir
    }

    func testTheLineIsColouredUntilTurnedOffAndThePromptCountsQueries() throws {
        let dir = try start("")
        defer { try? FileManager.default.removeItem(at: dir); _ = terminal(["kill-server"]) }
        send("CREATE STREAM s (k STRING, v INT)\\;", "Enter")
        XCTAssertTrue(terminal.waitFor("stream s created"), terminal.screen())
        XCTAssertFalse(coloured().contains("\u{1B}[31m"), "declared columns and types are not unknown names: \(coloured())")
        send("SELECT k, nosuch, 'text', 42 FROM s WHERE v > 1 -- why")
        XCTAssertTrue(terminal.waitUntil { $0.contains("-- why") }, terminal.visible())
        let line = coloured().split(separator: "\n").last { $0.contains("-- why") }.map(String.init) ?? ""
        XCTAssertTrue(line.contains("\u{1B}[1m\u{1B}[34mSELECT") || line.contains("\u{1B}[1;34mSELECT"), "keywords bold blue: \(line)")
        XCTAssertTrue(line.contains("\u{1B}[31mnosuch"), "an unknown name in red: \(line)")
        XCTAssertFalse(line.contains("\u{1B}[31mk,"), "a known column is not red: \(line)")
        XCTAssertTrue(line.contains("\u{1B}[32m'text'"), "strings green: \(line)")
        XCTAssertTrue(line.contains("\u{1B}[36m42"), "numbers cyan: \(line)")
        XCTAssertTrue(line.contains("\u{1B}[2m"), "the comment dim: \(line)")
        // The cursor stays where readline has it: two to the left of the end.
        send("Left", "Left")
        XCTAssertTrue(terminal.waitUntil { _ in
            let x = Int(self.terminal(["display", "-t", "sh", "-p", "#{cursor_x}"]).trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
            return x == "streamsql> SELECT k, nosuch, 'text', 42 FROM s WHERE v > 1 -- why".count - 2
        }, terminal.visible())
        send("C-e", "C-u")

        // The prompt counts running queries; an accepted line ends where it should.
        send("CREATE QUERY big AS SELECT k FROM s\\;", "Enter")
        XCTAssertTrue(terminal.waitFor("streamsql [1 running]>"), terminal.screen())
        XCTAssertTrue(terminal.screen().contains("streamsql> CREATE QUERY big AS SELECT k FROM s;\nquery big running"), terminal.screen())

        send(".highlight off", "Enter")
        XCTAssertTrue(terminal.waitFor("highlight off"), terminal.screen())
        send("SELECT nosuch2 FROM s")
        XCTAssertTrue(terminal.waitUntil { $0.contains("SELECT nosuch2 FROM s") }, terminal.visible())
        XCTAssertFalse(coloured().contains("\u{1B}[31mnosuch2"), coloured())
        send("C-e", "C-u", ".highlight on", "Enter")
        XCTAssertTrue(terminal.waitFor("highlight on"), terminal.screen())
        send("SELECT nosuch3 FROM s")
        XCTAssertTrue(terminal.waitUntil { _ in self.coloured().contains("\u{1B}[31mnosuch3") }, coloured())

        // SIGTERM at the prompt: exit status 143.
        let shell = terminal.panePID ?? 0
        let child = ((try? String(contentsOfFile: "/proc/\(shell)/task/\(shell)/children", encoding: .utf8)) ?? "").split(separator: " ").compactMap { Int32($0) }.first
        if let child { kill(child, SIGTERM) }
        XCTAssertTrue(terminal.waitFor("exited 143"), terminal.screen())
    }

    func testNoColorLeavesTheLineAlone() throws {
        let dir = try start("NO_COLOR=1")
        defer { try? FileManager.default.removeItem(at: dir); _ = terminal(["kill-server"]) }
        send("SELECT nosuch, 'text' FROM s")
        XCTAssertTrue(terminal.waitUntil { $0.contains("SELECT nosuch, 'text' FROM s") }, terminal.visible())
        XCTAssertFalse(coloured().contains("\u{1B}[3"), coloured())
    }
}
