import Foundation
import OrderedCollections

/// What went wrong in a JSON text, and where (byte offset from the start of the text).
public struct JSONError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public let offset: Int
    /// The JSON was valid but the event does not fit the stream (a typed column's value): the message says
    /// why in terms of the row, not of the JSON.
    public var rowError = false
    public var description: String { rowError ? message : "invalid JSON at byte \(offset + 1): \(message)" }
}

/// A strict, byte-level JSON reader.
///
/// It reads RFC 8259 JSON (no comments, no trailing commas, no NaN literals, valid UTF-8, no raw
/// control characters in strings) into `Value`s. A number without a fraction or exponent that fits in
/// Int64 is an int; any other number is a float. Nesting deeper than `maxDepth` is an error rather
/// than a stack overflow.
///
/// `decodeEvent` is the hot path: it reads one top-level object and stores only the fields a
/// `FieldLayout` asks for into row slots, skipping the values of other fields without building them.
public struct JSONReader {
    public static let maxDepth = 256

    /// Parses a complete JSON text.
    public static func parse(_ text: String) throws(JSONError) -> Value {
        let bytes = Array(text.utf8)
        var result: Result<Value, JSONError> = .success(.null)
        bytes.withUnsafeBufferPointer { buf in
            do throws(JSONError) { result = .success(try parse(bytes: buf)) } catch { result = .failure(error) }
        }
        return try result.get()
    }

    public static func parse(bytes: UnsafeBufferPointer<UInt8>) throws(JSONError) -> Value {
        var s = Scanner(bytes)
        s.skipSpace()
        let v = try s.readValue(depth: 0)
        s.skipSpace()
        guard s.i == s.end else { throw s.fail("unexpected text after the JSON value") }
        return v
    }

    /// Decodes one event object into `row` according to `layout`.
    public static func decodeEvent(bytes: UnsafeBufferPointer<UInt8>, layout: FieldLayout) throws(JSONError) -> Row {
        var row = Row(width: layout.count)
        try decodeEvent(bytes: bytes, layout: layout, into: &row)
        return row
    }

    /// Decodes one event object into `row`, which must be as wide as `layout` with every slot NULL and no
    /// whole event (a row reused from an earlier batch, reset). On an error the row is left part-filled.
    public static func decodeEvent(bytes: UnsafeBufferPointer<UInt8>, layout: FieldLayout, into row: inout Row) throws(JSONError) {
        var memo = KeyMemo()
        try decodeEvent(bytes: bytes, layout: layout, into: &row, memo: &memo)
    }

    /// The keys of the last line decoded, in order, with their slots: lines of a file mostly repeat their
    /// keys in the same order, and comparing a key's bytes with the one remembered at its place costs less
    /// than scanning and hashing it. A key that differs is looked up and replaces the memo from there on.
    struct KeyMemo {
        var layout: ObjectIdentifier?
        // Keys without escapes back to back; key k is bytes[starts[k] ..< starts[k + 1]].
        var bytes: [UInt8] = []
        var starts: [Int] = [0]
        var slots: [Int] = []

        mutating func keep(_ k: Int, _ p: UnsafePointer<UInt8>, _ count: Int, _ slot: Int?) {
            if slots.count > k {
                slots.removeSubrange(k...)
                starts.removeSubrange((k + 1)...)
                bytes.removeSubrange(starts[k]...)
            }
            bytes.append(contentsOf: UnsafeBufferPointer(start: p, count: count))
            starts.append(bytes.count)
            slots.append(slot ?? -1)
        }
    }

    static func decodeEvent(bytes: UnsafeBufferPointer<UInt8>, layout: FieldLayout, into row: inout Row, memo: inout KeyMemo) throws(JSONError) {
        if memo.layout != ObjectIdentifier(layout) { memo = KeyMemo(layout: ObjectIdentifier(layout)) }
        var keyIndex = 0
        var s = Scanner(bytes)
        s.skipSpace()
        guard s.i < s.end, s.p[s.i] == UInt8(ascii: "{") else {
            throw s.fail(s.i < s.end ? "an event must be a JSON object" : "empty line")
        }
        s.i += 1
        var whole: OrderedDictionary<String, Value>? = layout.keepsWholeEvent ? [:] : nil
        s.skipSpace()
        if s.i < s.end, s.p[s.i] == UInt8(ascii: "}") {
            s.i += 1
        } else {
            while true {
                s.skipSpace()
                guard s.i < s.end, s.p[s.i] == UInt8(ascii: "\"") else { throw s.fail("expected a field name in quotes") }
                let keyStart = s.i + 1
                let k = keyIndex
                keyIndex += 1
                let slot: Int?
                var key: String? = nil
                let keyEnd: Int
                // The key remembered at this place: its bytes, then the closing quote (a remembered key holds
                // no quote, backslash or control character, so the string ends exactly there).
                if k < memo.slots.count, case let n = memo.starts[k + 1] - memo.starts[k], keyStart + n < s.end,
                   s.p[keyStart + n] == UInt8(ascii: "\""),
                   memo.bytes.withUnsafeBufferPointer({ b in n == 0 || memcmp(b.baseAddress! + memo.starts[k], s.p + keyStart, n) == 0 }) {
                    keyEnd = keyStart + n
                    s.i = keyEnd + 1
                    slot = memo.slots[k] >= 0 ? memo.slots[k] : nil
                } else {
                    let (end, escaped) = try s.scanStringEnd()
                    keyEnd = end
                    if escaped {
                        key = try s.decodeString(from: keyStart, to: keyEnd)
                        slot = layout.slot(of: key!)
                    } else {
                        slot = layout.slot(bytes: s.p + keyStart, count: keyEnd - keyStart)
                        if k < 64 && k <= memo.slots.count { memo.keep(k, s.p + keyStart, keyEnd - keyStart, slot) }
                    }
                }
                s.skipSpace()
                guard s.i < s.end, s.p[s.i] == UInt8(ascii: ":") else { throw s.fail("expected ':' after a field name") }
                s.i += 1
                s.skipSpace()
                if slot != nil || whole != nil {
                    let v = try s.readValue(depth: 1)
                    if let slot { row.slots[slot] = v }
                    if whole != nil {
                        if key == nil { key = try s.decodeString(from: keyStart, to: keyEnd) }
                        whole![key!] = v
                    }
                } else {
                    try s.skipValue(depth: 1)
                }
                s.skipSpace()
                guard s.i < s.end else { throw s.fail("unterminated object: expected ',' or '}'") }
                let c = s.p[s.i]
                s.i += 1
                if c == UInt8(ascii: ",") { continue }
                if c == UInt8(ascii: "}") { break }
                s.i -= 1
                throw s.fail("expected ',' or '}' in object")
            }
        }
        s.skipSpace()
        guard s.i == s.end else { throw s.fail("unexpected text after the event object") }
        if let whole { row.whole = whole }
    }

    struct Scanner {
        let p: UnsafePointer<UInt8>
        let end: Int
        var i = 0

        init(_ buf: UnsafeBufferPointer<UInt8>) {
            // An empty buffer may have a nil base; point at a static byte instead.
            p = buf.baseAddress ?? Scanner.emptyBase
            end = buf.count
        }
        nonisolated(unsafe) static let emptyBase: UnsafePointer<UInt8> = {
            let m = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
            m.initialize(to: 0)
            return UnsafePointer(m)
        }()

        @inline(never)
        func fail(_ message: String) -> JSONError { JSONError(message: message, offset: i) }

        @inline(__always) mutating func skipSpace() {
            while i < end {
                let c = p[i]
                if c == 32 || c == 10 || c == 13 || c == 9 { i += 1 } else { break }
            }
        }

        mutating func readValue(depth: Int) throws(JSONError) -> Value {
            guard i < end else { throw fail("unexpected end of input, expected a value") }
            switch p[i] {
            case UInt8(ascii: "\""):
                let start = i + 1
                let (stop, escaped) = try scanStringEnd()
                if !escaped, let str = plainString(from: start, to: stop) { return .string(str) }
                return .string(try decodeString(from: start, to: stop))
            case UInt8(ascii: "{"):
                guard depth < JSONReader.maxDepth else { throw fail("nesting deeper than \(JSONReader.maxDepth)") }
                i += 1
                var dict = OrderedDictionary<String, Value>()
                skipSpace()
                if i < end, p[i] == UInt8(ascii: "}") { i += 1; return .object(dict) }
                while true {
                    skipSpace()
                    guard i < end, p[i] == UInt8(ascii: "\"") else { throw fail("expected a field name in quotes") }
                    let ks = i + 1
                    let (ke, keyEscaped) = try scanStringEnd()
                    // A plain name is copied as it is (decoding one byte by byte cost ~800 instructions a key).
                    let key: String
                    if !keyEscaped, let plain = plainString(from: ks, to: ke) { key = plain } else { key = try decodeString(from: ks, to: ke) }
                    skipSpace()
                    guard i < end, p[i] == UInt8(ascii: ":") else { throw fail("expected ':' after a field name") }
                    i += 1
                    skipSpace()
                    dict[key] = try readValue(depth: depth + 1)
                    skipSpace()
                    guard i < end else { throw fail("unterminated object: expected ',' or '}'") }
                    let c = p[i]
                    if c == UInt8(ascii: ",") { i += 1; continue }
                    if c == UInt8(ascii: "}") { i += 1; return .object(dict) }
                    throw fail("expected ',' or '}' in object")
                }
            case UInt8(ascii: "["):
                guard depth < JSONReader.maxDepth else { throw fail("nesting deeper than \(JSONReader.maxDepth)") }
                i += 1
                var arr: [Value] = []
                skipSpace()
                if i < end, p[i] == UInt8(ascii: "]") { i += 1; return .array(arr) }
                while true {
                    skipSpace()
                    arr.append(try readValue(depth: depth + 1))
                    skipSpace()
                    guard i < end else { throw fail("unterminated array: expected ',' or ']'") }
                    let c = p[i]
                    if c == UInt8(ascii: ",") { i += 1; continue }
                    if c == UInt8(ascii: "]") { i += 1; return .array(arr) }
                    throw fail("expected ',' or ']' in array")
                }
            case UInt8(ascii: "t"):
                try literal("true"); return .bool(true)
            case UInt8(ascii: "f"):
                try literal("false"); return .bool(false)
            case UInt8(ascii: "n"):
                try literal("null"); return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                return try readNumber()
            default:
                throw fail("unexpected character '\(Scanner.show(p[i]))', expected a value")
            }
        }

        static func show(_ c: UInt8) -> String {
            c >= 32 && c < 127 ? String(UnicodeScalar(c)) : "\\u{\(String(c, radix: 16))}"
        }

        mutating func literal(_ word: StaticString) throws(JSONError) {
            let n = word.utf8CodeUnitCount
            guard i + n <= end else { throw fail("unexpected end of input in literal") }
            let w = word.utf8Start
            for k in 0..<n where p[i + k] != w[k] {
                throw fail("invalid literal, expected '\(word)'")
            }
            i += n
        }

        /// Moves past a string whose opening quote is at `i`; returns the index of the closing quote
        /// and whether any escape occurred. Rejects raw control characters.
        mutating func scanStringEnd() throws(JSONError) -> (Int, Bool) {
            i += 1
            var escaped = false
            while i < end {
                let c = p[i]
                if c == UInt8(ascii: "\"") {
                    let stop = i
                    i += 1
                    return (stop, escaped)
                }
                if c == UInt8(ascii: "\\") {
                    escaped = true
                    i += 2
                    continue
                }
                if c < 0x20 { throw fail("control character in string") }
                i += 1
            }
            throw fail("unterminated string")
        }

        /// A string body without escapes; nil when it is not valid UTF-8. ASCII (the common case)
        /// skips validation.
        @inline(__always)
        func plainString(from start: Int, to stop: Int) -> String? {
            var ascii = true
            for k in start..<stop where p[k] >= 0x80 { ascii = false; break }
            let buf = UnsafeBufferPointer(start: p + start, count: stop - start)
            if ascii { return String(decoding: buf, as: UTF8.self) }
            return String(validating: buf, as: UTF8.self)
        }

        /// Decodes the string body between two indexes, resolving escapes and validating UTF-8.
        @inline(never)
        func decodeString(from start: Int, to stop: Int) throws(JSONError) -> String {
            var out: [UInt8] = []
            out.reserveCapacity(stop - start)
            var k = start
            func hex4(_ at: Int) throws(JSONError) -> UInt32 {
                guard at + 4 <= stop else { throw JSONError(message: "truncated \\u escape", offset: at) }
                var v: UInt32 = 0
                for j in at..<(at + 4) {
                    let c = p[j]
                    let d: UInt32
                    switch c {
                    case 48...57: d = UInt32(c - 48)
                    case 65...70: d = UInt32(c - 55)
                    case 97...102: d = UInt32(c - 87)
                    default: throw JSONError(message: "invalid hex digit in \\u escape", offset: j)
                    }
                    v = v << 4 | d
                }
                return v
            }
            while k < stop {
                let c = p[k]
                if c != UInt8(ascii: "\\") { out.append(c); k += 1; continue }
                guard k + 1 < stop else { throw JSONError(message: "truncated escape", offset: k) }
                let e = p[k + 1]
                k += 2
                switch e {
                case UInt8(ascii: "\""): out.append(0x22)
                case UInt8(ascii: "\\"): out.append(0x5C)
                case UInt8(ascii: "/"): out.append(0x2F)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var code = try hex4(k)
                    k += 4
                    if code >= 0xD800 && code < 0xDC00 {
                        guard k + 6 <= stop, p[k] == UInt8(ascii: "\\"), p[k + 1] == UInt8(ascii: "u") else {
                            throw JSONError(message: "unpaired surrogate in \\u escape", offset: k)
                        }
                        let low = try hex4(k + 2)
                        guard low >= 0xDC00 && low < 0xE000 else {
                            throw JSONError(message: "invalid low surrogate in \\u escape", offset: k)
                        }
                        k += 6
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    } else if code >= 0xDC00 && code < 0xE000 {
                        throw JSONError(message: "unpaired surrogate in \\u escape", offset: k)
                    }
                    guard let scalar = Unicode.Scalar(code) else {
                        throw JSONError(message: "invalid code point", offset: k)
                    }
                    out.append(contentsOf: String(Character(scalar)).utf8)
                default:
                    throw JSONError(message: "invalid escape '\\\(Scanner.show(e))'", offset: k - 1)
                }
            }
            guard let s = String(validating: out, as: UTF8.self) else {
                throw JSONError(message: "invalid UTF-8 in string", offset: start)
            }
            return s
        }

        static let pow10: [Double] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
                                      1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22]

        mutating func readNumber() throws(JSONError) -> Value {
            let start = i
            var negative = false
            if p[i] == UInt8(ascii: "-") { negative = true; i += 1 }
            guard i < end, p[i] >= 48, p[i] <= 57 else { throw fail("invalid number") }
            var mantissa: UInt64 = 0
            var digits = 0
            var overflow = false
            if p[i] == 48 {
                i += 1
                if i < end, p[i] >= 48, p[i] <= 57 { throw fail("leading zero in number") }
            } else {
                while i < end, p[i] >= 48, p[i] <= 57 {
                    if digits < 19 { mantissa = mantissa &* 10 &+ UInt64(p[i] - 48) } else { overflow = true }
                    digits += 1
                    i += 1
                }
            }
            var isFloat = false
            var exp10 = 0
            if i < end, p[i] == UInt8(ascii: ".") {
                isFloat = true
                i += 1
                guard i < end, p[i] >= 48, p[i] <= 57 else { throw fail("expected a digit after '.'") }
                while i < end, p[i] >= 48, p[i] <= 57 {
                    if digits < 19 { mantissa = mantissa &* 10 &+ UInt64(p[i] - 48); exp10 -= 1 } else { overflow = true }
                    if mantissa != 0 || digits > 0 { digits += 1 }
                    i += 1
                }
            }
            if i < end, p[i] == UInt8(ascii: "e") || p[i] == UInt8(ascii: "E") {
                isFloat = true
                i += 1
                var eneg = false
                if i < end, p[i] == UInt8(ascii: "+") || p[i] == UInt8(ascii: "-") { eneg = p[i] == UInt8(ascii: "-"); i += 1 }
                guard i < end, p[i] >= 48, p[i] <= 57 else { throw fail("expected a digit in exponent") }
                var e = 0
                while i < end, p[i] >= 48, p[i] <= 57 {
                    if e < 100_000 { e = e * 10 + Int(p[i] - 48) }
                    i += 1
                }
                exp10 += eneg ? -e : e
            }
            if !isFloat && !overflow {
                if negative {
                    if mantissa <= UInt64(Int64.max) { return .int(-Int64(mantissa)) }
                    if mantissa == UInt64(Int64.max) + 1 { return .int(Int64.min) }
                } else if mantissa <= UInt64(Int64.max) {
                    return .int(Int64(mantissa))
                }
            }
            // Clinger's fast path: exact when the mantissa and the power of ten are both exact doubles.
            if !overflow, mantissa < (1 << 53), exp10 >= -22, exp10 <= 22 {
                var d = Double(mantissa)
                d = exp10 < 0 ? d / Scanner.pow10[-exp10] : d * Scanner.pow10[exp10]
                return .double(negative ? -d : d)
            }
            let text = String(decoding: UnsafeBufferPointer(start: p + start, count: i - start), as: UTF8.self)
            guard let d = Double(text) else { throw JSONError(message: "invalid number", offset: start) }
            // Like Go's encoding/json (the reference), a number no double can hold is an error, not infinity
            // (which would print as null) — so it is counted with its reason.
            guard d.isFinite else { throw JSONError(message: "number beyond the range of a double", offset: start) }
            return .double(d)
        }

        /// Skips one value without building it (fields no query reads), still checking its syntax.
        mutating func skipValue(depth: Int) throws(JSONError) {
            guard i < end else { throw fail("unexpected end of input, expected a value") }
            switch p[i] {
            case UInt8(ascii: "\""):
                let start = i + 1
                let (stop, escaped) = try scanStringEnd()
                if escaped { _ = try decodeString(from: start, to: stop) }
                else if plainString(from: start, to: stop) == nil {
                    throw JSONError(message: "invalid UTF-8 in string", offset: start)
                }
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                _ = try readValue(depth: depth)
            case UInt8(ascii: "t"): try literal("true")
            case UInt8(ascii: "f"): try literal("false")
            case UInt8(ascii: "n"): try literal("null")
            default: try skipNumber()
            }
        }

        /// Moves past a number without building its value. Plain numbers (an optional minus, digits, an
        /// optional fraction, at most 15 digits in all) are only scanned; anything else (an exponent, more
        /// digits, a malformed number) goes through `readNumber`, so that it is rejected exactly as a read one.
        @inline(__always) mutating func skipNumber() throws(JSONError) {
            let start = i
            var k = i
            if k < end, p[k] == UInt8(ascii: "-") { k += 1 }
            let first = k
            while k < end, p[k] >= 48, p[k] <= 57 { k += 1 }
            var digits = k - first
            var plain = digits > 0 && (p[first] != 48 || digits == 1)
            if plain, k < end, p[k] == UInt8(ascii: ".") {
                k += 1
                let f = k
                while k < end, p[k] >= 48, p[k] <= 57 { k += 1 }
                digits += k - f
                if k == f { plain = false }
            }
            if plain, digits <= 15, !(k < end && (p[k] == UInt8(ascii: "e") || p[k] == UInt8(ascii: "E"))) {
                i = k
                return
            }
            i = start
            _ = try readNumber()
        }
    }
}
