import OrderedCollections
import Synchronization
import XCTest
@testable import StreamSQL

/// The EMIT clause and the new windows as a user meets them: what parses, what is refused and why,
/// processing-time early firing on the manual clock, and the kinds result batches carry.
final class EmitClauseTests: XCTestCase {
    func engine(_ clock: Clock = ManualClock(start: 1_000_000_000_000_000_000)) -> Engine {
        Engine(options: EngineOptions(clock: clock))
    }

    func testMistakesAreRefusedWithTheReason() {
        let e = engine()
        func err(_ sql: String) -> String {
            do { _ = try e.execute(sql); return "" } catch { return error.message }
        }
        XCTAssertTrue(err("SELECT k FROM stream EMIT CHANGES").contains("no window or aggregate"))
        XCTAssertTrue(err("SELECT k, COUNT(*) AS c FROM stream GROUP BY k, TumblingWindow('1s') ORDER BY c EMIT CHANGES").contains("ORDER BY"))
        XCTAssertTrue(err("SELECT k, COUNT(*) AS c FROM stream GROUP BY k, TumblingWindow('1s') LIMIT 3 EMIT CHANGES").contains("LIMIT"))
        XCTAssertTrue(err("SELECT k, COUNT(*) FROM stream GROUP BY k, CountingWindow(3) EMIT EVERY '1s'").contains("needs a window on time"))
        XCTAssertTrue(err("SELECT k, COUNT(*) FROM stream GROUP BY k, TumblingWindow('1s') EMIT EVERY 'soon'").contains("invalid duration"))
        XCTAssertTrue(err("SELECT k, COUNT(*) FROM stream GROUP BY k, TumblingWindow('1s') EMIT SOMETIMES").contains("EMIT takes CHANGES"))
        XCTAssertTrue(err("SELECT k, COUNT(*) FROM stream GROUP BY k, CountingWindow(5, 2) EMIT CHANGES").contains("window of its own"))
        XCTAssertTrue(err("SELECT COUNT(*) FROM stream GROUP BY CountingWindow(3, 4)").contains("from 1 to n"))
        XCTAssertTrue(err("SELECT COUNT(*) FROM stream GROUP BY CountingWindow(200000, 2)").contains("at most 100,000"))
        XCTAssertTrue(err("SELECT COUNT(*) FROM stream GROUP BY StateWindow(v > 1)").contains("takes 2 arguments"))
        XCTAssertTrue(err("SELECT COUNT(*) FROM stream GROUP BY StateWindow(sum(v) > 1, v < 0)").contains("cannot hold an aggregate"))
        XCTAssertTrue(err("SELECT COUNT(*) FROM stream GROUP BY StateWindow(v > 1, v < 0) WITH (TIMESTAMP='ts')").contains("arrival order"))
        XCTAssertTrue(err("SELECT COUNT(*) FROM stream GROUP BY SlidingWindow('10s') OVER (PARTITION BY k)").contains("OVER(...) on a GROUP BY window"))
        XCTAssertTrue(err("SELECT upper(k) FILTER (WHERE v > 1) FROM stream GROUP BY k, CountingWindow(2)").contains("follows an aggregate"))
        XCTAssertTrue(err("SELECT COUNT(*) FILTER (WHERE max(v) > 1) FROM stream GROUP BY CountingWindow(2)").contains("tests each input row"))
        XCTAssertTrue(err("SELECT COUNT(*) FROM stream GROUP BY SessionWindow('1s', 'x')").contains("invalid duration"))
        // `EMIT` after the source is the clause, not the source's alias.
        XCTAssertEqual(err("SELECT COUNT(*) FROM stream EMIT FINAL"), "")
    }

    func testEmitEveryOnProcessingTimeFiresEarlyOnTicks() throws {
        let clock = ManualClock(start: 1_000_000_000_000_000_000)  // aligned to 10 s
        let e = engine(clock)
        let q = try e.execute("SELECT k, COUNT(*) AS c, emit_kind() AS kind FROM stream GROUP BY k, TumblingWindow('10s') EMIT EVERY '2s'")
        let c = Collected(); q.addSink(c.add)
        e.emitSync(["k": "a"]); e.emitSync(["k": "a"])
        clock.advance(by: 1_000_000_000); e.tick()
        XCTAssertEqual(c.all.count, 0, "the first 2 s boundary has not been crossed")
        clock.advance(by: 1_500_000_000); e.tick()
        XCTAssertEqual(c.all.map { $0["c"] }, [2])
        XCTAssertEqual(c.all.map { $0["kind"] }, ["early"])
        e.emitSync(["k": "b"])
        clock.advance(by: 2_000_000_000); e.tick()
        XCTAssertEqual(c.all.suffix(2).map { "\($0["k"]!.asString!)\($0["c"]!.asInt!)" }, ["a2", "b1"])
        clock.advance(by: 6_000_000_000); e.tick()
        let finals = c.all.filter { $0["kind"] == "final" }
        XCTAssertEqual(finals.map { "\($0["k"]!.asString!)\($0["c"]!.asInt!)" }, ["a2", "b1"])
    }

    func testResultBatchesCarryKindsOnlyWhenSomeRowIsNotFinal() throws {
        let e = engine()
        let q = try e.execute("SELECT k, COUNT(*) AS c FROM stream GROUP BY k, CountingWindow(2) EMIT CHANGES")
        let kinds = Mutex<[EmitKind]>([])
        q.addSink { b in kinds.withLock { for i in 0..<b.count { $0.append(b.kind(i)) } } }
        e.emitSync(["k": "a"]); e.emitSync(["k": "a"]); e.emitSync(["k": "a"])
        XCTAssertEqual(kinds.withLock { $0 }, [.update, .retract, .update, .update])

        let plain = try e.execute("SELECT k, COUNT(*) AS c FROM stream GROUP BY k, CountingWindow(2)")
        let sawKinds = Mutex(false)
        let rows = Mutex(0)
        plain.addSink { b in sawKinds.withLock { $0 = $0 || !b.kinds.isEmpty }; rows.withLock { $0 += b.count } }
        e.emitSync(["k": "b"]); e.emitSync(["k": "b"])
        XCTAssertEqual(rows.withLock { $0 }, 1)
        XCTAssertFalse(sawKinds.withLock { $0 }, "a window without EMIT leaves the kinds empty")
    }

    func testChangesThatLeaveTheRowAsItWasEmitNothing() throws {
        let e = engine()
        let q = try e.execute("SELECT k, MAX(v) AS m FROM stream GROUP BY k, TumblingWindow('1h') EMIT CHANGES")
        let c = Collected(); q.addSink(c.add)
        e.emitSync(["k": "a", "v": 5]); e.emitSync(["k": "a", "v": 3]); e.emitSync(["k": "a", "v": 7])
        XCTAssertEqual(c.all.map { $0["m"] }, [5, 5, 7], "v = 3 leaves MAX at 5: no retraction, no update")
    }

    func testHavingTurnsAChangeIntoARetractionOnly() throws {
        let e = engine()
        let q = try e.execute("SELECT k, SUM(v) AS s, emit_kind() AS kind FROM stream GROUP BY k, TumblingWindow('1h') HAVING SUM(v) > 0 EMIT CHANGES")
        let c = Collected(); q.addSink(c.add)
        e.emitSync(["k": "a", "v": 5]); e.emitSync(["k": "a", "v": -9]); e.emitSync(["k": "a", "v": 10])
        XCTAssertEqual(c.all.map { "\($0["kind"]!.asString!) \($0["s"]!.asInt!)" }, ["update 5", "retract 5", "update 6"])
    }

    /// STATETTL rebuilds a counting window's table, so groups change places: a group's last row is still
    /// found by its key (a place-based lookup would retract another group's row here).
    func testChangesFollowGroupsThatStateTTLMoved() throws {
        let clock = ManualClock(start: 0)
        let e = engine(clock)
        let q = try e.execute("SELECT k, COUNT(*) AS c, emit_kind() AS kind FROM stream GROUP BY k, CountingWindow(5) WITH (STATETTL='10s') EMIT CHANGES")
        let c = Collected(); q.addSink(c.add)
        func rows() -> [String] { c.all.map { "\($0["kind"]!.asString!) \($0["k"]!.asString!)\($0["c"]!.asInt!)" } }
        e.emitSync(["k": "a"]); e.emitSync(["k": "b"])
        clock.advance(by: 6_000_000_000); e.emitSync(["k": "b"])
        XCTAssertEqual(rows(), ["update a1", "update b1", "retract b1", "update b2"])
        clock.advance(by: 5_000_000_000); e.tick()
        XCTAssertEqual(q.metrics.evicted, 1, "a was idle for 11 s and dropped; b is now the table's first group")
        e.emitSync(["k": "b"])
        XCTAssertEqual(rows().suffix(2), ["retract b2", "update b3"])
        // a's state was dropped but its row was shown: it is retracted before a's new row.
        e.emitSync(["k": "a"])
        XCTAssertEqual(rows().suffix(2), ["retract a1", "update a1"])
    }
}
