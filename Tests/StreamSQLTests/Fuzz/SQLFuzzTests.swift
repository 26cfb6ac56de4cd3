// Fuzz tests of the SQL front end (this file) and of the event-file readers (ReaderFuzzTests.swift).
//
// They are deterministic in-process mutators: every input comes from a SplitMix64 seeded by the run's seed
// and the case number, so a failure is reproduced by its seed and case alone. `swift test` runs each
// target group (SQL, readers) for about 24 s, split over its two tests; run longer or with another seed:
//
//     STREAMSQL_FUZZ_SECONDS=600 swift test --filter Fuzz        # 600 s per group
//     STREAMSQL_FUZZ_SEED=7 swift test --filter Fuzz             # other inputs (default seed 1)
//     STREAMSQL_FUZZ_SEED=7 STREAMSQL_FUZZ_CASE=1234 swift test --filter FuzzSQLMutated   # one case again
//
// An input that errors is fine; one that traps, overflows the stack or takes over 2 s fails. A trap prints
// the seed, the case and the input (escaped) before the process ends; a slow input fails the test with the
// same; one still running after 60 s ends the run. Each test prints what it tried, e.g.
// `fuzz sql mutated: 41230 statements, 0 crashes, 0 slow`.
import Foundation
import OrderedCollections
import XCTest
@testable import StreamSQL

final class SQLFuzzTests: XCTestCase {
    /// Runs statements (errors are expected and ignored) against an engine with a few streams and a
    /// table, then feeds events, odd ones included, through every query that started, then ends them.
    static func run(_ statements: [String], rng: inout SplitMix64) -> (ran: Int, accepted: Int) {
        let clock = ManualClock(start: 1_700_000_000_000_000_000)
        let engine = Engine(options: EngineOptions(clock: clock))
        engine.baseDirectory = SQLFuzzCorpus.demosDirectory
        _ = try? engine.run("CREATE STREAM sensors (a int, v float, ts timestamp, name string, tags array, k string)")
        engine.createStream("stream")
        engine.createStream("orders")
        engine.createTable("products", key: ["product_id"], rows: [
            ["product_id": "P001", "name": "apple", "price": 1.5],
            ["product_id": "P002", "name": "pear", "price": .null],
        ])
        var accepted = 0
        for sql in statements {
            if (try? engine.run(sql)) != nil { accepted += 1 }
        }
        let events = 2 + Int(rng.next() % 6)
        for i in 0..<events {
            for stream in engine.streamNames {
                if rng.next() % 3 == 0 {
                    _ = engine.emit(jsonLine: FuzzValues.jsonEvent(&rng), to: stream, sync: true)
                } else {
                    for (_, batch) in engine.emitSync(FuzzValues.event(&rng, i: i), to: stream) {
                        for o in batch.objects { _ = JSONWriter.string(object: o) }
                    }
                }
            }
            clock.advance(by: Int64(rng.next() % 3_000_000_000))
            if rng.next() % 4 == 0 { engine.tick() }
        }
        engine.finish()
        engine.stopAll(flush: false)
        return (statements.count, accepted)
    }

    func report(_ name: String, cases: Int, statements: Int, accepted: Int) {
        print("fuzz \(name): \(cases) inputs, \(statements) statements (\(accepted) accepted), 0 crashes, seed \(Fuzz.seed)")
    }

    /// Generated statements (grammar, conformance vectors, demos), lightly mutated now and then.
    func testFuzzSQLGenerated() {
        let functions = Engine().functionRegistry.all
        let seeds = SQLFuzzCorpus.seeds
        XCTAssertGreaterThan(seeds.count, 300, "the conformance vectors and demo scripts should be found")
        var statements = 0, accepted = 0
        let cases = Fuzz.loop("sql generated", target: 1, seconds: Fuzz.groupSeconds / 2) { _, rng, current in
            var gen = SQLGenerator(rng: rng, functions: functions)
            var list: [String] = []
            for _ in 0..<(1 + Int(gen.rng.next() % 3)) {
                list.append(gen.rng.next() % 4 == 0 ? seeds[Int(gen.rng.next() % UInt64(seeds.count))] : gen.statement())
            }
            rng = gen.rng
            current.set(list.joined(separator: ";\n"))
            let r = SQLFuzzTests.run(list, rng: &rng)
            statements += r.ran
            accepted += r.accepted
        }
        report("sql generated", cases: cases, statements: statements, accepted: accepted)
        XCTAssertGreaterThan(accepted, 0, "some generated statements should be valid")
    }

    /// Token- and byte-level mutations of corpus and generated statements.
    func testFuzzSQLMutated() {
        let functions = Engine().functionRegistry.all
        let seeds = SQLFuzzCorpus.seeds
        var statements = 0, accepted = 0
        let cases = Fuzz.loop("sql mutated", target: 2, seconds: Fuzz.groupSeconds / 2) { _, rng, current in
            var gen = SQLGenerator(rng: rng, functions: functions)
            func base() -> String { gen.rng.next() % 2 == 0 ? seeds[Int(gen.rng.next() % UInt64(seeds.count))] : gen.statement() }
            let a = base(), b = base()
            var m = SQLMutator(rng: gen.rng)
            let bytes = m.mutate(a, other: b)
            rng = m.rng
            current.set(bytes)
            // Text reaches the engine as a Swift string: invalid UTF-8 is replaced as when a script is read.
            let text = String(decoding: bytes, as: UTF8.self)
            var list = [text]
            if rng.next() % 8 == 0 { list = StatementScanner.scan(text).statements }
            let r = SQLFuzzTests.run(list, rng: &rng)
            statements += r.ran
            accepted += r.accepted
        }
        report("sql mutated", cases: cases, statements: statements, accepted: accepted)
    }
}

/// Event values for the fuzzers: ordinary ones and odd ones (extreme numbers, NaN, NUL in strings,
/// deep arrays, long strings, wrong types).
enum FuzzValues {
    static func deepArray(_ depth: Int) -> Value {
        var v: Value = .int(1)
        for _ in 0..<depth { v = .array([v]) }
        return v
    }

    static let odd: [Value] = [
        .null, .int(.max), .int(.min), .int(0), .double(.nan), .double(.infinity), .double(-.infinity), .double(-0.0),
        .double(.greatestFiniteMagnitude), .double(.leastNonzeroMagnitude), .string("a\u{0}b"), .string(""),
        .string(String(repeating: "x", count: 10_000)), .string("\u{FFFD}\u{1F600}"), .bool(true), .timestamp(.max), .timestamp(.min),
        .array([]), .object([:]), deepArray(300), .object(["info": .object(["name": .string("d")])]), .string("2024-02-30 25:61:61"),
    ]

    static func pick(_ rng: inout SplitMix64, _ xs: [Value]) -> Value { xs[Int(rng.next() % UInt64(xs.count))] }

    static func event(_ rng: inout SplitMix64, i: Int) -> OrderedDictionary<String, Value> {
        var e: OrderedDictionary<String, Value> = [
            "a": .int(Int64(i)), "b": .string("x\(i % 3)"), "v": .double(Double(i) * 1.5), "k": .string("k\(i % 2)"),
            "ts": .int(1_700_000_000_000 + Int64(i) * 1000), "temperature": .double(20 + Double(i)), "name": "n",
            "tags": ["a", "b"], "device": ["info": ["name": "d"]], "amount": .int(Int64(10 * i)), "id": "P001", "product_id": "P001",
        ]
        let oddCount = Int(rng.next() % 4)
        for _ in 0..<oddCount {
            let key = e.keys[Int(rng.next() % UInt64(e.count))]
            e[key] = pick(&rng, odd)
        }
        return e
    }

    static let oddJSON = ["1e400", "-1e400", "9223372036854775808", "-9223372036854775809", "1.7976931348623157e308", "\"\\u0000\"",
                          "\"\\ud800\"", String(repeating: "[", count: 255) + String(repeating: "]", count: 255), "{}", "[]", "null",
                          "0.1e-400", "-0", "\"\\\"\"", "\"2024-01-01T00:00:00Z\"", "true"]

    static func jsonEvent(_ rng: inout SplitMix64) -> String {
        let keys = ["a", "v", "ts", "k", "tags", "name", "temperature"]
        var parts: [String] = []
        for k in keys where rng.next() % 2 == 0 {
            let v = rng.next() % 2 == 0 ? oddJSON[Int(rng.next() % UInt64(oddJSON.count))] : String(rng.next() % 1000)
            parts.append("\"\(k)\":\(v)")
        }
        return "{" + parts.joined(separator: ",") + "}"
    }
}
