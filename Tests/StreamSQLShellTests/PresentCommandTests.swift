import Foundation
import StreamSQLShell
import XCTest

/// `streamsql present` and `play` as a newcomer meets them: the mistakes, and a step's screen on every run.
final class PresentCommandTests: XCTestCase {
    override func setUpWithError() throws {
        guard StreamsqlBinary.exists else { throw XCTSkip("build the streamsql binary first") }
    }

    func testMistakesGetClearErrors() throws {
        let cases: [([String], String)] = [
            (["present", "nope"], "cannot read the story nope"),
            (["present", "sensors"], "(no story for this scenario yet)"),
            (["present", "demos/fraud.sql", "--step", "1", "--snapshot", "/dev/null"], "demos/fraud.sql: line 7: a story holds only story commands"),
            (["present", "fraud", "--step", "9", "--snapshot", "/dev/null"], "--step N (1…4) and --snapshot FILE go together"),
            (["present", "fraud"], "presenting needs a terminal; without one, --step N --snapshot FILE"),
            (["demo", "--story"], "--story needs a scenario name (streamsql demo fraud --story)"),
            (["play", "/nonexistent.cast"], "cannot read /nonexistent.cast"),
        ]
        for (args, message) in cases {
            let r = try StreamsqlBinary.run(args, stdin: "")
            XCTAssertEqual(r.status, 2, "\(args)")
            XCTAssertTrue(r.err.contains(message), "\(args): \(r.err)")
        }
        let script = try StreamsqlBinary.run([], stdin: ".incident burst\n")
        XCTAssertTrue(script.err.contains("no generator runs here: .incident works in the shell after .gen"), script.err)
    }

    /// A story recorded without a terminal: valid asciicast v2, the same bytes on every run with the seed,
    /// its last frame the last step's screen.
    func testARecordingWithoutAScreenIsReproducibleAndEndsOnTheLastStep() throws {
        let dir = FileManager.default.temporaryDirectory.path + "/present-cast-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for name in ["a.cast", "b.cast"] {
            let r = try StreamsqlBinary.run(["present", "fraud", "--record", dir + "/" + name, "--no-screen", "--size", "100x30"])
            XCTAssertEqual(r.status, 0, r.err)
        }
        let a = try String(contentsOfFile: dir + "/a.cast", encoding: .utf8)
        XCTAssertEqual(a, try String(contentsOfFile: dir + "/b.cast", encoding: .utf8))
        let cast = try Cast(text: a)
        XCTAssertEqual([cast.width, cast.height], [100, 30])
        let times = cast.events.map(\.time)
        XCTAssertEqual(times, times.sorted())
        XCTAssertEqual(Set(times).count, times.count)
        XCTAssertGreaterThan(cast.events.count, 20)
        XCTAssertTrue(cast.events.contains { $0.text.contains("Fraud · step 1/4 │ event 2024-01-15 03:") && $0.text.contains("running…") })
        let r = try StreamsqlBinary.run(["present", "fraud", "--step", "4", "--snapshot", dir + "/last.txt"])
        XCTAssertEqual(r.status, 0, r.err)
        let last = try String(contentsOfFile: dir + "/last.txt", encoding: .utf8)
        let final = try XCTUnwrap(cast.events.last?.text)
        XCTAssertEqual(String(final.dropFirst(7)).replacingOccurrences(of: "\r\n", with: "\n") + "\n", last)
        XCTAssertEqual(try StreamsqlBinary.run(["present", "fraud", "--no-screen"]).status, 2)
    }

    /// `--snapshot-every INTERVAL DIR` without a screen: text frames at the story's own pace, the same files
    /// on every run with the seed, the last one the last step's screen; bad arguments are refused.
    func testSnapshotsEveryIntervalAreReproducibleTextFrames() throws {
        let dir = FileManager.default.temporaryDirectory.path + "/present-frames-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var runs: [[String: String]] = []
        for run in ["a", "b"] {
            let r = try StreamsqlBinary.run(["present", "fraud", "--no-screen", "--size", "100x30", "--snapshot-every", "10s", dir + "/" + run])
            XCTAssertEqual(r.status, 0, r.err)
            var files: [String: String] = [:]
            for name in try FileManager.default.contentsOfDirectory(atPath: dir + "/" + run) {
                files[name] = try String(contentsOfFile: dir + "/" + run + "/" + name, encoding: .utf8)
            }
            runs.append(files)
        }
        XCTAssertEqual(runs[0], runs[1])
        let names = runs[0].keys.sorted()
        XCTAssertGreaterThan(names.count, 2)
        XCTAssertEqual(names.first, "frame-0001.txt")
        XCTAssertEqual(names, (1...names.count).map { String(format: "frame-%04d.txt", $0) })
        XCTAssertTrue(runs[0]["frame-0001.txt"]?.contains("Fraud · step 1/4") == true)
        // Each frame is the 30 lines of the 100×30 screen.
        for (_, text) in runs[0] { XCTAssertEqual(text.split(separator: "\n", omittingEmptySubsequences: false).count, 31) }
        for bad in [["5s"], ["0s", dir + "/c"], ["soon", dir + "/c"]] {
            let r = try StreamsqlBinary.run(["present", "fraud", "--no-screen", "--snapshot-every"] + bad)
            XCTAssertEqual(r.status, 2, "\(bad)")
            XCTAssertTrue(r.err.contains("--snapshot-every takes an interval and a folder"), r.err)
        }
    }

    func testAStepSnapshotIsTheSameOnEveryRunAndDependsOnTheSeed() throws {
        let dir = FileManager.default.temporaryDirectory.path + "/present-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        func shot(_ name: String, seed: String) throws -> String {
            let r = try StreamsqlBinary.run(["present", "fraud", "--step", "2", "--snapshot", dir + "/" + name, "--seed", seed])
            XCTAssertEqual(r.status, 0, r.err)
            return try String(contentsOfFile: dir + "/" + name, encoding: .utf8)
        }
        let a = try shot("a", seed: "42"), b = try shot("b", seed: "42"), c = try shot("c", seed: "5")
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, c)
        XCTAssertTrue(a.hasPrefix(" Fraud · step 2/4 │ event 2024-01-15 04:00:27 │ → next"), a)
        XCTAssertEqual(a.split(separator: "\n").count, 30)
    }
}
