import XCTest
@testable import StreamSQL

/// `KeyMap` is the hash table behind group keys, partitions and join indexes: it must agree with
/// `Dictionary` over the same operations, and with `Value`'s equality.
final class KeyMapTests: XCTestCase {
    /// Random appends, lookups and removals (which shift probe runs back and move the last entry)
    /// against a Dictionary, on few distinct keys so that runs collide and wrap.
    func testAgreesWithDictionaryUnderRandomOperations() {
        var rng = SplitMix64(seed: 11)
        for round in 0..<200 {
            let map = KeyMap<Int>()
            var reference: [GroupKey: Int] = [:]
            let universe = 1 + Int(rng.next() % 300)
            for step in 0..<2_000 {
                let k = Int(rng.next() % UInt64(universe))
                let key: GroupKey = k % 3 == 0 ? .many([.string("k\(k)"), .int(Int64(k))]) : .one(k % 2 == 0 ? .int(Int64(k)) : .string("key-\(k)"))
                switch rng.next() % 4 {
                case 0, 1:
                    if reference[key] == nil {
                        map.append(key, step)
                        reference[key] = step
                    } else {
                        map.set(key, step)
                        reference[key] = step
                    }
                case 2:
                    XCTAssertEqual(map.removeValue(forKey: key), reference.removeValue(forKey: key), "round \(round) step \(step)")
                default:
                    XCTAssertEqual(map[key], reference[key], "round \(round) step \(step)")
                }
                XCTAssertEqual(map.count, reference.count)
            }
            // Every entry is findable at its position, and positions are dense.
            for (i, key) in map.keys.enumerated() {
                XCTAssertEqual(map.position(of: key), i)
                XCTAssertEqual(map[position: i], reference[key])
            }
            XCTAssertEqual(Set(map.keys), Set(reference.keys))
        }
    }

    /// Strings from pieces that are canonically equivalent in different spellings (precomposed and
    /// combining accents, KELVIN SIGN and K, GREEK QUESTION MARK and ';'), against Dictionary, which
    /// uses Swift's own string equality and hash.
    func testUnicodeKeysAgreeWithDictionary() {
        let pieces = ["K", "\u{212A}", "e", "\u{301}", "\u{E9}", ";", "\u{37E}", "华", "`", "\u{1FEF}", "a"]
        var rng = SplitMix64(seed: 5)
        let map = KeyMap<Int>()
        var reference: [String: Int] = [:]
        for step in 0..<20_000 {
            let n = 1 + Int(rng.next() % 4)
            let text = (0..<n).map { _ in pieces[Int(rng.next() % UInt64(pieces.count))] }.joined()
            if reference[text] == nil {
                XCTAssertNil(map[.one(.string(text))], text)
                reference[text] = step
                map.append(.one(.string(text)), step)
            } else {
                XCTAssertEqual(map[.one(.string(text))], reference[text], text)
            }
        }
        XCTAssertEqual(map.count, reference.count)
    }

    /// Keys that `Value` calls equal are one key: an int and the float of the same number, 0 and -0,
    /// and strings in different Unicode normal forms.
    func testEqualValuesAreOneKey() {
        let map = KeyMap<String>()
        map.append(.one(.int(42)), "int")
        XCTAssertEqual(map.position(ofOne: .double(42)), 0)
        XCTAssertEqual(map[.one(.double(42))], "int")
        map.append(.one(.double(0)), "zero")
        XCTAssertEqual(map[.one(.double(-0.0))], "zero")
        XCTAssertEqual(map[.one(.int(0))], "zero")
        map.append(.one(.string("caf\u{E9}")), "composed")
        XCTAssertEqual(map.position(ofOne: .string("cafe\u{301}")), 2, "canonically equivalent strings are equal in Swift")
        XCTAssertNil(map.position(ofOne: .string("cafe")))
        // Scalars whose canonical form is ASCII equal that ASCII text (KELVIN SIGN is "K").
        map.append(.one(.string("5K;`")), "ascii")
        XCTAssertEqual(map[.one(.string("5\u{212A}\u{037E}\u{1FEF}"))], "ascii")
        map.append(.one(.string("\u{212A}elvin 华东")), "mixed")
        XCTAssertEqual(map[.one(.string("Kelvin 华东"))], "mixed")
        XCTAssertNil(map.position(ofOne: .string("42")), "a string is not the number it spells")
        map.append(.one(.null), "null")
        XCTAssertEqual(map[.one(.null)], "null")
        XCTAssertNil(map[.none])
        map.append(.many([.int(1), .string("a")]), "pair")
        XCTAssertEqual(map[.many([.double(1), .string("a")])], "pair")
        XCTAssertNil(map[.many([.string("a"), .int(1)])])
    }

    func testGrowsPastManyKeysAndEmpties() {
        let map = KeyMap<Int>()
        for i in 0..<100_000 { map.append(.one(.string("device-\(i)")), i) }
        XCTAssertEqual(map.count, 100_000)
        for i in stride(from: 0, to: 100_000, by: 997) { XCTAssertEqual(map[.one(.string("device-\(i)"))], i) }
        let copy = map.copy()
        map.removeAll()
        XCTAssertTrue(map.isEmpty)
        XCTAssertNil(map.position(ofOne: .string("device-5")))
        XCTAssertEqual(copy[.one(.string("device-5"))], 5, "a copy keeps its entries")
        map.append(.one(.string("device-5")), 7)
        XCTAssertEqual(map.position(ofOne: .string("device-5")), 0)
    }
}
