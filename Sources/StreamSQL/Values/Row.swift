import Foundation
import OrderedCollections

/// One event inside the engine: its fields as slots, indexed by positions a `FieldLayout` assigned at
/// plan time. Expressions read `row[slot]` and never look a name up per event.
public struct Row: Sendable {
    public var slots: ContiguousArray<Value>
    /// The whole event in its own key order, kept only when some query needs it (`SELECT *`).
    public var whole: OrderedDictionary<String, Value>?

    @inlinable public init(width: Int) {
        slots = Row.nulls(width)
        whole = nil
    }

    /// `width` NULLs. Not `ContiguousArray(repeating:count:)`: that allocates through the standard
    /// library's unspecialised entry point, which looks the storage type up at run time (measured: about
    /// 360 instructions per row, more than the rest of a filter query); `reserveCapacity` is specialised.
    @inlinable static func nulls(_ width: Int) -> ContiguousArray<Value> {
        var s = ContiguousArray<Value>()
        s.reserveCapacity(width)
        for _ in 0..<width { s.append(.null) }
        return s
    }

    @inlinable public init(slots: ContiguousArray<Value>, whole: OrderedDictionary<String, Value>? = nil) {
        self.slots = slots
        self.whole = whole
    }

    /// Makes the row `width` NULL slots with no whole event again, keeping its storage when no one else
    /// holds it (a batch's rows are reused this way instead of allocated per event).
    @inlinable public mutating func reset(width: Int) {
        whole = nil
        guard slots.count == width else {
            slots = Row.nulls(width)
            return
        }
        slots.withUnsafeMutableBufferPointer { b in
            for k in b.indices { b[k] = .null }
        }
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
    // All names' UTF-8 bytes back to back; name i is at nameStart[i] ..< nameStart[i + 1].
    private let nameBytes: [UInt8]
    private let nameStart: [Int]

    public init(names: [String], keepsWholeEvent: Bool) {
        self.names = names
        self.keepsWholeEvent = keepsWholeEvent
        var idx: [String: Int] = [:]
        for (i, n) in names.enumerated() { idx[n] = i }
        index = idx
        let utf8Names = names.map { Array($0.utf8) }
        var starts = [0]
        for n in utf8Names { starts.append(starts.last! + n.count) }
        nameBytes = utf8Names.flatMap { $0 }
        nameStart = starts
        var size = 8
        while size < names.count * 4 { size <<= 1 }
        mask = size - 1
        var t = [Int32](repeating: -1, count: size)
        for (i, n) in utf8Names.enumerated() {
            var h = n.withUnsafeBufferPointer { FieldLayout.hash($0.baseAddress, $0.count) } & (size - 1)
            while t[h] >= 0 { h = (h + 1) & (size - 1) }
            t[h] = Int32(i)
        }
        table = t
    }

    public static let empty = FieldLayout(names: [], keepsWholeEvent: false)

    public var count: Int { names.count }

    public func slot(of name: String) -> Int? { index[name] }

    @inline(__always) static func hash(_ p: UnsafePointer<UInt8>?, _ n: Int) -> Int {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        if let p { for i in 0..<n { h = (h ^ UInt64(p[i])) &* 0x100_0000_01b3 } }
        return Int(truncatingIfNeeded: h ^ (h >> 29))
    }

    /// The slot of the field whose name is the `count` bytes at `p`, without building a String.
    @inline(__always) func slot(bytes p: UnsafePointer<UInt8>, count: Int) -> Int? {
        if names.isEmpty { return nil }
        var h = FieldLayout.hash(p, count) & mask
        return nameBytes.withUnsafeBufferPointer { nb -> Int? in
            while true {
                let s = Int(table[h])
                if s < 0 { return nil }
                let start = nameStart[s]
                if nameStart[s + 1] - start == count && (count == 0 || memcmp(nb.baseAddress! + start, p, count) == 0) { return s }
                h = (h + 1) & mask
            }
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
            // The byte table, not `index`: hashing a String's bytes with FNV-1a costs a fraction of `Hasher`.
            var key = k
            let s = key.withUTF8 { b -> Int? in
                guard let p = b.baseAddress else { return index[k] }
                return slot(bytes: p, count: b.count)
            }
            if let s { row.slots[s] = v }
        }
        if keepsWholeEvent { row.whole = event }
        return row
    }
}
