import Foundation
import XCTest
@testable import StreamSQL

/// Each stream's own event time (the dashboard header and SHOW STREAMS' "event time"): the lag of its
/// queries' watermark behind the newest event time they saw, and "idle" for a stream that went quiet —
/// never a lag made of another stream's events or of the wall clock.
final class StreamTimeStatusTests: XCTestCase {
    let sec: Int64 = 1_000_000_000
    let t0: Int64 = 1_000_000_000_000_000_000

    func query(_ stream: String, outOfOrder: Int) -> String {
        "CREATE QUERY \(stream)_w AS SELECT k, COUNT(*) AS c FROM \(stream) GROUP BY k, TumblingWindow('10s') "
            + "WITH (TIMESTAMP='ts', TIMEUNIT='ms', MAXOUTOFORDERNESS='\(outOfOrder)s')"
    }

    func column(_ e: Engine, _ name: String) throws -> String? {
        guard case .table(let cols, let rows) = try e.run("SHOW STREAMS") else { XCTFail("not a table"); return nil }
        let i = try XCTUnwrap(cols.firstIndex(of: "event time"))
        return rows.first { $0[0] == .string(name) }?[i].asString
    }

    func testEachStreamHasItsOwnLagAndAQuietOneIsIdle() throws {
        let clock = ManualClock(start: t0)
        let e = Engine(options: EngineOptions(clock: clock))
        for s in ["fast", "slow"] { try e.run("CREATE STREAM \(s)") }
        try e.run(query("fast", outOfOrder: 2))
        try e.run(query("slow", outOfOrder: 5))
        try e.run("CREATE STREAM plain")
        // Random event times; the lag is the newest time minus the watermark (newest − out-of-orderness).
        var rng = SystemRandomNumberGenerator()
        var newest: [String: Int64] = [:]
        for _ in 0..<200 {
            let s = Bool.random(using: &rng) ? "fast" : "slow"
            let ms = Int64.random(in: 1_000_000...2_000_000, using: &rng)
            newest[s] = max(newest[s] ?? ms, ms)
            e.emitSync(["k": .string("a"), "ts": .int(ms)], to: s)
        }
        XCTAssertEqual(e.timeStatus(ofStream: "fast"), .lag(2 * sec))
        XCTAssertEqual(e.timeStatus(ofStream: "slow"), .lag(5 * sec))
        XCTAssertNil(e.timeStatus(ofStream: "plain"), "no query keeps a watermark on it")
        XCTAssertEqual(try column(e, "fast"), "lag 2.0s")
        XCTAssertEqual(try column(e, "plain"), "")
        // Five seconds of wall clock: slow gets nothing and is idle; fast goes on and keeps its own lag.
        clock.advance(by: 5 * sec + sec / 2)
        e.emitSync(["k": .string("a"), "ts": .int((newest["fast"] ?? 0) + 3_000)], to: "fast")
        XCTAssertEqual(e.timeStatus(ofStream: "slow"), .idle(5 * sec + sec / 2))
        XCTAssertEqual(try column(e, "slow"), "idle 5s")
        XCTAssertEqual(e.timeStatus(ofStream: "fast"), .lag(2 * sec))
    }
}
