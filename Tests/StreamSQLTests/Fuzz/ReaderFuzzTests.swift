// Fuzz tests of the event-file readers (LineReader, EventFile, the JSON and CSV readers): valid JSON Lines
// and CSV files, mutated (CRLF, byte-order marks, quotes, unterminated quotes, invalid UTF-8, NUL bytes,
// huge numbers, deep nesting, long lines under a small line limit), read from memory and from a file.
// How to run longer, with another seed, or one case again: see the header of SQLFuzzTests.swift.
//
// Checked for every input: reading ends; no crash; every line is accepted or counted as rejected with a
// reason (stream events in + rejected == records fed); for JSON Lines, the records are exactly the non-blank
// lines a simple model of the rules finds; a file and the same bytes in memory give the same records.
import Foundation
import OrderedCollections
import XCTest
@testable import StreamSQL

final class ReaderFuzzTests: XCTestCase {
    // MARK: inputs

    static let jsonValues = ["1", "-2.5", "1e10", "\"x\"", "\"a\\\"b\\\\c\\u00e9\\n\"", "\"caf\u{E9} \u{1F600}\"", "true", "null",
                             "[1,2,[3]]", "{\"x\":{\"y\":[1,{\"z\":null}]}}", "\"a,b\"", "1700000000000", "[]", "{}", "\"\""]
    static let oddJSON = ["1e400", "-9223372036854775809", "9223372036854775808", "123456789012345678901234567890",
                          String(repeating: "[", count: 300) + String(repeating: "]", count: 300),
                          String(repeating: "{\"a\":", count: 260) + "1" + String(repeating: "}", count: 260),
                          "\"\\ud800\"", "\"\\u0000\"", "NaN", "-", "01", "1.", "\"\t\"", "tru", "[1,]", "{\"a\" 1}"]
    static let csvCells = ["1", "-2", "2.5", "1e3", "x", "hello world", "\"a,b\"", "\"say \"\"hi\"\"\"", "\"line\nbreak\"", "", "true", "FALSE",
                           " 7 ", "caf\u{E9}", "+5", "0x10", "9223372036854775808", "nan", "inf", "\"\"", "1e400"]

    static func pick<T>(_ rng: inout SplitMix64, _ xs: [T]) -> T { xs[Int(rng.next() % UInt64(xs.count))] }

    static func jsonLines(_ rng: inout SplitMix64) -> [UInt8] {
        var text = ""
        for _ in 0..<(1 + Int(rng.next() % 20)) {
            let fields = (0..<Int(rng.next() % 5)).map { i in "\"\(pick(&rng, ["a", "v", "ts", "k", "f\(i)", "é"]))\":\(pick(&rng, jsonValues))" }
            text += "{" + fields.joined(separator: ",") + "}\n"
        }
        return Array(text.utf8)
    }

    static func csv(_ rng: inout SplitMix64) -> [UInt8] {
        let columns = 1 + Int(rng.next() % 5)
        var text = (0..<columns).map { "c\($0)" }.joined(separator: ",") + "\n"
        for _ in 0..<(1 + Int(rng.next() % 20)) {
            text += (0..<columns).map { _ in pick(&rng, csvCells) }.joined(separator: ",") + "\n"
        }
        return Array(text.utf8)
    }

    /// One to six byte-level mutations.
    static func mutate(_ input: [UInt8], _ rng: inout SplitMix64, json: Bool) -> [UInt8] {
        var b = input
        func at(_ rng: inout SplitMix64) -> Int { Int(rng.next() % UInt64(b.count + 1)) }
        for _ in 0..<(1 + Int(rng.next() % 6)) {
            switch rng.next() % 14 {
            case 0: b = Array(String(decoding: b, as: UTF8.self).replacingOccurrences(of: "\n", with: "\r\n").utf8)
            case 1: b.insert(contentsOf: [0xEF, 0xBB, 0xBF], at: rng.next() % 3 == 0 ? at(&rng) : 0)
            case 2: b.insert(pick(&rng, [34, 34, 39, 92, 44, 10, 13]), at: at(&rng))
            case 3: if let i = b.indices.filter({ b[$0] == 34 }).randomElement(using: &rng) { b.remove(at: i) }
            case 4: b.insert(contentsOf: pick(&rng, SQLMutator.badBytes), at: at(&rng))
            case 5: if rng.next() % 3 == 0 { b.insert(0, at: at(&rng)) }
            case 6: b.insert(contentsOf: Array((json ? pick(&rng, oddJSON) : pick(&rng, csvCells + ["1e400", "\"unterminated"])).utf8), at: at(&rng))
            case 7:
                // A very long line.
                let piece = Array(pick(&rng, ["x", "\"a\":1,", "ab,", " ", "\"\""]).utf8)
                let n = Int(rng.next() % 3000)
                b.insert(contentsOf: (0..<n).flatMap { _ in piece }, at: at(&rng))
            case 8: b.insert(contentsOf: Array(pick(&rng, ["\n", "\n\n", " \t \n", "\r", "\r\r\n", ",", ",,\n"]).utf8), at: at(&rng))
            case 9:
                if !b.isEmpty { let i = Int(rng.next() % UInt64(b.count)); b.removeSubrange(i..<min(b.count, i + 1 + Int(rng.next() % 20))) }
            case 10:
                if !b.isEmpty { let i = Int(rng.next() % UInt64(b.count)); b[i] = UInt8(truncatingIfNeeded: rng.next()) }
            case 11:
                let lines = b.split(separator: 10, omittingEmptySubsequences: false)
                if let l = lines.randomElement(using: &rng) { b.insert(contentsOf: Array(l) + [10], at: at(&rng)) }
            case 12: if !b.isEmpty, b.last == 10 { b.removeLast() }
            default: b.insert(contentsOf: Array((json ? "{\"a\":" + pick(&rng, oddJSON) + "}\n" : pick(&rng, csvCells) + "\n").utf8), at: at(&rng))
            }
        }
        return b
    }

    // MARK: reading and checks

    /// What a file's records were, as text (for comparing two reads), and the outcome of feeding them.
    struct Outcome: Equatable {
        var records: [String] = []
        var failed = false
    }

    static func describe(_ r: EventFile.Record) -> String {
        switch r {
        case .json(let l): return "\(l.number) json \(Fuzz.escape(l.bytes))"
        case .row(let o, let n): return "\(n) row \(JSONWriter.string(object: o))"
        case .rejected(let n, let why): return "\(n) rejected \(why)"
        }
    }

    /// Reads a whole file, feeding every record to a stream with a query on it; checks the accounting.
    static func read(_ file: EventFile, engine: Engine, stream: String, file path: StaticString = #filePath, line: UInt = #line) -> Outcome {
        var out = Outcome()
        var fed = 0, accepted = 0
        var lastLine = 0
        let before = engine.streamMetrics(stream)
        while let r = file.next() {
            out.records.append(describe(r))
            XCTAssertGreaterThan(r.line, lastLine, "records go forward: \(describe(r))", file: path, line: line)
            lastLine = r.line
            switch r {
            case .rejected(_, let why): XCTAssertFalse(why.isEmpty, "a rejection has a reason", file: path, line: line)
            case .row(let o, _): XCTAssertEqual(o.count, file.header.count, "a row has a cell per column", file: path, line: line)
            case .json: break
            }
            fed += 1
            if engine.feed(r, to: stream, sync: true) == nil { accepted += 1 }
            if fed > 10_000_000 { XCTFail("reading does not end", file: path, line: line); break }
        }
        out.failed = file.failure != nil
        let m = engine.streamMetrics(stream)
        let inDelta = (m?.eventsIn ?? 0) - (before?.eventsIn ?? 0)
        let rejectedDelta = (m?.rejected ?? 0) - (before?.rejected ?? 0)
        XCTAssertEqual(inDelta, accepted, "every record fed without a reason is an event in", file: path, line: line)
        XCTAssertEqual(inDelta + rejectedDelta, fed, "every record fed is an event in or a counted rejection", file: path, line: line)
        return out
    }

    /// The non-blank lines of a JSON Lines text (and those over the limit), by the rules LineReader states.
    static func modelRecords(_ bytes: [UInt8], maxLineBytes: Int) -> Int {
        var b = ArraySlice(bytes)
        if b.starts(with: [0xEF, 0xBB, 0xBF]) { b = b.dropFirst(3) }
        if let z = b.firstIndex(of: 0) {
            var cut = z
            while cut > b.startIndex, b[cut - 1] != 10 { cut -= 1 }
            b = b[..<cut]
        }
        var lines = b.split(separator: 10, omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        var records = 0
        for var l in lines {
            if l.last == 13 { l = l.dropLast() }
            if l.count > maxLineBytes || !l.allSatisfy({ $0 == 32 || $0 == 9 }) { records += 1 }
        }
        return records
    }

    static func engine() -> Engine {
        let engine = Engine(options: EngineOptions(clock: ManualClock(start: 0)))
        _ = try? engine.run("CREATE STREAM typed (a int, v float, ts timestamp, c0 string)")
        engine.createStream("s")
        _ = try? engine.execute("SELECT a, v, k, c0, c1 FROM s")
        _ = try? engine.execute("SELECT * FROM typed")
        return engine
    }

    func fuzz(_ name: String, target: UInt64, json: Bool) {
        var lines = 0, records = 0, fileReads = 0
        let tmp = NSTemporaryDirectory() + "streamsql-fuzz-\(getpid())-\(target).\(json ? "jsonl" : "csv")"
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let cases = Fuzz.loop(name, target: target, seconds: Fuzz.groupSeconds / 2) { _, rng, current in
            let valid = json ? ReaderFuzzTests.jsonLines(&rng) : ReaderFuzzTests.csv(&rng)
            let bytes = rng.next() % 10 == 0 ? valid : ReaderFuzzTests.mutate(valid, &rng, json: json)
            current.set(bytes)
            let limits = [LineReader.defaultMaxLineBytes, 1, 8, 40, 100, 1000]
            let maxLine = limits[Int(rng.next() % UInt64(limits.count))]
            lines += bytes.split(separator: 10, omittingEmptySubsequences: false).count
            let engine = ReaderFuzzTests.engine()
            let stream = rng.next() % 3 == 0 ? "typed" : "s"
            let format: EventFile.Format = json ? .jsonLines : .csv
            let memory = ReaderFuzzTests.read(EventFile(reader: .bytes(bytes, maxLineBytes: maxLine), format: format), engine: engine, stream: stream)
            records += memory.records.count
            if json && !memory.failed {
                XCTAssertEqual(memory.records.count, ReaderFuzzTests.modelRecords(bytes, maxLineBytes: maxLine),
                               "\(name): seed \(Fuzz.seed) case \(current.n), limit \(maxLine): records \(memory.records) for input \"\(current.escaped)\"")
            }
            if !json, !bytes.contains(0), let text = String(validating: bytes, as: UTF8.self) {
                // The whole-text CSV reader reads the same way.
                if let whole = try? CSVReader(text: text) {
                    XCTAssertEqual(whole.rows.count + whole.failures.count, ReaderFuzzTests.read(
                        EventFile(reader: .text(text), format: .csv), engine: engine, stream: "s").records.count)
                }
            }
            if rng.next() % 4 == 0 {
                // The same bytes from a file: the same records (read in chunks, with the long-line skip).
                fileReads += 1
                _ = FileManager.default.createFile(atPath: tmp, contents: Data(bytes))
                guard let file = try? EventFile(path: tmp, format: format, maxLineBytes: maxLine) else {
                    return XCTFail("cannot open \(tmp)")
                }
                let fromFile = ReaderFuzzTests.read(file, engine: engine, stream: stream)
                XCTAssertEqual(fromFile, memory, "\(name): seed \(Fuzz.seed) case \(current.n), limit \(maxLine): file and memory differ for \"\(current.escaped)\"")
            }
            engine.stopAll(flush: true)
        }
        print("fuzz \(name): \(cases) inputs, \(lines) lines, \(records) records (\(fileReads) also from a file), 0 crashes, seed \(Fuzz.seed)")
    }

    func testFuzzJSONLinesReader() { fuzz("reader jsonl", target: 3, json: true) }

    func testFuzzCSVReader() { fuzz("reader csv", target: 4, json: false) }

    /// Large files, read in chunks of 1 MB, with long lines under small limits (a few per run: they are slow).
    func testFuzzReaderLargeFiles() {
        let tmp = NSTemporaryDirectory() + "streamsql-fuzz-large-\(getpid()).jsonl"
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        var rng = Fuzz.rng(seed: Fuzz.seed, target: 5, n: 0)
        for n in 0..<3 {
            var bytes: [UInt8] = []
            while bytes.count < 2_500_000 {
                bytes += ReaderFuzzTests.mutate(ReaderFuzzTests.jsonLines(&rng), &rng, json: true)
                if rng.next() % 50 == 0 { bytes += [UInt8](repeating: UInt8(ascii: "x"), count: Int(rng.next() % 1_500_000)) + (rng.next() % 2 == 0 ? [13, 10] : [10]) }
            }
            let maxLine = [100, 4096, 1_048_576, 1_200_000][Int(rng.next() % 4)]
            _ = FileManager.default.createFile(atPath: tmp, contents: Data(bytes))
            guard let file = try? EventFile(path: tmp, format: .jsonLines, maxLineBytes: maxLine) else { return XCTFail("cannot open \(tmp)") }
            let engine = ReaderFuzzTests.engine()
            let fromFile = ReaderFuzzTests.read(file, engine: engine, stream: "s")
            let memory = ReaderFuzzTests.read(EventFile(reader: .bytes(bytes, maxLineBytes: maxLine), format: .jsonLines), engine: engine, stream: "s")
            XCTAssertEqual(fromFile, memory, "large file \(n) (seed \(Fuzz.seed), limit \(maxLine)): file and memory differ")
            if !memory.failed {
                XCTAssertEqual(memory.records.count, ReaderFuzzTests.modelRecords(bytes, maxLineBytes: maxLine), "large file \(n) (seed \(Fuzz.seed), limit \(maxLine))")
            }
            engine.stopAll(flush: false)
        }
    }
}
