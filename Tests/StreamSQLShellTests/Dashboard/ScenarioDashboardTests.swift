import Foundation
import StreamSQL
import StreamSQLScenarios
import XCTest
@testable import StreamSQLShell

/// Scenario dashboards as text frames: every pane shows live values, and the keys zoom, pause, step and filter.
final class ScenarioDashboardTests: XCTestCase {
    static let demos = ScenarioTests.demos

    func testDashboardSnapshotShowsEveryPaneWithLiveValues() throws {
        for (name, size) in [("supply", (120, 40)), ("fraud", (80, 24)), ("traffic", (120, 40)), ("energy", (120, 40))] {
            let s = try XCTUnwrap(Scenarios.named(name))
            let session = ScenarioSession(scenarios: [s], demosDirectory: Self.demos)
            XCTAssertEqual(session.errors, [])
            let feeder = try session.feeder(seed: 3, rate: 0)
            feeder.synchronous = true
            feeder.limit = 8000
            feeder.runHere()
            let board = session.dashboard(feeder: feeder)
            let text = board.snapshot(width: size.0, height: size.1)
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            XCTAssertEqual(lines.count - 1, size.1, name)
            XCTAssertTrue(lines.allSatisfy { Frame.width(String($0)) <= size.0 }, name)
            XCTAssertTrue(text.contains("StreamSQL ▸ \(s.title)"), name)
            XCTAssertTrue(text.contains("event 2024-01-"), name)
            XCTAssertFalse(text.contains("waiting for results"), "\(name):\n\(text)")
            for p in session.panes { XCTAssertTrue(text.contains(Frame.fit(p.spec.options["title"] ?? p.spec.name, 20).prefix(12)), "\(name) \(p.spec.name):\n\(text)") }
        }
    }

    func testDashboardKeysZoomPauseStepAndFilter() throws {
        let s = try XCTUnwrap(Scenarios.named("supply"))
        let session = ScenarioSession(scenarios: [s], demosDirectory: Self.demos)
        let feeder = try session.feeder(seed: 3, rate: 0)
        feeder.synchronous = true
        feeder.limit = 1000
        feeder.runHere()
        let board = session.dashboard(feeder: feeder)
        let first = board.snapshot(width: 100, height: 30)
        XCTAssertTrue(first.contains("Stock alerts") && first.contains("Days of stock"))
        // Zoom the second pane: only it is drawn.
        XCTAssertTrue(board.handle(9))
        XCTAssertTrue(board.handle(13))
        let zoomed = board.snapshot(width: 100, height: 30)
        XCTAssertTrue(zoomed.contains("Days of stock") && !zoomed.contains("Stock alerts"), zoomed)
        XCTAssertTrue(board.handle(13))
        // Pause, new events arrive, the body stays; stepping back shows an older frame.
        XCTAssertTrue(board.handle(32))
        let paused = board.snapshot(width: 100, height: 30)
        XCTAssertTrue(paused.contains("PAUSED"))
        feeder.limit = 3000
        feeder.runHere()
        let stillPaused = board.snapshot(width: 100, height: 30)
        XCTAssertEqual(Array(paused.split(separator: "\n").dropFirst().dropLast()), Array(stillPaused.split(separator: "\n").dropFirst().dropLast()))
        XCTAssertTrue(board.handle(Dashboard.keyLeft))
        XCTAssertTrue(board.snapshot(width: 100, height: 30).contains("PAUSED"))
        XCTAssertTrue(board.handle(32))
        XCTAssertNotEqual(board.snapshot(width: 100, height: 30), stillPaused)
        // Filter the alerts log to one warehouse (a column-qualified filter: the other warehouse columns may
        // name it too).
        XCTAssertTrue(board.handle(49))
        XCTAssertTrue(board.handle(Int32(UInt8(ascii: "/"))))
        for c in "warehouse_id=WH004".utf8 { XCTAssertTrue(board.handle(Int32(c))) }
        XCTAssertTrue(board.handle(13))
        let filtered = board.snapshot(width: 100, height: 30)
        let alertLines = filtered.split(separator: "\n").filter { $0.contains("● ") }
        XCTAssertFalse(alertLines.isEmpty)
        XCTAssertTrue(alertLines.allSatisfy { $0.contains("WH004") }, filtered)
        // q leaves.
        XCTAssertFalse(board.handle(Int32(UInt8(ascii: "q"))))
    }}
