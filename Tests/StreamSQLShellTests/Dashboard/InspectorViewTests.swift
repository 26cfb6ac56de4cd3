import Foundation
import StreamSQL
import XCTest
@testable import StreamSQLShell

/// The dashboard's inspector (`i` on a windowed pane), driven through the key handler and read from text
/// frames; the terminal test is `InspectorTerminalTests`.
final class InspectorViewTests: XCTestCase {
    let sec: Int64 = 1_000_000_000

    func board() throws -> (Dashboard, Engine) {
        let engine = Engine(options: EngineOptions(clock: ManualClock(start: 0)))
        try engine.run("CREATE STREAM s")
        try engine.run("CREATE QUERY w AS SELECT k, COUNT(*) AS c FROM s GROUP BY k, TumblingWindow('10s') WITH (TIMESTAMP='ts', TIMEUNIT='ms', MAXOUTOFORDERNESS='2s')")
        try engine.run("CREATE QUERY r AS SELECT k, ts FROM s")
        let w = try XCTUnwrap(engine.queries.first { $0.name == "w" }), r = try XCTUnwrap(engine.queries.first { $0.name == "r" })
        let panes = [Pane(spec: PaneSpec(name: "counts", widget: .table, query: "w", options: ["title": "Counts"]), query: w),
                     Pane(spec: PaneSpec(name: "rows", widget: .log, query: "r", options: ["title": "Rows"]), query: r)]
        for (k, ms) in [("a", 1_000), ("b", 3_000), ("a", 12_000), ("c", 14_000), ("a", 2_000)] {
            engine.emitSync(["k": .string(k), "ts": .int(Int64(ms))], to: "s")
        }
        XCTAssertNotNil(engine.emit(jsonLine: "{\"k\":", to: "s", sync: true))
        return (Dashboard(engine: engine, panes: panes, groups: [Dashboard.Group(name: "", title: "inspect", columns: 1)]), engine)
    }

    func testIOpensTheInspectorOfTheFocusedWindowedPaneAndEscClosesIt() throws {
        let (b, engine) = try board()
        XCTAssertTrue(b.handle(Int32(UInt8(ascii: "i"))))
        var frame = b.snapshot(width: 120, height: 40)
        XCTAssertTrue(frame.contains("Counts › inspector (w)"), frame)
        // What the engine says, on screen: the open windows per key, the next firing, late and rejected rows.
        XCTAssertTrue(frame.contains("Why nothing fired: the watermark (1970-01-01 00:00:12Z"), frame)
        XCTAssertTrue(frame.contains("Open windows (2 listed)"), frame)
        let windowLines = frame.split(separator: "\n").filter { $0.contains("fires in 8.0s") }
        XCTAssertEqual(windowLines.count, 2, frame)
        XCTAssertTrue(windowLines[0].contains("k=a") && windowLines[1].contains("k=c"), frame)
        XCTAssertTrue(frame.contains("Next firing: k=a [1970-01-01 00:00:10Z, 00:00:20Z), 1 row, in 8.0s"), frame)
        XCTAssertTrue(frame.contains("Late rows: 1") && frame.contains(#""ts":2000"#), frame)
        XCTAssertTrue(frame.contains("Rejected: 1"), frame)
        XCTAssertTrue(frame.contains("Esc back"), frame)
        // It is live: a row that moves the watermark past 20s fires the window, and the next frame says so.
        engine.emitSync(["k": "d", "ts": 25_000], to: "s")
        frame = b.snapshot(width: 120, height: 40)
        XCTAssertTrue(frame.contains("Next firing: k=d [1970-01-01 00:00:20Z, 00:00:30Z)"), frame)
        XCTAssertTrue(b.handle(27))
        frame = b.snapshot(width: 120, height: 40)
        XCTAssertFalse(frame.contains("inspector"), frame)
        XCTAssertTrue(frame.contains("Counts") && frame.contains("Rows"), frame)
        // A row query's pane has no windows: `i` leaves the dashboard as it is.
        XCTAssertTrue(b.handle(9))
        XCTAssertTrue(b.handle(Int32(UInt8(ascii: "i"))))
        XCTAssertFalse(b.snapshot(width: 120, height: 40).contains("inspector"))
    }

    func testItFitsAndScrollsAt80x24() throws {
        let (b, engine) = try board()
        for i in 0..<30 { engine.emitSync(["k": .string("key\(i)"), "ts": .int(Int64(15_000 + i))], to: "s") }
        XCTAssertTrue(b.handle(Int32(UInt8(ascii: "i"))))
        var frame = b.snapshot(width: 80, height: 24)
        XCTAssertTrue(frame.split(separator: "\n").allSatisfy { Frame.width(String($0)) <= 80 })
        let range = try XCTUnwrap(frame.firstMatch(of: /1-(\d+) of (\d+) lines/), frame)
        XCTAssertGreaterThan(Int(range.2) ?? 0, Int(range.1) ?? 0)
        XCTAssertTrue(b.handle(Dashboard.keyEnd))
        frame = b.snapshot(width: 80, height: 24)
        XCTAssertTrue(frame.contains("Rejected: 1"), "the end of the report:\n\(frame)")
        XCTAssertFalse(frame.contains("Why nothing fired"), frame)
    }

    func testWrapBreaksAtSpacesAndAlwaysMovesOn() {
        XCTAssertEqual(InspectorView.wrap("the watermark has not reached", 14), ["the watermark", "has not", "reached"])
        XCTAssertEqual(InspectorView.wrap("abcdefghijklmnopqrstu", 8), ["abcdefgh", "ijklmnop", "qrstu"])
        XCTAssertEqual(InspectorView.wrap(String(repeating: "…", count: 20), 8).count, 3)
        XCTAssertEqual(InspectorView.wrap("", 8), [""])
    }
}
