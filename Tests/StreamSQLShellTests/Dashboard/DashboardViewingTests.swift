import Foundation
import StreamSQL
import StreamSQLScenarios
import XCTest
@testable import StreamSQLShell

/// The help overlay at 80×24, the mouse, the value cursor, per-scenario paused history, the feed pausing
/// with the dashboard, and the themes, driven through the dashboard's handlers and read from text frames.
final class DashboardViewingTests: XCTestCase {
    var engine = Engine()

    /// A table, a bars pane and a single-series sparkline over one stream, one pane per row.
    func board(rows n: Int) throws -> Dashboard {
        engine = Engine()
        engine.createStream("s")
        _ = try engine.run("CREATE QUERY r AS SELECT k, v, timestamp FROM s")
        let q = try XCTUnwrap(engine.queries.first { $0.name == "r" })
        let panes = [
            Pane(spec: PaneSpec(name: "t", widget: .table, query: "r", options: ["columns": "k,v", "title": "Rows"]), query: q),
            Pane(spec: PaneSpec(name: "b", widget: .bars, query: "r", options: ["key": "k", "value": "v", "title": "Bars"]), query: q),
            Pane(spec: PaneSpec(name: "p", widget: .sparkline, query: "r", options: ["value": "v", "title": "Spark"]), query: q),
        ]
        for i in 0..<n { emit("k\(i)", 1.5 + Double(i) * 1.25, second: i) }
        return Dashboard(engine: engine, panes: panes, groups: [Dashboard.Group(name: "", title: "view", columns: 1)])
    }

    func emit(_ k: String, _ v: Double, second: Int) {
        engine.emitSync(["k": .string(k), "v": .double(v), "timestamp": .string("2026-01-02T03:04:\(String(format: "%02d", second))Z")], to: "s")
    }

    func lines(_ s: String) -> [String] { s.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }

    // MARK: Help

    func testTheHelpFitsAt80x24AndScrollsToItsLastLine() throws {
        let b = try board(rows: 3)
        XCTAssertTrue(b.handle(Int32(UInt8(ascii: "?"))))
        var frame = b.snapshot(width: 80, height: 24)
        let ls = lines(frame)
        // The box: its top and bottom edges are on the screen, nothing runs past its right edge.
        let top = try XCTUnwrap(ls.firstIndex { $0.contains("─ help ─") }, frame)
        let bottom = try XCTUnwrap(ls.lastIndex { $0.contains("└") && $0.contains("of") && $0.contains("↑↓") }, frame)
        XCTAssertTrue(top >= 1 && bottom <= 22, frame)
        XCTAssertTrue(frame.contains("Keys") && frame.contains("Esc or ? close"), frame)
        // Every entry's words are somewhere in the pages: scroll a line at a time to the end.
        var seen = frame
        for _ in 0..<40 {
            XCTAssertTrue(b.handle(Dashboard.keyDown))
            frame = b.snapshot(width: 80, height: 24)
            seen += frame
        }
        XCTAssertTrue(frame.contains("close this help") && !frame.contains("Keys"), "the last page:\n\(frame)")
        for e in HelpOverlay.entries {
            for word in e.text.split(separator: " ") where word.count > 3 { XCTAssertTrue(seen.contains(word), "\(word) of \(e.keys)") }
        }
        XCTAssertTrue(seen.contains("w   ") && seen.contains("why — the inputs"), "the detail view's w is listed")
        XCTAssertTrue(b.handle(Dashboard.keyHome))
        XCTAssertTrue(b.snapshot(width: 80, height: 24).contains("Keys"))
        // ? closes it; so would Esc.
        XCTAssertTrue(b.handle(Int32(UInt8(ascii: "?"))))
        XCTAssertFalse(b.snapshot(width: 80, height: 24).contains("─ help ─"))
    }

    func testHelpLinesNeverExceedTheirWidth() {
        for w in [20, 33, 40, 60, 74] {
            let ls = HelpOverlay.lines(width: w)
            XCTAssertTrue(ls.allSatisfy { Frame.width($0) <= w }, "width \(w): \(ls.filter { Frame.width($0) > w })")
            XCTAssertTrue(ls.joined(separator: " ").contains("close this"), "width \(w): \(ls)")
        }
        XCTAssertEqual(HelpOverlay.wrap("a bb ccc dddd", width: 6), ["a bb", "ccc", "dddd"])
        XCTAssertEqual(HelpOverlay.wrap("abcdefghij", width: 4), ["abcd", "efgh", "ij"])
    }

    // MARK: Mouse

    func testClicksTellADoubleClickFromTwoClicks() {
        var c = ClickTracker()
        XCTAssertFalse(c.press(x: 10, y: 5, time: 1.0))
        XCTAssertTrue(c.press(x: 11, y: 5, time: 1.2))
        XCTAssertFalse(c.press(x: 11, y: 5, time: 1.3), "a third press starts over")
        XCTAssertFalse(c.press(x: 11, y: 6, time: 1.4), "another line")
        XCTAssertFalse(c.press(x: 11, y: 6, time: 2.0), "too late")
        XCTAssertEqual(MouseEvent(kind: 1), .press)
        XCTAssertEqual(MouseEvent(kind: 3), .wheelDown)
        XCTAssertNil(MouseEvent(kind: 0))
    }

    func testAClickFocusesAPaneAndSelectsTheRowUnderItAndADoubleClickOpensIt() throws {
        let b = try board(rows: 12)
        var frame = b.snapshot(width: 80, height: 24)
        // The bars pane (second): click its fourth bar line.
        let ls = lines(frame)
        let barsTop = try XCTUnwrap(ls.firstIndex { $0.contains("─ Bars") }, frame)
        let y = barsTop + 4
        let clickedKey = try XCTUnwrap(ls[y].split(separator: " ").first.map { String($0.dropFirst()) }, frame)
        XCTAssertTrue(b.handleMouse(.press, x: 5, y: y, time: 10))
        XCTAssertEqual(b.focus, 1)
        XCTAssertEqual(b.focusedPane?.selectedRow()?.row["k"], .string(clickedKey), frame)
        frame = b.snapshot(width: 80, height: 24)
        XCTAssertTrue(frame.contains("◆ k \(clickedKey) = "), frame)
        // The wheel moves the cursor three rows.
        XCTAssertTrue(b.handleMouse(.wheelDown, x: 5, y: y, time: 11))
        XCTAssertEqual(b.focusedPane?.cursor.index, 6)
        XCTAssertTrue(b.handleMouse(.wheelUp, x: 5, y: y, time: 12))
        XCTAssertEqual(b.focusedPane?.cursor.index, 3)
        // A click on the table's first row, and a second one: the detail view of that row.
        let tableRow = try XCTUnwrap(lines(b.snapshot(width: 80, height: 24)).firstIndex { $0.contains("─ Rows") }) + 2
        XCTAssertTrue(b.handleMouse(.press, x: 8, y: tableRow, time: 20))
        XCTAssertEqual(b.focus, 0)
        XCTAssertNil(b.detail)
        XCTAssertTrue(b.handleMouse(.press, x: 8, y: tableRow, time: 20.2))
        let opened = try XCTUnwrap(b.detail)
        XCTAssertEqual(opened.entry.row["k"], .string("k11"), "newest first")
        // The wheel now scrolls the detail view, and Esc goes back.
        XCTAssertTrue(b.handleMouse(.wheelDown, x: 8, y: tableRow, time: 21))
        XCTAssertTrue(b.handle(27))
        XCTAssertNil(b.detail)
    }

    // MARK: Value cursor

    func testTheValueCursorReadsOutTheExactValueAndItsTime() throws {
        let b = try board(rows: 20)
        XCTAssertTrue(b.handle(Int32(UInt8(ascii: "3"))))
        var frame = b.snapshot(width: 80, height: 24)
        XCTAssertFalse(frame.contains("◆"), frame)
        // ← puts it on the newest point, then three back: the value of the 17th row (index 16).
        XCTAssertTrue(b.handle(Dashboard.keyLeft))
        frame = b.snapshot(width: 80, height: 24)
        XCTAssertTrue(frame.contains("◆ v 25.25  (newest)") && frame.contains("  at 2026-01-02 03:04:19Z"), frame)
        for _ in 0..<3 { XCTAssertTrue(b.handle(Dashboard.keyLeft)) }
        frame = b.snapshot(width: 80, height: 24)
        XCTAssertTrue(frame.contains("◆ v 21.5  (3 back)") && frame.contains("  at 2026-01-02 03:04:16Z"), frame)
        // New points arrive: the cursor stays on its point.
        emit("k20", 99.125, second: 30)
        frame = b.snapshot(width: 80, height: 24)
        XCTAssertTrue(frame.contains("◆ v 21.5  (4 back)") && frame.contains("  at 2026-01-02 03:04:16Z"), frame)
        // Far right is the newest; Esc takes the cursor away.
        for _ in 0..<10 { XCTAssertTrue(b.handle(ss_right)) }
        XCTAssertTrue(b.snapshot(width: 80, height: 24).contains("◆ v 99.125  (newest)"))
        XCTAssertTrue(b.handle(27))
        XCTAssertFalse(b.snapshot(width: 80, height: 24).contains("◆"))
        // On bars, ← → move bar by bar and read out the key.
        XCTAssertTrue(b.handle(Int32(UInt8(ascii: "2"))))
        XCTAssertTrue(b.handle(ss_right))
        XCTAssertTrue(b.snapshot(width: 80, height: 24).contains("│  at 2026-01-02 03:04:30Z"))
        XCTAssertTrue(b.snapshot(width: 80, height: 24).contains("◆ k k20 = 99.125 "))
        XCTAssertTrue(b.handle(ss_right))
        XCTAssertTrue(b.snapshot(width: 80, height: 24).contains("◆ k k19 = 25.25 "))
    }

    var ss_right: Int32 { Dashboard.keyRight }

    func testAKeyedSparklineMarksTheSamePointsBackOnEveryLine() throws {
        engine = Engine()
        engine.createStream("s")
        _ = try engine.run("CREATE QUERY r AS SELECT k, v, timestamp FROM s")
        let q = try XCTUnwrap(engine.queries.first { $0.name == "r" })
        let pane = Pane(spec: PaneSpec(name: "p", widget: .sparkline, query: "r", options: ["value": "v", "key": "k", "title": "Keyed"]), query: q)
        let b = Dashboard(engine: engine, panes: [pane], groups: [Dashboard.Group(name: "", title: "k")])
        for i in 0..<10 {
            emit("north", Double(i), second: i)
            emit("south", 100 + Double(i) / 8, second: i)
        }
        _ = b.snapshot(width: 80, height: 24)
        for _ in 0..<3 { XCTAssertTrue(b.handle(Dashboard.keyLeft)) }
        let frame = b.snapshot(width: 80, height: 24)
        // Two points back from the newest (9): north 7, south 100.875, at the first line's time.
        XCTAssertTrue(frame.contains("◆ 2026-01-02 03:04:07Z  north 7  south 100.875"), frame)
        let north = try XCTUnwrap(lines(frame).first { $0.contains("│north") })
        XCTAssertTrue(north.hasSuffix("7│"), north)
    }

    func testAClickOnAScenarioTabSwitchesToIt() throws {
        guard let dir = ScenarioSession.demosDirectory() else { throw XCTSkip("no demos folder") }
        let session = ScenarioSession(scenarios: ["supply", "energy"].compactMap(Scenarios.named), demosDirectory: dir)
        let board = session.dashboard(feeder: nil)
        let frame = board.snapshot(width: 100, height: 30)
        let tabs = lines(frame)[1]
        let x = try XCTUnwrap(tabs.range(of: "energy").map { tabs.distance(from: tabs.startIndex, to: $0.lowerBound) }, tabs)
        XCTAssertTrue(board.handleMouse(.press, x: x + 1, y: 1, time: 1))
        XCTAssertEqual(board.group, 1)
        XCTAssertTrue(board.snapshot(width: 100, height: 30).contains("Campus consumption"))
    }

    // MARK: Pause

    func testPausedHistoryStaysWithinOneScenario() throws {
        guard let dir = ScenarioSession.demosDirectory() else { throw XCTSkip("no demos folder") }
        let chosen = ["supply", "energy"].compactMap(Scenarios.named)
        let session = ScenarioSession(scenarios: chosen, demosDirectory: dir)
        XCTAssertEqual(session.errors, [])
        let feeder = try session.feeder(seed: 5, rate: 0)
        feeder.synchronous = true
        let board = session.dashboard(feeder: feeder)
        let own = { (s: String) in (supply: s.contains("Stock alerts"), energy: s.contains("Campus consumption")) }
        // Frames of both scenarios are kept, interleaved with switching.
        for round in 0..<4 {
            feeder.limit = 500 * (round + 1)
            feeder.runHere()
            _ = board.snapshot(width: 100, height: 30)
            XCTAssertTrue(board.handle(Int32(UInt8(ascii: "]"))))
            _ = board.snapshot(width: 100, height: 30)
        }
        XCTAssertTrue(board.handle(32))
        for _ in 0..<2 {
            // Step back through this scenario's frames, then switch and step back through the other's.
            for _ in 0..<6 {
                let f = board.snapshot(width: 100, height: 30)
                let header = lines(f)[0]
                let o = own(f)
                XCTAssertTrue(header.contains("PAUSED"), header)
                if board.group == 0 { XCTAssertTrue(o.supply && !o.energy, f) } else { XCTAssertTrue(o.energy && !o.supply, f) }
                XCTAssertTrue(board.handle(Dashboard.keyLeft))
            }
            XCTAssertTrue(board.handle(Int32(UInt8(ascii: "]"))))
        }
        XCTAssertEqual(board.history.position(group: board.group), 0, "stepped back to its oldest frame")
    }

    func testPausingHoldsAGeneratorUnlessKeepFeeding() throws {
        let b = try board(rows: 1)
        let gen = Scenarios.business[0]
        let eng = Engine()
        for s in gen.streams { eng.createStream(s) }
        let feeder = try Feeder(engine: eng, sources: [Feeder.Source(generator: gen.generator(GeneratorConfig(seed: 1)), rate: 2000)])
        b.feeder = feeder
        feeder.start()
        defer { feeder.stop() }
        XCTAssertTrue(waitFor { feeder.emitted > 50 })
        XCTAssertTrue(b.handle(32))
        XCTAssertTrue(lines(b.snapshot(width: 100, height: 30))[0].contains("PAUSED 1/1 · feed paused"))
        usleep(50_000)
        let held = feeder.emitted
        usleep(300_000)
        XCTAssertEqual(feeder.emitted, held, "no events while paused")
        // Resuming does not send the events due meanwhile in a burst: the pace goes on from where it was.
        XCTAssertTrue(b.handle(32))
        usleep(100_000)
        XCTAssertLessThan(feeder.emitted - held, 600, "at 2000/s, 0.1 s is about 200 events, not the 800 a catch-up would add")
        XCTAssertGreaterThan(feeder.emitted, held)
        b.keepFeeding = true
        XCTAssertTrue(b.handle(32))
        XCTAssertTrue(lines(b.snapshot(width: 100, height: 30))[0].contains("feed running"))
        let running = feeder.emitted
        XCTAssertTrue(waitFor { feeder.emitted > running + 50 })
        XCTAssertTrue(b.handle(32))
    }

    func testAPausedReplayHoldsItsLine() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("pause-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        let text = (0..<400).map { "{\"v\": \($0)}" }.joined(separator: "\n") + "\n"
        XCTAssertTrue(FileManager.default.createFile(atPath: file, contents: Data(text.utf8)))
        let eng = Engine()
        eng.createStream("s")
        let replay = Replay(engine: eng, inputs: [Replay.Input(path: file, stream: "s")], pace: .rate(400))
        replay.start()
        XCTAssertTrue(waitFor { replay.emitted >= 20 })
        replay.setPaused(true)
        usleep(50_000)
        let held = replay.emitted
        usleep(300_000)
        XCTAssertEqual(replay.emitted, held)
        XCTAssertTrue(replay.setPaused(false))
        XCTAssertTrue(waitFor { replay.emitted > held })
        // Stopping works while paused too (the dashboard's q or Ctrl-C while paused).
        replay.setPaused(true)
        replay.stop()
        XCTAssertTrue(replay.summary.cancelled)
    }

    func waitFor(seconds: Double = 5, _ check: () -> Bool) -> Bool {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end { if check() { return true }; usleep(10_000) }
        return false
    }

    // MARK: Theme

    func testTheContrastThemeIsBoldWithoutGreyAndNamesAreChecked() throws {
        XCTAssertEqual(DashboardTheme(name: "Contrast"), .contrast)
        XCTAssertNil(DashboardTheme(name: "dark"))
        for style in [CellStyle.normal, .green, .amber, .red, .accent, .dim, .header, .highlight, .bold, .focus] {
            XCTAssertTrue(DashboardTheme.contrast.look(style).bold, "\(style)")
            XCTAssertEqual(DashboardTheme.contrast.look(style).pair, DashboardTheme.default.look(style).pair)
        }
        XCTAssertFalse(DashboardTheme.default.look(.dim).bold)
        var settings = ShellSettings()
        XCTAssertEqual(try settings.set("theme", "contrast", engine: engine), "theme = contrast")
        XCTAssertEqual(settings.theme, .contrast)
        XCTAssertThrowsError(try settings.set("theme", "neon", engine: engine)) { e in
            XCTAssertTrue("\(e)".contains("default, contrast"), "\(e)")
        }
    }
}
