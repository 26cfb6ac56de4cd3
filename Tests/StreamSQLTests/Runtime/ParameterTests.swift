import Foundation
import OrderedCollections
import XCTest
@testable import StreamSQL

/// Session parameters: `SET @name = …`, `@name` in queries, and a change of value as a what-if.
final class ParameterTests: XCTestCase {
    typealias Event = OrderedDictionary<String, Value>

    func rows(_ q: Query) -> Collected {
        let c = Collected()
        q.addSink(c.add)
        return c
    }

    func testAParameterIsAConstantWhereverALiteralMayStand() throws {
        let e = Engine()
        try e.run("CREATE STREAM s")
        try e.run("SET @n = 3")
        try e.run("SET @t = 1 + 1")
        let q = try e.execute("SELECT COUNT(*) AS c, SUM(v) AS total FROM s WHERE v > @t GROUP BY CountingWindow(@n)")
        let c = rows(q)
        for v in 1...9 { e.emitSync(["v": .int(Int64(v))], to: "s") }
        e.finish()
        // v in 3...9 pass the filter; windows of 3: (3,4,5), (6,7,8), then 9 left open.
        XCTAssertEqual(c.all.map { $0["c"] }, [.int(3), .int(3)])
        XCTAssertEqual(c.all.map { $0["total"] }, [.int(12), .int(21)])
        XCTAssertEqual(q.parameters, ["n", "t"])
    }

    func testUnknownParametersAreErrorsWithTheirPosition() throws {
        let e = Engine()
        try e.run("CREATE STREAM s")
        try e.run("SET @threshold = 0.8")
        XCTAssertThrowsError(try e.run("SELECT v FROM s WHERE v > @treshold")) { error in
            let err = error as? StreamSQLError
            XCTAssertEqual(err?.location?.column, 27)
            XCTAssertTrue(err?.message.contains("unknown parameter @treshold") == true, "\(error)")
            XCTAssertEqual(err?.suggestions, ["@threshold"])
        }
        XCTAssertThrowsError(try e.run("SET threshold = 1"), "SET names a parameter with @")
        XCTAssertThrowsError(try e.run("SET @x = v"), "a value is a constant") { error in
            XCTAssertTrue("\(error)".contains("not the field v"), "\(error)")
        }
        XCTAssertThrowsError(try e.run("SELECT v FROM s WHERE v > @"), "a lone @ is not a parameter")
    }

    func testSettingAParameterRestartsTheNamedQueriesThatUseIt() throws {
        let e = Engine()
        try e.run("CREATE STREAM s")
        try e.run("SET @t = 5")
        try e.run("CREATE QUERY hot AS SELECT v FROM s WHERE v > @t")
        try e.run("CREATE QUERY other AS SELECT v FROM s")
        let before = try XCTUnwrap(e.queries.first { $0.name == "hot" })
        let other = try XCTUnwrap(e.queries.first { $0.name == "other" })
        guard case .message(let m) = try e.run("SET @T = 8") else { return XCTFail() }
        XCTAssertEqual(m, "@t = 8; restarted hot", "names are case-insensitive and keep their first spelling")
        let after = try XCTUnwrap(e.queries.first { $0.name == "hot" })
        XCTAssertFalse(before === after)
        XCTAssertTrue(e.queries.contains { $0 === other }, "a query that does not use it keeps running")
        let c = rows(after)
        for v in [6, 9, 12] { e.emitSync(["v": .int(Int64(v))], to: "s") }
        e.finish()
        XCTAssertEqual(c.all.map { $0["v"] }, [.int(9), .int(12)])
        guard case .table(_, let shown) = try e.run("SHOW PARAMETERS") else { return XCTFail() }
        XCTAssertEqual(shown.map { $0.map(\.description) }, [["@t", "8", ""]], "finished queries no longer use it")
    }

    func testAValueAQueryCannotTakeChangesNothing() throws {
        let e = Engine()
        try e.run("CREATE STREAM s")
        try e.run("SET @n = 2")
        try e.run("CREATE QUERY w AS SELECT COUNT(*) AS c FROM s GROUP BY CountingWindow(@n)")
        let running = try XCTUnwrap(e.queries.first)
        XCTAssertThrowsError(try e.run("SET @n = 0")) { error in XCTAssertTrue("\(error)".contains("would break w"), "\(error)") }
        XCTAssertEqual(e.parameters.first?.value, .int(2))
        XCTAssertTrue(e.queries.first === running)
    }

    func testFunctionsAndSavedSessionsKeepParameters() throws {
        let e = Engine()
        try e.run("CREATE STREAM s")
        try e.run("SET @label = 'it''s hot'")
        try e.run("SET @t = 2.5")
        try e.run("CREATE FUNCTION hot(x) AS x > @t")
        try e.run("CREATE QUERY q AS SELECT v, @label AS label FROM s WHERE hot(v)")
        XCTAssertEqual(e.queries.first?.parameters, ["label", "t"], "a function's body is planned with the query")
        let script = e.catalogScript()
        let set = try XCTUnwrap(script.firstIndex(of: "SET @t = 2.5;"))
        XCTAssertTrue(script.contains("SET @label = 'it''s hot';"))
        XCTAssertLessThan(set, try XCTUnwrap(script.firstIndex { $0.hasPrefix("CREATE FUNCTION") }))
        let copy = Engine()
        for s in script where !s.hasPrefix("--") { try copy.run(s) }
        XCTAssertEqual(copy.parameters.map(\.value), [.string("it's hot"), .double(2.5)])
        let c = rows(try XCTUnwrap(copy.queries.first))
        copy.emitSync(["v": 3], to: "s")
        copy.emitSync(["v": 2], to: "s")
        copy.finish()
        XCTAssertEqual(c.all, [["v": 3, "label": "it's hot"]])
    }

    /// A proposed value is a what-if: equal to running the query with each value on its own.
    func testAProposedValueIsAWhatIfAgainstBatchRuns() throws {
        for seed in 1...10 as ClosedRange<UInt64> {
            var rng = SplitMix64(seed: seed)
            let evs: [Event] = (0..<200).map { i in
                ["k": .string("d\(rng.next() % 3)"), "v": .int(Int64(rng.next() % 100)), "ts": .int(Int64(i) * 700)]
            }
            let (a, b) = (Int(rng.next() % 100), Int(rng.next() % 100))
            let query = "SELECT k, COUNT(*) AS n FROM s WHERE v > @t GROUP BY k, TumblingWindow('5s') WITH (TIMESTAMP='ts', TIMEUNIT='ms')"
            var o = EngineOptions()
            o.history = .default
            let e = Engine(options: o)
            try e.run("CREATE STREAM s")
            try e.run("SET @t = \(a)")
            try e.run("CREATE QUERY w AS \(query)")
            for ev in evs { e.emitSync(ev, to: "s") }
            let change = try e.proposeParameter("SET @t = \(b)")
            XCTAssertEqual(change.queries, ["w"])
            XCTAssertEqual(e.parameters.first?.value, .int(Int64(a)), "nothing changes before it is adopted")
            func batch(_ t: Int) throws -> [Event] {
                let x = Engine()
                try x.run("CREATE STREAM s")
                let c = rows(try x.execute(query.replacingOccurrences(of: "@t", with: String(t))))
                for ev in evs { x.emitSync(ev, to: "s") }
                x.finish()
                return c.all
            }
            let d = try XCTUnwrap(change.diffs.first?.diff)
            let expected = ResultDiff(old: try batch(a), new: try batch(b), keys: d.keys)
            XCTAssertEqual(d.gone, expected.gone, "seed \(seed)")
            XCTAssertEqual(d.added, expected.added, "seed \(seed)")
            XCTAssertEqual(d.changed.map(\.old), expected.changed.map(\.old), "seed \(seed)")
            XCTAssertEqual(d.changed.map(\.new), expected.changed.map(\.new), "seed \(seed)")
            XCTAssertEqual(a == b, d.isEmpty, "seed \(seed)")
            try e.adopt(change)
            XCTAssertEqual(e.parameters.first?.value, .int(Int64(b)))
        }
    }
}
