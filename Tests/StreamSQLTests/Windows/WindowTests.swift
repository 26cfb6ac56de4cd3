import OrderedCollections
import Synchronization
import XCTest
@testable import StreamSQL

final class WindowTests: XCTestCase {
    func engine(_ clock: Clock = ManualClock(start: 1_000_000_000_000_000_000), maxGroups: Int = 1_000_000) -> Engine {
        var o = EngineOptions(clock: clock)
        o.maxGroups = maxGroups
        return Engine(options: o)
    }

    func testProcessingTimeTumblingFiresOnTicksWithoutSleeping() throws {
        let clock = ManualClock(start: 1_000_000_000_000_000_000)  // aligned to 5s
        let e = engine(clock)
        let q = try e.execute("SELECT k, COUNT(*) AS c, window_start() AS ws, window_end() AS we FROM stream GROUP BY k, TumblingWindow('5s')")
        let c = Collected(); q.addSink(c.add)
        e.emitSync(["k": "a"]); e.emitSync(["k": "a"]); e.emitSync(["k": "b"])
        clock.advance(by: 4_000_000_000)
        e.tick()
        XCTAssertEqual(c.all.count, 0, "the window has not ended")
        e.emitSync(["k": "a"])
        clock.advance(by: 1_000_000_000)
        e.tick()
        XCTAssertEqual(c.all.map { $0["k"]! }, ["a", "b"])
        XCTAssertEqual(c.all.map { $0["c"]! }, [3, 1])
        XCTAssertEqual(c.all[0]["ws"], .int(1_000_000_000_000_000_000))
        XCTAssertEqual(c.all[0]["we"], .int(1_000_000_005_000_000_000))
        e.emitSync(["k": "z"])
        clock.advance(by: 5_000_000_000)
        e.tick()
        XCTAssertEqual(c.all.last?["k"], "z")
    }

    func testImplicitWindowIsTenSecondsAndSaysSo() throws {
        let clock = ManualClock(start: 1_000_000_000_000_000_000)
        let e = engine(clock)
        let q = try e.execute("SELECT COUNT(*) AS c FROM stream")
        XCTAssertTrue(q.explain.contains("implicit"), q.explain)
        let c = Collected(); q.addSink(c.add)
        e.emitSync(["x": 1])
        clock.advance(by: 9_999_999_999); e.tick()
        XCTAssertEqual(c.all.count, 0)
        clock.advance(by: 1); e.tick()
        XCTAssertEqual(c.all.map { $0["c"]! }, [1])
    }

    func testLateRowsWithinLatenessReemitAndLaterOnesAreCounted() throws {
        let e = engine()
        let q = try e.execute("SELECT COUNT(*) AS c, SUM(v) AS s, window_start() AS ws FROM stream GROUP BY TumblingWindow('1s') WITH (TIMESTAMP='ts', TIMEUNIT='ms', ALLOWEDLATENESS='2s')")
        let c = Collected(); q.addSink(c.add)
        e.emitSync(["ts": 1000, "v": 1])
        e.emitSync(["ts": 2100, "v": 2])          // watermark 2100: [1000, 2000) fires with s=1
        XCTAssertEqual(c.all.map { $0["s"]! }, [1])
        e.emitSync(["ts": 1500, "v": 10])         // late but within 2s: re-emitted with s=11
        XCTAssertEqual(c.all.map { $0["s"]! }, [1, 11])
        e.emitSync(["ts": 4500, "v": 3])          // watermark 4500 fires [2000,3000); 1000..2000 is now past lateness
        e.emitSync(["ts": 1700, "v": 100])        // too late: dropped and counted
        XCTAssertEqual(q.metrics.late, 1)
        e.finish()
        XCTAssertEqual(c.all.map { $0["s"]! }, [1, 11, 2, 3])
    }

    func testOutOfOrdernessDelaysFiring() throws {
        let e = engine()
        let q = try e.execute("SELECT COUNT(*) AS c FROM stream GROUP BY TumblingWindow('1s') WITH (TIMESTAMP='ts', TIMEUNIT='ms', MAXOUTOFORDERNESS='500ms')")
        let c = Collected(); q.addSink(c.add)
        e.emitSync(["ts": 0]); e.emitSync(["ts": 1400])
        XCTAssertEqual(c.all.count, 0, "watermark 900 < 1000")
        e.emitSync(["ts": 900])                   // out of order, still in time
        e.emitSync(["ts": 1500])                  // watermark 1000: fires [0, 1000) with 2 rows
        XCTAssertEqual(c.all.map { $0["c"]! }, [2])
    }

    func testIsoTimestampsAndBadTimes() throws {
        let e = engine()
        let q = try e.execute("SELECT COUNT(*) AS c FROM stream GROUP BY TumblingWindow('1m') WITH (TIMESTAMP='at')")
        let c = Collected(); q.addSink(c.add)
        e.emitSync(["at": "2024-01-15T10:00:05Z"])
        e.emitSync(["at": "2024-01-15 10:00:59"])
        e.emitSync(["at": "not a time"])
        e.emitSync(["x": 1])
        e.emitSync(["at": "2024-01-15T10:01:00Z"])
        XCTAssertEqual(c.all.map { $0["c"]! }, [2])
        XCTAssertEqual(q.metrics.rejected, 2)
        XCTAssertEqual(q.metrics.rejectionReasons.keys.first?.contains("event time"), true)
    }

    func testIdleTimeoutAdvancesTheWatermark() throws {
        let clock = ManualClock(start: 0)
        let e = engine(clock)
        let q = try e.execute("SELECT COUNT(*) AS c FROM stream GROUP BY TumblingWindow('1s') WITH (TIMESTAMP='ts', TIMEUNIT='ms', IDLETIMEOUT='2s')")
        let c = Collected(); q.addSink(c.add)
        e.emitSync(["ts": 100])
        clock.advance(by: 1_000_000_000); e.tick()
        XCTAssertEqual(c.all.count, 0)
        clock.advance(by: 1_000_000_000); e.tick()
        XCTAssertEqual(c.all.map { $0["c"]! }, [1], "after 2s idle the watermark follows processing time")
    }

    func testHavingOrderByLimitPerFiring() throws {
        let e = engine()
        let q = try e.execute("""
            SELECT k, SUM(v) AS s FROM stream GROUP BY k, TumblingWindow('1s') WITH (TIMESTAMP='ts', TIMEUNIT='ms')
            HAVING s > 1 ORDER BY s DESC LIMIT 2
            """)
        let numbered = try e.execute("SELECT k, row_number() AS rn FROM stream GROUP BY k, TumblingWindow('1s') WITH (TIMESTAMP='ts', TIMEUNIT='ms')")
        let rn = Collected(); numbered.addSink(rn.add)
        let c = Collected(); q.addSink(c.add)
        for (k, v) in [("a", 5), ("b", 1), ("c", 9), ("d", 3), ("a", 1)] { e.emitSync(["k": .string(k), "v": .int(Int64(v)), "ts": 10]) }
        e.emitSync(["k": "x", "v": 100, "ts": 1500])
        e.finish()
        XCTAssertEqual(c.all.map { $0["k"]! }, ["c", "a", "x"], "top 2 of the first window, then the second window")
        XCTAssertEqual(rn.all.map { $0["rn"]! }, [1, 2, 3, 4, 1], "row_number() counts the rows of each firing")
    }

    func testAggregatesAndNulls() throws {
        let e = engine()
        let q = try e.execute("""
            SELECT COUNT(*) AS n, COUNT(v) AS nv, COUNT(DISTINCT v) AS dv, SUM(v) AS s, AVG(v) AS a, MIN(v) AS mn, MAX(v) AS mx,
                   STDDEV(v) AS sd, VAR(v) AS vp, VARS(v) AS vs, MEDIAN(v) AS md, PERCENTILE(v, 0.25) AS p25,
                   COLLECT(v) AS all_v, FIRST_VALUE(v) AS fv, LAST_VALUE(v) AS lv, NTH_VALUE(v, 2) AS second,
                   DEDUPLICATE(v) AS dd, SUM(DISTINCT v) AS sdist, ROUND(AVG(v), 1) AS ra, SUM(v) / COUNT(*) AS manual,
                   SUM(CASE WHEN v > 2 THEN 1 ELSE 0 END) AS big
            FROM stream GROUP BY CountingWindow(6)
            """)
        let c = Collected(); q.addSink(c.add)
        for v: Value in [2, nil, 4, 4, 5, 7] { e.emitSync(["v": v]) }
        let r = try XCTUnwrap(c.all.first)
        XCTAssertEqual(r["n"], 6); XCTAssertEqual(r["nv"], 5); XCTAssertEqual(r["dv"], 4)
        XCTAssertEqual(r["s"], 22); XCTAssertEqual(r["a"], 4.4); XCTAssertEqual(r["mn"], 2); XCTAssertEqual(r["mx"], 7)
        XCTAssertEqual(r["sd"]!.asDouble!, 1.8165902, accuracy: 1e-6)
        XCTAssertEqual(r["vp"]!.asDouble!, 2.64, accuracy: 1e-9)
        XCTAssertEqual(r["vs"]!.asDouble!, 3.3, accuracy: 1e-9)
        XCTAssertEqual(r["md"], 4); XCTAssertEqual(r["p25"], 4)
        XCTAssertEqual(r["all_v"], [2, 4, 4, 5, 7]); XCTAssertEqual(r["fv"], 2); XCTAssertEqual(r["lv"], 7)
        XCTAssertEqual(r["second"], 4); XCTAssertEqual(r["dd"], [2, 4, 5, 7]); XCTAssertEqual(r["sdist"], 18)
        XCTAssertEqual(r["ra"], 4.4); XCTAssertEqual(r["manual"]!.asDouble!, 22.0 / 6, accuracy: 1e-9)
        XCTAssertEqual(r["big"], 4)
    }

    func testGroupLimitRejectsNewGroupsAndCounts() throws {
        let e = engine(maxGroups: 2)
        let q = try e.execute("SELECT k, COUNT(*) AS c FROM stream GROUP BY k, CountingWindow(2)")
        let c = Collected(); q.addSink(c.add)
        for k in ["a", "b", "c", "a", "b", "c"] { e.emitSync(["k": .string(k)]) }
        XCTAssertEqual(c.all.map { $0["k"]! }, ["a", "b"])
        XCTAssertEqual(q.metrics.rejected, 2)
    }

    /// A session window keeps a group's slot after its session fires (to take it back for the group's next
    /// session) without counting it against the group limit, and drops such slots in bulk later.
    func testSessionGroupLimitCountsOnlyGroupsWithSessions() throws {
        let e = engine(maxGroups: 2)
        let q = try e.execute("SELECT k, COUNT(*) AS c FROM stream GROUP BY k, SessionWindow('10ms') WITH (TIMESTAMP='ts', TIMEUNIT='ms')")
        let c = Collected(); q.addSink(c.add)
        let rows: [(String, Int64)] = [("a", 0), ("b", 1), ("c", 2),   // c refused: a and b hold sessions
                                       ("a", 100), ("c", 101),         // a and b fired: a comes back, c now fits
                                       ("b", 102),                     // refused: a and c hold sessions
                                       ("a", 300),                     // a's next session; a and c fire
                                       ("b", 301)]                     // fits again
        for (k, ts) in rows { e.emitSync(["k": .string(k), "ts": .int(ts)]) }
        e.finish()
        XCTAssertEqual(c.all.map { $0["k"]! }, ["a", "b", "a", "c", "a", "b"])
        XCTAssertEqual(q.metrics.rejected, 2)

        // Many groups whose sessions all fired: the slots kept for them are dropped, the group count is 0.
        let many = engine()
        let m = try many.execute("SELECT k, COUNT(*) AS c FROM stream GROUP BY k, SessionWindow('10ms') WITH (TIMESTAMP='ts', TIMEUNIT='ms')")
        let out = Collected(); m.addSink(out.add)
        for i in 0..<3000 { many.emitSync(["k": .string("k\(i)"), "ts": .int(Int64(i) * 20)]) }
        XCTAssertEqual(out.all.count, 2999)
        XCTAssertEqual(m.stateSize.groups, 1)
        XCTAssertEqual(m.stateSize.openWindows, 1)
    }

    func testStateTTLDropsIdleGroups() throws {
        let clock = ManualClock(start: 0)
        let e = engine(clock)
        let q = try e.execute("SELECT k, COUNT(*) AS c FROM stream GROUP BY k, CountingWindow(2) WITH (STATETTL='10s')")
        let c = Collected(); q.addSink(c.add)
        e.emitSync(["k": "a"])
        clock.advance(by: 11_000_000_000); e.tick()
        XCTAssertEqual(q.stateSize.groups, 0)
        XCTAssertEqual(q.metrics.evicted, 1)
        e.emitSync(["k": "a"])
        XCTAssertEqual(c.all.count, 0, "the idle group's first row was forgotten")
    }

    func testManyGroupsInOneWindow() throws {
        let e = engine()
        let q = try e.execute("SELECT k, COUNT(*) AS c FROM stream GROUP BY k, TumblingWindow('1s') WITH (TIMESTAMP='ts', TIMEUNIT='ms')")
        let n = Collected(); q.addSink(n.add)
        var rows: [Row] = []
        for i in 0..<100_000 { rows.append(e.makeRow(["k": .int(Int64(i)), "ts": 10])) }
        e.emitSync(rows: rows)
        XCTAssertEqual(q.stateSize.groups, 100_000)
        e.finish()
        XCTAssertEqual(n.all.count, 100_000)
    }

    func testGroupedQueryPlanErrors() {
        let e = engine()
        func err(_ sql: String) -> String {
            do { _ = try e.execute(sql); return "" } catch { return error.message }
        }
        XCTAssertTrue(err("SELECT k, v FROM stream GROUP BY k, CountingWindow(2)").contains("must appear in GROUP BY"))
        XCTAssertTrue(err("SELECT COUNT(*) FROM stream GROUP BY TumblingWindow('abc')").contains("invalid duration"))
        XCTAssertTrue(err("SELECT COUNT(*) FROM stream GROUP BY CountingWindow(0)").contains("whole number"))
        XCTAssertTrue(err("SELECT COUNT(*) FROM stream GROUP BY SlidingWindow('10s')").contains("takes 2 arguments"))
        XCTAssertTrue(err("SELECT COUNT(*) FROM stream GROUP BY CountingWindow(2) WITH (TIMESTAMP='ts')").contains("counts rows"))
        XCTAssertTrue(err("SELECT COUNT(*) FROM stream GROUP BY TumblingWindow('1s') WITH (MAXOUTOFORDERNESS='1s')").contains("needs event time"))
        XCTAssertTrue(err("SELECT COUNT(*) FROM stream GROUP BY TumblingWindow('1s') WITH (TIMEUNIT='fortnight')").contains("TIMEUNIT"))
        XCTAssertTrue(err("SELECT percentile(v, 2) FROM stream GROUP BY CountingWindow(2)").contains("between 0 and 1"))
        XCTAssertTrue(err("SELECT * FROM stream GROUP BY CountingWindow(2)").contains("SELECT *"))
    }
}

/// Found by the fuzzer (Tests/StreamSQLTests/Fuzz/Repros/window-time-overflow.txt): an event time near the
/// ends of Int64 (from plain JSON: milliseconds around ±9.2e12) overflowed the window arithmetic (a trap).
final class TimeWindowExtremeTimesTests: XCTestCase {
    func run(_ sql: String, _ lines: [String]) throws -> (rows: [OrderedDictionary<String, Value>], rejected: Int) {
        let engine = Engine(options: EngineOptions(clock: ManualClock(start: 0)))
        engine.createStream("s")
        let q = try engine.execute(sql)
        let rows = Mutex<[OrderedDictionary<String, Value>]>([])
        q.addSink { batch in rows.withLock { $0 += batch.objects } }
        for l in lines { _ = engine.emit(jsonLine: l, to: "s", sync: true) }
        engine.finish()
        return (rows.withLock { $0 }, q.metrics.rejected)
    }

    func testEventTimesAtTheEndsOfInt64AreRejectedNotTrapped() throws {
        let r = try run("SELECT count(*) AS c FROM s GROUP BY TumblingWindow('1s') WITH (TIMESTAMP='ts', TIMEUNIT='ms')",
                        [#"{"ts": -9223372036854}"#, #"{"ts": 1000}"#, #"{"ts": 9223372036854}"#, #"{"ts": 1500}"#])
        XCTAssertEqual(r.rows.map { $0["c"]?.asInt }, [2])
        XCTAssertEqual(r.rejected, 2)
    }

    func testHugeOutOfOrdernessWithFarTimesDoesNotTrap() throws {
        let r = try run("""
            SELECT count(*) AS c FROM s GROUP BY SlidingWindow('2s', '1s')
            WITH (TIMESTAMP='ts', TIMEUNIT='ms', MAXOUTOFORDERNESS='99999d')
            """, [#"{"ts": -8000000000000}"#, #"{"ts": 8000000000000}"#, #"{"ts": -8000000000000}"#, #"{"ts": 0}"#])
        // Each event is in two sliding windows; the second far-past one comes after the watermark
        // (8e18 − 99999 days ≈ −6.4e17 ns) passed its windows, so it is late.
        XCTAssertEqual(r.rows.map { $0["c"]?.asInt ?? 0 }.reduce(0, +), 6)
        XCTAssertEqual(r.rejected, 0)
    }

    /// A pane kept for a long ALLOWEDLATENESS (50,000 days) lies 4e9 one-second windows before the next:
    /// firing must jump from pane to pane, not step through the empty windows between them (a hang before).
    func testFarApartPanesKeptForLatenessFireWithoutSteppingThroughTheGap() throws {
        let r = try run("""
            SELECT count(*) AS c FROM s GROUP BY TumblingWindow('1s')
            WITH (TIMESTAMP='ts', TIMEUNIT='ms', ALLOWEDLATENESS='50000d')
            """, [#"{"ts": 0}"#, #"{"ts": 4000000000000}"#, #"{"ts": 4000000000500}"#])
        XCTAssertEqual(r.rejected, 0)
        XCTAssertEqual(r.rows.map { $0["c"]?.asInt ?? 0 }, [1, 2])
    }
}
