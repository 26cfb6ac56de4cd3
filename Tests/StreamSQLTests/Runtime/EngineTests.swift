import Foundation
import OrderedCollections
import Synchronization
import XCTest
@testable import StreamSQL

final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private var rows: [OrderedDictionary<String, Value>] = []
    func add(_ b: ResultBatch) { lock.withLock { rows += b.objects } }
    var all: [OrderedDictionary<String, Value>] { lock.withLock { rows } }
}

final class EngineTests: XCTestCase {
    func run(_ sql: String, _ events: [OrderedDictionary<String, Value>]) throws -> [OrderedDictionary<String, Value>] {
        let engine = Engine()
        let q = try engine.execute(sql)
        let c = Collected()
        q.addSink(c.add)
        for e in events { engine.emitSync(e, to: q.streamName) }
        engine.finish()
        return c.all
    }

    func testProjectionOrderAndNaming() throws {
        let rows = try run("SELECT b, a + 1, 'k', device.loc, `x y` AS q FROM stream", [["a": 1, "b": 2, "device": ["loc": "A"], "x y": 9]])
        XCTAssertEqual(rows.count, 1)
        XCTAssertEqual(Array(rows[0].keys), ["b", "a + 1", "k", "device.loc", "q"])
        XCTAssertEqual(rows[0]["a + 1"], .int(2))
        XCTAssertEqual(rows[0]["device.loc"], .string("A"))
        XCTAssertEqual(rows[0]["q"], .int(9))
    }

    func testStarKeepsEventFieldsInOrder() throws {
        let rows = try run("SELECT *, t * 2 AS d FROM stream WHERE t > 1", [["z": 1, "t": 2, "a": "x"], ["t": 0]])
        XCTAssertEqual(rows.count, 1)
        XCTAssertEqual(Array(rows[0].keys), ["z", "t", "a", "d"])
    }

    func testNullSemantics() throws {
        let rows = try run("SELECT a + 1 AS x, a > 1 AS gt, NOT (a > 1) AS ngt, a IS NULL AS isn, a IN (1, 2) AS inl FROM stream",
                           [["a": nil], ["b": 1], ["a": 2]])
        XCTAssertEqual(rows.map { $0["x"]! }, [.null, .null, .int(3)])
        XCTAssertEqual(rows.map { $0["gt"]! }, [.null, .null, .bool(true)])
        XCTAssertEqual(rows.map { $0["ngt"]! }, [.null, .null, .bool(false)])
        XCTAssertEqual(rows.map { $0["isn"]! }, [.bool(true), .bool(true), .bool(false)])
        XCTAssertEqual(rows.map { $0["inl"]! }, [.null, .null, .bool(true)])
        // A comparison with NULL is not true, and neither is its negation.
        XCTAssertEqual(try run("SELECT a FROM stream WHERE NOT (a > 1)", [["a": nil], ["a": 0]]).count, 1)
        XCTAssertEqual(try run("SELECT a FROM stream WHERE a NOT IN (1, NULL)", [["a": 5]]).count, 0)
    }

    func testArithmetic() throws {
        let rows = try run("SELECT a / b AS d, a % b AS m, a * 1.5 AS f, a - b AS s, 9223372036854775807 + a AS o FROM stream",
                           [["a": 7, "b": 2], ["a": 7, "b": 0]])
        XCTAssertEqual(rows[0]["d"], .double(3.5))
        XCTAssertEqual(rows[0]["m"], .int(1))
        XCTAssertEqual(rows[0]["f"], .double(10.5))
        XCTAssertEqual(rows[0]["s"], .int(5))
        if case .double = rows[0]["o"]! {} else { XCTFail("overflow becomes a float") }
        XCTAssertEqual(rows[1]["d"], .null, "division by zero is NULL")
        XCTAssertEqual(rows[1]["m"], .null)
    }

    func testNestedAccessAndIndexes() throws {
        let rows = try run("SELECT a.b[1].c AS x, arr[-1] AS last, m['k'] AS k, arr[9] AS none FROM stream",
                           [["a": ["b": [["c": 1], ["c": 2]]], "arr": [1, 2, 3], "m": ["k": "v"]]])
        XCTAssertEqual(rows[0]["x"], .int(2))
        XCTAssertEqual(rows[0]["last"], .int(3))
        XCTAssertEqual(rows[0]["k"], .string("v"))
        XCTAssertEqual(rows[0]["none"], .null)
    }

    func testLimitEndsTheQuery() throws {
        let engine = Engine()
        let q = try engine.execute("SELECT a FROM stream LIMIT 2")
        let c = Collected()
        q.addSink(c.add)
        for i in 0..<5 { engine.emitSync(["a": .int(Int64(i))]) }
        XCTAssertEqual(c.all.map { $0["a"]! }, [0, 1])
        XCTAssertTrue(q.isFinished)
        XCTAssertFalse(engine.queries.contains { $0 === q }, "a finished query leaves its stream")
    }

    func testDistinctAndItsMemoryBound() throws {
        XCTAssertEqual(try run("SELECT DISTINCT a FROM stream", [["a": 1], ["a": 1.0], ["a": 2], ["a": 1]]).count, 2)
        var opts = EngineOptions()
        opts.distinctCapacity = 2
        let engine = Engine(options: opts)
        let q = try engine.execute("SELECT DISTINCT a FROM stream")
        let c = Collected()
        q.addSink(c.add)
        for a in [1, 2, 3, 1] as [Int64] { engine.emitSync(["a": .int(a)]) }
        XCTAssertEqual(c.all.count, 4, "1 was forgotten after two newer rows, so it is emitted again")
        XCTAssertEqual(q.metrics.evicted, 2)
    }

    func testUnnestAndPerEventOrder() throws {
        let rows = try run("SELECT id, unnest(tags) AS tag FROM stream ORDER BY tag DESC",
                           [["id": 1, "tags": ["b", "c", "a"]], ["id": 2, "tags": []], ["id": 3, "tags": nil], ["id": 4, "tags": ["z"]]])
        XCTAssertEqual(rows.map { $0["tag"]! }, ["c", "b", "a", "z"])
        XCTAssertEqual(rows.map { $0["id"]! }, [1, 1, 1, 4])
        let limited = try run("SELECT unnest(tags) AS t FROM stream LIMIT 2", [["tags": [1, 2, 3]], ["tags": [4]]])
        XCTAssertEqual(limited.map { $0["t"]! }, [1, 2])
    }

    func testPlanErrors() {
        let engine = Engine()
        func err(_ sql: String) -> StreamSQLError? {
            do { _ = try engine.execute(sql); return nil } catch { return error }
        }
        XCTAssertTrue(err("SELECT upperr(a) FROM stream")?.suggestions.contains("upper") ?? false)
        XCTAssertTrue(err("SELECT round() FROM stream")?.message.contains("round takes 1 to 2 arguments") ?? false)
        XCTAssertTrue(err("SELECT a, b AS a FROM stream")?.message.contains("duplicate output column 'a'") ?? false)
        XCTAssertTrue(err("SELECT CAST(a AS widget) FROM stream")?.message.contains("unknown type") ?? false)
        XCTAssertTrue(err("SELECT a FROM stream WHERE sum(a) > 1")?.message.contains("HAVING") ?? false)
        XCTAssertTrue(err("SELECT upper(unnest(a)) FROM stream")?.message.contains("whole select item") ?? false)
        XCTAssertTrue(err("SELECT window_start() FROM stream")?.message.contains("windowed query") ?? false)
        XCTAssertTrue(err("SELECT a FROM stream WITH (TIMESTAMP='ts')")?.message.contains("windowed") ?? false)
        XCTAssertTrue(err("SELECT a FROM stream WITH (COLOR='red')")?.message.contains("unknown option") ?? false)
        XCTAssertEqual(err("SELECT s.a FROM stream s JOIN t ON s.k = t.k")?.phase, .catalog, "joining a table that does not exist")
        let e = err("SELECT a,\n  nope(b) FROM stream")
        XCTAssertEqual(e?.location?.line, 2)
        XCTAssertEqual(e?.location?.column, 3)
    }

    func testUnknownStreamWhenAutoCreateIsOff() {
        var o = EngineOptions()
        o.autoCreateStreams = false
        let engine = Engine(options: o)
        engine.createStream("sensors")
        XCTAssertThrowsError(try engine.execute("SELECT a FROM sensor")) { e in
            XCTAssertEqual((e as? StreamSQLError)?.suggestions, ["sensors"])
        }
        XCTAssertNoThrow(try engine.execute("SELECT a FROM SENSORS"), "stream names are case-insensitive")
    }

    func testMalformedJSONIsCountedWithReasons() throws {
        let engine = Engine()
        let q = try engine.execute("SELECT a FROM stream")
        let c = Collected()
        q.addSink(c.add)
        XCTAssertNil(engine.emit(jsonLine: #"{"a": 1}"#, sync: true))
        XCTAssertNotNil(engine.emit(jsonLine: #"{"a": }"#, sync: true))
        XCTAssertNotNil(engine.emit(jsonLine: "[1,2]", sync: true))
        XCTAssertNotNil(engine.emit(jsonLine: String(repeating: "{\"a\":", count: 10_000), sync: true))
        // A number no double can hold is a counted rejection (as in Go's encoding/json), not a silent NULL.
        XCTAssertEqual(engine.emit(jsonLine: #"{"a": "x", "b": 1e400}"#, sync: true)?.message, "number beyond the range of a double")
        XCTAssertEqual(c.all.count, 1)
        let m = q.metrics
        XCTAssertEqual(m.rejected, 4)
        XCTAssertEqual(m.rejectionReasons.values.reduce(0, +), 4)
        XCTAssertEqual(engine.streamMetrics("stream")?.rejected, 4)
    }

    func testBufferedEmitDeliversEverythingInOrder() throws {
        let engine = Engine()
        let q = try engine.execute("SELECT i FROM stream WHERE i % 3 = 0")
        let c = Collected()
        q.addSink(c.add)
        for i in 0..<30_000 { engine.emit(["i": .int(Int64(i))]) }
        engine.drain()
        let got = c.all.map { $0["i"]!.asInt! }
        XCTAssertEqual(got, Array(stride(from: 0, to: 30_000, by: 3)).map(Int64.init))
        XCTAssertEqual(q.metrics.eventsIn, 30_000)
        XCTAssertEqual(q.metrics.rowsOut, 10_000)
    }

    func testBackPressurePolicies() throws {
        for policy in BackPressure.allCases {
            var o = EngineOptions()
            o.queueCapacity = 8
            o.backPressure = policy
            let engine = Engine(options: o)
            let q = try engine.execute("SELECT i FROM stream")
            let gate = Gate()
            let c = Collected()
            q.addSink { b in
                gate.wait()
                c.add(b)
            }
            let producer = Thread {
                for i in 0..<100 { engine.emit(["i": .int(Int64(i))]) }
            }
            producer.start()
            // Let the producer fill the queue while the consumer is held, then release it.
            Thread.sleep(forTimeInterval: 0.2)
            gate.open()
            while !producer.isFinished { Thread.sleep(forTimeInterval: 0.01) }
            engine.drain()
            let got = c.all.count
            let dropped = q.metrics.dropped
            switch policy {
            case .block:
                XCTAssertEqual(got, 100, "block loses nothing")
                XCTAssertEqual(dropped, 0)
            case .dropOldest, .dropNewest:
                XCTAssertGreaterThan(dropped, 0, "\(policy)")
                XCTAssertEqual(got + dropped, 100, "\(policy): every event is either delivered or counted as dropped")
            }
            if policy == .dropNewest {
                XCTAssertEqual(c.all.first?["i"], .int(0))
            }
            if policy == .dropOldest {
                XCTAssertEqual(c.all.last?["i"], .int(99), "drop-oldest keeps the newest")
            }
        }
    }

    func testManyQueriesOnOneStreamAreIndependent() throws {
        let engine = Engine()
        var collectors: [(Int64, Collected)] = []
        for k in 1...10 {
            let q = try engine.execute("SELECT i FROM stream WHERE i % \(k) = 0")
            let c = Collected()
            q.addSink(c.add)
            collectors.append((Int64(k), c))
        }
        for i in 0..<1000 { engine.emit(["i": .int(Int64(i))]) }
        engine.drain()
        for (k, c) in collectors {
            XCTAssertEqual(c.all.count, (0..<1000).filter { Int64($0) % k == 0 }.count)
        }
    }

    func testQueryAddedLaterWidensTheLayout() throws {
        let engine = Engine()
        let q1 = try engine.execute("SELECT a FROM stream")
        let c1 = Collected(); q1.addSink(c1.add)
        engine.emitSync(["a": 1, "b": 2])
        let q2 = try engine.execute("SELECT b, a FROM stream")
        let c2 = Collected(); q2.addSink(c2.add)
        engine.emitSync(["a": 3, "b": 4])
        XCTAssertEqual(c1.all.map { $0["a"]! }, [1, 3])
        XCTAssertEqual(c2.all.map { $0["b"]! }, [4])
    }

    /// End of input fires windows stream by stream in the order the script made them, every run: with the
    /// catalog's dictionary order, two runs of one script printed the last windows in different orders.
    func testEndOfInputFiresInTheScriptsOrderEveryTime() throws {
        let names = ["s_one", "s_two", "s_three", "s_four", "s_five", "s_six", "s_seven"]
        for _ in 0..<5 {
            let e = Engine()
            let order = Mutex<[String]>([])
            for n in names {
                _ = try e.run("CREATE STREAM \(n) AS SELECT k, v FROM stream WHERE v > 0")
                let q = try e.execute("SELECT k, COUNT(*) AS c FROM \(n) GROUP BY k, TumblingWindow('1h')", name: "q_\(n)")
                q.addSink { b in if b.count > 0 { order.withLock { $0.append(n) } } }
            }
            for i in 0..<10 { e.emitSync(["k": "a", "v": .int(Int64(i + 1))]) }
            e.finish()
            XCTAssertEqual(order.withLock { $0 }, names)
        }
    }
}

/// Holds a consumer until opened.
final class Gate: @unchecked Sendable {
    private let cond = NSCondition()
    private var isOpen = false
    func wait() { cond.lock(); while !isOpen { cond.wait() }; cond.unlock() }
    func open() { cond.lock(); isOpen = true; cond.broadcast(); cond.unlock() }
}
