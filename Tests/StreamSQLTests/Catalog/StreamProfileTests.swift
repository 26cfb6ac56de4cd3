import OrderedCollections
import XCTest
@testable import StreamSQL

/// The live stream profile (`DESCRIBE STREAM`) against the same statistics computed in one batch over
/// the events it saw.
final class StreamProfileTests: XCTestCase {
    /// Random events: an int id, a category from few values, a price that is sometimes null or missing, a
    /// flag, a time; some events carry an extra field.
    func randomEvents(_ n: Int) -> [OrderedDictionary<String, Value>] {
        var rng = SystemRandomNumberGenerator()
        let cats = ["red", "green", "blue", "cyan"]
        return (0..<n).map { i in
            var e: OrderedDictionary<String, Value> = ["id": .int(Int64.random(in: -1000...1000, using: &rng))]
            e["cat"] = .string(cats[Int.random(in: 0..<cats.count, using: &rng)])
            switch Int.random(in: 0..<10, using: &rng) {
            case 0: e["price"] = .null
            case 1: break
            case 2: e["price"] = .string("n/a")
            default: e["price"] = .double(Double(Int.random(in: 0...100_000, using: &rng)) / 100)
            }
            e["ok"] = .bool(Bool.random(using: &rng))
            e["ts"] = .int(1_700_000_000_000 + Int64(i) * 1000 + 750)
            if Int.random(in: 0..<4, using: &rng) == 0 { e["extra"] = .string("x\(i % 3)") }
            return e
        }
    }

    func testEveryFieldsStatisticsMatchABatchComputation() throws {
        let clock = ManualClock(start: 1_000_000_000)
        let engine = Engine(options: EngineOptions(clock: clock))
        engine.createStream("s")
        let st = try XCTUnwrap(engine.lock.withLock { engine.streams["s"] })
        st.profile.every.store(1, ordering: .relaxed)   // every event, so the batch sees the same events
        let events = randomEvents(3000)
        for (i, e) in events.enumerated() {
            if i % 2 == 0 { engine.emitSync(e, to: "s") } else {
                _ = engine.emit(jsonLine: JSONWriter.string(object: e), to: "s", sync: true)
            }
            if i % 100 == 0 { clock.advance(by: 1_000_000_000) }
        }
        let p = try XCTUnwrap(engine.profile(ofStream: "s"))
        XCTAssertEqual(p.events, events.count)
        XCTAssertEqual(p.sampled, events.count)
        XCTAssertEqual(Set(p.fieldNames), ["id", "cat", "price", "ok", "ts", "extra"])
        for f in p.fields {
            let values = events.compactMap { $0[f.name] }
            XCTAssertEqual(f.present, values.count, f.name)
            XCTAssertEqual(f.nulls, values.filter(\.isNull).count, f.name)
            let numbers = values.compactMap(\.asDouble)
            XCTAssertEqual(f.min, numbers.min(), f.name)
            XCTAssertEqual(f.max, numbers.max(), f.name)
            var kinds: [String: Int] = [:]
            for v in values where !v.isNull { kinds[v.typeName, default: 0] += 1 }
            XCTAssertEqual(Dictionary(uniqueKeysWithValues: f.types.map { ($0.0, $0.1) }), kinds, f.name)
            // Few distinct values: the space-saving counters are exact.
            var counts: [String: Int] = [:]
            for v in values {
                if case .string(let s) = v { counts[s, default: 0] += 1 }
                if case .bool(let b) = v { counts[b ? "true" : "false", default: 0] += 1 }
            }
            let top = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(3)
            XCTAssertEqual(f.top.map(\.0), top.map(\.key), f.name)
            XCTAssertEqual(f.top.map(\.1), top.map(\.value), f.name)
            let texts = values.compactMap { if case .string(let s) = $0 { return s } else { return nil } }
            XCTAssertEqual(f.minText, texts.min(), f.name)
            XCTAssertEqual(f.maxText, texts.max(), f.name)
        }
        // 3000 events over 30 s of the clock: the rate over the last ten seconds is 100 a second.
        XCTAssertEqual(try XCTUnwrap(p.eventsPerSecond), 100, accuracy: 10)

        // DESCRIBE shows the same numbers as percentages of the events.
        guard case .table(let cols, let rows) = try engine.run("DESCRIBE STREAM s") else { return XCTFail("not a table") }
        XCTAssertEqual(cols, ["column", "type", "seen as", "null %", "missing %", "min", "max", "top values"])
        let price = try XCTUnwrap(rows.first { $0[0] == "price" })
        let missing = events.filter { $0["price"] == nil }.count
        let nulls = events.filter { $0["price"]?.isNull == true }.count
        XCTAssertEqual(price[3], .double((Double(nulls) * 1000 / 3000).rounded() / 10))
        XCTAssertEqual(price[4], .double((Double(missing) * 1000 / 3000).rounded() / 10))
        guard case .table(_, let ext) = try engine.run("DESCRIBE EXTENDED s") else { return XCTFail("not a table") }
        XCTAssertTrue(ext.contains { $0 == ["events", 3000] }, "\(ext)")
        XCTAssertTrue(ext.contains { $0[0] == "event time" && $0[1] == "ts: 2023-11-14T22:13:20.75Z … 2023-11-14T23:03:19.75Z" }, "\(ext)")
    }

    func testSamplingIsBoundedAndCountsEveryEvent() throws {
        let engine = Engine()
        engine.createStream("s")
        // Many distinct values and more fields than are profiled.
        for i in 0..<10_000 {
            var e: OrderedDictionary<String, Value> = ["k": .string("v\(i)")]
            if i % 1000 == 0 { for j in 0..<100 { e["f\(j)"] = .int(Int64(j)) } }
            engine.emitSync(e, to: "s")
        }
        let p = try XCTUnwrap(engine.profile(ofStream: "s"))
        let every = try XCTUnwrap(engine.lock.withLock { engine.streams["s"] }).profile.every.load(ordering: .relaxed)
        XCTAssertEqual(p.events, 10_000)
        XCTAssertEqual(p.sampled, StreamProfile.warmup + 10_000 / every - StreamProfile.warmup / every)
        XCTAssertEqual(p.fields.count, StreamProfile.maxFields)
        XCTAssertGreaterThan(p.unprofiledFieldEvents, 0)
        // Every value distinct: none surely seen twice, so no top values are claimed.
        XCTAssertEqual(p.fields.first { $0.name == "k" }?.top.count, 0)
        // An untyped stream's fields are known from its events (completion reads them).
        XCTAssertTrue(engine.fieldNames(ofStream: "s").contains("k"))
    }

    func testDescribeExtendedIsAWordOnlyBeforeAName() throws {
        let engine = Engine()
        engine.createStream("extended")
        guard case .table(let cols, _) = try engine.run("DESCRIBE extended") else { return XCTFail("not a table") }
        XCTAssertEqual(cols.first, "column")
        guard case .table(let cols2, _) = try engine.run("DESCRIBE EXTENDED STREAM extended") else { return XCTFail("not a table") }
        XCTAssertEqual(cols2, ["property", "value"])
    }
}
