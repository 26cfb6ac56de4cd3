import OrderedCollections
import XCTest
@testable import StreamSQL

/// CSV rows written from a batch's cells follow RFC 4180 and spell values as the rest of the shell does.
final class ResultCSVWriterTests: XCTestCase {
    func line(_ values: [Value], tag: String? = nil) -> String {
        let schema = ResultSchema(columns: values.indices.map { ResultColumn(name: "c\($0)", spread: false) })
        let writer = ResultCSVWriter(schema: schema, tagColumn: tag == nil ? nil : "query", tag: tag ?? "")
        var out: [UInt8] = []
        writer.write(ResultBatch(schema: schema, values: values), row: 0, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Splits one CSV record by RFC 4180: fields between commas; a quoted field may hold commas, CR, LF
    /// and doubled quotes; an unquoted one may hold none of them.
    func parse(_ record: String) throws -> [String] {
        var fields: [String] = [], field = "", quoted = false, i = record.unicodeScalars.startIndex
        let s = record.unicodeScalars
        var atStart = true
        while i < s.endIndex {
            let c = s[i]
            if quoted {
                if c == "\"" {
                    let n = s.index(after: i)
                    if n < s.endIndex, s[n] == "\"" { field.unicodeScalars.append("\""); i = s.index(after: n); continue }
                    quoted = false
                } else { field.unicodeScalars.append(c) }
            } else if c == "\"" && atStart {
                quoted = true
            } else if c == "," {
                fields.append(field); field = ""; atStart = true; i = s.index(after: i); continue
            } else {
                if c == "\"" || c == "\n" || c == "\r" { throw CSVError(record: record) }
                field.unicodeScalars.append(c)
            }
            atStart = false
            i = s.index(after: i)
        }
        if quoted { throw CSVError(record: record) }
        fields.append(field)
        return fields
    }
    struct CSVError: Error { let record: String }

    func testTrickyValues() throws {
        // (value, its text, whether CSV must quote it)
        let cases: [(Value, String, Bool)] = [
            ("plain", "plain", false),
            ("a,b", "a,b", true),
            ("say \"hi\"", "say \"hi\"", true),
            ("line1\nline2", "line1\nline2", true),
            ("crlf\r\nend", "crlf\r\nend", true),
            ("cr\rhere", "cr\rhere", true),
            ("héllo wörld ☃ 😀 👩‍👩‍👧", "héllo wörld ☃ 😀 👩‍👩‍👧", false),
            ("", "", false),
            (" padded ", " padded ", false),
            (.null, "NULL", false),
            (.double(.nan), "NaN", false),
            (.double(.infinity), "+Inf", false),
            (.double(-.infinity), "-Inf", false),
            (.double(-0.0), "0", false),
            (.double(3), "3", false),
            (.double(-1234.5678), "-1234.5678", false),
            (.double(0.1), "0.1", false),
            (.double(1e-7), "1e-07", false),
            (.double(1e300), "1e+300", false),
            (.double(2.5e15), "2500000000000000.0", false),
            (.double(123_456_789_012_345_680), "1.2345678901234568e+17", false),
            (.int(Int64.min), "-9223372036854775808", false),
            (.int(Int64.max), "9223372036854775807", false),
            (.int(9_007_199_254_740_993), "9007199254740993", false),
            (.bool(true), "true", false),
            (.array(["a,b", 1]), "[\"a,b\",1]", true),
            (.array([1, 2]), "[1,2]", true),
            (.object(["k": "v"]), "{\"k\":\"v\"}", true),
            (.timestamp(1_700_000_000_123_000_000), TimeFormat.iso8601(nanos: 1_700_000_000_123_000_000), false),
        ]
        for (v, text, quoted) in cases {
            let written = line([v])
            let expected = quoted ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
            XCTAssertEqual(written, expected, "\(v)")
            XCTAssertEqual(try parse(written), [text], "\(v)")
        }
        // All in one record, behind a tag: the parser gives back every text in order.
        let all = line(cases.map(\.0), tag: "q,1")
        XCTAssertEqual(try parse(all), ["q,1"] + cases.map(\.1))
    }

    func testHeaderQuotesNamesAndLeavesOutStar() throws {
        let schema = ResultSchema(columns: [ResultColumn(name: "*", spread: true), ResultColumn(name: "a,b", spread: false),
                                            ResultColumn(name: "x", spread: false)])
        let writer = ResultCSVWriter(schema: schema, tagColumn: "query", tag: "q")
        XCTAssertEqual(String(decoding: writer.header, as: UTF8.self), "query,\"a,b\",x")
    }

    /// Schemas that are not one field per column (spread, a name twice, changed_col) read by name from the
    /// row object, as the shell always did; flat ones read cells and give the same bytes.
    func testSameFieldsAsObjects() throws {
        let events: [OrderedDictionary<String, Value>] = [
            ["a": 1, "s": "q\"uo,te\n", "d": 1.5, "n": .null, "arr": [1, "x"]],
            ["a": 2, "s": "", "d": -0.0],
        ]
        for sql in ["SELECT a, s, d, n, arr FROM stream", "SELECT * FROM stream", "SELECT *, a AS s FROM stream",
                    "SELECT changed_col(true, a) AS c, s FROM stream"] {
            let engine = Engine()
            let q = try engine.execute(sql)
            let writer = ResultCSVWriter(schema: q.schema)
            let box = NSLockedLines()
            q.addSink { batch in
                for i in 0..<batch.count {
                    var out: [UInt8] = []
                    writer.write(batch, row: i, into: &out)
                    let o = batch.object(i)
                    let old = q.schema.names.filter { $0 != "*" }.map { name -> String in
                        let v = o[name] ?? .null
                        return ResultCSVWriter.field(v.isNull ? "NULL" : v.description)
                    }
                    box.add(String(decoding: out, as: UTF8.self), old.joined(separator: ","))
                }
            }
            for e in events { engine.emitSync(e) }
            engine.finish()
            let (written, expected) = box.all
            XCTAssertEqual(written, expected, sql)
            XCTAssertFalse(written.isEmpty, sql)
        }
    }

    /// The byte formatter spells doubles as the String-based formatting it replaced.
    func testDoubleTextMatchesStringFormatting() {
        func old(_ d: Double) -> String {
            if d.isNaN { return "NaN" }
            if d.isInfinite { return d > 0 ? "+Inf" : "-Inf" }
            if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
            return String(d)
        }
        var rng = SplitMix64(seed: 17)
        var samples: [Double] = [0, -0.0, 0.5, 1e15, -1e15, 999_999_999_999_999, 1e15 - 0.5, .leastNonzeroMagnitude, .greatestFiniteMagnitude, 0.001, 0.000999]
        for _ in 0..<20_000 {
            let bits = rng.next()
            samples.append(Double(bitPattern: bits))
            samples.append(Double(Int64(bitPattern: bits) % 10_000_000) / [1, 10, 100, 1000, 7][Int(bits % 5)])
        }
        for d in samples where !d.isNaN {
            XCTAssertEqual(Value.formatDouble(d), old(d), "\(d.bitPattern)")
        }
        XCTAssertEqual(Value.formatDouble(.nan), "NaN")
    }
}
