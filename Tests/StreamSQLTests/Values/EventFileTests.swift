import Foundation
import OrderedCollections
import XCTest
@testable import StreamSQL

/// The one file reader: line ends, byte-order marks, limits, binary data, CSV quoting and UTF-8.
final class EventFileTests: XCTestCase {
    func temp(_ bytes: [UInt8], _ ext: String = "jsonl") throws -> String {
        let path = NSTemporaryDirectory() + "streamsql-eventfile-\(UUID().uuidString).\(ext)"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    /// Every record of a file as text: JSON lines as they are, rows as JSON, rejections as "!line: reason".
    func records(_ file: EventFile) -> [String] {
        var out: [String] = []
        while let r = file.next() {
            switch r {
            case .json(let l): out.append(l.text)
            case .row(let o, _): out.append(JSONWriter.string(object: o))
            case .rejected(let n, let why): out.append("!\(n): \(why)")
            }
        }
        return out
    }

    func testCRLFLinesAreSeparateEventsInEveryFormat() throws {
        let json = try EventFile(path: temp(Array("{\"a\":1}\r\n{\"a\":2}\r\n".utf8)))
        XCTAssertEqual(records(json), ["{\"a\":1}", "{\"a\":2}"])
        let csv = try EventFile(path: temp(Array("a,b\r\n1,x\r\n2,y\r\n".utf8), "csv"))
        XCTAssertEqual(records(csv), ["{\"a\":1,\"b\":\"x\"}", "{\"a\":2,\"b\":\"y\"}"])
    }

    func testAByteOrderMarkIsNotPartOfTheFirstField() throws {
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        let csv = try EventFile(path: temp(bom + Array("id,v\n7,8\n".utf8), "csv"))
        XCTAssertEqual(records(csv), ["{\"id\":7,\"v\":8}"])
        XCTAssertEqual(csv.header, ["id", "v"])
        let json = try EventFile(path: temp(bom + Array("{\"id\":7}\n".utf8)))
        XCTAssertEqual(records(json), ["{\"id\":7}"])
    }

    func testALineOverTheLimitIsSkippedAndCountedAsOne() throws {
        let long = [UInt8](repeating: UInt8(ascii: "x"), count: 3_000_000)
        let bytes = Array("{\"a\":1}\n".utf8) + long + [10] + Array("{\"a\":3}".utf8)
        let file = try EventFile(path: temp(bytes), maxLineBytes: 1000)
        let got = records(file)
        XCTAssertEqual(got.count, 3)
        XCTAssertEqual(got[0], "{\"a\":1}")
        XCTAssertTrue(got[1].hasPrefix("!2: line longer than the limit of 1000 bytes"), got[1])
        XCTAssertEqual(got[2], "{\"a\":3}")
        XCTAssertNil(file.failure)
    }

    /// Found by the fuzzer (Fuzz/Repros/line-at-the-limit.txt): a line of exactly the limit was rejected when
    /// it ended in CR with its LF not read yet (a file's last line, or a chunk boundary), and a one-line
    /// CSV record of exactly the limit was rejected as "over" it.
    func testALineOfExactlyTheLimitIsKeptWhateverItsLineEnd() throws {
        for tail in ["\r", "\r\n", "\n", ""] {
            let text = "{\"a\":1}\n{\"a\":22}" + tail   // the second line is 9 bytes
            let fromFile = try EventFile(path: temp(Array(text.utf8)), maxLineBytes: 9)
            XCTAssertEqual(records(fromFile), ["{\"a\":1}", "{\"a\":22}"], "tail \(tail.debugDescription)")
            XCTAssertEqual(records(EventFile(reader: .text(text, maxLineBytes: 9), format: .jsonLines)), ["{\"a\":1}", "{\"a\":22}"])
        }
        for tail in ["\r", "\r\n", "\n", ""] {
            let text = "c0\n1\n22" + tail
            let fromFile = try EventFile(path: temp(Array(text.utf8), "csv"), maxLineBytes: 2)
            XCTAssertEqual(records(fromFile), ["{\"c0\":1}", "{\"c0\":22}"], "tail \(tail.debugDescription)")
            XCTAssertEqual(records(EventFile(reader: .text(text, maxLineBytes: 2), format: .csv)), ["{\"c0\":1}", "{\"c0\":22}"])
        }
        // One byte more is over the limit, in either reader.
        let over = try EventFile(path: temp(Array("{\"a\":1}\n{\"a\":4444}\r".utf8)), maxLineBytes: 9)
        XCTAssertEqual(records(over).last, "!2: line longer than the limit of 9 bytes (--max-line-bytes); skipped")
        let overCSV = EventFile(reader: .text("c0\n1\n\"333\"\n", maxLineBytes: 4), format: .csv)
        XCTAssertEqual(records(overCSV).last, "!3: line longer than the limit of 4 bytes (--max-line-bytes); skipped")
        // A quoted record over several lines counts its line ends.
        let multi = EventFile(reader: .text("c0\n\"a\nb\"\n\"a\nbc\"\n", maxLineBytes: 5), format: .csv)
        XCTAssertEqual(records(multi), ["{\"c0\":\"a\\nb\"}", "!4: record of over 5 bytes is longer than the limit; skipped"])
    }

    func testAnEndlessLineIsSkippedWithoutKeepingIt() throws {
        // 40 MB without a line end, read with the default 16 MB limit: one rejection, nothing kept.
        let reader = LineReader.text(String(repeating: "y", count: 40 << 20))
        var items = 0
        var tooLong = 0
        while let item = reader.next() {
            items += 1
            if case .tooLong(_, _, let length) = item { tooLong += 1; XCTAssertEqual(length, 40 << 20) }
        }
        XCTAssertEqual(items, 1)
        XCTAssertEqual(tooLong, 1)
    }

    func testBinaryDataStopsReadingWithAnErrorAfterTheGoodLines() throws {
        let bytes = Array("{\"a\":1}\n{\"a\":2}\n".utf8) + [UInt8](repeating: 0, count: 1 << 22)
        let file = try EventFile(path: temp(bytes))
        XCTAssertEqual(records(file), ["{\"a\":1}", "{\"a\":2}"])
        let failure = try XCTUnwrap(file.failure)
        XCTAssertTrue(failure.contains("binary data") && failure.contains("byte 17"), failure)
    }

    func testAnUnterminatedCSVQuoteIsAnErrorNamingItsLine() throws {
        let file = try EventFile(path: temp(Array("a,b\n1,\"ok\nstill\"\n2,\"never closed\n3,4\n".utf8), "csv"))
        XCTAssertEqual(records(file), ["{\"a\":1,\"b\":\"ok\\nstill\"}"])
        let failure = try XCTUnwrap(file.failure)
        XCTAssertTrue(failure.contains("CSV line 4") && failure.contains("never closed"), failure)
        XCTAssertThrowsError(try CSVReader(text: "a\n\"x\n"))
    }

    func testInvalidUTF8IsRejectedWithItsOffsetNotReplaced() throws {
        let csv = try EventFile(path: temp(Array("a\n".utf8) + [0x41, 0xFF, 0x0A] + Array("ok\n".utf8), "csv"))
        let got = records(csv)
        XCTAssertEqual(got.count, 2)
        XCTAssertTrue(got[0].hasPrefix("!2: invalid UTF-8 at byte 4"), got[0])
        XCTAssertEqual(got[1], "{\"a\":\"ok\"}")

        let engine = Engine()
        engine.createStream("s")
        let q = try engine.execute("SELECT a FROM s")
        let json = try EventFile(path: temp(Array("{\"a\":\"".utf8) + [0xC3, 0x28] + Array("\"}\n{\"a\":\"é\"}\n".utf8)))
        var reasons: [String] = []
        while let r = json.next() { if let why = engine.feed(r, to: "s", sync: true) { reasons.append(why) } }
        XCTAssertEqual(reasons.count, 1)
        XCTAssertTrue(reasons[0].contains("invalid UTF-8"), reasons[0])
        XCTAssertEqual(q.metrics.rowsOut, 1)
    }

    func testNumbersBeyondDoubleRangeAreCountedRejections() throws {
        let engine = Engine()
        let q = try engine.execute("SELECT a FROM stream")
        let huge = String(repeating: "9", count: 400)
        for line in ["{\"a\":1e400}", "{\"a\":\(huge)}", "{\"a\":-1e999}", "{\"a\":1e300}"] {
            _ = engine.emit(jsonLine: line, sync: true)
        }
        let m = try XCTUnwrap(engine.streamMetrics("stream"))
        XCTAssertEqual(m.rejected, 3)
        XCTAssertEqual(m.rejectionReasons["number beyond the range of a double"], 3)
        XCTAssertEqual(q.metrics.rowsOut, 1)
    }

    func testCRLFAndBOMTablesLoad() throws {
        let path = try temp([0xEF, 0xBB, 0xBF] + Array("{\"k\":\"a\",\"v\":1}\r\n{\"k\":\"b\",\"v\":2}\r\n".utf8))
        let rows = try TableFile.load(path)
        XCTAssertEqual(rows.map { $0["k"] }, [.string("a"), .string("b")])
        let csvPath = try temp(Array("k,v\r\na,1\r\n".utf8), "csv")
        XCTAssertEqual(try TableFile.load(csvPath).first?["v"], .int(1))
    }

    func testTheLossSummaryNamesEveryKindOfLoss() throws {
        var options = EngineOptions()
        options.maxGroups = 2
        let engine = Engine(options: options)
        engine.createStream("s")
        _ = try engine.execute("SELECT k, count(*) AS n FROM s GROUP BY k, CountingWindow(100)")
        XCTAssertEqual(engine.lossSummary(), [])
        for k in ["a", "b", "c", "d"] { engine.emitSync(["k": .string(k)], to: "s") }
        _ = engine.emit(jsonLine: "{oops", to: "s", sync: true)
        let summary = engine.lossSummary()
        XCTAssertTrue(summary.contains { $0.hasPrefix("stream s: 1 event rejected") }, "\(summary)")
        XCTAssertTrue(summary.contains { $0.contains("2 rejected (group limit reached (2 groups): 2)") }, "\(summary)")
    }
}
