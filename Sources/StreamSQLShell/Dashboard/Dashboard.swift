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
    /// The look (`--theme`, `.set theme`); NO_COLOR still turns colour off.
    public var theme = DashboardTheme.default
    /// Whether clicks and the wheel work (`--no-mouse` turns them off).
    public var mouse = true
    /// Whether the feed keeps running while the dashboard is paused (`--keep-feeding`); by default a
    /// generator or replay pauses with it.
    public var keepFeeding = false
    /// The sources a pause holds when there are several (the shell's generators and replays); by default
    /// the `feeder`.
    public var heldSources: [LiveSource] = []
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
    /// The help overlay while it is open.
    var help: HelpOverlay?
    var filtering = false
    /// The open detail view (Enter on a selected row), drawn over the panes.
    var detail: DetailView?
    /// Where the last live frame drew each pane of the group, and each scenario tab (for the mouse).
    var paneRects: [(index: Int, rect: Rect)] = []
    var tabs: [(group: Int, x: Int, w: Int)] = []
    var clicks = ClickTracker()
    /// Frames kept per scenario for stepping back while paused.
    var history = FrameHistory()
    /// Whether the feed is held while paused (the source could pause and `keepFeeding` is off).
    var feedHeld = false
    /// Notices from other threads (a replay at `--speed xN` that finds no time field), shown in the footer.
    let posted = Locked<[String]>([])
    /// Shows `text` in the footer from the next frame until a key is pressed; safe from any thread.
    public func post(notice text: String) { posted.mutate { $0.append(text) } }

    /// The open inspector (`i` on a windowed pane), drawn over the panes.
    var inspector: InspectorView?
    /// The query being edited (`e`, QueryEdit.swift), drawn over the panes.
    var edit: QueryEdit?
    /// The incident menu (`!`) while it is open, and a one-line notice for the footer (an incident caused).
    var incidentMenu: IncidentMenu?
    var notice: String?
    /// A story being presented: its header line and its caption (instead of the header and the keys), and
    /// its keys (nil: not its key; true: handled; false: leave the loop).
    var banner: (() -> (top: String, caption: String))?
    var keyHook: ((Int32) -> Bool?)?
    /// Receives every frame drawn on the terminal (a recording).
    var onFrame: ((Frame) -> Void)?
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

    /// The watermark's lag (or idleness) of each stream the scenario's panes read, as `wm lag 1.2s` for one
    /// stream or `wm tickets lag 1.2s, agents idle 9s` for several: each stream's own event time, so a quiet
    /// stream shows as idle instead of making every lag look huge.
    func streamLags() -> String? {
        var names: [String] = []
        for p in groupPanes where !names.contains(p.query.streamName) { names.append(p.query.streamName) }
        let known = names.compactMap { n in engine.timeStatus(ofStream: n).map { (n, $0) } }
        guard !known.isEmpty else { return nil }
        if known.count == 1 { return "wm " + known[0].1.text }
        return "wm " + known.prefix(3).map { "\($0.0) \($0.1.text)" }.joined(separator: ", ") + (known.count > 3 ? ", …" : "")
    }

    struct Totals {
        var eventsIn = 0, rowsOut = 0, late = 0, rejected = 0, queries = 0
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
        if let b = banner {
            f.put(0, 0, Frame.pad(b().top, f.width), .header)
            return
        }
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
        if paused {
            let n = history.count(group: group)
            let feed = feeder == nil ? "" : feedHeld ? " · feed paused" : " · feed running"
            parts.append(("PAUSED \(history.position(group: group) + 1)/\(n)\(feed)", 0))
        }
        parts.append(("\(wall.dropFirst(11).prefix(8))", 6))
        if let et = feeder?.eventTimeMs {
            let s = "event " + String(TimeFormat.iso8601(nanos: et * 1_000_000).prefix(19)).replacingOccurrences(of: "T", with: " ")
            parts.append((s, 1))
        }
        if let lags = streamLags() { parts.append((lags, 2)) }
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
        if notice == nil, !posted.value.isEmpty {
            posted.mutate { if !$0.isEmpty { notice = $0.removeFirst() } }
        }
        if let b = banner, notice == nil, !filtering {
            f.put(0, f.height - 1, Frame.pad(" " + b().caption, f.width), .focus)
            return
        }
        let keys = notice.map { " " + $0 } ?? (filtering
            ? " filter: \(focusedPane?.filter ?? "")▏  (Enter to keep, Esc to clear)"
            : help != nil ? " ↑↓ PgUp PgDn Home End scroll  Esc or ? close  q quit"
            : detail != nil ? " ↑↓ PgUp PgDn Home End scroll  w why  Esc back  q quit"
            : inspector != nil ? " ↑↓ PgUp PgDn Home End scroll  Esc back  q quit"
            : " ? help  q quit  Tab/1-9 focus  ↑↓ row  Enter open/zoom  Esc back  Space pause  ←→ value/step  / filter  s sort  [ ] scenario  ! incident  +/- fps(\(fps))")
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
            tabs = []
            for (i, g) in groups.enumerated() {
                let label = " \(g.name.isEmpty ? g.title : g.name) "
                f.put(x, 1, label, i == group ? .focus : .dim)
                tabs.append((i, x, Frame.width(label)))
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
        paneRects = []
        if zoomed, let p = focusedPane {
            Widgets.draw(p, in: &f, area, focused: true)
            paneRects = [(min(focus, ps.count - 1), area)]
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
                paneRects.append((i, rect))
            }
            y += heights[r]
        }
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
        if paused, let kept = history.current(group: group) {
            f = kept
            if f.width != width || f.height != height {
                var g = Frame(width: width, height: height)
                body(&g)
                f = g
            }
        } else {
            // Live; or paused on a scenario with no frame kept yet: its frame now is the paused one.
            body(&f)
            history.record(f, group: group)
        }
        // Over the body, live or paused: the row it shows was taken when it opened.
        let top = groups.count > 1 ? 2 : 1
        if f.height - top - 1 >= 3 { detail?.draw(in: &f, Rect(x: 0, y: top, w: f.width, h: f.height - top - 1)) }
        if f.height - top - 1 >= 3 { inspector?.draw(in: &f, Rect(x: 0, y: top, w: f.width, h: f.height - top - 1), engine: engine) }
        header(&f, now: now)
        footer(&f)
        drawEdit(&f)
        help?.draw(in: &f)
        incidentMenu?.draw(in: &f)
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
    static var keyRight: Int32 { ss_key_right() }
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
        if help != nil { help = nil } else if inspector != nil { inspector = nil } else if detail != nil { detail = nil } else if zoomed { zoomed = false } else if let p = focusedPane {
            p.cursor.index = nil
            p.cursor.top = 0
            p.valueCursor.point = nil
        }
    }

    /// Pauses or resumes the frames, and the feed with them unless `keepFeeding`.
    func setPaused(_ on: Bool) {
        paused = on
        history.toNewest()
        let sources = heldSources.isEmpty ? feeder.map { [$0] } ?? [] : heldSources
        if on, !keepFeeding { feedHeld = sources.map { $0.setPaused(true) }.contains(true) }
        if !on, feedHeld {
            for src in sources { src.setPaused(false) }
            feedHeld = false
        }
    }

    /// Handles one key; returns false to leave.
    func handle(_ key: Int32) -> Bool {
        notice = nil
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
        if incidentMenu != nil { handleIncidentMenu(key); return true }
        if let hook = keyHook, let r = hook(key) { return r }
        if key == Int32(UInt8(ascii: "q")) { return false }
        if key == 27 { back(); return true }
        // Over everything, the help scrolls with the cursor keys; ? closes it, Space still pauses.
        if var h = help, key != 32 {
            if key == Int32(UInt8(ascii: "?")) { help = nil } else if let delta = cursorMove(key, page: h.page) {
                h.scroll(delta)
                help = h
            }
            return true
        }
        // The detail view scrolls with the cursor keys; of the others only pause and help work under it.
        if var d = detail, key != 32, key != Int32(UInt8(ascii: "?")) {
            if key == Int32(UInt8(ascii: "w")) {
                d.toggleWhy(engine)
                detail = d
            } else if let delta = cursorMove(key, page: d.page) {
                d.top = max(0, delta >= Pane.far ? Int.max / 2 : d.top + delta)
                detail = d
            }
            return true
        }
        if var v = inspector, key != 32, key != Int32(UInt8(ascii: "?")) {
            if let delta = cursorMove(key, page: v.page) {
                v.top = max(0, delta >= Pane.far ? Int.max / 2 : v.top + delta)
                inspector = v
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
                detail = DetailView(paneTitle: p.spec.options["title"] ?? p.spec.name, entry: row, query: p.query)
            } else {
                zoomed.toggle()
            }
        case 32: setPaused(!paused)
        // ← →: while paused they step through frames; else they move a sparkline's or bars' value cursor.
        case ss_key_left(), ss_key_right():
            let delta = key == ss_key_left() ? -1 : 1
            if paused { history.step(delta, group: group) } else if let p = focusedPane, p.hasValueCursor { p.moveValueCursor(by: delta) }
        case Int32(UInt8(ascii: "/")): if focusedPane != nil { filtering = true }
        case Int32(UInt8(ascii: "i")):
            if let p = focusedPane, p.query.windowed { inspector = InspectorView(paneTitle: p.spec.options["title"] ?? p.spec.name, pane: p) }
        case Int32(UInt8(ascii: "s")):
            if let p = focusedPane, p.spec.widget == .table {
                let n = Widgets.columns(p, p.feed.snapshot().rows).count
                p.sortColumn = p.sortColumn.map { $0 + 1 < n ? $0 + 1 : nil } ?? 0
            }
        case Int32(UInt8(ascii: "]")): group = (group + 1) % groups.count; focus = 0; zoomed = false; detail = nil; inspector = nil
        case Int32(UInt8(ascii: "[")): group = (group + groups.count - 1) % groups.count; focus = 0; zoomed = false; detail = nil; inspector = nil
        case Int32(UInt8(ascii: "+")), Int32(UInt8(ascii: "=")): fps = min(20, fps + 1)
        case Int32(UInt8(ascii: "-")): fps = max(1, fps - 1)
        case Int32(UInt8(ascii: "?")): help = help == nil ? HelpOverlay() : nil
        case Int32(UInt8(ascii: "e")): beginEdit()
        case Int32(UInt8(ascii: "!")): openIncidentMenu()
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
        guard ss_start(noColor ? 0 : 1, theme.cValue) >= 0 else { return .refused("cannot start curses on this terminal (TERM=\(ProcessInfo.processInfo.environment["TERM"] ?? ""))") }
        if mouse { _ = ss_mouse(1) }
        let cpuStart = threadCPUNanos(), feedStart = Dashboard.feedCPUNanos
        let wallStart = DispatchTime.now().uptimeNanoseconds
        var exit = Exit.quit
        var nextDraw = 0.0
        loop: while true {
            let sig = dashboardSignal.load(ordering: .relaxed)
            if sig != 0 { exit = .signal(sig); break }
            let now = Double(DispatchTime.now().uptimeNanoseconds) / 1e9
            if now >= nextDraw {
                let frame = render(width: Int(ss_cols()), height: Int(ss_lines()))
                draw(frame)
                onFrame?(frame)
                nextDraw = now + 1 / Double(fps)
            }
            let wait = max(1, Int32((nextDraw - Double(DispatchTime.now().uptimeNanoseconds) / 1e9) * 1000))
            let key = ss_getch(min(wait, 100))
            if key == -1 { continue }
            if key == ss_key_resize() { nextDraw = 0; continue }
            if key == ss_key_mouse() {
                var y: Int32 = 0, x: Int32 = 0
                let kind = ss_getmouse(&y, &x)
                if let event = MouseEvent(kind: kind) {
                    if !handleMouse(event, x: Int(x), y: Int(y), time: Double(DispatchTime.now().uptimeNanoseconds) / 1e9) { break loop }
                    nextDraw = 0
                }
                continue
            }
            if !handle(key) { break loop }
            nextDraw = 0
        }
        ss_stop()
        // A held feed goes on (the shell's generators keep running after the dashboard).
        if paused { setPaused(false) }
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
                let look = theme.look(run.style)
                // The last cell of the screen cannot be written without scrolling in some terminals.
                var text = run.text
                if y == f.height - 1 && run.x + Frame.width(text) >= f.width { text = String(text.dropLast()) }
                ss_put(Int32(y), Int32(run.x), text, look.pair, look.bold ? 1 : 0, look.reverse ? 1 : 0)
            }
        }
        ss_refresh()
    }
}
