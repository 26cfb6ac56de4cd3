import Foundation
import StreamSQL
import Synchronization

/// The terminal's settings before `.mode live` took it over, for the SIGTERM handler to put back.
nonisolated(unsafe) private var savedTerminal = termios()
nonisolated(unsafe) private var terminalTaken = false

/// Puts the terminal back as `LiveView` found it (normal screen, cursor shown, line mode); safe in a signal handler.
private func restoreTerminal() {
    guard terminalTaken else { return }
    terminalTaken = false
    var saved = savedTerminal
    _ = tcsetattr(0, TCSAFLUSH, &saved)
    let leave = "\u{1B}[?25h\u{1B}[?1049l"
    _ = leave.withCString { write(1, $0, strlen($0)) }
}

/// SIGTERM leaves the shell as the shell convention says (exit 143), with the terminal restored (history
/// is already saved: the shell writes it after each statement).
func onTerminate(_ sig: Int32) {
    restoreTerminal()
    _exit(143)
}

/// `.mode live`: an attached query as a full-screen table that updates in place (`LiveTable`), redrawn at
/// most ten times a second and only when something changed. Keys: `q` or Ctrl-C returns to the prompt,
/// 1–9 sort by that column (again: reverse), PgUp/PgDn or space/b page. The terminal is restored on every
/// way out: a key, the query finishing (after a key), SIGTERM.
enum LiveView {
    static func run(_ q: Query, in repl: Repl) -> (rows: Int, quitByUser: Bool) {
        let table = Mutex(LiveTable(title: q.name, columns: q.schema.names, keyColumns: q.keyColumns, timeColumns: q.windowBoundColumns))
        let dirty = Atomic<Bool>(true)
        let results = Atomic<Int>(0)
        q.addSink { batch in
            let now = monotonicSeconds()
            results.add(batch.count, ordering: .relaxed)
            table.withLock { $0.apply(batch, now: now) }
            dirty.store(true, ordering: .relaxed)
        }
        repl.engine.showRecentRows(to: q)
        guard tcgetattr(0, &savedTerminal) == 0 else { return (0, false) }
        var raw = savedTerminal
        raw.c_lflag &= ~tcflag_t(ICANON | ECHO | ISIG)
        raw.c_iflag &= ~tcflag_t(IXON | ICRNL)
        _ = tcsetattr(0, TCSAFLUSH, &raw)
        terminalTaken = true
        repl.writeTerminal("\u{1B}[?1049h\u{1B}[?25l")
        defer { restoreTerminal() }

        var lastDraw = 0.0
        var highlighted = false
        var quit = false
        var pending: [UInt8] = []
        while !quit {
            var fds = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
            if poll(&fds, 1, 100) > 0 {
                var buf = [UInt8](repeating: 0, count: 64)
                let n = read(0, &buf, buf.count)
                if n <= 0 { break }
                pending += buf[0..<n]
                let height = max(1, terminalSize().rows - 4)
                while let key = Key.next(&pending) {
                    switch key {
                    case .quit: quit = true
                    case .sort(let i): table.withLock { $0.sort(by: i) }
                    case .page(let p): table.withLock { $0.page(p, height: height) }
                    }
                    dirty.store(true, ordering: .relaxed)
                }
            }
            let now = monotonicSeconds()
            // Redraw when rows changed, and once more when highlights fade.
            guard dirty.exchange(false, ordering: .relaxed) || (highlighted && now - lastDraw > 1.6) else { continue }
            guard now - lastDraw >= 0.1 else { dirty.store(true, ordering: .relaxed); continue }
            lastDraw = now
            highlighted = true
            let size = terminalSize()
            let status = q.isFinished ? "finished" : "running"
            let lines = table.withLock { $0.lines(width: size.columns, height: size.rows, now: now, color: true, status: status) }
            repl.writeTerminal("\u{1B}[H" + lines.map { $0 + "\u{1B}[K" }.joined(separator: "\r\n") + "\u{1B}[J")
        }
        return (results.load(ordering: .relaxed), true)
    }

    static func monotonicSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// What a key press asks for.
    enum Key: Equatable {
        case quit, sort(Int), page(Int)

        /// Takes the first complete key from `bytes` (escape sequences whole); nil when none is complete.
        static func next(_ bytes: inout [UInt8]) -> Key? {
            while let b = bytes.first {
                if b == 0x1B {
                    // ESC [ 5 ~ (PgUp), ESC [ 6 ~ (PgDn); other sequences and a lone ESC are skipped.
                    guard bytes.count >= 2 else { bytes.removeAll(); return nil }
                    guard bytes[1] == UInt8(ascii: "[") else { bytes.removeFirst(); continue }
                    guard let end = bytes.dropFirst(2).firstIndex(where: { (0x40...0x7E).contains($0) }) else {
                        if bytes.count > 16 { bytes.removeAll() }
                        return nil
                    }
                    let body = Array(bytes[2..<end]), last = bytes[end]
                    bytes.removeFirst(end + 1)
                    if last == UInt8(ascii: "~") && body == [UInt8(ascii: "5")] { return .page(-1) }
                    if last == UInt8(ascii: "~") && body == [UInt8(ascii: "6")] { return .page(1) }
                    continue
                }
                bytes.removeFirst()
                switch b {
                case UInt8(ascii: "q"), UInt8(ascii: "Q"), 3, 4: return .quit
                case UInt8(ascii: "1")...UInt8(ascii: "9"): return .sort(Int(b - UInt8(ascii: "1")))
                case UInt8(ascii: " "): return .page(1)
                case UInt8(ascii: "b"): return .page(-1)
                default: continue
                }
            }
            return nil
        }
    }
}
