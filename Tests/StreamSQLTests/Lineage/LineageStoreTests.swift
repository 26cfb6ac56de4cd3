import Foundation
import Synchronization
import OrderedCollections
import XCTest
@testable import StreamSQL

/// A window's kept results read their inputs where the window keeps them (a span of its store), not a
/// copy: these check that a span stays right after its window emptied, compacted or refilled the table,
/// that the log never holds much more than its results need, and that records built on another thread
/// while events flow are whole.
final class LineageStoreTests: XCTestCase {
    func row(_ i: Int) -> Row { Row(slots: [.int(Int64(i))]) }
    func ids(_ span: InputSpan) -> [Int] {
        var out: [Int] = []
        span.forEach { r, _ in if case .int(let x) = r[0] { out.append(Int(x)) } }
        return out
    }

    /// A span taken before the table was emptied, compacted or refilled still lists the rows it had.
    func testSpanOutlivesEmptyingCompactingAndRefilling() {
        let g = GroupInputs(cap: 100)
        for i in 0..<10 { g.add(i % 2, row(i)) }
        let even = g.span(0)
        g.add(0, row(100))
        XCTAssertEqual(ids(even), [0, 2, 4, 6, 8], "rows added later are not in an earlier span")
        XCTAssertEqual(ids(g.span(0)), [0, 2, 4, 6, 8, 100])
        g.removeAll()
        for i in 200..<230 { g.add(0, row(i)) }
        XCTAssertEqual(ids(even), [0, 2, 4, 6, 8], "emptying a shared store starts a new one")
        XCTAssertEqual(ids(g.span(0)), Array(200..<230))
        // Compaction (many resets) of a shared store leaves the span's store as it was.
        let before = g.span(0)
        for i in 0..<400 { g.add(1 + i % 3, row(1_000 + i)); if i % 4 == 0 { g.reset(1 + i % 3) } }
        XCTAssertEqual(ids(before), Array(200..<230))
        XCTAssertEqual(ids(g.span(0)), Array(200..<230), "a group's live rows survive compaction")
    }

    /// The store is emptied in place when no span reads it (its memory is reused, not reallocated).
    func testUnsharedStoreIsEmptiedInPlace() {
        let g = GroupInputs(cap: 10)
        for i in 0..<50 { g.add(i % 5, row(i)) }
        let id = ObjectIdentifier(g.store)
        g.removeAll()
        XCTAssertEqual(ObjectIdentifier(g.store), id)
        XCTAssertEqual(g.store.count, 0)
    }

    func engine(results: Int) -> Engine {
        var o = EngineOptions(clock: ManualClock(start: 0))
        o.lineage = true
        o.lineageLimits = LineageLimits(results: results, inputsPerResult: 1_000)
        return Engine(options: o)
    }

    /// One result of a key among thousands of open groups: the log does not keep the window's whole
    /// store for it (at most four times the inputs it needs, and 256 more).
    func testAKeptResultDoesNotHoldTheWindowsWholeStore() throws {
        let e = engine(results: 10)
        e.createStream("stream")
        let q = try e.execute("SELECT k, COUNT(*) AS c FROM stream GROUP BY k, CountingWindow(3)")
        for i in 0..<6_000 { e.emitSync(["k": .string("k\(i % 3_000)"), "id": .int(Int64(i))]) }   // two rows each: none fires
        XCTAssertEqual(q.lineage?.count, 0)
        for i in 0..<3 { e.emitSync(["k": .string("x"), "id": .int(Int64(10_000 + i))]) }
        let r = try XCTUnwrap(q.lineage)
        XCTAssertEqual(r.count, 1)
        let held = r.held
        XCTAssertEqual(held.needed, 3)
        XCTAssertLessThanOrEqual(held.entries, 4 * held.needed + 256, "the window's store holds 6,003 rows")
        XCTAssertEqual(try XCTUnwrap(r.record(latest: 1)).inputs.count, 3)
    }

    /// A result kept while its store was small, whose window then filled the store and let it go: the
    /// log copies the result's inputs out instead of holding what the window let go.
    func testAStoreTheWindowLetsGoIsNotHeldWhole() throws {
        let rec = LineageRecorder(query: "q", stream: "s", limits: LineageLimits(results: 5))
        let g = GroupInputs(cap: 1_000, recorder: rec)
        for i in 0..<3 { g.add(0, row(i)) }
        rec.recordWindow(row: 0, g, 0)
        rec.commit(columns: ["c"], values: [.int(3)])
        XCTAssertEqual(rec.held.entries, 3)
        for i in 0..<5_000 { g.add(1 + i % 100, row(100 + i)) }
        XCTAssertEqual(rec.held.entries, 5_003, "the window still fills the store: it is the window's memory")
        g.removeAll()
        XCTAssertEqual(rec.held.entries, 3, "let go: the log keeps a copy of what it needs")
        let record = try XCTUnwrap(rec.record(latest: 1))
        XCTAssertEqual(record.inputs.map { $0.row[0] }, [.int(0), .int(1), .int(2)])
    }

    /// Records built on another thread while events flow (the dashboard's "why", EXPLAIN ROW) are
    /// whole: each result lists as many inputs as it counted. A counting window never empties its table:
    /// kept results read the store the window keeps appending to (and growing).
    func testRecordsReadWhileEventsFlowAreWhole() throws {
        let e = engine(results: 50)
        e.createStream("stream")
        let q = try e.execute("SELECT k, COUNT(*) AS c FROM stream GROUP BY k, CountingWindow(5)")
        let r = try XCTUnwrap(q.lineage)
        let done = Atomic<Bool>(false)
        let checked = Atomic<Int>(0), wrong = Atomic<Int>(0)
        let reader = Thread {
            while !done.load(ordering: .acquiring) {
                for n in 1...10 {
                    guard let rec = r.record(latest: n), case .int(let c)? = rec.values.last else { continue }
                    if rec.inputs.count != Int(c) { wrong.add(1, ordering: .relaxed) }
                    checked.add(1, ordering: .relaxed)
                }
            }
        }
        reader.start()
        // Events flow until the reader has checked a good number of records (or a bound is reached).
        var rng = SplitMix64(seed: 3)
        var i = 0
        while i < 2_000_000 && (i < 30_000 || checked.load(ordering: .relaxed) < 500) {
            e.emitSync(["k": .string("k\(rng.next() % 400)"), "id": .int(Int64(i))])
            i += 1
        }
        done.store(true, ordering: .releasing)
        while !reader.isFinished { usleep(1_000) }
        XCTAssertGreaterThan(checked.load(ordering: .relaxed), 0)
        XCTAssertEqual(wrong.load(ordering: .relaxed), 0)
    }
}
