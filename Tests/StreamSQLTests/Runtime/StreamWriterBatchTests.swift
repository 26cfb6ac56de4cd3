import Foundation
import XCTest
@testable import StreamSQL

/// `StreamWriter.batchSize`: JSON lines decoded into reused rows and run a batch at a time give the same
/// rows in the same order, and the same rejections, as lines run one by one.
final class StreamWriterBatchTests: XCTestCase {
    /// Lines with missing, extra, reordered, nested, malformed and skipped-number fields (numbers a query
    /// does not read are only scanned, and must be rejected exactly as read ones are).
    static let lines: [String] = (0..<3000).map { i in
        switch i % 13 {
        case 0: return #"{"deviceId":"d\#(i % 7)","temperature":\#(Double(i % 97) + 0.25),"humidity":1e400,"ts":\#(i)}"#
        case 1: return #"{"temperature":\#(i % 50),"deviceId":"d\#(i % 5)","ts":\#(i)}"#
        case 2: return #"{"deviceId":"d\#(i % 3)","humidity":01,"ts":\#(i)}"#
        case 3: return "not json"
        case 4: return #"{"deviceId":"d\#(i % 3)","ts":\#(i),"humidity":-0.5,"extra":{"a":[1,2.5e3,"x"]}}"#
        case 5: return #"{"deviceId":"d1","humidity":12345678901234567890,"temperature":88.5,"ts":\#(i)}"#
        case 6: return #"{"deviceId":"d2","humidity":1.,"ts":\#(i)}"#
        case 7: return #"{"deviceId":"d2","temperature":60,"ts":\#(i)} x"#
        case 9: return #"{"deviceIdX":"d1","temperature":55,"deviceId":"p\#(i)"}"#           // a longer key where one is remembered
        case 10: return #"{"device\u0049d":"esc\#(i)","temperature":77.5}"#                    // an escaped key
        default: return #"{"deviceId":"d\#(i % 9)","temperature":\#(i % 120).5,"humidity":-3,"ts":\#(i)}"#
        }
    }

    static func run(_ sql: String, batch: Int) throws -> (rows: [String], rejected: [String], eventsIn: Int) {
        let engine = Engine()
        let q = try engine.execute(sql)
        let json = ResultJSONWriter(schema: q.schema)
        let box = NSLockedLines()
        q.addSink { b in
            for i in 0..<b.count {
                var out: [UInt8] = []
                json.write(b, row: i, into: &out)
                box.add(String(decoding: out, as: UTF8.self), "")
            }
        }
        let writer = try engine.writer(for: "stream")
        writer.batchSize = batch
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("batch-\(ProcessInfo.processInfo.processIdentifier).jsonl").path
        try StreamWriterBatchTests.lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = try EventFile(path: path)
        var rejected: [String] = []
        while let r = file.next() {
            if let why = writer.feed(r, sync: true) { rejected.append("\(r.line): \(why)") }
        }
        writer.flush()
        engine.finish()
        return (box.all.0, rejected, engine.target("stream")?.counters.snapshot.eventsIn ?? -1)
    }

    func testBatchesGiveTheRowsOfSingleEvents() throws {
        for sql in ["SELECT deviceId, temperature FROM stream WHERE temperature > 50",
                    "SELECT deviceId, COUNT(*) AS c, AVG(temperature) AS a FROM stream GROUP BY deviceId, CountingWindow(5)",
                    "SELECT * FROM stream WHERE deviceId = 'd1'",
                    "SELECT deviceId, temperature FROM stream LIMIT 7"] {
            let one = try Self.run(sql, batch: 1)
            XCTAssertFalse(one.rows.isEmpty, sql)
            XCTAssertFalse(one.rejected.isEmpty, sql)
            for n in [2, 64, 1024] {
                let many = try Self.run(sql, batch: n)
                XCTAssertEqual(many.rows, one.rows, "\(sql) batch \(n)")
                XCTAssertEqual(many.rejected, one.rejected, "\(sql) batch \(n)")
                XCTAssertEqual(many.eventsIn, one.eventsIn, "\(sql) batch \(n)")
            }
        }
    }

    /// `writeDouble` spells every double as `String(d)` does.
    func testDoublesAsStringSpellsThem() {
        var rng = SplitMix64(seed: 7)
        var values: [Double] = [0, -0.0, 0.001, 0.000999, 1e15, 999_999_999_999_999, 1e15 - 0.5, 0.1, 0.2, 0.3, 1.0 / 3,
                                22.91, 32.5, -90.62, 100, 123_456.789, 2.5e-7, 1e300, .ulpOfOne, 4.35, 0.015, 1.005]
        for _ in 0..<200_000 {
            let bits = rng.next()
            let k = Int(bits % 9)
            let mag = Double(Int64(bitPattern: rng.next()) % 10_000_000_000) / Double(1 << (bits >> 8 & 31))
            values.append(mag)
            let scale = [1.0, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8][k]
            values.append((mag * scale).rounded() / scale)
            values.append(Double(bitPattern: rng.next()))
        }
        for d in values where d.isFinite {
            var out: [UInt8] = []
            JSONWriter.writeDouble(d, into: &out)
            if String(decoding: out, as: UTF8.self) != String(d) {
                XCTFail("\(d.bitPattern): \(String(decoding: out, as: UTF8.self)) vs \(String(d))")
                return
            }
        }
    }
}

/// `feedPipelined`: decoding on a second thread gives the rows and rejections of line-by-line feeding.
final class StreamWriterPipelineTests: XCTestCase {
    func testTwoThreadsGiveTheRowsOfOne() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("pipe-\(ProcessInfo.processInfo.processIdentifier).jsonl").path
        try StreamWriterBatchTests.lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        for sql in ["SELECT deviceId, temperature FROM stream WHERE temperature > 50",
                    "SELECT deviceId, COUNT(*) AS c, AVG(temperature) AS a FROM stream GROUP BY deviceId, CountingWindow(5)",
                    "SELECT deviceId, temperature FROM stream LIMIT 7"] {
            let one = try StreamWriterBatchTests.run(sql, batch: 1)
            for (batch, depth) in [(64, 2), (1024, 3)] {
                let engine = Engine()
                let q = try engine.execute(sql)
                let json = ResultJSONWriter(schema: q.schema)
                let box = NSLockedLines()
                q.addSink { b in
                    for i in 0..<b.count {
                        var out: [UInt8] = []
                        json.write(b, row: i, into: &out)
                        box.add(String(decoding: out, as: UTF8.self), "")
                    }
                }
                let writer = try engine.writer(for: "stream")
                writer.batchSize = batch
                var rejected: [String] = []
                let n = writer.feedPipelined(try EventFile(path: path), depth: depth, rejected: { rejected.append("\($0): \($1)") },
                                             stop: { q.isFinished })
                engine.finish()
                XCTAssertEqual(box.all.0, one.rows, sql)
                if !q.sql.contains("LIMIT") {
                    XCTAssertEqual(rejected, one.rejected, sql)
                    XCTAssertEqual(n, StreamWriterBatchTests.lines.count, sql)
                }
            }
        }
    }
}
