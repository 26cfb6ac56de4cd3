import Foundation
import XCTest
import StreamSQL
import StreamSQLConformance

/// Runs the reference engine's captured vectors (shared/conformance) through the same runner as
/// `streamsql conformance`. Any failure fails the test; skips are features whose issue has not landed.
final class ConformanceTests: XCTestCase {
    static var corpusPath: String {
        if let p = ProcessInfo.processInfo.environment["STREAMSQL_CONFORMANCE"] { return p }
        // Tests/StreamSQLConformanceTests/ConformanceTests.swift → repo root → ../shared/conformance
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return root.deletingLastPathComponent().appendingPathComponent("shared/conformance/streamsql-e2e.jsonl").path
    }

    func testPublicCorpus() throws {
        let path = ConformanceTests.corpusPath
        guard let data = FileManager.default.contents(atPath: path) else {
            return XCTFail("conformance corpus not found at \(path) (set STREAMSQL_CONFORMANCE)")
        }
        let cases = try ConformanceRunner.load(String(decoding: data, as: UTF8.self))
        XCTAssertGreaterThan(cases.count, 300)
        var passed = 0, skipped = 0
        var failures: [String] = []
        for c in cases {
            switch ConformanceRunner.run(c) {
            case .passed: passed += 1
            case .skipped: skipped += 1
            case .failed(let why): failures.append("\(c.id): \(why)")
            }
        }
        print("conformance: \(passed) passed, \(failures.count) failed, \(skipped) skipped")
        XCTAssertEqual(failures, [], failures.joined(separator: "\n"))
        // Every row-query and error vector runs today; this floor only rises as issues land.
        XCTAssertGreaterThanOrEqual(passed, 160)
    }

    /// The runner itself must be able to fail: a vector with a wrong expectation is reported.
    func testRunnerDetectsWrongExpectations() throws {
        let wrongRows = """
        {"id":"w1","origin":"x","sql":"SELECT a FROM stream","events":[{"a":1}],"end":"none","expect_rows":[{"a":2}]}
        {"id":"w2","origin":"x","sql":"SELECT a FROM stream","events":[{"a":1}],"end":"none","expect_count":2}
        {"id":"w3","origin":"x","sql":"SELECT a FROM stream","events":[],"end":"none","expect_error":"any"}
        {"id":"w4","origin":"x","sql":"SELECT a, b FROM stream","events":[{"a":1,"b":3}],"end":"none","expect_rows":[{"a":1}]}
        {"id":"w5","origin":"x","sql":"SELEC a FROM stream","events":[],"end":"none","expect_error":"duplicate"}
        """
        for c in try ConformanceRunner.load(wrongRows) {
            guard case .failed = ConformanceRunner.run(c) else { return XCTFail("\(c.id) should fail") }
        }
    }

    func testRunnerRules() throws {
        let good = """
        {"id":"g1","origin":"x","sql":"SELECT a, b FROM stream","events":[{"a":1,"b":null}],"end":"none","expect_rows":[{"a":1.0}]}
        {"id":"g2","origin":"x","sql":"SELECT a FROM stream","events":[{"a":2},{"a":1}],"end":"none","expect_rows":[{"a":1},{"a":2}],"any_order":true}
        {"id":"g3","origin":"x","sql":"SELECT a, b FROM stream","events":[{"a":1,"b":5}],"end":"none","expect_rows":[{"a":1}],"partial_rows":true}
        {"id":"g4","origin":"x","sql":"SELECT a FROM stream","events":[{"a":1},{"a":7}],"end":"none","expect_contains":[{"a":7}]}
        {"id":"g5","origin":"x","sql":"SELECT a / 3 AS r FROM stream","events":[{"a":1}],"end":"none","expect_rows":[{"r":0.333}],"float_tol":0.001}
        """
        for c in try ConformanceRunner.load(good) {
            guard case .passed = ConformanceRunner.run(c) else { return XCTFail("\(c.id) should pass: \(ConformanceRunner.run(c))") }
        }
    }

    func testMalformedCorpusLineIsAnError() {
        XCTAssertThrowsError(try ConformanceRunner.load("{\"id\": \"x\",\n"))
        XCTAssertThrowsError(try ConformanceRunner.load("{\"id\": \"x\", \"sql\": \"SELECT 1 FROM s\"}"))
    }
}
