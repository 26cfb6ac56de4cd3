import XCTest
@testable import StreamSQL

final class RegexTests: XCTestCase {
    /// Expectations are Go `regexp` (RE2) results: FindString, or nil when there is no match.
    func testFirstMatchAgainstRE2() throws {
        let table: [(String, String, String?)] = [
            ("a+", "baaac", "aaa"), ("a|ab", "ab", "a"), ("ab|a", "ab", "ab"), ("a*?b", "aaab", "aaab"),
            ("a+?", "aaa", "a"), ("a{2}", "aaaa", "aa"), ("a{2,3}", "aaaa", "aaa"), ("a{2,}", "aaaaa", "aaaaa"),
            ("a{2,3}?", "aaaa", "aa"), ("[a-c]+", "xxabcabd", "abcab"), ("[^a-c]+", "abxyzc", "xyz"),
            ("\\d+", "ab123c", "123"), ("\\w+", "  hi_9 ", "hi_9"), ("\\s+", "a \t b", " \t "),
            ("\\bfoo\\b", "afoo foo", "foo"), ("^abc", "xabc", nil), ("abc$", "abc\n", nil),
            ("(?m)abc$", "abc\nx", "abc"), ("(?i)HeLLo", "say hello", "hello"), ("(?s)a.b", "a\nb", "a\nb"),
            ("a.b", "a\nb", nil), ("(?:ab)+", "ababx", "abab"), ("(?P<x>b+)", "abbc", "bb"), ("\\Aab", "ab", "ab"),
            ("x*", "abc", ""), ("(a+)+$", "aaab", nil), ("[[:digit:]]+", "a42", "42"), ("a\\.b", "a.b", "a.b"),
            ("a{,2}", "a{,2}", "a{,2}"), ("(?i)[a-c]+", "xABc", "ABc"), ("é+", "aééb", "éé"),
        ]
        for (p, s, want) in table {
            let re = try Regex(p)
            XCTAssertEqual(re.firstMatch(s), want, "\(p) on \(s)")
        }
    }

    func testReplaceAndCountAgainstRE2() throws {
        XCTAssertEqual(try Regex("a(b*)").replaceAll("abbcab", with: "[$1]"), "[bb]c[b]")
        XCTAssertEqual(try Regex("(?P<w>\\w+)").replaceAll("hi yo", with: "${w}!"), "hi! yo!")
        XCTAssertEqual(try Regex("a*").replaceAll("baaac", with: "-"), "-b-c-")
        XCTAssertEqual(try Regex("x").replaceAll("axb", with: "$$"), "a$b")
        XCTAssertEqual(try Regex("(a)").replaceAll("a", with: "$1x"), "")  // Go reads the name "1x"
        XCTAssertEqual(try Regex("a*").count("baaac"), 3)
        XCTAssertEqual(try Regex("o").count("foo boo"), 4)
    }

    func testBacktrackingPatternIsLinear() throws {
        let s = String(repeating: "a", count: 100_000) + "!"
        XCTAssertFalse(try Regex("(a+)+$").matches(s))
    }

    func testDeepNestingAndHugeRepeatsAreRefused() {
        let deep = String(repeating: "(", count: 100_000) + "a" + String(repeating: ")", count: 100_000)
        XCTAssertThrowsError(try Regex(deep))
        XCTAssertThrowsError(try Regex("a{1000}{1000}"))
        XCTAssertThrowsError(try Regex("(a{1000}){1000}"))
        XCTAssertThrowsError(try Regex("a{1001}"))
        XCTAssertThrowsError(try Regex("(ab"))
        XCTAssertThrowsError(try Regex("*a"))
    }

    func testFunctionsUseTheMatcher() throws {
        let f = try XCTUnwrap(StringFunctions.all.first { $0.name == "regexp_matches" })
        guard case .binary(let m) = f.impl else { return XCTFail("binary") }
        XCTAssertEqual(m(.string(String(repeating: "a", count: 50_000) + "!"), .string("(a+)+$")), .bool(false))
        XCTAssertEqual(m(.string("x"), .string("(")), .null)
    }
}
