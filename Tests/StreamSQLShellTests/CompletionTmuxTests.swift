import Foundation
import XCTest

/// Tab completion in the real shell through readline, one context at a time: dot-command arguments,
/// SHOW, FROM, the columns of an untyped stream a generator feeds (learnt from its events), an alias's
/// columns, and the notice for a column its events never held.
final class CompletionTmuxTests: XCTestCase {
    let terminal = Tmux(socket: "streamsql-completion")

    /// Clears the line, types `text`, presses Tab (twice to list several matches) and waits for `expect`
    /// (tmux drops the space readline adds after a single match, so `expect` ends with the word).
    func tab(_ text: String, twice: Bool = false, expect: String, file: StaticString = #filePath, line: UInt = #line) {
        _ = terminal(["send-keys", "-t", "sh", "C-u", "C-l"])
        usleep(150_000)
        _ = terminal(["send-keys", "-t", "sh", text, "Tab"] + (twice ? ["Tab"] : []))
        XCTAssertTrue(terminal.waitUntil(seconds: 10) { $0.contains(expect) }, "\(text) ⇥ should show \(expect):\n\(terminal.visible())", file: file, line: line)
    }

    func testEachCompletionContext() throws {
        let binary = InteractiveShellTests.root.appendingPathComponent(".build/debug/streamsql").path
        guard FileManager.default.isExecutableFile(atPath: binary) else { throw XCTSkip("build the streamsql binary first") }
        guard !terminal(["-V"]).isEmpty else { throw XCTSkip("tmux is not installed") }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("streamsql-completion-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir); _ = terminal(["kill-server"]) }
        _ = terminal(["kill-server"])
        _ = terminal(["new-session", "-d", "-s", "sh", "-x", "120", "-y", "30", "env XDG_STATE_HOME=\(dir.path) HOME=\(dir.path) \(binary)"])
        XCTAssertTrue(terminal.waitFor("streamsql>"), terminal.screen())

        // Dot-command arguments (before this, `.gen fr` completed to `.gen from`, `.mode c` to functions).
        tab(".gen fr", expect: "streamsql> .gen fraud")
        _ = terminal(["send-keys", "-t", "sh", "Enter"])
        XCTAssertTrue(terminal.waitFor("generating fraud into transactions"), terminal.screen())
        tab(".mode c", twice: true, expect: "changelog  csv")
        tab(".mode ver", expect: "streamsql> .mode vertical")
        tab(".set back_pressure drop-n", expect: ".set back_pressure drop-newest")
        tab(".pane add h ba", expect: ".pane add h bars")

        // SHOW offers only what can be shown; FROM offers streams and tables.
        tab("SHOW ", twice: true, expect: "FUNCTIONS  QUERIES    STREAMS    TABLES")
        tab("SHOW Q", expect: "streamsql> SHOW QUERIES")
        tab("SELECT * FROM tra", expect: "FROM transactions")

        // The generator's stream is untyped: its columns come from the events it carried.
        tab("SELECT * FROM transactions WHERE merch", expect: "WHERE merchant")
        tab("SELECT * FROM transactions t WHERE t.am", expect: "WHERE t.amount")
        tab("SELECT * FROM transactions AS t WHERE t.", twice: true, expect: "t.device_fingerprint")

        // A misspelt column of an untyped stream reads as NULL; the shell says so and names the closest field.
        _ = terminal(["send-keys", "-t", "sh", "C-u", "CREATE QUERY big AS SELECT user_id FROM transactions WHERE amout > 100\\;", "Enter"])
        XCTAssertTrue(terminal.waitFor("'amout' (did you mean 'amount'?)"), terminal.screen())
        // Named queries complete after STOP QUERY and as pane queries.
        tab("STOP QUERY b", expect: "STOP QUERY big")
        tab(".pane add h table b", expect: ".pane add h table big")

        // DESCRIBE shows the profile of the fields seen.
        _ = terminal(["send-keys", "-t", "sh", "C-u", "DESCRIBE transactions\\;", "Enter"])
        XCTAssertTrue(terminal.waitFor("seen as"), terminal.screen())
        XCTAssertTrue(terminal.screen().contains("merchant"), terminal.screen())
        _ = terminal(["send-keys", "-t", "sh", ".gen stop", "Enter"])
        XCTAssertTrue(terminal.waitFor("stopped fraud"), terminal.screen())
    }
}
