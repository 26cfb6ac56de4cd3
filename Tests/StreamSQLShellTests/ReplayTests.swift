import Foundation
import StreamSQL
import StreamSQLScenarios
import XCTest
@testable import StreamSQLShell

/// File replay: JSON Lines and CSV, bad lines counted with line numbers, pacing, progress, stopping.
final class ReplayTests: ScratchFolderTestCase {
    override var needsBinary: Bool { false }

    func testBadLinesAreCountedWithLineNumbersAndNeverStopTheReplay() throws {
        let path = try file("ev.jsonl", """
            {"k": 1, "timestamp": "2024-01-15T10:00:00Z"}
            {"k": 2,
            [3]

            {"k": 4, "timestamp": "2024-01-15T10:00:05Z"}
            not json
            {"k": 5}
            """)
        let engine = Engine()
        engine.createStream("s")
        let q = try engine.execute("SELECT k FROM s")
        let rows = Locked<[Value]>([])
        q.addSink { b in rows.mutate { $0 += b.objects.compactMap { $0["k"] } } }
        let replay = Replay(engine: engine, inputs: [Replay.Input(path: path, stream: "s")])
        replay.synchronous = true
        let reported = Locked<[String]>([])
        replay.onRejection = { t in reported.mutate { $0.append(t) } }
        replay.run()
        XCTAssertEqual(rows.value, [1, 4, 5])
        XCTAssertEqual(replay.summary.events, 3)
        XCTAssertEqual(replay.summary.rejected, 3)
        XCTAssertEqual(reported.value.map { $0.components(separatedBy: " line ").last?.prefix(1) ?? "" }, ["2", "3", "6"], "\(reported.value)")
        XCTAssertEqual(replay.progress, 1)
        XCTAssertEqual(replay.eventTimeMs, TimeParse.parse("2024-01-15T10:00:05Z").map { $0 / 1_000_000 })
        XCTAssertEqual(replay.status, "replay done · 3 events · 3 rejected")
        XCTAssertEqual(engine.streamMetrics("s")?.rejected, 3, "rejections are counted on the stream too")
    }

    func testCSVRowsAreTypedAndABadRowIsReported() throws {
        let path = try file("ev.csv", "k,v,timestamp\n1,2.5,2024-01-15T10:00:00Z\n2\n3,x,2024-01-15T10:00:01Z\n")
        let engine = Engine()
        engine.createStream("s")
        let q = try engine.execute("SELECT k, v FROM s")
        let rows = Locked<[[String: Value]]>([])
        q.addSink { b in rows.mutate { $0 += b.objects.map { Dictionary(uniqueKeysWithValues: $0.map { ($0.key, $0.value) }) } } }
        let replay = Replay(engine: engine, inputs: [Replay.Input(path: path, stream: "s")])
        replay.synchronous = true
        replay.run()
        XCTAssertEqual(rows.value, [["k": 1, "v": 2.5], ["k": 3, "v": "x"]])
        XCTAssertEqual(replay.summary.rejections.count, 1)
        XCTAssertTrue(replay.summary.rejections[0].contains("line 3"), replay.summary.rejections[0])
    }

    func testPaceParsingAndEventTimePacing() throws {
        XCTAssertEqual(Replay.Pace.parse("max"), .max)
        XCTAssertEqual(Replay.Pace.parse("500"), .rate(500))
        XCTAssertEqual(Replay.Pace.parse("500/s"), .rate(500))
        XCTAssertEqual(Replay.Pace.parse("x10"), .speed(10))
        XCTAssertEqual(Replay.Pace.parse("×2.5"), .speed(2.5))
        for bad in ["x0", "-3", "fast", "x", "0", "nan"] { XCTAssertNil(Replay.Pace.parse(bad), bad) }

        // Two seconds of event time at ×10 cannot take less than 0.2 s of wall time.
        let lines = (0...20).map { #"{"i": \#($0), "ts": \#(1_700_000_000_000 + $0 * 100)}"# }.joined(separator: "\n")
        let path = try file("paced.jsonl", lines)
        let engine = Engine()
        engine.createStream("s")
        let replay = Replay(engine: engine, inputs: [Replay.Input(path: path, stream: "s")], pace: .speed(10), timeField: "ts")
        let start = Date()
        replay.run()
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(start), 0.19)
        XCTAssertEqual(replay.summary.events, 21)
        XCTAssertEqual(replay.eventTimeMs, 1_700_000_002_000)
    }

    func testStopEndsABackgroundReplayAndUnreadableFilesAreNamed() throws {
        let lines = (0..<100_000).map { #"{"i": \#($0)}"# }.joined(separator: "\n")
        let path = try file("long.jsonl", lines)
        let engine = Engine()
        engine.createStream("s")
        let replay = Replay(engine: engine, inputs: [Replay.Input(path: path, stream: "s")], pace: .rate(1000))
        replay.start()
        usleep(100_000)
        replay.stop()
        XCTAssertTrue(replay.isFinished)
        XCTAssertTrue(replay.summary.cancelled)
        XCTAssertLessThan(replay.summary.events, 100_000)
        XCTAssertTrue(replay.status?.hasPrefix("replay done") ?? false)

        let missing = Replay(engine: engine, inputs: [Replay.Input(path: dir.appendingPathComponent("nope.jsonl").path, stream: "s")])
        missing.run()
        XCTAssertEqual(missing.summary.unreadable.count, 1)
        XCTAssertTrue(missing.summary.description.contains("cannot read"), missing.summary.description)
    }
}

extension ReplayTests {
    func testTheDashboardHeaderShowsReplayProgress() throws {
        let s = try XCTUnwrap(Scenarios.named("fraud"))
        let g = s.generator(GeneratorConfig(seed: 1))
        let lines = (0..<500).map { _ in g.next().jsonLine } + ["{oops"]
        let path = try file("tx.jsonl", lines.joined(separator: "\n"))
        let session = ScenarioSession(scenarios: [s], demosDirectory: ScenarioTests.demos)
        let replay = Replay(engine: session.engine, inputs: [Replay.Input(path: path, stream: "transactions")])
        replay.synchronous = true
        replay.run()
        session.engine.drain()
        let frame = session.dashboard(feeder: replay).snapshot(width: 160, height: 30)
        XCTAssertTrue(frame.contains("replay done · 500 events · 1 rejected"), frame)
        XCTAssertTrue(frame.contains("event 2024-01-15"), frame)
    }
}
