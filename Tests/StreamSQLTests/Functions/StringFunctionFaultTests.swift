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
