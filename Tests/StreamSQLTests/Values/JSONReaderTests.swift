import XCTest
@testable import StreamSQL

final class JSONReaderTests: XCTestCase {
    func parse(_ s: String) throws -> Value { try JSONReader.parse(s) }

    func testValuesAndTypes() throws {
        let v = try parse(#"{"i": 12, "neg": -3, "f": 1.5, "e": 1e3, "big": 12345678901234567890, "s": "a\"b\\n\u00e9\ud83d\ude00", "t": true, "n": null, "a": [1, [2]], "o": {}}"#)
        guard case .object(let o) = v else { return XCTFail() }
        XCTAssertEqual(o["i"], .int(12))
        if case .int = o["i"]! {} else { XCTFail("integers stay ints") }
        if case .double = o["f"]! {} else { XCTFail("fractions are floats") }
        if case .double(1000) = o["e"]! {} else { XCTFail("exponents are floats") }
        if case .double = o["big"]! {} else { XCTFail("integers beyond Int64 become floats") }
        XCTAssertEqual(o["neg"], .int(-3))
        XCTAssertEqual(o["s"], .string("a\"b\\né😀"))
        XCTAssertEqual(o["t"], .bool(true))
        XCTAssertEqual(o["n"], .null)
        XCTAssertEqual(o["a"], .array([.int(1), .array([.int(2)])]))
        XCTAssertEqual(Array(o.keys), ["i", "neg", "f", "e", "big", "s", "t", "n", "a", "o"])
        XCTAssertEqual(try parse("-9223372036854775808"), .int(Int64.min))
        XCTAssertEqual(try parse("0.1"), .double(0.1))
        XCTAssertEqual(try parse("123.456e-2"), .double(1.23456))
        XCTAssertEqual(try parse("1.7976931348623157e308"), .double(1.7976931348623157e308))
    }

    func testNumbersRoundTripExactly() throws {
        var rng = SplitMix(seed: 3)
        for _ in 0..<20_000 {
            let d = Double(bitPattern: rng.next() & 0x7FEF_FFFF_FFFF_FFFF) * (rng.next() % 2 == 0 ? 1 : -1)
            let text = String(d)
            XCTAssertEqual(try parse(text).asDouble, d, text)
        }
        for _ in 0..<5_000 {
            let d = Double(rng.next() % 1_000_000) / 100
            XCTAssertEqual(try parse(String(d)).asDouble, d)
        }
    }

    func testMalformedInputIsRejectedWithAPosition() {
        let bad = [
            "", "{", "}", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "'x'", "01", "1.", "-", "1e", "+1", "NaN", "Infinity",
            "tru", "nul", "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\ud800\"", "\"a\u{01}b\"", "[1 2]", "{\"a\":1}x", "1 2",
            "\"\\udc00\"",
        ]
        for s in bad {
            XCTAssertThrowsError(try JSONReader.parse(s), s) { e in
                guard let je = e as? JSONError else { return XCTFail("\(s): \(e)") }
                XCTAssertGreaterThanOrEqual(je.offset, 0)
                XCTAssertFalse(je.message.isEmpty)
            }
        }
        // Invalid UTF-8 inside a string.
        let bytes: [UInt8] = [0x22, 0xFF, 0xFE, 0x22]
        XCTAssertThrowsError(try bytes.withUnsafeBufferPointer { try JSONReader.parse(bytes: $0) })
        // And inside a field name, which a plain name's fast path must not let through.
        let key: [UInt8] = Array("{\"".utf8) + [0xC3, 0x28] + Array("\":1}".utf8)
        XCTAssertThrowsError(try key.withUnsafeBufferPointer { try JSONReader.parse(bytes: $0) })
    }

    /// Field names: plain ASCII, other UTF-8 and escapes give the same keys whichever way they are read.
    func testFieldNamesPlainUnicodeAndEscaped() throws {
        guard case .object(let o) = try parse(#"{"plain":1,"é名":2,"a\u0062":3,"q\"t":4,"":5}"#) else { return XCTFail() }
        XCTAssertEqual(Array(o.keys), ["plain", "é名", "ab", "q\"t", ""])
        XCTAssertEqual(o["é名"], .int(2))
    }

    func testDepthLimit() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        XCTAssertThrowsError(try JSONReader.parse(deep)) { e in
            XCTAssertTrue("\(e)".contains("nesting"))
        }
        let ok = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        XCTAssertNoThrow(try JSONReader.parse(ok))
    }

    func testDecodeEventKeepsOnlyLayoutFields() throws {
        let layout = FieldLayout(names: ["b", "x", "a"], keepsWholeEvent: false)
        let line = #"{"a": 1, "skip": {"deep": [1, 2, {"z": "\u0041"}]}, "b": "two", "c": null}"#
        let row = try Array(line.utf8).withUnsafeBufferPointer { try JSONReader.decodeEvent(bytes: $0, layout: layout) }
        XCTAssertEqual(row[0], .string("two"))
        XCTAssertEqual(row[1], .null)
        XCTAssertEqual(row[2], .int(1))
        XCTAssertNil(row.whole)
        // A slot added after this row was decoded reads as NULL.
        XCTAssertEqual(row[7], .null)

        let whole = FieldLayout(names: ["a"], keepsWholeEvent: true)
        let r2 = try Array(line.utf8).withUnsafeBufferPointer { try JSONReader.decodeEvent(bytes: $0, layout: whole) }
        XCTAssertEqual(r2.whole.map { Array($0.keys) }, ["a", "skip", "b", "c"])
    }

    func testDecodeEventStillValidatesSkippedFields() {
        let layout = FieldLayout(names: ["a"], keepsWholeEvent: false)
        for line in [#"{"a":1,"b":[1,}"#, #"{"a":1,"b":"\q"}"#, #"{"a":1,"b":tru}"#, #"[1]"#, #"{"a":1} {"#, ""] {
            XCTAssertThrowsError(try Array(line.utf8).withUnsafeBufferPointer { try JSONReader.decodeEvent(bytes: $0, layout: layout) }, line)
        }
    }

    func testEscapedKeysResolveToSlots() throws {
        let layout = FieldLayout(names: ["aé"], keepsWholeEvent: false)
        let row = try Array(#"{"a\u00e9": 5}"#.utf8).withUnsafeBufferPointer { try JSONReader.decodeEvent(bytes: $0, layout: layout) }
        XCTAssertEqual(row[0], .int(5))
    }

    func testWriterRoundTripAndSpecialFloats() throws {
        let v: Value = ["s": "q\"\n\u{1}", "d": 2.5, "i": -7, "a": [true, nil], "nan": .double(.nan), "inf": .double(.infinity)]
        let text = JSONWriter.string(v)
        XCTAssertEqual(text, #"{"s":"q\"\n\u0001","d":2.5,"i":-7,"a":[true,null],"nan":null,"inf":null}"#)
        guard case .object(let back) = try parse(text) else { return XCTFail() }
        XCTAssertEqual(back["s"], .string("q\"\n\u{1}"))
        XCTAssertEqual(back["nan"], .null)
    }

    func testValueStaysSmall() {
        XCTAssertLessThanOrEqual(MemoryLayout<Value>.stride, 24)
    }
}

final class CSVReaderTests: XCTestCase {
    func testTypedCellsQuotingAndBadRows() throws {
        let text = "id,name,score,ok,note\n1,\"Smith, J\",9.5,true,\n2,\"say \"\"hi\"\"\",10,false,\"multi\nline\"\n3,short\n"
        let csv = try CSVReader(text: text)
        XCTAssertEqual(csv.header, ["id", "name", "score", "ok", "note"])
        XCTAssertEqual(csv.rows.count, 2)
        XCTAssertEqual(csv.rows[0]["name"], .string("Smith, J"))
        XCTAssertEqual(csv.rows[0]["score"], .double(9.5))
        XCTAssertEqual(csv.rows[0]["ok"], .bool(true))
        XCTAssertEqual(csv.rows[0]["note"], .null)
        XCTAssertEqual(csv.rows[1]["name"], .string("say \"hi\""))
        XCTAssertEqual(csv.rows[1]["note"], .string("multi\nline"))
        XCTAssertEqual(csv.rows[1]["score"], .int(10))
        XCTAssertEqual(csv.failures.count, 1)
        XCTAssertEqual(csv.failures.first?.line, 5)
        XCTAssertThrowsError(try CSVReader(text: "a,a\n1,2\n"))
        XCTAssertThrowsError(try CSVReader(text: ""))
    }
}
