import OrderedCollections
import StreamSQL
import XCTest

/// Higher-order array functions with lambdas, `lookup_rows`, `recent_collect` and the array helpers the
/// recommendation scenario uses.
final class LambdaAndLookupTests: XCTestCase {
    func one(_ engine: Engine, _ q: Query, _ event: OrderedDictionary<String, Value>, to stream: String = "stream") -> OrderedDictionary<String, Value>? {
        engine.emitSync(event, to: stream)[q.name]?.objects.first
    }

    func testTransformFilterAnyAllOverElementsAndOuterColumns() throws {
        let engine = Engine()
        let q = try engine.execute("""
            SELECT array_transform(xs, x -> x * k) AS scaled, array_filter(xs, x -> x > k) AS big,
                   array_any(xs, x -> x = 3) AS has3, array_all(xs, x -> x > 0) AS positive,
                   array_transform(items, i -> i.price * i.qty) AS totals,
                   array_transform(xs, x -> array_transform(xs, y -> x * 10 + y)) AS pairs
            FROM stream
            """)
        let r = try XCTUnwrap(one(engine, q, ["xs": [1, 2, 3], "k": 2, "items": .array([.object(["price": 2.5, "qty": 2]), .object(["price": 1, "qty": 3])])]))
        XCTAssertEqual(r["scaled"], [2, 4, 6])
        XCTAssertEqual(r["big"], [3])
        XCTAssertEqual(r["has3"], true)
        XCTAssertEqual(r["positive"], true)
        XCTAssertEqual(r["totals"], [5.0, 3])
        XCTAssertEqual(r["pairs"], .array([[11, 12, 13], [21, 22, 23], [31, 32, 33]]))
        // Empty arrays, NULL arrays and NULL conditions follow SQL's three-valued logic.
        let e = try XCTUnwrap(one(engine, q, ["xs": [], "k": 1, "items": .null]))
        XCTAssertEqual(e["scaled"], [])
        XCTAssertEqual(e["has3"], false)
        XCTAssertEqual(e["positive"], true)
        XCTAssertEqual(e["totals"], .null)
        let n = try XCTUnwrap(one(engine, q, ["xs": [1, .null], "k": 0]))
        XCTAssertEqual(n["big"], [1], "a NULL condition drops the element")
        XCTAssertEqual(n["positive"], .null)
        XCTAssertEqual(n["has3"], .null)
    }

    func testLambdaErrorsArePlanErrors() {
        let engine = Engine()
        for (sql, message) in [
            ("SELECT array_transform(xs, 3) AS a FROM stream", "takes an array and a lambda"),
            ("SELECT abs(x -> 1) AS a FROM stream", "only allowed as the last argument"),
            ("SELECT array_transform(xs, x -> sum(x)) AS a FROM stream", "cannot hold an aggregate"),
            ("SELECT array_filter(xs, x -> lag(x) OVER (PARTITION BY k) > 1) AS a FROM stream", "cannot hold an aggregate or analytic"),
        ] {
            XCTAssertThrowsError(try engine.execute(sql), sql) { e in
                XCTAssertTrue("\(e)".contains(message), "\(sql): \(e)")
            }
        }
    }

    func testLookupRowsReadsTheCurrentTableVersionByAnyColumn() throws {
        let engine = Engine()
        engine.createTable("products", key: ["id"], rows: [
            ["id": "P1", "cat": "books", "pop": 0.5], ["id": "P2", "cat": "toys", "pop": 0.9], ["id": "P3", "cat": "books", "pop": 0.7],
        ])
        let q = try engine.execute("""
            SELECT array_transform(lookup_rows('products', 'cat', c), p -> p.id) AS ids,
                   lookup_rows('Products', 'id', c)[0].pop AS by_key
            FROM stream
            """)
        XCTAssertEqual(one(engine, q, ["c": "books"])?["ids"], ["P1", "P3"])
        XCTAssertEqual(one(engine, q, ["c": "P2"])?["by_key"], 0.9)
        XCTAssertEqual(one(engine, q, ["c": .null])?["ids"], [])
        XCTAssertEqual(one(engine, q, ["c": "garden"])?["ids"], [])
        // Replacing the table is seen by the next event.
        engine.createTable("products", key: ["id"], rows: [["id": "P9", "cat": "books", "pop": 0.1]])
        XCTAssertEqual(one(engine, q, ["c": "books"])?["ids"], ["P9"])
        XCTAssertThrowsError(try engine.execute("SELECT lookup_rows('prodcts', 'cat', c) AS r FROM stream")) { e in
            XCTAssertTrue("\(e)".contains("no table named 'prodcts'") && "\(e)".contains("products"), "\(e)")
        }
        XCTAssertThrowsError(try engine.execute("SELECT lookup_rows(t, 'cat', c) AS r FROM stream")) { e in
            XCTAssertTrue("\(e)".contains("table name in quotes"), "\(e)")
        }
    }

    func testRecentCollectKeepsTheSpansNonNullValues() throws {
        let engine = Engine()
        let q = try engine.execute("""
            SELECT recent_collect(CASE WHEN a = 'view' THEN c END, ts, '30m') OVER (PARTITION BY u) AS cats FROM stream
            """)
        var out: [Value] = []
        for (u, a, c, ts) in [("u1", "view", "books", "2024-01-15T10:00:00Z"), ("u1", "cart", "toys", "2024-01-15T10:10:00Z"),
                              ("u2", "view", "toys", "2024-01-15T10:11:00Z"), ("u1", "view", "home", "2024-01-15T10:20:00Z"),
                              ("u1", "view", "toys", "2024-01-15T10:30:00Z"), ("u1", "view", "books", "2024-01-15T10:25:00Z")] {
            out.append(one(engine, q, ["u": .string(u), "a": .string(a), "c": .string(c), "ts": .string(ts)])?["cats"] ?? .null)
        }
        XCTAssertEqual(out, [["books"], ["books"], ["toys"], ["books", "home"], ["home", "toys"], ["home", "books", "toys"]],
                       "10:00 leaves at 10:30 (half-open span); a late 10:25 is placed in time order")
    }

    func testArrayHelpers() throws {
        let engine = Engine()
        let q = try engine.execute("""
            SELECT array_count(xs, 'a') AS n, array_most_frequent(xs, 2) AS top, array_concat(xs, NULL, ['z']) AS cat,
                   array_distinct_by(objs, 'k') AS firsts
            FROM stream
            """)
        let r = try XCTUnwrap(one(engine, q, ["xs": ["b", "a", "c", "a", "c", .null], "objs": .array([
            .object(["k": 1, "v": "x"]), .object(["k": 2, "v": "y"]), .object(["k": 1, "v": "z"]), .int(5),
        ])]))
        XCTAssertEqual(r["n"], 2)
        XCTAssertEqual(r["top"], ["a", "c"], "a and c tie at 2; a was seen first")
        XCTAssertEqual(r["cat"], ["b", "a", "c", "a", "c", .null, "z"])
        XCTAssertEqual(r["firsts"], .array([.object(["k": 1, "v": "x"]), .object(["k": 2, "v": "y"]), .int(5)]))
    }

    func testUnnestOfObjectsSpreadsTheirFieldsAsTheReferenceDoes() throws {
        let engine = Engine()
        let q = try engine.execute("SELECT id, unnest(items) AS item FROM stream")
        let rows = engine.emitSync(["id": 7, "items": .array([.object(["sku": "A", "n": 1]), "plain"])])[q.name]?.objects ?? []
        XCTAssertEqual(rows, [["id": 7, "sku": "A", "n": 1], ["id": 7, "item": "plain"]])
    }
}
