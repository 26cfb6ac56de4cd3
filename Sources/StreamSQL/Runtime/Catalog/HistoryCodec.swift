import OrderedCollections

/// A compact byte form of events emitted as dictionaries, for `StreamHistory`: a tag byte per value, numbers
/// as their 8 bytes, strings and keys as a length (LEB128) and their UTF-8 bytes. Writing it costs a copy
/// of the bytes, where JSON text would format every number (measured: JSON doubled the instructions per
/// event of `engine.emitSync(dict)`).
enum HistoryCodec {
    private enum Tag: UInt8 { case null, no, yes, int, double, string, timestamp, array, object }
    /// Deeper values are kept as NULL (events read from JSON are bounded well below this).
    static let maxDepth = 200

    static func write(_ event: OrderedDictionary<String, Value>, into out: inout [UInt8]) {
        writeLength(event.count, into: &out)
        for (k, v) in event {
            writeString(k, into: &out)
            write(v, depth: 1, into: &out)
        }
    }

    private static func write(_ v: Value, depth: Int, into out: inout [UInt8]) {
        switch v {
        case .null: out.append(Tag.null.rawValue)
        case .bool(let b): out.append(b ? Tag.yes.rawValue : Tag.no.rawValue)
        case .int(let i): out.append(Tag.int.rawValue); writeWord(UInt64(bitPattern: i), into: &out)
        case .double(let d): out.append(Tag.double.rawValue); writeWord(d.bitPattern, into: &out)
        case .timestamp(let t): out.append(Tag.timestamp.rawValue); writeWord(UInt64(bitPattern: t), into: &out)
        case .string(let s): out.append(Tag.string.rawValue); writeString(s, into: &out)
        case .array(let xs):
            guard depth < maxDepth else { return out.append(Tag.null.rawValue) }
            out.append(Tag.array.rawValue)
            writeLength(xs.count, into: &out)
            for x in xs { write(x, depth: depth + 1, into: &out) }
        case .object(let o):
            guard depth < maxDepth else { return out.append(Tag.null.rawValue) }
            out.append(Tag.object.rawValue)
            writeLength(o.count, into: &out)
            for (k, x) in o {
                writeString(k, into: &out)
                write(x, depth: depth + 1, into: &out)
            }
        }
    }

    @inline(__always) private static func writeWord(_ w: UInt64, into out: inout [UInt8]) {
        withUnsafeBytes(of: w.littleEndian) { out.append(contentsOf: $0) }
    }

    @inline(__always) private static func writeLength(_ n: Int, into out: inout [UInt8]) {
        var n = UInt(n)
        while n >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: n) | 0x80)
            n >>= 7
        }
        out.append(UInt8(n))
    }

    @inline(__always) private static func writeString(_ s: String, into out: inout [UInt8]) {
        var s = s
        s.withUTF8 { b in
            writeLength(b.count, into: &out)
            out.append(contentsOf: b)
        }
    }

    /// The event written by `write`; nil when the bytes are not such an event.
    static func read(_ bytes: UnsafeBufferPointer<UInt8>) -> OrderedDictionary<String, Value>? {
        var r = Reader(bytes: bytes)
        guard let n = r.length() else { return nil }
        var o = OrderedDictionary<String, Value>(minimumCapacity: min(n, bytes.count))
        for _ in 0..<n {
            guard let k = r.string(), let v = r.value(depth: 1) else { return nil }
            o[k] = v
        }
        return o
    }

    private struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var i = 0

        mutating func byte() -> UInt8? {
            guard i < bytes.count else { return nil }
            defer { i += 1 }
            return bytes[i]
        }

        mutating func length() -> Int? {
            var n: UInt = 0, shift: UInt = 0
            while let b = byte() {
                guard shift < 63 else { return nil }
                n |= UInt(b & 0x7F) << shift
                if b < 0x80 { return n <= UInt(bytes.count) ? Int(n) : nil }
                shift += 7
            }
            return nil
        }

        mutating func word() -> UInt64? {
            guard bytes.count - i >= 8 else { return nil }
            var w: UInt64 = 0
            for k in 0..<8 { w |= UInt64(bytes[i + k]) << (8 * UInt64(k)) }
            i += 8
            return w
        }

        mutating func string() -> String? {
            guard let n = length(), bytes.count - i >= n else { return nil }
            defer { i += n }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[i..<(i + n)]), as: UTF8.self)
        }

        mutating func value(depth: Int) -> Value? {
            guard depth <= HistoryCodec.maxDepth, let t = byte().flatMap(Tag.init(rawValue:)) else { return nil }
            switch t {
            case .null: return .null
            case .no: return .bool(false)
            case .yes: return .bool(true)
            case .int: return word().map { .int(Int64(bitPattern: $0)) }
            case .double: return word().map { .double(Double(bitPattern: $0)) }
            case .timestamp: return word().map { .timestamp(Int64(bitPattern: $0)) }
            case .string: return string().map(Value.string)
            case .array:
                guard let n = length() else { return nil }
                var xs: [Value] = []
                xs.reserveCapacity(n)
                for _ in 0..<n {
                    guard let x = value(depth: depth + 1) else { return nil }
                    xs.append(x)
                }
                return .array(xs)
            case .object:
                guard let n = length() else { return nil }
                var o = OrderedDictionary<String, Value>()
                for _ in 0..<n {
                    guard let k = string(), let x = value(depth: depth + 1) else { return nil }
                    o[k] = x
                }
                return .object(o)
            }
        }
    }
}
