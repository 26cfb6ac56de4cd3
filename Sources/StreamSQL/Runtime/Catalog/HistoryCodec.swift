import OrderedCollections

/// A compact byte form of events emitted as dictionaries, for `StreamHistory`: a tag byte per value, numbers
/// as their 8 bytes, strings as a length (LEB128) and their UTF-8 bytes. An event starts with a shape
/// number: 1 + the index of its key list in the history's table of key lists (producers send the same keys
/// in the same order, so an event names its keys with one byte and they are compared, not written), or 0
/// when the keys follow inline (count, then key and value in turn). Writing it costs a copy of the bytes,
/// where JSON text would format every number (measured: JSON doubled the instructions per event of
/// `engine.emitSync(dict)`).
enum HistoryCodec {
    fileprivate enum Tag: UInt8 { case null, no, yes, int, double, string, timestamp, array, object }
    /// Deeper values are kept as NULL (events read from JSON are bounded well below this).
    static let maxDepth = 200
    /// Key lists a history names before it writes keys inline.
    static let maxShapes = 1024

    /// The inline form of an event (no key-list table).
    static func write(_ event: OrderedDictionary<String, Value>, into out: inout [UInt8]) {
        var e = Encoder(namesShapes: false)
        e.encode(event)
        out.append(contentsOf: e.written)
        e.deallocate()
    }

    /// Writes events into a buffer of its own, reused from one event to the next, naming their key lists.
    /// Its owner calls `deallocate`.
    struct Encoder {
        private var base: UnsafeMutablePointer<UInt8>
        private var count = 0
        private var capacity: Int
        private let namesShapes: Bool
        private(set) var shapes: [[String]] = []
        private var shapeNumbers: [[String]: Int] = [:]
        private var lastKeys: [String] = []
        private var lastShape = 0
        private(set) var shapeBytes = 0

        init(namesShapes: Bool = true) {
            capacity = 256
            base = .allocate(capacity: capacity)
            self.namesShapes = namesShapes
        }

        func deallocate() { base.deallocate() }

        /// The last event's bytes (valid until the next `encode`).
        var written: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: count) }

        mutating func encode(_ event: OrderedDictionary<String, Value>) {
            count = 0
            let ks = event.keys.elements
            if namesShapes && sameKeys(ks) {
                writeLength(lastShape + 1)
            } else if namesShapes, let n = shapeNumber(ks) {
                lastKeys = ks
                lastShape = n
                writeLength(n + 1)
            } else {
                writeLength(0)
                writeLength(ks.count)
                for (k, v) in event {
                    writeString(k)
                    write(v, depth: 1)
                }
                return
            }
            event.values.elements.withUnsafeBufferPointer { vs in
                for i in vs.indices { writeField(vs[i]) }
            }
        }

        /// A field's value: numbers and NULL written here, in line (most fields), the rest by `write`.
        @inline(__always) private mutating func writeField(_ v: Value) {
            switch v {
            case .double(let d): word(.double, d.bitPattern)
            case .int(let i): word(.int, UInt64(bitPattern: i))
            case .null: byte(Tag.null.rawValue)
            default: write(v, depth: 1)
            }
        }

        @inline(__always) private func sameKeys(_ ks: [String]) -> Bool {
            guard ks.count == lastKeys.count, !ks.isEmpty else { return false }
            for i in 0..<ks.count where ks[i] != lastKeys[i] { return false }
            return true
        }

        @inline(never) private mutating func shapeNumber(_ ks: [String]) -> Int? {
            if let n = shapeNumbers[ks] { return n }
            guard shapes.count < HistoryCodec.maxShapes else { return nil }
            shapes.append(ks)
            shapeNumbers[ks] = shapes.count - 1
            shapeBytes += ks.reduce(64) { $0 + 16 + $1.utf8.count }
            return shapes.count - 1
        }

        @inline(__always) private mutating func reserve(_ n: Int) {
            if count + n > capacity { grow(n) }
        }

        @inline(never) private mutating func grow(_ n: Int) {
            let c = max(capacity * 2, count + n)
            let b = UnsafeMutablePointer<UInt8>.allocate(capacity: c)
            b.update(from: base, count: count)
            base.deallocate()
            (base, capacity) = (b, c)
        }

        @inline(__always) private mutating func byte(_ b: UInt8) {
            reserve(1)
            base[count] = b
            count += 1
        }

        @inline(__always) private mutating func word(_ tag: Tag, _ w: UInt64) {
            reserve(9)
            base[count] = tag.rawValue
            UnsafeMutableRawPointer(base + count + 1).storeBytes(of: w.littleEndian, as: UInt64.self)
            count += 9
        }

        private mutating func write(_ v: Value, depth: Int) {
            switch v {
            case .null: byte(Tag.null.rawValue)
            case .bool(let b): byte(b ? Tag.yes.rawValue : Tag.no.rawValue)
            case .int(let i): word(.int, UInt64(bitPattern: i))
            case .double(let d): word(.double, d.bitPattern)
            case .timestamp(let t): word(.timestamp, UInt64(bitPattern: t))
            case .string(let s): byte(Tag.string.rawValue); writeString(s)
            case .array(let xs):
                guard depth < maxDepth else { return byte(Tag.null.rawValue) }
                byte(Tag.array.rawValue)
                writeLength(xs.count)
                for x in xs { write(x, depth: depth + 1) }
            case .object(let o):
                guard depth < maxDepth else { return byte(Tag.null.rawValue) }
                byte(Tag.object.rawValue)
                writeLength(o.count)
                for (k, x) in o {
                    writeString(k)
                    write(x, depth: depth + 1)
                }
            }
        }

        @inline(__always) private mutating func writeLength(_ n: Int) {
            reserve(10)
            var n = UInt(n)
            while n >= 0x80 {
                base[count] = UInt8(truncatingIfNeeded: n) | 0x80
                count += 1
                n >>= 7
            }
            base[count] = UInt8(n)
            count += 1
        }

        @inline(__always) private mutating func writeString(_ s: String) {
            var s = s
            s.withUTF8 { b in
                writeLength(b.count)
                reserve(b.count)
                if let src = b.baseAddress { (base + count).update(from: src, count: b.count) }
                count += b.count
            }
        }
    }

    /// The event written by `write` or an `Encoder` whose key lists are `shapes`; nil when the bytes are
    /// not such an event.
    static func read(_ bytes: UnsafeBufferPointer<UInt8>, shapes: [[String]] = []) -> OrderedDictionary<String, Value>? {
        var r = Reader(bytes: bytes)
        guard let shape = r.length(atMost: shapes.count) else { return nil }
        if shape > 0 {
            guard shape <= shapes.count else { return nil }
            let keys = shapes[shape - 1]
            var o = OrderedDictionary<String, Value>(minimumCapacity: keys.count)
            for k in keys {
                guard let v = r.value(depth: 1) else { return nil }
                o[k] = v
            }
            return o
        }
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

        /// A length or count (at most the bytes' count: each needs a byte at least), or a number up to `limit`.
        mutating func length(atMost limit: Int? = nil) -> Int? {
            var n: UInt = 0, shift: UInt = 0
            while let b = byte() {
                guard shift < 63 else { return nil }
                n |= UInt(b & 0x7F) << shift
                if b < 0x80 { return n <= UInt(limit ?? bytes.count) ? Int(n) : nil }
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
