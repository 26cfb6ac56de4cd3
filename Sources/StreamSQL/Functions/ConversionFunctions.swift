import Foundation

enum ConversionFunctions {
    static func f(_ name: String, _ aliases: [String] = [], _ args: ClosedRange<Int>, _ sig: String, _ summary: String,
                  _ impl: ScalarImpl) -> FunctionInfo {
        FunctionInfo(name, aliases: aliases, category: "conversion", args: args, signature: sig, summary: summary, impl: impl)
    }

    static let all: [FunctionInfo] = [
        f("cast", [], 2...2, "cast(x, 'type')", "Convert x to int, float, string, bool or timestamp; NULL when it cannot be", .binary { v, t in
            guard let name = Fn.str(t), let ty = SQLType(name: name) else { return .null }
            return v.castNoting(to: ty)
        }),
        f("hex2dec", [], 1...1, "hex2dec(s)", "Integer from hexadecimal text", .unary { v in
            guard var s = Fn.str(v) else { return .null }
            if s.hasPrefix("0x") || s.hasPrefix("0X") { s.removeFirst(2) }
            return Int64(s, radix: 16).map(Value.int) ?? .null
        }),
        f("dec2hex", [], 1...1, "dec2hex(n)", "Hexadecimal text of an integer", .unary { v in
            Fn.int(v).map { .string(String($0, radix: 16)) } ?? .null
        }),
        f("encode", [], 2...2, "encode(s, 'base64'|'hex'|'url')", "Encode text", .binary { a, b in
            guard let s = Fn.str(a), let how = Fn.str(b) else { return .null }
            switch how.lowercased() {
            case "base64": return .string(Data(s.utf8).base64EncodedString())
            case "hex": return .string(s.utf8.map { String(format: "%02x", $0) }.joined())
            case "url": return s.addingPercentEncoding(withAllowedCharacters: .urlQueryValueAllowed).map(Value.string) ?? .null
            default: return .null
            }
        }),
        f("decode", [], 2...2, "decode(s, 'base64'|'hex'|'url')", "Decode text; NULL when malformed", .binary { a, b in
            guard let s = Fn.str(a), let how = Fn.str(b) else { return .null }
            switch how.lowercased() {
            case "base64":
                guard let d = Data(base64Encoded: s), let t = String(data: d, encoding: .utf8) else { return .null }
                return .string(t)
            case "hex":
                let u = Array(s.utf8)
                guard u.count % 2 == 0 else { return .null }
                var bytes: [UInt8] = []
                var i = 0
                while i < u.count {
                    guard let b = UInt8(String(decoding: u[i..<i + 2], as: UTF8.self), radix: 16) else { return .null }
                    bytes.append(b); i += 2
                }
                return String(validating: bytes, as: UTF8.self).map(Value.string) ?? .null
            case "url": return s.removingPercentEncoding.map(Value.string) ?? .null
            default: return .null
            }
        }),
        f("url_encode", [], 1...1, "url_encode(s)", "Percent-encode text for a URL query", .unary { v in
            Fn.str(v)?.addingPercentEncoding(withAllowedCharacters: .urlQueryValueAllowed).map(Value.string) ?? .null
        }),
        f("url_decode", [], 1...1, "url_decode(s)", "Decode percent-encoded text", .unary { v in
            Fn.str(v)?.removingPercentEncoding.map(Value.string) ?? .null
        }),
        f("chr", [], 1...1, "chr(n)", "The ASCII character with code n (0-127); NULL otherwise", .unary { v in
            guard let n = Fn.int(v), n >= 0, n < 128, let u = Unicode.Scalar(UInt32(n)) else { return .null }
            return .string(String(Character(u)))
        }),
        f("to_seconds", [], 1...1, "to_seconds(t)", "Seconds since the epoch of a date-time", .unary { v in
            v.asTimestamp.map { .int($0 / 1_000_000_000) } ?? .null
        }),
    ]
}

extension CharacterSet {
    static let urlQueryValueAllowed: CharacterSet = {
        var c = CharacterSet.alphanumerics
        c.insert(charactersIn: "-._~")
        return c
    }()
}
