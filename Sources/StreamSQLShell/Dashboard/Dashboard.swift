import CNcurses
import Foundation
import StreamSQL
import StreamSQLScenarios
import Synchronization

/// The signal that ended the dashboard (0: none). Signal handlers may only touch an atomic.
let dashboardSignal = Atomic<Int32>(0)

/// The live dashboard: panes bound to queries, drawn into frames at a steady rate. Engine threads only
/// fill the panes' feeds; all drawing happens on the dashboard's thread, from snapshots.
public final class Dashboard: @unchecked Sendable {
    public struct Group: Sendable {
        public var name: String
        public var title: String
        /// Panes per row (`.layout columns N`); nil chooses from the number of panes and the width.
        public var columns: Int?
        public init(name: String, title: String, columns: Int? = nil) { self.name = name; self.title = title; self.columns = columns }
    }

    public let engine: Engine
    public private(set) var panes: [Pane]
    public var groups: [Group]
    /// What feeds the engine (a generator or a replay), for the header.
    public var feeder: LiveSource?
    /// Frames per second (1…20).
    public var fps = 4
    public var printLastFrame = false
    /// On leaving, print the dashboard's CPU use (its own thread, and the panes' feeds on engine threads).
    public var reportCPU = false
    /// CPU time spent building frames, and how many were built (for `bench --workload dashboard`).
    public private(set) var renderCPUNanos: Int64 = 0
    public private(set) var framesRendered = 0
    /// CPU time the panes' feeds spent taking rows in on the engine's threads, all dashboards together.
    public static var feedCPUNanos: Int64 { PaneFeed.cpuNanos.load(ordering: .relaxed) }

    var group = 0
    var focus = 0
    var zoomed = false
    var paused = false
    var help = false
    var filtering = false
    /// The open detail view (Enter on a selected row), drawn over the panes.
    var detail: DetailView?
    /// The query being edited (`e`, QueryEdit.swift), drawn over the panes.
    var edit: QueryEdit?
    var history: [Frame] = []
    var historyIndex = 0
    var lastFrame: Frame?
    // Rates, measured between header refreshes.
    var lastSample: (time: Double, eventsIn: Int, rowsOut: Int)?
    var rates = (eventsIn: 0.0, rowsOut: 0.0)

    public init(engine: Engine, panes: [Pane], groups: [Group], feeder: LiveSource? = nil) {
        self.engine = engine
        self.panes = panes
        self.groups = groups.isEmpty ? [Group(name: "", title: "queries")] : groups
        self.feeder = feeder
    }

    var groupPanes: [Pane] {
        let g = groups[min(group, groups.count - 1)].name
        let ps = panes.filter { $0.spec.group == g }
        return ps.isEmpty && groups.count == 1 ? panes : ps
    }

    // MARK: Header numbers

    struct Totals {
        var eventsIn = 0, rowsOut = 0, late = 0, rejected = 0, queries = 0
        var watermarkMs: Int64?
    }

    func totals() -> Totals {
        var t = Totals()
        let qs = engine.queries
        t.queries = qs.count
        for q in qs {
            let m = q.metrics
            t.rowsOut += m.rowsOut
            t.late += m.late
            t.rejected += m.rejected
            if let w = m.watermarkNanos, w != Int64.max {
                let ms = w / 1_000_000
                t.watermarkMs = min(t.watermarkMs ?? ms, ms)
            }
        }
        for s in engine.streamNames {
            if let m = engine.streamMetrics(s) {
                t.eventsIn += m.eventsIn
                t.rejected += m.rejected
            }
        }
        if let f = feeder { t.eventsIn = max(t.eventsIn, f.emitted) }
        return t
    }

    static func human(_ x: Double) -> String {
        if x >= 1e6 { return String(format: "%.1fM", x / 1e6) }
        if x >= 1e4 { return String(format: "%.0fk", x / 1e3) }
        if x >= 1e3 { return String(format: "%.1fk", x / 1e3) }
        return Widgets.num(x.rounded(), 0)  // NaN and huge negative rates print, never trap
    }

    func header(_ f: inout Frame, now: Double) {
        let t = totals()
        if let s = lastSample, now - s.time >= 0.5 {
            rates = (Double(t.eventsIn - s.eventsIn) / (now - s.time), Double(t.rowsOut - s.rowsOut) / (now - s.time))
            lastSample = (now, t.eventsIn, t.rowsOut)
        } else if lastSample == nil {
            lastSample = (now, t.eventsIn, t.rowsOut)
        }
        let wall = TimeFormat.iso8601(nanos: Int64(Date().timeIntervalSince1970) * 1_000_000_000)
        // Parts with a priority (lower is kept longer); the least important go when the line is too wide.
        var parts: [(String, Int)] = [(" StreamSQL ▸ \(groups[group].title)", 0)]
        if paused { parts.append(("PAUSED \(historyIndex + 1)/\(history.count)", 0)) }
        parts.append(("\(wall.dropFirst(11).prefix(8))", 6))
        if let et = feeder?.eventTimeMs {
            var s = "event " + String(TimeFormat.iso8601(nanos: et * 1_000_000).prefix(19)).replacingOccurrences(of: "T", with: " ")
            if groups.count == 1, let w = t.watermarkMs { s += " wm lag " + String(format: "%.1fs", Double(max(0, et - w)) / 1000) }
            parts.append((s, 1))
        }
        if let status = feeder?.status { parts.append((status, 1)) }
        parts.append(("in \(Dashboard.human(rates.eventsIn))/s", 2))
        parts.append(("out \(Dashboard.human(rates.rowsOut))/s", 3))
        parts.append(("queries \(t.queries)", 5))
        parts.append(("late \(t.late)", 4))
        parts.append(("rejected \(t.rejected)", 3))
        func line() -> String { parts.map(\.0).joined(separator: " │ ") }
        while Frame.width(line()) > f.width, let worst = parts.indices.filter({ parts[$0].1 > 0 }).max(by: { parts[$0].1 < parts[$1].1 }) {
            parts.remove(at: worst)
        }
        let text = line()
        f.put(0, 0, Frame.pad(text, f.width), .header)
    }

    func footer(_ f: inout Frame) {
        let keys = filtering
            ? " filter: \(focusedPane?.filter ?? "")▏  (Enter to keep, Esc to clear)"
            : detail != nil ? " ↑↓ PgUp PgDn Home End scroll  Esc back  q quit"
            : " Tab/1-9 focus  ↑↓ row  Enter open/zoom  Esc back  Space pause  ←→ step  / filter  s sort  [ ] scenario  +/- fps(\(fps))  ? help  q quit"
        f.put(0, f.height - 1, Frame.pad(keys, f.width), .dim)
    }

    var focusedPane: Pane? {
        let ps = groupPanes
        return ps.isEmpty ? nil : ps[min(focus, ps.count - 1)]
    }

    /// Draws the body (tabs and panes) for the current state.
    func body(_ f: inout Frame) {
        var top = 1
        if groups.count > 1 {
            var x = 1
            for (i, g) in groups.enumerated() {
                let label = " \(g.name.isEmpty ? g.title : g.name) "
                f.put(x, 1, label, i == group ? .focus : .dim)
                x += Frame.width(label) + 1
            }
            top = 2
        }
        let ps = groupPanes
        let area = Rect(x: 0, y: top, w: f.width, h: f.height - top - 1)
        guard !ps.isEmpty, area.h >= 3 else {
            f.put(2, top + 1, "no panes: declare one with .pane add NAME WIDGET QUERY", .dim)
            return
        }
        if zoomed, let p = focusedPane {
            Widgets.draw(p, in: &f, area, focused: true)
        } else {
            grid(&f, ps, area)
        }
    }

    /// The group's panes in rows and columns.
    func grid(_ f: inout Frame, _ ps: [Pane], _ area: Rect) {
        let n = ps.count
        let cols = groups[min(group, groups.count - 1)].columns.map { max(1, min($0, n)) }
            ?? (n == 1 ? 1 : (f.width >= 150 && n >= 5 ? 3 : 2))
        let rows = (n + cols - 1) / cols
        // A row of counters needs only a few lines (big digits and a unit); the other rows share the rest.
        let compact = (0..<rows).map { r in ps[(r * cols)..<min(n, (r + 1) * cols)].allSatisfy { $0.spec.widget == .counter } }
        let compactH = 7
        let flexible = compact.filter { !$0 }.count
        let useCompact = flexible > 0 && area.h - compactH * (rows - flexible) >= 6 * flexible
        var heights = (0..<rows).map { r in useCompact && compact[r] ? compactH : 0 }
        let rest = area.h - heights.reduce(0, +)
        let share = useCompact ? flexible : rows
        var k = 0
        for r in 0..<rows where heights[r] == 0 {
            heights[r] = rest / share + (k == share - 1 ? rest % share : 0)
            k += 1
        }
        var y = area.y
        for r in 0..<rows {
            let inRow = r == rows - 1 ? n - r * cols : cols
            let w = area.w / inRow
            for c in 0..<inRow {
                let i = r * cols + c
                let rect = Rect(x: area.x + c * w, y: y, w: c == inRow - 1 ? area.w - c * w : w, h: heights[r])
                Widgets.draw(ps[i], in: &f, rect, focused: i == min(focus, n - 1))
            }
            y += heights[r]
        }
    }

    func helpOverlay(_ f: inout Frame) {
        let lines = ["Keys", "", "Tab, Shift-Tab, 1-9   focus a pane", "↑↓ PgUp PgDn Home End row cursor (table, log, bars)",
                     "Enter                 open the selected row, else zoom the pane",
                     "Esc                   back: detail → zoom → dashboard",
                     "Space                 pause (header keeps counting)", "← →                   step through the last 100 frames while paused",
                     "/                     filter: text, or decision=decline, amount>1000", "s                     sort the focused table by the next column",
                     "[ ]                   previous / next scenario", "+ -                   frames per second",
                     "e                     edit the pane's query: old | new, a adopts, Esc discards",
                     "q                     leave (queries keep running)", "?                     close this help"]
        let w = min(f.width - 4, 66), h = min(f.height - 4, lines.count + 2)
        let x = (f.width - w) / 2, y = (f.height - h) / 2
        for r in 0..<h { f.put(x, y + r, String(repeating: " ", count: w)) }
        f.box(x, y, w, h, title: "help", focused: true)
        for (i, l) in lines.prefix(h - 2).enumerated() { f.put(x + 2, y + 1 + i, l, i == 0 ? .bold : .normal, limit: w - 4) }
    }

    /// One full frame at the given size.
    public func render(width: Int, height: Int) -> Frame {
        let t0 = threadCPUNanos()
        defer {
            renderCPUNanos += threadCPUNanos() - t0
            framesRendered += 1
        }
        var f = Frame(width: width, height: height)
        let now = Double(DispatchTime.now().uptimeNanoseconds) / 1e9
        if paused, !history.isEmpty {
            f = history[max(0, min(historyIndex, history.count - 1))]
            if f.width != width || f.height != height {
                var g = Frame(width: width, height: height)
                body(&g)
                f = g
            }
        } else {
            body(&f)
            history.append(f)
            if history.count > 100 { history.removeFirst(history.count - 100) }
            historyIndex = history.count - 1
        }
        // Over the body, live or paused: the row it shows was taken when it opened.
        let top = groups.count > 1 ? 2 : 1
        if f.height - top - 1 >= 3 { detail?.draw(in: &f, Rect(x: 0, y: top, w: f.width, h: f.height - top - 1)) }
        header(&f, now: now)
        footer(&f)
        drawEdit(&f)
        if help { helpOverlay(&f) }
        lastFrame = f
        return f
    }

    /// The current frame as text (no terminal needed).
    public func snapshot(width: Int = 120, height: Int = 40) -> String {
        render(width: width, height: height).text
    }

    // MARK: Interactive

    public enum Exit: Equatable, Sendable {
        case quit
        case signal(Int32)
        case refused(String)
    }

    static var keyLeft: Int32 { ss_key_left() }
    static var keyUp: Int32 { ss_key_up() }
    static var keyDown: Int32 { ss_key_down() }
    static var keyPageUp: Int32 { ss_key_ppage() }
    static var keyPageDown: Int32 { ss_key_npage() }
    static var keyHome: Int32 { ss_key_home() }
    static var keyEnd: Int32 { ss_key_end() }

    /// How far a cursor key moves: a row, a page, or to either end; nil for other keys.
    func cursorMove(_ key: Int32, page: Int) -> Int? {
        switch key {
        case ss_key_up(), Int32(UInt8(ascii: "k")): -1
        case ss_key_down(), Int32(UInt8(ascii: "j")): 1
        case ss_key_ppage(): -max(1, page - 1)
        case ss_key_npage(): max(1, page - 1)
        case ss_key_home(), Int32(UInt8(ascii: "g")): -Pane.far
        case ss_key_end(), Int32(UInt8(ascii: "G")): Pane.far
        default: nil
        }
    }

    /// Esc: one level back — the help, the detail view, the zoom, then the row cursor; never out.
    func back() {
        if help { help = false } else if detail != nil { detail = nil } else if zoomed { zoomed = false } else if let p = focusedPane {
            p.cursor.index = nil
            p.cursor.top = 0
        }
    }

    /// Handles one key; returns false to leave.
    func handle(_ key: Int32) -> Bool {
        let ps = groupPanes
        if filtering, let p = focusedPane {
            switch key {
            case 10, 13, ss_key_enter(): filtering = false
            case 27: p.filter = ""; filtering = false
            case 127, 8, ss_key_backspace(): if !p.filter.isEmpty { p.filter.removeLast() }
            default:
                if key >= 32 && key < 127, let u = UnicodeScalar(UInt32(key)) { p.filter.append(Character(u)) }
            }
            return true
        }
        if edit != nil { handleEdit(key); return true }
        if key == Int32(UInt8(ascii: "q")) { return false }
        if key == 27 { back(); return true }
        // The detail view scrolls with the cursor keys; of the others only pause and help work under it.
        if var d = detail, key != 32, key != Int32(UInt8(ascii: "?")) {
            if let delta = cursorMove(key, page: d.page) {
                d.top = max(0, delta >= Pane.far ? Int.max / 2 : d.top + delta)
                detail = d
            }
            return true
        }
        if let p = focusedPane, p.listsRows, let delta = cursorMove(key, page: p.cursor.page) {
            p.moveCursor(by: delta)
            return true
        }
        switch key {
        case 9: if !ps.isEmpty { focus = (focus + 1) % ps.count }
        case ss_key_btab(): if !ps.isEmpty { focus = (focus + ps.count - 1) % ps.count }
        case 49...57: if Int(key - 49) < ps.count { focus = Int(key - 49) }
        case 10, 13, ss_key_enter():
            if let p = focusedPane, let row = p.selectedRow() {
                detail = DetailView(paneTitle: p.spec.options["title"] ?? p.spec.name, entry: row)
            } else {
                zoomed.toggle()
            }
        case 32:
            paused.toggle()
            historyIndex = history.count - 1
        case ss_key_left(): if paused { historyIndex = max(0, historyIndex - 1) }
        case ss_key_right(): if paused { historyIndex = min(history.count - 1, historyIndex + 1) }
        case Int32(UInt8(ascii: "/")): if focusedPane != nil { filtering = true }
        case Int32(UInt8(ascii: "s")):
            if let p = focusedPane, p.spec.widget == .table {
                let n = Widgets.columns(p, p.feed.snapshot().rows).count
                p.sortColumn = p.sortColumn.map { $0 + 1 < n ? $0 + 1 : nil } ?? 0
            }
        case Int32(UInt8(ascii: "]")): group = (group + 1) % groups.count; focus = 0; zoomed = false; detail = nil
        case Int32(UInt8(ascii: "[")): group = (group + groups.count - 1) % groups.count; focus = 0; zoomed = false; detail = nil
        case Int32(UInt8(ascii: "+")), Int32(UInt8(ascii: "=")): fps = min(20, fps + 1)
        case Int32(UInt8(ascii: "-")): fps = max(1, fps - 1)
        case Int32(UInt8(ascii: "?")): help.toggle()
        case Int32(UInt8(ascii: "e")): beginEdit()
        default: break
        }
        return true
    }

    /// Why the dashboard cannot open on this terminal, if it cannot.
    public static func refusal() -> String? {
        let term = ProcessInfo.processInfo.environment["TERM"] ?? ""
        if term.isEmpty || term == "dumb" {
            return "the dashboard needs a terminal (TERM is \(term.isEmpty ? "unset" : "dumb")); use --snapshot FILE or --print instead"
        }
        if isatty(1) == 0 || isatty(0) == 0 { return "the dashboard needs a terminal on standard input and output; use --snapshot FILE or --print instead" }
        return nil
    }

    /// Runs full screen until q/Esc, Ctrl-C or a signal. The terminal is restored on every path.
    public func run() -> Exit {
        if let r = Dashboard.refusal() { return .refused(r) }
        dashboardSignal.store(0, ordering: .relaxed)
        let handler: @convention(c) (Int32) -> Void = { sig in dashboardSignal.store(sig, ordering: .relaxed) }
        // SIGQUIT (Ctrl-\\) too: left to the runtime it would print a crash report over the screen.
        let oldInt = signal(SIGINT, handler), oldTerm = signal(SIGTERM, handler), oldHup = signal(SIGHUP, handler)
        let oldQuit = signal(SIGQUIT, handler)
        defer {
            signal(SIGINT, oldInt)
            signal(SIGTERM, oldTerm)
            signal(SIGHUP, oldHup)
            signal(SIGQUIT, oldQuit)
        }
        // NO_COLOR (set and not empty, as no-color.org says) turns every colour off, as in the shell.
        let noColor = ProcessInfo.processInfo.environment["NO_COLOR"].map { !$0.isEmpty } ?? false
        guard ss_start(noColor ? 0 : 1) >= 0 else { return .refused("cannot start curses on this terminal (TERM=\(ProcessInfo.processInfo.environment["TERM"] ?? ""))") }
        let cpuStart = threadCPUNanos(), feedStart = Dashboard.feedCPUNanos
        let wallStart = DispatchTime.now().uptimeNanoseconds
        var exit = Exit.quit
        var nextDraw = 0.0
        loop: while true {
            let sig = dashboardSignal.load(ordering: .relaxed)
            if sig != 0 { exit = .signal(sig); break }
            let now = Double(DispatchTime.now().uptimeNanoseconds) / 1e9
            if now >= nextDraw {
                draw(render(width: Int(ss_cols()), height: Int(ss_lines())))
                nextDraw = now + 1 / Double(fps)
            }
            let wait = max(1, Int32((nextDraw - Double(DispatchTime.now().uptimeNanoseconds) / 1e9) * 1000))
            let key = ss_getch(min(wait, 100))
            if key == -1 { continue }
            if key == ss_key_resize() { nextDraw = 0; continue }
            if !handle(key) { break loop }
            nextDraw = 0
        }
        ss_stop()
        if printLastFrame, let f = lastFrame { FileHandle.standardOutput.write(Data(f.text.utf8)) }
        if reportCPU {
            let wall = Double(DispatchTime.now().uptimeNanoseconds - wallStart)
            let own = Double(threadCPUNanos() - cpuStart), feeds = Double(Dashboard.feedCPUNanos - feedStart)
            FileHandle.standardError.write(Data(String(format: "dashboard: %d frames in %.1f s; drawing %.1f%% of a core, pane feeds %.1f%%, together %.1f%%\n",
                                                       framesRendered, wall / 1e9, 100 * own / wall, 100 * feeds / wall, 100 * (own + feeds) / wall).utf8))
        }
        if case .signal(let s) = exit {
            let name = s == SIGINT ? "Ctrl-C" : s == SIGTERM ? "SIGTERM" : s == SIGHUP ? "SIGHUP" : s == SIGQUIT ? "SIGQUIT" : "signal \(s)"
            FileHandle.standardError.write(Data("dashboard closed by \(name); terminal restored\n".utf8))
        }
        return exit
    }

    func draw(_ f: Frame) {
        ss_erase()
        for y in 0..<f.height {
            for run in f.runs(line: y) {
                let (pair, bold, reverse): (Int32, Int32, Int32) = switch run.style {
                case .normal: (0, 0, 0)
                case .green: (Int32(SS_GREEN), 0, 0)
                case .amber: (Int32(SS_AMBER), 1, 0)
                case .red: (Int32(SS_RED), 1, 0)
                case .accent: (Int32(SS_ACCENT), 0, 0)
                case .dim: (Int32(SS_DIM), 0, 0)
                case .header: (Int32(SS_HEADER), 1, 1)
                case .highlight: (Int32(SS_HIGHLIGHT), 1, 1)
                case .bold: (0, 1, 0)
                case .focus: (Int32(SS_ACCENT), 1, 0)
                }
                // The last cell of the screen cannot be written without scrolling in some terminals.
                var text = run.text
                if y == f.height - 1 && run.x + Frame.width(text) >= f.width { text = String(text.dropLast()) }
                ss_put(Int32(y), Int32(run.x), text, pair, bold, reverse)
            }
        }
        ss_refresh()
    }
}
