import Foundation
import XCTest

/// Drives the real `streamsql` binary in tmux: the continuation prompt, an attached query fed by a
/// background replay, Ctrl-C that cancels the query but not the shell, errors with a caret, history.
final class InteractiveShellTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    let terminal = Tmux(socket: "streamsql-test")
    func tmux(_ args: [String]) -> String { terminal(args) }
    func screen() -> String { terminal.screen() }
    func waitFor(_ text: String, seconds: Double = 20) -> Bool { terminal.waitFor(text, seconds: seconds) }

    func testPromptAttachCancelAndHistory() throws {
        let binary = InteractiveShellTests.root.appendingPathComponent(".build/debug/streamsql").path
        guard FileManager.default.isExecutableFile(atPath: binary) else { throw XCTSkip("build the streamsql binary first") }
        guard !tmux(["-V"]).isEmpty else { throw XCTSkip("tmux is not installed") }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("streamsql-shell-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir); _ = tmux(["kill-server"]) }
        let events = (0..<2000).map { #"{"k": "dev-\#($0 % 3)", "v": \#($0)}"# }.joined(separator: "\n")
        try events.write(to: dir.appendingPathComponent("ev.jsonl"), atomically: true, encoding: .utf8)

        _ = tmux(["kill-server"])
        _ = tmux(["new-session", "-d", "-s", "sh", "-x", "120", "-y", "40",
                  "env XDG_STATE_HOME=\(dir.path)/state HOME=\(dir.path) \(binary)"])
        XCTAssertTrue(waitFor("streamsql>"), screen())
        usleep(300_000)

        // A stream must exist before a query reads it.
        _ = tmux(["send-keys", "-t", "sh", "SELECT k FROM s\\;", "Enter"])
        XCTAssertTrue(waitFor("unknown stream 's'"), screen())
        _ = tmux(["send-keys", "-t", "sh", "CREATE STREAM s\\;", "Enter"])
        XCTAssertTrue(waitFor("stream s created"), screen())
        // An unfinished statement gets the continuation prompt.
        _ = tmux(["send-keys", "-t", "sh", "SELECT k, v", "Enter"])
        XCTAssertTrue(waitFor("...>"), screen())
        _ = tmux(["send-keys", "-t", "sh", "FROM s WHERE v % 100 = 0 LIMIT 5\\;", "Enter"])
        XCTAssertTrue(waitFor("attached to q1"), screen())
        // Feed it from another shell command is not possible while attached; cancel, then replay first.
        _ = tmux(["send-keys", "-t", "sh", "C-c"])
        XCTAssertTrue(waitFor("q1 stopped"), screen())

        // Tab completes catalog names, fields the queries read, keywords, and file names inside quotes.
        XCTAssertTrue(waitFor("streamsql>"), screen())
        try "k,v\n".write(to: dir.appendingPathComponent("products_2024.csv"), atomically: true, encoding: .utf8)
        _ = tmux(["send-keys", "-t", "sh", "CREATE STREAM sensor_readings\\;", "Enter"])
        XCTAssertTrue(waitFor("stream sensor_readings created"), screen())
        _ = tmux(["send-keys", "-t", "sh", "SELECT * FROM sensor_r", "Tab"])
        XCTAssertTrue(waitFor("FROM sensor_readings"), screen())
        _ = tmux(["send-keys", "-t", "sh", "C-u", "sel", "Tab"])
        XCTAssertTrue(waitFor("streamsql> select"), "keywords keep the case typed: \(screen())")
        _ = tmux(["send-keys", "-t", "sh", "C-u", "CREATE TABLE p FROM FILE '\(dir.path)/prod", "Tab"])
        XCTAssertTrue(waitFor("products_2024.csv'"), screen())
        _ = tmux(["send-keys", "-t", "sh", "C-u"])
        _ = tmux(["send-keys", "-t", "sh", "SHOW QUERIES\\;", "Enter"])
        XCTAssertTrue(waitFor("rows out"), screen())

        // A paced replay in the background feeds an attached query; Ctrl-C cancels it, the shell stays.
        _ = tmux(["send-keys", "-t", "sh", ".replay \(dir.path)/ev.jsonl INTO s 400", "Enter"])
        XCTAssertTrue(waitFor("replaying"), screen())
        _ = tmux(["send-keys", "-t", "sh", "SELECT k, v FROM s WHERE v % 10 = 0\\;", "Enter"])
        XCTAssertTrue(waitFor("attached to q2"), screen())
        XCTAssertTrue(waitFor("dev-"), screen())
        _ = tmux(["send-keys", "-t", "sh", "C-c"])
        XCTAssertTrue(waitFor("q2 stopped"), screen())
        _ = tmux(["send-keys", "-t", "sh", ".replay status", "Enter"])
        XCTAssertTrue(waitFor("ev.jsonl → s: replay"), screen())
        _ = tmux(["send-keys", "-t", "sh", "SELEC 1\\;", "Enter"])
        XCTAssertTrue(waitFor("did you mean 'SELECT'"), screen())
        XCTAssertTrue(screen().contains("^^^^^"), "the error has a caret: \(screen())")

        // History keeps one entry per statement, even a multi-line one.
        // The shell writes its history as it exits, which can take a moment after Ctrl-D.
        _ = tmux(["send-keys", "-t", "sh", "C-d"])
        let historyFile = dir.appendingPathComponent("state/streamsql/history")
        var history = ""
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            history = (try? String(contentsOf: historyFile, encoding: .utf8)) ?? ""
            if history.contains("SELEC 1") { break }
            usleep(50_000)
        }
        XCTAssertTrue(history.contains("SELECT k, v"), history)
    }

    func testGeneratorPanesAndTheDashboardFromTheShell() throws {
        let binary = InteractiveShellTests.root.appendingPathComponent(".build/debug/streamsql").path
        guard FileManager.default.isExecutableFile(atPath: binary) else { throw XCTSkip("build the streamsql binary first") }
        guard !tmux(["-V"]).isEmpty else { throw XCTSkip("tmux is not installed") }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("streamsql-shell-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir); _ = tmux(["kill-server"]) }
        _ = tmux(["kill-server"])
        _ = tmux(["new-session", "-d", "-s", "sh", "-x", "120", "-y", "40",
                  "env XDG_STATE_HOME=\(dir.path)/state HOME=\(dir.path) TERM=xterm-256color NCURSES_NO_UTF8_ACS=1 \(binary)"])
        XCTAssertTrue(waitFor("streamsql>"), screen())
        // tmux ends a command at an argument's final ';', so it is escaped.
        func send(_ text: String) {
            _ = tmux(["send-keys", "-t", "sh", "-l", text.hasSuffix(";") ? String(text.dropLast()) + "\\;" : text])
            _ = tmux(["send-keys", "-t", "sh", "Enter"])
        }
        send("CREATE STREAM readings;")
        XCTAssertTrue(waitFor("stream readings created"), screen())
        send("CREATE QUERY hot AS SELECT deviceId, temperature FROM readings WHERE temperature > 20;")
        XCTAssertTrue(waitFor("query hot running"), screen())
        send(".pane add h sparkles hot")
        XCTAssertTrue(waitFor("unknown widget 'sparkles'"), screen())
        send(".pane add h table hot title='Hot readings'")
        XCTAssertTrue(waitFor("pane h: table on hot"), screen())
        send(".gen sensors 300")
        XCTAssertTrue(waitFor("generating sensors into readings"), screen())
        send(".dashboard")
        // On the dashboard itself, not in the commands typed before it (the scrollback holds those).
        XCTAssertTrue(terminal.waitUntil { $0.contains("Hot readings") && $0.contains("dev-0") }, terminal.visible())
        XCTAssertTrue(terminal.waitUntil { $0.contains("generator sensors") }, "the header names what feeds the engine: \(terminal.visible())")
        _ = tmux(["send-keys", "-t", "sh", "q"])
        XCTAssertTrue(waitFor("back in the shell; 1 query still running"), screen())
        send("SHOW QUERIES;")
        XCTAssertTrue(waitFor("hot"), screen())
        send(".gen stop")
        XCTAssertTrue(waitFor("stopped sensors"), screen())
    }

    func testCtrlCAtTheContinuationPromptDiscardsTheStatementAndReadPointsIntoTheFile() throws {
        let binary = InteractiveShellTests.root.appendingPathComponent(".build/debug/streamsql").path
        guard FileManager.default.isExecutableFile(atPath: binary) else { throw XCTSkip("build the streamsql binary first") }
        // A socket of its own: other tests (and other checkouts' runs) kill their tmux server when done.
        let terminal = Tmux(socket: "streamsql-test-cont-\(getpid())")
        guard !terminal(["-V"]).isEmpty else { throw XCTSkip("tmux is not installed") }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("streamsql-shell-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir); _ = terminal(["kill-server"]) }
        let script = dir.appendingPathComponent("setup.sql").path
        try "CREATE STREAM s;\n\n\n.mode csv\n  SELECT upperr(k) FROM s;\n.bogus\n".write(toFile: script, atomically: true, encoding: .utf8)
        _ = terminal(["new-session", "-d", "-s", "sh", "-x", "120", "-y", "40",
                      "env XDG_STATE_HOME=\(dir.path)/state HOME=\(dir.path) \(binary)"])
        XCTAssertTrue(terminal.waitFor("streamsql>"), terminal.screen())
        usleep(300_000)
        _ = terminal(["send-keys", "-t", "sh", "SELECT 1 +", "Enter"])
        XCTAssertTrue(terminal.waitFor("...>"), terminal.screen())
        _ = terminal(["send-keys", "-t", "sh", "C-c"])
        XCTAssertTrue(terminal.waitUntil { $0.contains("...> ^C\nstreamsql>") }, "a fresh prompt, the ^C left alone: \(terminal.visible())")
        // What follows is a statement of its own, not the end of the discarded one.
        _ = terminal(["send-keys", "-t", "sh", "CREATE STREAM t\\;", "Enter"])
        XCTAssertTrue(terminal.waitFor("stream t created"), terminal.screen())
        XCTAssertFalse(terminal.screen().contains("syntax error"), terminal.screen())

        // .read names the file, its line and column, and the line of a bad command.
        _ = terminal(["send-keys", "-t", "sh", ".read \(script)", "Enter"])
        XCTAssertTrue(terminal.waitFor("\(script):5:10: plan error: unknown function upperr"), terminal.screen())
        XCTAssertTrue(terminal.waitFor("\(script):6: unknown command .bogus"), terminal.screen())
        XCTAssertTrue(terminal.screen().contains("    SELECT upperr(k) FROM s;\n           ^^^^^^^^^"), terminal.screen())
    }
}
