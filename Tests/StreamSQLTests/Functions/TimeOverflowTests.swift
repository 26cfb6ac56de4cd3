import OrderedCollections
import XCTest
@testable import StreamSQL

/// Arithmetic on nanosecond times never traps, and a time Int64 nanoseconds cannot hold is NULL, never
/// another date.
final class TimeOverflowTests: XCTestCase {
    /// One event through `SELECT <exprs> FROM s`: the values are computed per event, not folded at plan time.
    func row(_ exprs: String) throws -> [String: Value] { try counted(exprs).0 }

    /// The row and the query's metrics (what it made NULL, and why).
    func counted(_ exprs: String, extra: OrderedDictionary<String, Value> = [:]) throws -> ([String: Value], MetricsSnapshot) {
        let engine = Engine()
        engine.createStream("s")
        let q = try engine.execute("SELECT \(exprs) FROM s")
        let event = #"{"far": "2250-01-01", "old": "1700-01-01", "late": "2300-01-01", "now": "2024-01-31", "n": 9223372036854775807}"#
        guard case .object(var o) = try JSONReader.parse(event) else { throw XCTSkip("not an object") }
        for (k, v) in extra { o[k] = v }
        let batch = try XCTUnwrap(engine.emitSync(o, to: "s")[q.name])
        XCTAssertEqual(batch.count, 1)
        return (Dictionary(uniqueKeysWithValues: batch.object(0).map { ($0.key, $0.value) }), q.metrics)
    }

    let outOfRange = "time out of range (1677-09-21 to 2262-04-11)"

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

    func testOutOfRangeTextTimesAreCountedNulls() throws {
        let (r, m) = try counted("year(late) AS y, month(late) AS mo, dayofweek(late) AS w, date_format(late, 'YYYY') AS f, year(now) AS n, year('junk') AS j")
        XCTAssertEqual(r["y"], .null)
        XCTAssertEqual(r["mo"], .null)
        XCTAssertEqual(r["w"], .null)
        XCTAssertEqual(r["f"], .null)
        XCTAssertEqual(r["n"], .int(2024))
        XCTAssertEqual(r["j"], .null)
        XCTAssertEqual(m.nullReasons[outOfRange], 4, "\(m.nullReasons)")
        XCTAssertEqual(m.nulled, 4, "text that is no time at all stays an uncounted NULL")
    }

    func testCastsToTimestampOutOfRangeAreCountedNulls() throws {
        let (r, m) = try counted("CAST(late AS timestamp) AS a, cast(n, 'timestamp') AS b, CAST(now AS timestamp) AS c, CAST('junk' AS timestamp) AS d")
        XCTAssertEqual(r["a"], .null)
        XCTAssertEqual(r["b"], .null)
        XCTAssertEqual(r["c"], TimeParse.parse("2024-01-31").map(Value.timestamp))
        XCTAssertEqual(r["d"], .null)
        XCTAssertEqual(m.nullReasons[outOfRange], 2, "\(m.nullReasons)")
        XCTAssertEqual(m.nulled, 2)
    }

    func testEpochConversionsAtExtremesAreCountedNulls() throws {
        let extra: OrderedDictionary<String, Value> = ["nan": .double(.nan), "inf": .double(.infinity), "ninf": .double(-.infinity),
                                                       "big": .double(1e300), "min": .int(Int64.min), "top": "2262-04-11 23:00:00"]
        let (r, m) = try counted("""
            from_unixtime(nan) AS a, from_unixtime(inf) AS b, from_unixtime(ninf) AS c, from_unixtime(big) AS d,
            from_unixtime(min) AS e, to_unixtime(min) AS f, unix_timestamp(big) AS g, to_timestamp(min) AS h,
            convert_tz(top, '+14:00') AS i, convert_tz(top, '-01:00') AS j, from_unixtime(0) AS k
            """, extra: extra)
        for k in ["a", "b", "c", "d", "e", "f", "g", "h", "i"] { XCTAssertEqual(r[k], .null, k) }
        XCTAssertEqual(r["j"], .string("2262-04-11 22:00:00"))
        XCTAssertEqual(r["k"], .string("1970-01-01 00:00:00"))
        XCTAssertEqual(m.nullReasons[outOfRange], 9, "\(m.nullReasons)")
        XCTAssertEqual(m.nulled, 9)
    }

    func testTimesAtTheEarliestNanosecondFormatWithoutTrapping() throws {
        let r = try row("date_add('1970-01-01', -9223372036854775807, 'ns') AS a")
        XCTAssertEqual(r["a"], .string("1677-09-21 00:12:43"))
        XCTAssertEqual(TimeFormat.iso8601(nanos: Int64.min), "1677-09-21T00:12:43.145224192Z")
        XCTAssertEqual(DateFunctions.dayOfWeek(Int64.min), 2, "1677-09-21 was a Tuesday")
        XCTAssertEqual(DateFunctions.dayOfWeek(-1), 3, "1969-12-31 was a Wednesday")
    }

    func testHugeDurationsAreClearErrors() {
        let engine = Engine()
        func err(_ sql: String) -> String { do { _ = try engine.execute(sql); return "" } catch { return error.message } }
        let mr = "SELECT * FROM stream MATCH_RECOGNIZE (ORDER BY ts MEASURES COUNT(*) AS n PATTERN (A) WITHIN %@ DEFINE A AS v > 0)"
        for within in ["99999999999999 SECONDS", "'9999999999h'", "INTERVAL '99999999999999' SECOND", "1e30 DAYS"] {
            XCTAssertTrue(err(mr.replacingOccurrences(of: "%@", with: within)).contains("too long"), within)
        }
        XCTAssertTrue(err("SELECT COUNT(*) FROM stream GROUP BY TumblingWindow('9999999999h')").contains("too long"))
        XCTAssertTrue(err("SELECT COUNT(*) FROM stream GROUP BY SessionWindow('99999999999999 seconds')").contains("too long"))
        XCTAssertTrue(err("SELECT COUNT(*) FROM stream GROUP BY TumblingWindow('1s') WITH (TIMESTAMP='ts', MAXOUTOFORDERNESS='9999999999h')").contains("too long"))
        XCTAssertTrue(err("SELECT recent_count(ts, '9999999999h') OVER (PARTITION BY u) AS n FROM stream").contains("too long"))
        XCTAssertEqual(Durations.parse("9999999999h"), nil)
        XCTAssertEqual(Durations.parse("104166d"), 104_166 * 86_400_000_000_000)
        XCTAssertEqual(err("SELECT * FROM stream MATCH_RECOGNIZE (ORDER BY ts MEASURES COUNT(*) AS n PATTERN (A) WITHIN 5 SECONDS DEFINE A AS v > 0)"), "")
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
        engine.createStream("s")
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
