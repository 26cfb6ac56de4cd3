import OrderedCollections
import XCTest
@testable import StreamSQL

/// Window, watermark, session, WITHIN and recent_count arithmetic on event times near the ends of Int64
/// nanoseconds: nothing traps, a time no window can hold is a counted rejection with a reason of its own,
/// and times inside the range behave as before.
final class WindowOverflowTests: XCTestCase {
    let max = Int64.max, min = Int64.min
    let outOfRange = "event time out of range in 'ts'"

    func engine(_ clock: Clock = ManualClock(start: 0)) -> Engine { Engine(options: EngineOptions(clock: clock)) }

    func events(_ e: Engine, _ times: [Int64]) {
        for t in times { e.emitSync(["ts": .int(t), "v": 1]) }
    }

    func testTumblingWindowRejectsTimesAtTheEdgesAndKeepsTheRest() throws {
        let e = engine()
        let q = try e.execute("""
            SELECT COUNT(*) AS c, window_start() AS ws FROM stream GROUP BY TumblingWindow('1s')
            WITH (TIMESTAMP='ts', TIMEUNIT='ns', ALLOWEDLATENESS='2s', MAXOUTOFORDERNESS='1s')
            """)
        let c = Collected(); q.addSink(c.add)
        let near = max - 10_000_000_000
        events(e, [min, min + 1, 5, max, max - 1, near, 7])
        e.finish()
        XCTAssertEqual(q.metrics.rejectionReasons[outOfRange], 4)
        XCTAssertEqual(q.metrics.rejected, 4)
        XCTAssertEqual(q.metrics.late, 1, "7 ns is long past the watermark that the time near the end set")
        XCTAssertEqual(c.all.map { $0["c"]! }, [1, 1])
        XCTAssertEqual(c.all.map { $0["ws"]! }, [.int(0), .int(near / 1_000_000_000 * 1_000_000_000)])
    }

    func testSlidingWindowAtTheEdgesDoesNotTrap() throws {
        let e = engine()
        let q = try e.execute("""
            SELECT COUNT(*) AS c, window_end() AS we FROM stream GROUP BY SlidingWindow('10s', '5s')
            WITH (TIMESTAMP='ts', TIMEUNIT='ns', ALLOWEDLATENESS='1m')
            """)
        let c = Collected(); q.addSink(c.add)
        let low = min + 60_000_000_000
        events(e, [min, low, max])
        e.finish()
        XCTAssertEqual(q.metrics.rejectionReasons[outOfRange], 2)
        // The time a minute above Int64.min is in two 10 s windows, each with one row.
        XCTAssertEqual(c.all.map { $0["c"]! }, [1, 1])
        XCTAssertEqual(q.stateSize.openWindows, 0)
    }

    func testSessionWindowAtTheEdgesDoesNotTrap() throws {
        let e = engine()
        let q = try e.execute("""
            SELECT COUNT(*) AS c, window_start() AS ws FROM stream GROUP BY SessionWindow('5s')
            WITH (TIMESTAMP='ts', TIMEUNIT='ns', ALLOWEDLATENESS='1s')
            """)
        let c = Collected(); q.addSink(c.add)
        events(e, [min, min + 1, max, max - 1, max - 10_000_000_000])
        e.finish()
        XCTAssertEqual(q.metrics.rejectionReasons[outOfRange], 2)
        XCTAssertEqual(c.all.map { $0["c"]! }, [2, 1])
        XCTAssertEqual(c.all.map { $0["ws"]! }, [.int(min), .int(max - 10_000_000_000)])
    }

    func testIdleTimeoutAfterATimeNearTheEndDoesNotTrap() throws {
        let clock = ManualClock(start: 0)
        let e = engine(clock)
        let q = try e.execute("""
            SELECT COUNT(*) AS c FROM stream GROUP BY TumblingWindow('1s')
            WITH (TIMESTAMP='ts', TIMEUNIT='ns', IDLETIMEOUT='2s', MAXOUTOFORDERNESS='1s')
            """)
        let c = Collected(); q.addSink(c.add)
        events(e, [max - 10_000_000_000])
        clock.advance(by: 60_000_000_000); e.tick()
        XCTAssertEqual(c.all.map { $0["c"]! }, [1], "the idle watermark passed the window's end")
        clock.advance(by: 60_000_000_000); e.tick()
        XCTAssertEqual(c.all.count, 1)
    }

    func testTimesBeyondTheUnitOrTheDoubleRangeHaveTheirOwnReason() throws {
        let e = engine()
        let q = try e.execute("SELECT COUNT(*) AS c FROM stream GROUP BY TumblingWindow('1s') WITH (TIMESTAMP='ts', TIMEUNIT='s')")
        e.emitSync(["ts": .int(max)])
        e.emitSync(["ts": .double(1e300)])
        e.emitSync(["ts": .double(.nan)])
        e.emitSync(["ts": "2300-01-01T00:00:00Z"])
        e.emitSync(["ts": "not a time"])
        e.emitSync(["ts": 10])
        e.finish()
        XCTAssertEqual(q.metrics.rejectionReasons[outOfRange], 3)
        XCTAssertEqual(q.metrics.rejectionReasons["missing or invalid event time in 'ts'"], 2)
        let summary = e.lossSummary().joined(separator: "\n")
        // After finish() too: the query has left the catalog, and the summary still names its losses.
        XCTAssertTrue(summary.contains("query \(q.name): 5 rejected (\(outOfRange): 3; missing or invalid event time in 'ts': 2)"), summary)
    }

    func testMatchRecognizeWithinAcrossTheWholeRangeDoesNotTrap() throws {
        let e = engine()
        let q = try e.execute("""
            SELECT * FROM stream MATCH_RECOGNIZE (ORDER BY ts MEASURES COUNT(*) AS n PATTERN (A+ B) WITHIN '1s'
            DEFINE A AS v > 0, B AS v = 0) WITH (TIMEUNIT='ns')
            """)
        let c = Collected(); q.addSink(c.add)
        for (t, v) in [(min, 1), (max, 1), (max, 0), (min, 1), (min, 0)] { e.emitSync(["ts": .int(t), "v": .int(Int64(v))]) }
        e.tick()
        e.finish()
        // The run from Int64.min is out of time at Int64.max; the one starting there completes.
        XCTAssertEqual(c.all.first?["n"], .int(2))
    }

    func testMatchRecognizeTimeBeyondTheUnitIsRejectedNotWrapped() throws {
        let e = engine()
        let q = try e.execute("""
            SELECT * FROM stream MATCH_RECOGNIZE (ORDER BY ts MEASURES COUNT(*) AS n PATTERN (A B) WITHIN '1s'
            DEFINE A AS v > 0, B AS v = 0)
            """)
        let c = Collected(); q.addSink(c.add)
        // 2^62 ms is 2^68 · 5^6 ns, which wraps to exactly 0 in 64 bits: it used to pair with the row at 0.
        for (t, v) in [(Int64(1) << 62, 1), (0, 0), (5, 1), (6, 0)] { e.emitSync(["ts": .int(t), "v": .int(Int64(v))]) }
        e.finish()
        XCTAssertEqual(q.metrics.rejectionReasons[outOfRange], 1)
        XCTAssertEqual(c.all.map { $0["n"]! }, [2])
    }

    func testRecentCountNearTheStartOfTimeDoesNotTrap() throws {
        let e = engine()
        let q = try e.execute("SELECT recent_count(ts, '1m') OVER (PARTITION BY u) AS n, recent_collect(v, ts, '1m') OVER (PARTITION BY u) AS xs FROM stream")
        var out: [Value] = []
        let early = min / 1_000_000 + 1   // milliseconds: the earliest that Int64 nanoseconds hold
        for (u, ts) in [("a", early), ("a", early + 1), ("a", max / 1_000_000)] {
            out += e.emitSync(["u": .string(u), "ts": .int(ts), "v": 1])[q.name]!.objects.map { $0["n"]! }
        }
        XCTAssertEqual(out, [1, 2, 1])
    }

    func testMatchRecognizeAggregateParametersAreCheckedAtPlanTime() throws {
        let e = engine()
        func err(_ sql: String) -> String { do { _ = try e.execute(sql); return "" } catch { return error.message } }
        let mr = "SELECT * FROM stream MATCH_RECOGNIZE (ORDER BY ts MEASURES %@ AS x PATTERN (A+) DEFINE A AS v > 0)"
        // nth_value's n became Int(1e30) when the first match was measured: a trap.
        XCTAssertTrue(err(mr.replacingOccurrences(of: "%@", with: "nth_value(A.v, 1e30)")).contains("nth_value's n"))
        XCTAssertTrue(err(mr.replacingOccurrences(of: "%@", with: "percentile(A.v, 7)")).contains("between 0 and 1"))
        let q = try e.execute(mr.replacingOccurrences(of: "%@", with: "nth_value(A.v, 2)"))
        let c = Collected(); q.addSink(c.add)
        for v in [1, 2, 0] { e.emitSync(["ts": .int(Int64(v)), "v": .int(Int64(v))]) }
        e.finish()
        XCTAssertEqual(c.all.map { $0["x"]! }, [2])
    }
}
