import Foundation

/// Drives tmux on a private socket for terminal tests. Commands go through the shell with output to a
/// file: the tmux server that a command may start keeps inherited descriptors open, so pipes would
/// never reach their end.
struct Tmux {
    /// The socket's name: the one given plus this process's id, so that test runs in other worktrees (or
    /// other copies of this suite) never share a tmux server with this one.
    let socket: String
    /// The session whose pane `screen()` reads.
    var session = "sh"

    init(socket: String, session: String = "sh") {
        self.socket = "\(socket)-\(getpid())"
        self.session = session
    }

    /// The process id of the program the session's pane runs (the shell), to signal its children only.
    var panePID: Int32? { Int32(self(["display-message", "-p", "-t", session, "#{pane_pid}"]).trimmingCharacters(in: .whitespacesAndNewlines)) }

    @discardableResult
    func callAsFunction(_ args: [String]) -> String {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("tmux-out-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let quoted = args.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        if ProcessInfo.processInfo.environment["STREAMSQL_TMUX_TRACE"] != nil { print("tmux", quoted) }
        _ = system("tmux -L \(socket) \(quoted) > '\(out)' 2>/dev/null < /dev/null")
        if args == ["kill-server"] {
            // kill-server returns before the server has gone; a new-session in that moment reaches the dying
            // server ("server exited unexpectedly") and no session starts. Wait until nothing answers.
            for _ in 0..<100 where system("tmux -L \(socket) has-session > /dev/null 2>&1 < /dev/null") == 0 { usleep(50_000) }
        }
        return (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
    }

    /// The pane's text with recent scrollback.
    func screen() -> String { self(["capture-pane", "-t", session, "-p", "-S", "-200"]) }

    /// The pane's visible text only (no scrollback): what a full-screen program shows now.
    func visible() -> String { self(["capture-pane", "-t", session, "-p"]) }

    /// Waits (polling the visible screen, at most `seconds`) until `check` holds.
    func waitUntil(seconds: Double = 30, _ check: (String) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if check(visible()) { return true }
            usleep(100_000)
        }
        return false
    }

    /// Waits (polling the screen, at most `seconds`) until `text` shows.
    func waitFor(_ text: String, seconds: Double = 20) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if screen().contains(text) { return true }
            usleep(50_000)
        }
        return false
    }
}
