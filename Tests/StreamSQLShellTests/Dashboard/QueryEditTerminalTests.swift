import Foundation
import XCTest

/// `e` on a dashboard pane in a real terminal (tmux, 80×30): the one-line editor, the old | new split with
/// the differing rows marked, Esc that discards, `a` that adopts (the pane stays and shows the new
/// version's rows), and `$EDITOR` for a query longer than the line.
final class QueryEditTerminalTests: XCTestCase {
    let terminal = Tmux(socket: "streamsql-edit-test")
    func keys(_ k: String...) { terminal(["send-keys", "-t", "sh"] + k) }
    func visible() -> String { terminal.visible() }
    func waitUntil(seconds: Double = 20, _ check: (String) -> Bool) -> Bool { terminal.waitUntil(seconds: seconds, check) }

    func testEditCompareDiscardAndAdopt() throws {
        let binary = InteractiveShellTests.root.appendingPathComponent(".build/debug/streamsql").path
        guard FileManager.default.isExecutableFile(atPath: binary) else { throw XCTSkip("build the streamsql binary first") }
        guard !terminal(["-V"]).isEmpty else { throw XCTSkip("tmux is not installed") }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("streamsql-edit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir); _ = terminal(["kill-server"]) }
        let wide = "SELECT k, v, v * 2 AS doubled, upper(k) AS name FROM s WHERE v > 50 AND k <> 'zzz'"
        try """
            CREATE STREAM s;
            CREATE QUERY hot AS SELECT k, v FROM s WHERE v > 50;
            CREATE QUERY wide AS \(wide);
            INSERT INTO s (k, v) VALUES ('a', 40), ('b', 60), ('c', 80), ('d', 55);
            .pane add p1 table hot
            .pane add p2 table wide
            """.write(to: dir.appendingPathComponent("setup.sql"), atomically: true, encoding: .utf8)
        _ = terminal(["kill-server"])
        // $EDITOR is a sed that raises the threshold, so the test can stand in for a person at an editor.
        terminal(["new-session", "-d", "-s", "sh", "-x", "80", "-y", "30",
                  "env XDG_STATE_HOME=\(dir.path)/state HOME=\(dir.path) TERM=xterm-256color NCURSES_NO_UTF8_ACS=1 PAGER=cat EDITOR='sed -i s/50/70/' \(binary)"])
        XCTAssertTrue(terminal.waitFor("streamsql>"), terminal.screen())
        keys(".read \(dir.path)/setup.sql", "Enter")
        XCTAssertTrue(terminal.waitFor("4 events inserted"), terminal.screen())
        keys(".dashboard", "Enter")
        XCTAssertTrue(waitUntil { $0.contains("p1") && $0.contains("p2") }, visible())

        // e: the running SELECT in the editor; the threshold edited; Enter splits old | new.
        keys("1", "e")
        XCTAssertTrue(waitUntil { $0.contains("edit hot") && $0.contains("running: SELECT k, v FROM s WHERE v > 50") }, visible())
        keys("BSpace", "BSpace", "7", "0", "Enter")
        XCTAssertTrue(waitUntil { $0.contains("old · hot running · 3 rows") && $0.contains("new · edited · 1 rows") }, visible())
        XCTAssertTrue(visible().contains("old 3 rows · new 1 · 2 gone · 0 new · 0 changed"), visible())
        XCTAssertTrue(visible().contains("- k=b  v=60") && visible().contains("- k=d  v=55"), visible())
        XCTAssertTrue(visible().contains("a adopt"), visible())
        // Esc discards: the panes again, nothing changed.
        keys("Escape")
        XCTAssertTrue(waitUntil { !$0.contains("old · hot") && !$0.contains("edit hot") && $0.contains("p1") }, visible())

        // A mistake stays in the editor with the error; fixed, compared, and adopted with a.
        keys("e", "BSpace", "BSpace", ")", "Enter")
        XCTAssertTrue(waitUntil { $0.contains("edit hot") && $0.contains("v > )") && $0.contains("syntax error") }, visible())
        keys("BSpace", "7", "0", "Enter")
        XCTAssertTrue(waitUntil { $0.contains("new · edited · 1 rows") }, visible())
        keys("a")
        XCTAssertTrue(waitUntil { !$0.contains("new · edited") && $0.contains("p1") }, visible())
        keys("q")
        XCTAssertTrue(terminal.waitFor("streamsql>"), terminal.screen())
        keys("INSERT INTO s (k, v) VALUES ('e', 65), ('f', 75)\\;", "Enter")
        keys(".set width 100", "Enter")
        keys("SHOW QUERIES\\;", "Enter")
        // Wrapped lines joined (-J): the statement is wider than the terminal.
        func joined() -> String { terminal(["capture-pane", "-t", "sh", "-p", "-J", "-S", "-200"]) }
        XCTAssertTrue(waitUntil { _ in joined().contains("CREATE OR REPLACE QUERY hot AS SELECT k, v FROM s WHERE v > 70") }, joined())
        keys(".dashboard", "Enter")
        // The pane stayed and shows the adopted version's rows: 75 passes, 65 does not.
        XCTAssertTrue(waitUntil { $0.contains("(hot, 1 rows)") && $0.contains("f 75") }, visible())

        // A query longer than the line opens in $EDITOR; its edit goes straight to the split view.
        keys("2", "e")
        XCTAssertTrue(waitUntil { $0.contains("old · wide running") }, visible())
        XCTAssertTrue(visible().contains("gone"), visible())
        keys("Escape")
        XCTAssertTrue(waitUntil { !$0.contains("old · wide") && $0.contains("p2") }, visible())
        keys("q")
        XCTAssertTrue(terminal.waitFor("streamsql>"), terminal.screen())
    }
}
