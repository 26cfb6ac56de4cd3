import Foundation
import XCTest

/// `.set @parameter VALUE` at the interactive prompt: the what-if diff, then a y/N question; no keeps the
/// old value, yes restarts the query with the new one.
final class ParameterShellTests: XCTestCase {
    let terminal = Tmux(socket: "streamsql-param")
    func send(_ keys: String) { terminal(["send-keys", "-t", "sh", keys, "Enter"]) }

    func testAParameterChangeAsksBeforeItIsAdopted() throws {
        let binary = InteractiveShellTests.root.appendingPathComponent(".build/debug/streamsql").path
        guard FileManager.default.isExecutableFile(atPath: binary) else { throw XCTSkip("build the streamsql binary first") }
        guard !terminal(["-V"]).isEmpty else { throw XCTSkip("tmux is not installed") }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("streamsql-param-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir); _ = terminal(["kill-server"]) }
        _ = terminal(["kill-server"])
        terminal(["new-session", "-d", "-s", "sh", "-x", "120", "-y", "40", "env XDG_STATE_HOME=\(dir.path)/state HOME=\(dir.path) \(binary)"])
        XCTAssertTrue(terminal.waitFor("streamsql>"), terminal.screen())
        send("CREATE STREAM s\\;")
        send("SET @t = 50\\;")
        send("CREATE QUERY hot AS SELECT v FROM s WHERE v > @t\\;")
        send("INSERT INTO s (v) VALUES (40), (60), (80)\\;")
        XCTAssertTrue(terminal.waitFor("3 events inserted"), terminal.screen())
        send(".set @t 70")
        XCTAssertTrue(terminal.waitFor("adopt @t = 70 and restart hot? [y/N]"), terminal.screen())
        XCTAssertTrue(terminal.screen().contains("old 2 rows · new 1 · 1 gone · 0 new · 0 changed"), terminal.screen())
        XCTAssertTrue(terminal.screen().contains("gone   | 60"), terminal.screen())
        send("n")
        XCTAssertTrue(terminal.waitFor("kept @t = 50; nothing changed"), terminal.screen())
        send("SHOW PARAMETERS\\;")
        XCTAssertTrue(terminal.waitFor("@t        |    50 | hot"), terminal.screen())
        send(".set @t 75")
        XCTAssertTrue(terminal.waitFor("adopt @t = 75"), terminal.screen())
        send("y")
        XCTAssertTrue(terminal.waitFor("@t = 75; restarted hot"), terminal.screen())
        send(".show")
        XCTAssertTrue(terminal.waitFor("parameter (.set @t VALUE"), terminal.screen())
    }
}
