import OrderedCollections
import XCTest
@testable import StreamSQL

/// Rows written from a batch's cells are byte for byte the rows written from `object(_:)`.
final class ResultJSONWriterTests: XCTestCase {
    func lines(_ sql: String, _ events: [OrderedDictionary<String, Value>]) throws -> (direct: [String], objects: [String]) {
        let engine = Engine()
        let q = try engine.execute(sql)
        let writer = ResultJSONWriter(schema: q.schema)
        let box = NSLockedLines()
        q.addSink { batch in
            for i in 0..<batch.count {
                var out: [UInt8] = []
                writer.write(batch, row: i, into: &out)
                box.add(String(decoding: out, as: UTF8.self), JSONWriter.string(object: batch.object(i)))
            }
        }
        for e in events { engine.emitSync(e) }
        engine.finish()
        let (a, b) = box.all
        return (a, b)
    }

    func testSameBytesAsObjects() throws {
        let events: [OrderedDictionary<String, Value>] = [
            ["a": 1, "b": -9_223_372_036_854_775_807, "s": "q\"uo\\te\n\u{1}é", "d": 1.5, "n": .null, "arr": [1, "x"], "o": ["k": true]],
            ["a": .int(Int64.min), "b": 0, "s": "", "d": .double(.nan), "t": .timestamp(1_700_000_000_123_000_000)],
        ]
        for sql in ["SELECT a, b, s, d, n, arr, o, t FROM stream", "SELECT * FROM stream",
                    "SELECT *, a AS s FROM stream", "SELECT changed_col(true, a) AS c, s FROM stream", "SELECT a * 2 AS \"we\"\"ird\" FROM stream"] {
            let (direct, objects) = try lines(sql, events)
            XCTAssertEqual(direct, objects, sql)
            XCTAssertFalse(direct.isEmpty, sql)
        }
        for i: Int64 in [0, 7, -7, 10, 99, 100, Int64.max, Int64.min, -1_000_000] {
            var out: [UInt8] = []
            JSONWriter.writeInt(i, into: &out)
            XCTAssertEqual(String(decoding: out, as: UTF8.self), String(i))
        }
    }
}

final class NSLockedLines: @unchecked Sendable {
    private let lock = NSLock()
    private var a: [String] = [], b: [String] = []
    func add(_ x: String, _ y: String) { lock.withLock { a.append(x); b.append(y) } }
    var all: ([String], [String]) { lock.withLock { (a, b) } }
}
