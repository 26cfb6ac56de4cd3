import Foundation
import XCTest

/// The inspector in a real terminal (tmux, 80×24): `i` on a windowed pane fed by a file replay with a late
/// row and bad lines opens it, Esc closes it and stays in the dashboard, q leaves.
final class InspectorTerminalTests: ScratchFolderTestCase {
    let terminal = Tmux(socket: "streamsql-inspector-test")

    func testIOpensTheInspectorAndEscClosesIt() throws {
        guard !terminal(["-V"]).isEmpty else { throw XCTSkip("tmux is not installed") }
        defer { _ = terminal(["kill-server"]) }
        let script = dir.appendingPathComponent("w.sql"), events = dir.appendingPathComponent("ev.jsonl")
        try """
            CREATE STREAM s;
            CREATE QUERY w AS SELECT k, COUNT(*) AS c FROM s GROUP BY k, TumblingWindow('10s') WITH (TIMESTAMP='ts', TIMEUNIT='ms', MAXOUTOFORDERNESS='2s');
            """.write(to: script, atomically: true, encoding: .utf8)
        try """
            {"k":"a","ts":1000}
            {"k":"b","ts":3000
            {"k":"a","ts":15000}
            not json
            {"k":"a","ts":2000}
            {"k":"b","ts":25000}
            """.write(to: events, atomically: true, encoding: .utf8)
        _ = terminal(["kill-server"])
        _ = terminal(["new-session", "-d", "-s", "sh", "-x", "80", "-y", "24", "env PS1='ready$ ' TERM=xterm-256color NCURSES_NO_UTF8_ACS=1 bash --norc"])
        XCTAssertTrue(terminal.waitFor("ready$"), terminal.visible())
        _ = terminal(["send-keys", "-t", "sh", "\(StreamsqlBinary.path) dashboard '\(script.path)' --replay 's=\(events.path)'", "Enter"])
        XCTAssertTrue(terminal.waitUntil { $0.contains("replay done") }, terminal.visible())
        _ = terminal(["send-keys", "-t", "sh", "i"])
        XCTAssertTrue(terminal.waitUntil { s in s.contains("inspector (w)") && s.contains("Open windows (1 listed)") && s.contains("k=b") },
                      terminal.visible())
        XCTAssertTrue(terminal.waitUntil { s in s.contains("Late rows: 1") && s.contains("ev.jsonl:2:") && s.contains("ev.jsonl:4:") }, terminal.visible())
        _ = terminal(["send-keys", "-t", "sh", "Escape"])
        XCTAssertTrue(terminal.waitUntil { s in !s.contains("inspector") && s.contains("(w, ") }, terminal.visible())
        _ = terminal(["send-keys", "-t", "sh", "q"])
        _ = terminal(["send-keys", "-t", "sh", "echo back-$((20+22))", "Enter"])
        XCTAssertTrue(terminal.waitFor("back-42"), terminal.screen())
    }
}
