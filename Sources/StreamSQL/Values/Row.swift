import OrderedCollections

/// One event inside the engine: its fields as slots, indexed by positions a `FieldLayout` assigned at
/// plan time. Expressions read `row[slot]` and never look a name up per event.
public struct Row: Sendable {
    public var slots: ContiguousArray<Value>
    /// The whole event in its own key order, kept only when some query needs it (`SELECT *`).
    public var whole: OrderedDictionary<String, Value>?

    @inlinable public init(width: Int) {
        slots = ContiguousArray(repeating: .null, count: width)
        whole = nil
    }

    @inlinable public init(slots: ContiguousArray<Value>, whole: OrderedDictionary<String, Value>? = nil) {
        self.slots = slots
        self.whole = whole
    }

    /// A slot that a later-registered query added is NULL in rows decoded before it existed.
    @inlinable public subscript(slot: Int) -> Value {
        slot < slots.count ? slots[slot] : .null
    }
}

/// The fields of a stream that its queries read, each with a fixed slot.
///
/// Immutable: a stream swaps in a wider layout when a query needing new fields is registered, so
/// slots only ever get appended and compiled queries stay valid.
public final class FieldLayout: Sendable {
    public let names: [String]
    public let keepsWholeEvent: Bool
    private let index: [String: Int]
    // Open-addressing table from FNV-1a hash of the name's UTF-8 bytes to slot, for decoding JSON keys
    // straight from the input buffer without building a String.
    private let table: [Int32]
    private let mask: Int
    private let utf8Names: [[UInt8]]

    public init(names: [String], keepsWholeEvent: Bool) {
        self.names = names
        self.keepsWholeEvent = keepsWholeEvent
        var idx: [String: Int] = [:]
        for (i, n) in names.enumerated() { idx[n] = i }
        index = idx
        utf8Names = names.map { Array($0.utf8) }
        var size = 8
        while size < names.count * 4 { size <<= 1 }
        mask = size - 1
        var t = [Int32](repeating: -1, count: size)
        for (i, n) in utf8Names.enumerated() {
            var h = n.withUnsafeBufferPointer { FieldLayout.hash($0) } & (size - 1)
            while t[h] >= 0 { h = (h + 1) & (size - 1) }
            t[h] = Int32(i)
        }
        table = t
    }

    public static let empty = FieldLayout(names: [], keepsWholeEvent: false)

    public var count: Int { names.count }

    public func slot(of name: String) -> Int? { index[name] }

    @inline(__always) static func hash(_ b: UnsafeBufferPointer<UInt8>) -> Int {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for c in b { h = (h ^ UInt64(c)) &* 0x100_0000_01b3 }
        return Int(truncatingIfNeeded: h ^ (h >> 29))
    }

    @inlinable func slot(bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        if names.isEmpty { return nil }
        return lookup(bytes)
    }

    @usableFromInline func lookup(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var h = FieldLayout.hash(bytes) & mask
        while true {
            let s = Int(table[h])
            if s < 0 { return nil }
            let n = utf8Names[s]
            if n.count == bytes.count && n.withUnsafeBufferPointer({ $0.elementsEqual(bytes) }) { return s }
            h = (h + 1) & mask
        }
    }

    /// This layout plus `more` names (existing slots unchanged).
    public func adding(_ more: [String], keepWhole: Bool) -> FieldLayout {
        var all = names
        for n in more where index[n] == nil && !all.contains(n) { all.append(n) }
        let whole = keepsWholeEvent || keepWhole
        if all.count == names.count && whole == keepsWholeEvent { return self }
        return FieldLayout(names: all, keepsWholeEvent: whole)
    }

    /// Decodes an event given as a dictionary (the Swift API's `emit`).
    public func row(from event: OrderedDictionary<String, Value>) -> Row {
        var row = Row(width: names.count)
        for (k, v) in event {
            if let s = index[k] { row.slots[s] = v }
        }
        if keepsWholeEvent { row.whole = event }
        return row
    }
}
