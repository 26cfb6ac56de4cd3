/// A hash map from group keys to elements, for the per-event key lookups of windows, partitions and
/// joins: open addressing with linear probing over a power-of-two slot array, entries kept densely
/// in insertion order (position `i` is the `i`-th live entry), and a cheap non-cryptographic hash
/// of the key's value (`KeyHash`) instead of `Hasher`'s SipHash.
///
/// A class with its storage behind pointers, so that a lookup from an operator's hot path copies
/// nothing and counts no references. Equality is `Value`'s (an int equals the float of the same
/// number), and the hash agrees with it. Removing an entry moves the last entry into its position
/// (O(1)); positions are otherwise stable. Not thread-safe: one owner mutates it (`copy()` gives a
/// new owner its own).
///
/// - Complexity: O(1) expected per lookup, insert and remove.
final class KeyMap<Element> {
    private var keyStore: UnsafeMutablePointer<GroupKey>
    private var valueStore: UnsafeMutablePointer<Element>
    private var hashes: UnsafeMutablePointer<UInt64>
    /// Entry position + 1 per slot; 0 marks an empty slot.
    private var slots: UnsafeMutablePointer<Int32>
    private var mask: Int
    private(set) var count = 0

    init() {
        mask = 15
        slots = .allocate(capacity: 16)
        slots.initialize(repeating: 0, count: 16)
        keyStore = .allocate(capacity: 12)
        valueStore = .allocate(capacity: 12)
        hashes = .allocate(capacity: 12)
    }

    deinit {
        keyStore.deinitialize(count: count); keyStore.deallocate()
        valueStore.deinitialize(count: count); valueStore.deallocate()
        hashes.deallocate()
        slots.deallocate()
    }

    /// A map with the same entries that this one's later changes do not affect.
    func copy() -> KeyMap {
        let m = KeyMap()
        for i in 0..<count { m.append(keyStore[i], valueStore[i]) }
        return m
    }

    var isEmpty: Bool { count == 0 }
    /// Entry capacity before the slots grow (load factor 3/4).
    private var entryCapacity: Int { (mask + 1) / 4 * 3 }

    @inline(__always) func key(at i: Int) -> GroupKey { keyStore[i] }
    var keys: [GroupKey] { Array(UnsafeBufferPointer(start: keyStore, count: count)) }
    var values: [Element] { Array(UnsafeBufferPointer(start: valueStore, count: count)) }

    /// The position of `key`'s entry, if present.
    @inline(__always) func position(of key: GroupKey) -> Int? {
        find(key, KeyHash.of(key)).entry
    }

    /// The position of the single-value key `.one(value)`, without building the key.
    @inline(__always) func position(ofOne value: Value) -> Int? {
        let h = KeyHash.of(value)
        var s = Int(truncatingIfNeeded: h) & mask
        while true {
            let e = Int(slots[s]) - 1
            if e < 0 { return nil }
            if hashes[e] == h, case .one(let k) = keyStore[e], k == value { return e }
            s = (s + 1) & mask
        }
    }

    subscript(key: GroupKey) -> Element? {
        position(of: key).map { valueStore[$0] }
    }

    /// The element at entry position `i`, replaceable in place.
    subscript(position i: Int) -> Element {
        @inline(__always) get { valueStore[i] }
        @inline(__always) set { valueStore[i] = newValue }
    }

    /// Adds `key` (which must be absent) and returns its position.
    @discardableResult
    func append(_ key: GroupKey, _ value: Element) -> Int {
        let h = KeyHash.of(key)
        if count == entryCapacity { grow() }
        var s = Int(truncatingIfNeeded: h) & mask
        while slots[s] != 0 { s = (s + 1) & mask }
        let e = count
        slots[s] = Int32(e + 1)
        (keyStore + e).initialize(to: key)
        (valueStore + e).initialize(to: value)
        hashes[e] = h
        count = e + 1
        return e
    }

    /// Sets `key`'s element, adding the key when absent.
    func set(_ key: GroupKey, _ value: Element) {
        if let e = position(of: key) { valueStore[e] = value } else { append(key, value) }
    }

    /// Appends `element` to the array of `key`, adding the key when absent (a multi-map).
    func append<E>(_ element: E, to key: GroupKey) where Element == [E] {
        if let e = position(of: key) { valueStore[e].append(element) } else { append(key, [element]) }
    }

    /// Removes `key`'s entry (the last entry takes its position) and returns its element.
    @discardableResult
    func removeValue(forKey key: GroupKey) -> Element? {
        let (entry, slot) = find(key, KeyHash.of(key))
        guard let e = entry else { return nil }
        removeSlot(slot)
        let last = count - 1
        (keyStore + e).deinitialize(count: 1)
        let removed = (valueStore + e).move()
        if e != last {
            // Point the last entry's slot at its new position, and move the entry there.
            var s = Int(truncatingIfNeeded: hashes[last]) & mask
            while Int(slots[s]) - 1 != last { s = (s + 1) & mask }
            slots[s] = Int32(e + 1)
            (keyStore + e).moveInitialize(from: keyStore + last, count: 1)
            (valueStore + e).moveInitialize(from: valueStore + last, count: 1)
            hashes[e] = hashes[last]
        }
        count = last
        return removed
    }

    func removeAll() {
        keyStore.deinitialize(count: count)
        valueStore.deinitialize(count: count)
        count = 0
        slots.update(repeating: 0, count: mask + 1)
    }

    // MARK: internals

    /// The entry holding `key` (nil when absent) and the slot where the probe stopped.
    @inline(__always) private func find(_ key: GroupKey, _ h: UInt64) -> (entry: Int?, slot: Int) {
        var s = Int(truncatingIfNeeded: h) & mask
        while true {
            let e = Int(slots[s]) - 1
            if e < 0 { return (nil, s) }
            if hashes[e] == h && keyStore[e] == key { return (e, s) }
            s = (s + 1) & mask
        }
    }

    /// Empties slot `hole` and shifts later entries of its probe run back (no tombstones).
    private func removeSlot(_ hole: Int) {
        var hole = hole
        var s = (hole + 1) & mask
        while slots[s] != 0 {
            let home = Int(truncatingIfNeeded: hashes[Int(slots[s]) - 1]) & mask
            // Move the entry back when its home is not in (hole, s] (cyclically).
            let inRun = hole <= s ? (home > hole && home <= s) : (home > hole || home <= s)
            if !inRun {
                slots[hole] = slots[s]
                hole = s
            }
            s = (s + 1) & mask
        }
        slots[hole] = 0
    }

    private func grow() {
        let size = (mask + 1) * 2
        slots.deallocate()
        slots = .allocate(capacity: size)
        slots.initialize(repeating: 0, count: size)
        mask = size - 1
        let entries = entryCapacity
        let k = UnsafeMutablePointer<GroupKey>.allocate(capacity: entries)
        k.moveInitialize(from: keyStore, count: count)
        keyStore.deallocate(); keyStore = k
        let v = UnsafeMutablePointer<Element>.allocate(capacity: entries)
        v.moveInitialize(from: valueStore, count: count)
        valueStore.deallocate(); valueStore = v
        let hs = UnsafeMutablePointer<UInt64>.allocate(capacity: entries)
        hs.update(from: hashes, count: count)
        hashes.deallocate(); hashes = hs
        for e in 0..<count {
            var s = Int(truncatingIfNeeded: hashes[e]) & mask
            while slots[s] != 0 { s = (s + 1) & mask }
            slots[s] = Int32(e + 1)
        }
    }
}

/// Shared read-only once built (a table snapshot's index); its owner alone mutates it otherwise.
extension KeyMap: @unchecked Sendable where Element: Sendable {}

/// A fast hash of values that agrees with `Value`'s equality: equal numbers hash alike whether int or
/// float, strings hash their UTF-8 bytes. Not meant to resist crafted collisions; a per-process seed
/// keeps distributions from repeating across runs.
enum KeyHash {
    private static let seed: UInt64 = UInt64.random(in: 1...UInt64.max)

    @inline(__always) static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    @inline(__always) static func of(_ key: GroupKey) -> UInt64 {
        switch key {
        case .none: return seed
        case .one(let v): return of(v)
        case .many(let vs):
            var h = seed ^ UInt64(vs.count)
            for v in vs { h = mix(h ^ of(v)) }
            return h
        }
    }

    @inline(__always) static func of(_ v: Value) -> UInt64 {
        switch v {
        case .string(let s):
            if let h = s.utf8.withContiguousStorageIfAvailable({ asciiBytes(UnsafeRawBufferPointer($0)) }), let h { return h }
            return nonASCII(s)
        case .int(let i): return number(Double(i))
        case .double(let d): return number(d)
        case .null: return mix(seed ^ 1)
        case .bool(let b): return mix(seed ^ (b ? 2 : 3))
        case .timestamp(let t): return mix(seed ^ 4 ^ UInt64(bitPattern: t))
        case .array, .object: return mix(seed ^ UInt64(bitPattern: Int64(v.hashValue)))
        }
    }

    /// Swift compares strings by canonical equivalence (NFC). Text whose NFC form is ASCII — ASCII plus
    /// the only three scalars that normalize to ASCII (U+037E → ';', U+1FEF → '`', U+212A → 'K') —
    /// hashes that ASCII form, as the equal ASCII string does; any other text takes String's own hash,
    /// which normalizes.
    @inline(never) static func nonASCII(_ s: String) -> UInt64 {
        func ascii(_ u: Unicode.Scalar) -> UInt8? {
            switch u.value {
            case 0..<0x80: return UInt8(u.value)
            case 0x37E: return 0x3B
            case 0x1FEF: return 0x60
            case 0x212A: return 0x4B
            default: return nil
            }
        }
        guard s.unicodeScalars.allSatisfy({ ascii($0) != nil }) else {
            return mix(seed ^ UInt64(bitPattern: Int64(s.hashValue)))
        }
        let bytes = s.unicodeScalars.compactMap(ascii)
        return bytes.withUnsafeBytes { asciiBytes($0) } ?? mix(seed ^ UInt64(bitPattern: Int64(s.hashValue)))
    }

    @inline(__always) private static func number(_ d: Double) -> UInt64 {
        mix(seed ^ (d == 0 ? 0 : d.bitPattern))     // 0.0 and -0.0 are equal
    }

    /// The hash of ASCII bytes; nil when any byte is not ASCII.
    @inline(__always) static func asciiBytes(_ p: UnsafeRawBufferPointer) -> UInt64? {
        var h = seed ^ (UInt64(p.count) &* 0x9E37_79B9_7F4A_7C15)
        var high: UInt64 = 0
        var i = 0
        let n = p.count
        while i + 8 <= n {
            let w = p.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            high |= w
            h = (h ^ w) &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 32
            i += 8
        }
        if i < n {
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while i < n { tail |= UInt64(p[i]) << shift; shift += 8; i += 1 }
            high |= tail
            h = (h ^ tail) &* 0xC4CE_B9FE_1A85_EC53
        }
        return high & 0x8080_8080_8080_8080 == 0 ? mix(h) : nil
    }
}
