import XCTest
@testable import StreamSQL

final class StringFunctionFaultTests: XCTestCase {
    func call(_ name: String, _ args: [Value]) throws -> Value {
        let f = try XCTUnwrap(StringFunctions.all.first { $0.name == name })
        switch f.impl {
        case .unary(let g): return g(args[0])
        case .binary(let g): return g(args[0], args[1])
        case .variadic(let g): return g(args)
        default: XCTFail("shape"); return .null
        }
    }

    func testPadsAreLinearAndCapped() throws {
        XCTAssertEqual(try call("lpad", [.string("x"), .int(200_000)]), .string(String(repeating: " ", count: 199_999) + "x"))
        XCTAssertEqual(try call("rpad", [.string("ab"), .int(5), .string("xy")]), .string("abxyx"))
        XCTAssertEqual(try call("lpad", [.string("x"), .int(20_000_000)]), .null)
        XCTAssertEqual(try call("lpad", [.string("x"), .int(Int64.max)]), .null)
    }

    func testRepeatNeverTraps() throws {
        XCTAssertEqual(try call("repeat", [.string("ab"), .int(Int64.max)]), .null)
        XCTAssertEqual(try call("repeat", [.string("ab"), .int(2)]), .string("abab"))
    }

    func testLengthOfArrayCountsElements() throws {
        XCTAssertEqual(try call("length", [.array([.string(""), .string("1")])]), .int(2))
        XCTAssertEqual(try call("length", [.string("abc")]), .int(3))
    }
}

/// String and hash functions given an array or object: the reference's functions fail on them and give
/// NULL silently (`cast.ToStringE` refuses slices and maps); ours give NULL and count why. `length` counts
/// UTF-8 bytes as the reference's `len` does, and elements of an array or object.
final class TextFunctionsOnStructuresTests: XCTestCase {
    func testStringFunctionsOnArraysAreCountedNulls() throws {
        let engine = Engine()
        let q = try engine.execute("""
            SELECT upper(arr) AS u, concat(arr, 'x') AS c, md5(obj) AS h, substring(arr, 0, 2) AS s,
                   startswith(arr, '[') AS sw, length(arr) AS n, length(obj) AS no, length(w) AS bytes,
                   char_length(w) AS chars, upper(w) AS uw
            FROM stream
            """)
        let c = Collected()
        q.addSink(c.add)
        engine.emitSync(["arr": ["a", "b"], "obj": ["k": 1], "w": "温度"], to: q.streamName)
        engine.finish()
        let row = try XCTUnwrap(c.all.first)
        for k in ["u", "c", "h", "s", "sw"] { XCTAssertEqual(row[k], .null, k) }
        XCTAssertEqual(row["n"], .int(2))
        XCTAssertEqual(row["no"], .int(1))
        XCTAssertEqual(row["bytes"], .int(6))
        XCTAssertEqual(row["chars"], .int(2))
        XCTAssertEqual(row["uw"], .string("温度"))
        XCTAssertEqual(q.metrics.nulled, 5)
        XCTAssertEqual(q.metrics.nullReasons["text function given an array or object"], 5)
    }
}
