import Foundation
import StreamSQL
import XCTest
@testable import StreamSQLShell

/// How `streamsql test` compares a query's rows: as multisets, floating-point numbers within a tolerance.
final class GoldenResultsTests: XCTestCase {
    private func rows(_ lines: [String]) throws -> OrderedDictionaryOfRows {
        try GoldenResults.parse(lines, source: "test")
    }
    typealias OrderedDictionaryOfRows = GoldenResults.Parsed

    func testOrderDoesNotMatterButCountsDo() throws {
        let want = try rows([#"{"query":"q","row":{"a":1}}"#, #"{"query":"q","row":{"a":2}}"#, #"{"query":"q","row":{"a":2}}"#])
        let shuffled = try rows([#"{"query":"q","row":{"a":2}}"#, #"{"query":"q","row":{"a":1}}"#, #"{"query":"q","row":{"a":2}}"#])
        XCTAssertTrue(GoldenResults.compare(expected: want, actual: shuffled).allSatisfy(\.passed))
        let once = try rows([#"{"query":"q","row":{"a":2}}"#, #"{"query":"q","row":{"a":1}}"#, #"{"query":"q","row":{"a":3}}"#])
        let o = GoldenResults.compare(expected: want, actual: once)
        XCTAssertEqual(o.count, 1)
        XCTAssertEqual(o[0].missing.map(\.text), [#"{"a":2}"#])
        XCTAssertEqual(o[0].unexpected.map(\.text), [#"{"a":3}"#])
        XCTAssertEqual(GoldenResults.report(o).last, "0 passed, 1 failed")
    }

    func testFloatsWithinTheToleranceMatchIntegersExactly() throws {
        let x = 0.1 + 0.2
        let want = try rows([#"{"query":"q","row":{"x":0.3,"n":5,"k":"a"}}"#])
        let near = try rows([#"{"query":"q","row":{"k":"a","n":5,"x":\#(x)}}"#])
        XCTAssertNotEqual(x, 0.3)
        XCTAssertTrue(GoldenResults.compare(expected: want, actual: near)[0].passed, "key order and float noise do not matter")
        XCTAssertFalse(GoldenResults.compare(expected: want, actual: near, tolerance: 0)[0].passed)
        let off = try rows([#"{"query":"q","row":{"x":0.30001,"n":5,"k":"a"}}"#, #"{"query":"r","row":{"y":1}}"#])
        let o = GoldenResults.compare(expected: want, actual: off, alsoRan: ["quiet"])
        XCTAssertEqual(o.map(\.query), ["q", "r", "quiet"])
        XCTAssertEqual(o.map(\.passed), [false, false, true])
        XCTAssertEqual(GoldenResults.report(o).last, "1 passed, 2 failed")
    }

    func testLinesThatAreNotResultsAreErrors() {
        XCTAssertThrowsError(try rows(["{", ""]))
        XCTAssertThrowsError(try rows([#"{"row":{}}"#]))
        XCTAssertEqual(try rows(["", "  "]).count, 0)
    }
}
