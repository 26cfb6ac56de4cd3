import XCTest
@testable import StreamSQL

/// Arithmetic on nanosecond times never traps, and a time Int64 nanoseconds cannot hold is NULL, never
/// another date.
final class TimeOverflowTests: XCTestCase {
    /// One event through `SELECT <exprs> FROM s`: the values are computed per event, not folded at plan time.
    func row(_ exprs: String) throws -> [String: Value] {
        let engine = Engine()
        let q = try engine.execute("SELECT \(exprs) FROM s")
        let event = #"{"far": "2250-01-01", "old": "1700-01-01", "late": "2300-01-01", "now": "2024-01-31", "n": 9223372036854775807}"#
        guard case .object(let o) = try JSONReader.parse(event) else { XCTFail("the event is not an object"); return [:] }
        let batch = try XCTUnwrap(engine.emitSync(o, to: "s")[q.name])
        XCTAssertEqual(batch.count, 1)
        return Dictionary(uniqueKeysWithValues: batch.object(0).map { ($0.key, $0.value) })
    }

    func testYearsOutsideTheRangeAreNullNotWrapped() throws {
        let r = try row("year(late) AS y, year(far) AS f, year(now) AS n")
        XCTAssertEqual(r["y"], .null)
        XCTAssertEqual(r["f"], .int(2250))
        XCTAssertEqual(r["n"], .int(2024))
        XCTAssertNil(TimeParse.parse("2300-01-01"))
        XCTAssertNil(TimeParse.parse("1500-01-01T00:00:00Z"))
        XCTAssertNotNil(TimeParse.parse("2262-04-11T00:00:00Z"))
    }

    func testDateDiffAcrossCenturiesDoesNotTrap() throws {
        let r = try row("date_diff(far, old, 'day') AS d, date_diff(far, old, 'year') AS y, date_diff(far, old, 'ns') AS ns")
        // 550 years from 1700 to 2250, counted by the calendar, and the days between them.
        XCTAssertEqual(r["y"], .int(550))
        XCTAssertEqual(r["d"], .int(200_883))
        XCTAssertEqual(r["ns"], .null)
    }

    func testDateAddAndSubWithHugeCountsAreNull() throws {
        let r = try row("date_add(now, n, 'year') AS a, date_add(now, n, 'quarter') AS q, date_sub(now, n, 'month') AS m, date_add(now, n, 'day') AS d, date_add(now, 1, 'month') AS ok")
        XCTAssertEqual(r["a"], .null)
        XCTAssertEqual(r["q"], .null)
        XCTAssertEqual(r["m"], .null)
        XCTAssertEqual(r["d"], .null)
        XCTAssertNotEqual(r["ok"], .null)
    }
}

/// Found by the fuzzer (Tests/StreamSQLTests/Fuzz/Repros/timestamp-int64-min.txt): a timestamp value near
/// Int64.min, given through the embedding API, trapped when it was written as JSON or taken apart by a
/// date function (floor division by `nanos - 999_999_999` overflowed).
final class TimestampNearInt64MinTests: XCTestCase {
    func testTheExtremeTimestampsFormatWithoutTrapping() {
        XCTAssertEqual(JSONWriter.string(.timestamp(.min)), "\"1677-09-21T00:12:43.145224192Z\"")
        XCTAssertEqual(JSONWriter.string(.timestamp(.max)), "\"2262-04-11T23:47:16.854775807Z\"")
        XCTAssertEqual(JSONWriter.string(.timestamp(-1)), "\"1969-12-31T23:59:59.999999999Z\"")
        let p = TimeFormat.parts(nanos: .min + 1)
        XCTAssertEqual([p.year, p.month, p.day, p.hour, p.minute, p.second, p.nanos], [1677, 9, 21, 0, 12, 43, 145_224_193])
    }

    func testDateFunctionsOnTheExtremeTimestampsDoNotTrap() throws {
        let engine = Engine()
        let q = try engine.execute("SELECT t, dayofweek(t) AS w, year(t) AS y FROM s")
        for t in [Int64.min, .min + 1, .max] {
            let batch = try XCTUnwrap(engine.emitSync(["t": .timestamp(t)], to: "s")[q.name])
            XCTAssertEqual(batch.count, 1)
            let o = batch.object(0)
            XCTAssertEqual(o["y"]?.asInt, t < 0 ? 1677 : 2262)
            XCTAssertEqual(o["w"]?.asInt, t < 0 ? 2 : 5)  // 1677-09-21 was a Tuesday, 2262-04-11 a Friday
            _ = JSONWriter.string(object: o)
        }
    }
}
