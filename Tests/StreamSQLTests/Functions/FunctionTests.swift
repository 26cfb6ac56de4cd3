import OrderedCollections
import XCTest
@testable import StreamSQL

/// Every scalar function on normal values, NULL, wrong types and edge cases. A wrong type gives
/// NULL (or a plan-time error), never a crash.
final class FunctionTests: XCTestCase {
    /// Evaluates `expr` over one event and returns the value.
    func eval(_ expr: String, _ event: OrderedDictionary<String, Value> = ["x": 1], file: StaticString = #filePath, line: UInt = #line) -> Value {
        let engine = Engine()
        do {
            let q = try engine.execute("SELECT \(expr) AS r FROM stream")
            let out = engine.emitSync(event)[q.name]
            return out?.objects.first?["r"] ?? .null
        } catch {
            XCTFail("\(expr): \(error)", file: file, line: line)
            return .null
        }
    }

    func check(_ cases: [(String, Value)], file: StaticString = #filePath, line: UInt = #line) {
        let event: OrderedDictionary<String, Value> = [
            "n": nil, "s": "héllo", "i": 7, "f": -2.5, "b": true, "arr": [3, 1, 2], "o": ["a": 1, "b": ["c": 2]],
            "objs": [["k": "x", "v": 2], ["k": "y", "v": 9], ["k": "z", "v": 5]], "empty": "", "ea": [],
        ]
        for (expr, want) in cases {
            let got = eval(expr, event, file: file, line: line)
            let same: Bool
            if let a = got.asDouble, let b = want.asDouble { same = abs(a - b) < 1e-9 } else { same = got == want }
            XCTAssertTrue(same, "\(expr) = \(got), expected \(want)", file: file, line: line)
        }
    }

    func testMath() {
        check([
            ("abs(f)", 2.5), ("abs(i)", 7), ("abs(s)", nil), ("abs(n)", nil), ("abs(-9223372036854775807 - 1)", 9.223372036854775808e18),
            ("sqrt(16)", 4.0), ("sqrt(-1)", nil), ("sqrt('x')", nil), ("ln(0)", nil), ("ln(1)", 0.0), ("log(100)", 2.0), ("log10(1000)", 3.0),
            ("log2(8)", 3.0), ("exp(0)", 1.0), ("exp(1000)", nil), ("power(2, 10)", 1024.0), ("power(0, -1)", nil),
            ("round(2.5)", 3.0), ("round(-2.5)", -3.0), ("round(1.005, 2)", 1.0), ("round(3.14159, 2)", 3.14), ("round(n)", nil),
            ("floor(-1.5)", -2.0), ("ceil(-1.5)", -1.0), ("ceiling(1.2)", 2.0), ("sign(-3)", -1), ("sign(0)", 0), ("mod(7, 3)", 1),
            ("mod(7, 0)", nil), ("mod(7.5, 2)", 1.5), ("trunc(-2.7)", -2.0), ("trunc(2.789, 2)", 2.78), ("bitand(12, 10)", 8),
            ("bitor(12, 10)", 14), ("bitxor(12, 10)", 6), ("bitnot(0)", -1), ("bitand('a', 1)", nil), ("atan2(1, 1)", .double(.pi / 4)),
            ("cos(0)", 1.0), ("sin(0)", 0.0), ("tan(0)", 0.0), ("acos(2)", nil), ("asin(1)", .double(.pi / 2)), ("cosh(0)", 1.0),
            ("sinh(0)", 0.0), ("tanh(0)", 0.0), ("pi()", .double(.pi)), ("i / 0", nil), ("i % 0", nil), ("1e308 * 10", nil),
        ])
        let r = eval("rand()")
        XCTAssertTrue((0..<1).contains(r.asDouble ?? -1))
    }

    func testStrings() {
        check([
            ("upper(s)", "HÉLLO"), ("lower('ÀB')", "àb"), ("length(s)", 6), ("char_length(s)", 5), ("len(empty)", 0), ("length(n)", nil), ("length(i)", 1),
            ("concat(s, '-', i, n, f)", "héllo-7-2.5"), ("concat(n)", ""), ("trim('  a b ')", "a b"), ("ltrim('  a ')", "a "),
            ("rtrim('  a ')", "  a"), ("substring('hello', 1, 2)", "el"), ("substring('hello', 1)", "ello"),
            ("substring('hello', -2)", "lo"), ("substring('hello', 9)", ""), ("substring('hello', 1, -1)", ""), ("substring(n, 1)", nil),
            ("substring('温度计', 1, 1)", "度"), ("replace('aXbX', 'X', '-')", "a-b-"), ("replace('ab', '', 'z')", "ab"),
            ("split('a,b,,c', ',')", ["a", "b", "", "c"]), ("split('ab', '')", ["a", "b"]), ("lpad('7', 3, '0')", "007"),
            ("rpad('ab', 4, 'xy')", "abxy"), ("lpad('abcdef', 3)", "abc"), ("startswith(s, 'hé')", true), ("endswith(s, 'lo')", true),
            ("indexof(s, 'l')", 2), ("indexof(s, 'z')", -1), ("contains(s, 'llo')", true), ("contains(s, 'ell')", false), ("reverse('abc')", "cba"),
            ("repeat('ab', 3)", "ababab"), ("repeat('ab', -1)", nil), ("repeat('ab', 10000000)", nil),
            ("format(3.14159, '0.00')", "3.14"), ("format(1234567.891, '#,##0.0')", "1,234,567.9"), ("format('x', '0')", nil),
            ("regexp_matches('a1b2', '[0-9]')", true), ("regexp_matches('ab', '[0-9]')", false), ("regexp_matches('ab', '(')", nil),
            ("regexp_replace('a1b22', '[0-9]+', '#')", "a#b#"), ("regexp_substring('phone: 123-456', '[0-9]+')", "123"),
            ("regexp_substring('abc', '[0-9]')", nil), ("regexp_count('a1b22c333', '[0-9]+')", 3), ("chr(65)", "A"), ("chr(128)", nil),
            ("'a' || 1 || 2.5", "a12.5"), ("'a' || n", nil),
        ])
    }

    func testConversionAndTypes() {
        check([
            ("cast('12' AS int)", 12), ("cast(f AS int)", -2), ("cast('x' AS int)", nil), ("cast(i AS string)", "7"), ("cast(b, 'int')", 1),
            ("CAST(1 AS boolean)", true), ("cast('2024-01-15T10:00:00Z' AS timestamp)", .timestamp(1_705_312_800_000_000_000)),
            ("hex2dec('ff')", 255), ("hex2dec('0x10')", 16), ("hex2dec('zz')", nil), ("dec2hex(255)", "ff"),
            ("encode('hi', 'base64')", "aGk="), ("decode('aGk=', 'base64')", "hi"), ("decode('!!', 'base64')", nil),
            ("encode('hi', 'hex')", "6869"), ("decode('6869', 'hex')", "hi"), ("decode('6', 'hex')", nil), ("url_encode('a b&c')", "a%20b%26c"),
            ("url_decode('a%20b')", "a b"), ("encode('x', 'rot13')", nil),
            ("is_null(n)", true), ("is_not_null(i)", true), ("is_numeric(f)", true), ("is_numeric(s)", false), ("is_string(s)", true),
            ("is_bool(b)", true), ("is_array(arr)", true), ("is_object(o)", true), ("typeof(o)", "object"), ("typeof(n)", "null"),
            ("md5('abc')", "900150983cd24fb0d6963f7d28e17f72"), ("sha1('')", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
            ("sha256('abc')", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"), ("md5(n)", nil),
        ])
    }

    func testConditionalAndJSON() {
        check([
            ("expr('i * 2 + 1')", 15), ("expression('upper(s)')", "HÉLLO"), ("expr('n + 1')", nil),
            ("coalesce(n, n, 3)", 3), ("coalesce(n)", nil), ("if_null(n, 'z')", "z"), ("nullif(i, 7)", nil), ("nullif(i, 8)", 7),
            ("case_when(1 > 2, 'a', 2 > 1, 'b', 'c')", "b"), ("case_when(false, 1, 'z')", "z"), ("case_when(false, 1)", nil),
            ("greatest(1, 5, 3)", 5), ("greatest(1, n)", nil), ("least('b', 'a')", "a"), ("greatest(1, 'a')", nil), ("if(b, 'y', 'n')", "y"),
            ("json_extract('{\"a\":{\"b\":[1,2]}}', '$.a.b[1]')", 2), ("json_extract(o, '$.b.c')", 2), ("json_extract('{bad', '$.a')", nil),
            ("json_extract(o, '$.missing')", nil), ("json_valid('[1]')", true), ("json_valid('[1')", false), ("json_type('1.5')", "number"),
            ("json_length('{\"a\":1,\"b\":2}')", 2), ("json_length('3')", nil), ("to_json(arr)", "[3,1,2]"), ("from_json('[1,\"a\"]')", [1, "a"]),
            ("from_json('nope')", nil), ("json_object('a', 1, 'b', s)", ["a": 1, "b": "héllo"]), ("json_object('a')", nil),
            ("json_object(1, 2)", nil), ("{'k': i, 'arr': [1, n]}", ["k": 7, "arr": [1, nil]]),
        ])
    }

    func testArrays() {
        check([
            ("array_length(arr)", 3), ("array_length(ea)", 0), ("array_length(s)", nil), ("array_contains(arr, 2)", true),
            ("array_contains(arr, 2.0)", true), ("array_position(arr, 1)", 2), ("array_position(arr, 9)", 0), ("array_remove(arr, 1)", [3, 2]),
            ("array_distinct([1, 1, 2, 1])", [1, 2]), ("array_intersect(arr, [2, 3, 9])", [3, 2]), ("array_union([1], [1, 2])", [1, 2]),
            ("array_except(arr, [1])", [3, 2]), ("array_compact([1, n, 2])", [1, 2]), ("array_sort(arr)", [1, 2, 3]),
            ("array_sort(arr, 'desc')", [3, 2, 1]), ("array_slice(arr, 1)", [1, 2]), ("array_slice(arr, -2, -1)", [1]),
            ("array_slice(arr, 5)", []), ("array_sum(arr)", 6.0), ("array_avg(ea)", nil), ("array_max(arr)", 3), ("array_min(arr)", 1),
            ("array_join(arr, '-')", "3-1-2"), ("array_top(arr, 2)", [3, 2]), ("array_top(objs, 1, 'v')", [["k": "y", "v": 9]]),
            ("array_sort_by(objs, 'v', 'desc')[0].k", "y"), ("array(1, 'a', n)", [1, "a", nil]), ("arr[0]", 3), ("arr[-1]", 2), ("arr[5]", nil),
            ("array_top(arr, -1)", nil),
        ])
    }

    func testDates() {
        check([
            ("year('2024-03-05')", 2024), ("month('2024-03-05 10:00:00')", 3), ("day('2024-03-05T10:00:00Z')", 5),
            ("hour('2024-03-05 17:04:09')", 17), ("minute('2024-03-05 17:04:09')", 4), ("second('2024-03-05 17:04:09')", 9),
            ("dayofweek('2024-01-14')", 7), ("dayofyear('2024-12-31')", 366), ("week('2024-01-01')", 1), ("year('garbage')", nil),
            ("year('2023-02-30')", nil), ("year(1705312800)", 2024), ("year(1705312800000)", 2024),
            ("date_add('2024-01-31', 1, 'month')", "2024-02-29 00:00:00"), ("date_add('2024-01-15 10:00:00', -2, 'hours')", "2024-01-15 08:00:00"),
            ("date_add('2024-01-15', 1, 'fortnight')", nil), ("date_sub('2024-03-01', 1, 'day')", "2024-02-29 00:00:00"),
            ("date_diff('2024-01-16', '2024-01-10', 'day')", 6), ("date_diff('2024-03-01', '2023-01-01', 'month')", 14),
            ("date_format('2024-03-05 09:08:07', 'YYYY/MM/DD HH:mm:ss')", "2024/03/05 09:08:07"),
            ("date_parse('05.03.2024', 'DD.MM.YYYY')", "2024-03-05 00:00:00"), ("date_parse('32.01.2024', 'DD.MM.YYYY')", nil),
            ("from_unixtime(0)", "1970-01-01 00:00:00"), ("from_unixtime(1e300)", nil), ("unix_timestamp('1970-01-02')", 86400),
            ("convert_tz('2024-01-15 10:00:00', 'Asia/Shanghai')", "2024-01-15 18:00:00"),
            ("convert_tz('2024-07-15 10:00:00', 'America/New_York')", "2024-07-15 06:00:00"),
            ("convert_tz('2024-01-15 10:00:00', '-03:30')", "2024-01-15 06:30:00"), ("convert_tz('2024-01-15', 'Nowhere/City')", nil),
            ("convert_tz(n, 'UTC')", nil), ("extract('dow', '2024-01-15')", 1), ("extract('century', '2024-01-15')", nil), ("to_seconds('1970-01-01 00:01:00')", 60),
        ])
        XCTAssertNotNil(eval("now()").asTimestamp)
    }

    func testArityAndUnknownNamesArePlanErrors() {
        let engine = Engine()
        for sql in ["SELECT upper() FROM stream", "SELECT upper(a, b) FROM stream", "SELECT nosuch(1) FROM stream",
                    "SELECT substring('a') FROM stream", "SELECT cast(a, 'widget') FROM stream", "SELECT expr(a) FROM stream",
                    "SELECT expr('1 +') FROM stream", "SELECT expr('sum(a)') FROM stream", "SELECT expr('a b') FROM stream"] {
            XCTAssertThrowsError(try engine.execute(sql), sql) { e in
                XCTAssertEqual((e as? StreamSQLError)?.phase, .plan, sql)
            }
        }
    }

    func testRegistryMetadataIsComplete() {
        let all = FunctionRegistry.builtins.all
        XCTAssertGreaterThan(all.count, 140)
        for f in all {
            XCTAssertFalse(f.summary.isEmpty, f.name)
            XCTAssertTrue(f.signature.lowercased().hasPrefix(f.name.lowercased()) || f.name == "ceiling", "\(f.name): \(f.signature)")
            if f.kind == .scalar { XCTAssertNotNil(f.impl, f.name) }
        }
    }
}

final class UserFunctionTests: XCTestCase {
    func testCreateUseShowDescribeDrop() throws {
        let engine = Engine()
        guard case .message = try engine.run("CREATE FUNCTION f_to_c(f) AS round((f - 32) / 1.8, 1) COMMENT 'Fahrenheit to Celsius'") else { return XCTFail() }
        try engine.run("CREATE FUNCTION heat(t, h) AS CASE WHEN f_to_c(t) > 30 AND h > 70 THEN 'muggy' ELSE 'ok' END")
        let q = try engine.execute("SELECT f_to_c(temp) AS c, heat(temp, hum) AS feel FROM stream")
        let out = engine.emitSync(["temp": 95, "hum": 80])[q.name]!.objects[0]
        XCTAssertEqual(out["c"], 35.0)
        XCTAssertEqual(out["feel"], "muggy")
        guard case .table(_, let rows) = try engine.run("SHOW FUNCTIONS LIKE 'f_to%'") else { return XCTFail() }
        XCTAssertEqual(rows.map { $0[0] }, ["f_to_c"])
        XCTAssertEqual(rows[0][4], "Fahrenheit to Celsius")
        guard case .table(_, let desc) = try engine.run("DESCRIBE FUNCTION heat") else { return XCTFail() }
        XCTAssertTrue(desc.contains { $0[0] == "body" && $0[1].asString?.hasPrefix("CASE WHEN") == true })
        XCTAssertThrowsError(try engine.run("CREATE FUNCTION heat(x) AS x"), "exists without OR REPLACE")
        XCTAssertNoThrow(try engine.run("CREATE OR REPLACE FUNCTION heat(x) AS x * 2"))
        XCTAssertNoThrow(try engine.run("DROP FUNCTION heat"))
        XCTAssertThrowsError(try engine.execute("SELECT heat(1) FROM stream"))
        XCTAssertThrowsError(try engine.run("DROP FUNCTION upper"), "built-ins cannot be dropped")
        XCTAssertNoThrow(try engine.run("DROP FUNCTION IF EXISTS nothing"))
    }

    func testBodyRules() {
        let engine = Engine()
        func err(_ sql: String) -> String { do { try engine.run(sql); return "" } catch { return error.message } }
        XCTAssertTrue(err("CREATE FUNCTION g(x) AS x + y").contains("not a parameter"))
        XCTAssertTrue(err("CREATE FUNCTION g(x) AS sum(x)").contains("scalar expression"))
        XCTAssertTrue(err("CREATE FUNCTION g(x) AS nosuch(x)").contains("unknown function"))
        XCTAssertTrue(err("CREATE FUNCTION upper(x) AS x").contains("built-in"))
        XCTAssertTrue(err("CREATE FUNCTION g(x, x) AS x").contains("twice"))
        XCTAssertNoThrow(try engine.run("CREATE FUNCTION g(x) AS x + 1"))
        XCTAssertTrue(err("SELECT g(1, 2) FROM stream").contains("takes 1 argument"))
    }

    func testNativeFunctionsAndScripts() throws {
        let engine = Engine()
        engine.registerFunction("celsius", arguments: 1...1, summary: "Fahrenheit to Celsius") { args in
            guard let f = args[0].asDouble else { return .null }
            return .double((f - 32) / 1.8)
        }
        let results = try engine.runScript("""
            -- a script: a function, then a query using it
            CREATE FUNCTION warm(x) AS celsius(x) > 25;
            SELECT t, warm(t) AS w FROM stream WHERE t IS NOT NULL;
            """)
        XCTAssertEqual(results.count, 2)
        guard case .query(let q) = results[1] else { return XCTFail() }
        XCTAssertEqual(engine.emitSync(["t": 80])[q.name]?.objects.first?["w"], true)
        XCTAssertEqual(StatementScanner.scan("SELECT ';' FROM s; -- c;\n SELECT 1 FROM s; ; ").statements.count, 2)
    }

    func testNativeAggregate() throws {
        final class RangeAcc: Accumulator {
            var lo = Double.infinity, hi = -Double.infinity
            func add(_ v: Value) { if let d = v.asDouble { lo = min(lo, d); hi = max(hi, d) } }
            func merge(_ other: Accumulator) { if let o = other as? RangeAcc { lo = min(lo, o.lo); hi = max(hi, o.hi) } }
            func result() -> Value { lo <= hi ? .double(hi - lo) : .null }
            func reset() { lo = .infinity; hi = -.infinity }
        }
        let engine = Engine()
        engine.registerAggregate("value_range", summary: "max - min") { RangeAcc() }
        let q = try engine.execute("SELECT k, value_range(v) AS r FROM stream GROUP BY k, CountingWindow(3)")
        var out: [OrderedDictionary<String, Value>] = []
        for v in [5, 1, 9] { out += engine.emitSync(["k": "a", "v": .int(Int64(v))])[q.name]?.objects ?? [] }
        XCTAssertEqual(out.first?["r"], 8.0)
        let sliding = try engine.execute("SELECT value_range(v) AS r FROM stream GROUP BY SlidingWindow('2s', '1s') WITH (TIMESTAMP='ts', TIMEUNIT='ms')")
        let c = Collected(); sliding.addSink(c.add)
        for (t, v) in [(0, 1), (1500, 10), (2500, 4)] { engine.emitSync(["ts": .int(Int64(t)), "v": .int(Int64(v)), "k": "z"]) }
        engine.finish()
        XCTAssertEqual(c.all.map { $0["r"]! }, [0.0, 9.0, 6.0, 0.0], "panes merge through the accumulator's merge")
    }

    func testExplain() throws {
        let engine = Engine()
        guard case .table(_, let rows) = try engine.run("EXPLAIN SELECT k, AVG(v) FROM stream GROUP BY k, SlidingWindow('10s', '1s') WITH (TIMESTAMP='ts')") else { return XCTFail() }
        let d = Dictionary(uniqueKeysWithValues: rows.map { ($0[0].asString!, $0[1].asString!) })
        XCTAssertEqual(d["pipeline"], "windowed aggregation")
        XCTAssertTrue(d["plan"]!.contains("sliding window of 10s every 1s"), d["plan"]!)
        XCTAssertTrue(engine.queries.isEmpty, "EXPLAIN starts nothing")
        guard case .table(_, let r2) = try engine.run("EXPLAIN SELECT COUNT(*) FROM stream") else { return XCTFail() }
        XCTAssertTrue(r2.contains { $0[1].asString?.contains("default 10s tumbling") == true })
    }
}

final class AnalyticExtraTests: XCTestCase {
    func testFirstSeenAndAccStddev() throws {
        let engine = Engine()
        let q = try engine.execute("SELECT first_seen(city) OVER (PARTITION BY user) AS new_city, acc_stddev(v) AS sd FROM stream")
        var out: [OrderedDictionary<String, Value>] = []
        for (u, c, v) in [("a", "x", 1), ("a", "y", 2), ("b", "x", 3), ("a", "x", 4)] {
            out += engine.emitSync(["user": .string(u), "city": .string(c), "v": .int(Int64(v))])[q.name]!.objects
        }
        XCTAssertEqual(out.map { $0["new_city"]! }, [true, true, true, false])
        XCTAssertEqual(out[3]["sd"]!.asDouble!, 1.2909944, accuracy: 1e-6)
        XCTAssertEqual(out[0]["sd"], .null)
    }

    func testRecentCountCountsThePartitionsRowsInsideTheSpan() throws {
        let engine = Engine()
        let q = try engine.execute("SELECT recent_count(ts, '10m') OVER (PARTITION BY u) AS n FROM stream")
        var out: [Value] = []
        for (u, ts) in [("a", "2024-01-15T10:00:00Z"), ("a", "2024-01-15T10:05:00Z"), ("b", "2024-01-15T10:06:00Z"),
                        ("a", "2024-01-15T10:10:00Z"), ("a", "2024-01-15T10:09:00Z"), ("a", "bad time")] {
            out += engine.emitSync(["u": .string(u), "ts": .string(ts)])[q.name]!.objects.map { $0["n"]! }
        }
        // 10:00 drops out at 10:10 (the span is half-open); a late 10:09 still counts; a bad time adds nothing.
        XCTAssertEqual(out, [1, 2, 1, 2, 3, 3])
        XCTAssertThrowsError(try engine.execute("SELECT recent_count(ts, 'soon') OVER (PARTITION BY u) AS n FROM stream")) { e in
            XCTAssertTrue("\(e)".contains("must be a duration"), "\(e)")
        }
        engine.createStream("s2")
        let p = try engine.execute(#"SELECT array_pluck(xs, 'k') AS ks FROM s2"#)
        let r = engine.emitSync(["xs": .array([.object(["k": 1]), .int(2), .object(["j": 3])])], to: "s2")[p.name]!.objects
        XCTAssertEqual(r.first?["ks"], .array([1, .null, .null]))
    }

    func testPartitionCapEvictsLeastRecentlyUsed() throws {
        var o = EngineOptions()
        o.maxPartitions = 10
        let engine = Engine(options: o)
        let q = try engine.execute("SELECT lag(v) OVER (PARTITION BY k) AS p FROM stream")
        for k in 0..<100 { engine.emitSync(["k": .int(Int64(k)), "v": 1]) }
        XCTAssertLessThanOrEqual(q.stateSize.groups, 10)
        XCTAssertGreaterThanOrEqual(q.metrics.evicted, 90)
    }
}
