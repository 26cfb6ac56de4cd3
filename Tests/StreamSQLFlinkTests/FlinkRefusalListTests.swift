import Foundation
import XCTest
import StreamSQLFlink

/// docs/FLINK.md's list of refused constructs is exactly what the translator refuses: every `refuse("…")` in
/// Sources/StreamSQLFlink (an interpolated name or value written `…`), with the functions refused by name
/// spelt out from the translator's tables. A refusal added or removed without the docs fails here.
final class FlinkRefusalListTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The refusals in the translator's source, as the docs list them.
    static func refusals() throws -> Set<String> {
        let dir = root.appendingPathComponent("Sources/StreamSQLFlink")
        let call = try NSRegularExpression(pattern: #"refuse\("((?:[^"\\]|\\\((?:[^()]|\([^()]*\))*\)|\\.)*)""#)
        let interpolation = try NSRegularExpression(pattern: #"\\\((?:[^()]|\([^()]*\))*\)"#)
        var found = Set<String>()
        for file in try FileManager.default.contentsOfDirectory(atPath: dir.path) where file.hasSuffix(".swift") {
            let text = try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)
            for m in call.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                guard let r = Range(m.range(at: 1), in: text) else { continue }
                let literal = String(text[r])
                found.insert(interpolation.stringByReplacingMatches(in: literal, range: NSRange(literal.startIndex..., in: literal), withTemplate: "…"))
            }
        }
        // Refusals by name: one entry per name in the translator's tables.
        if found.remove("…(…)") != nil { found.formUnion(FlinkTranslator.refusedFunctions.map { "\($0)(…)" }) }
        if found.remove("…()") != nil { found.formUnion(FlinkTranslator.refusedPatternFunctions.map { "\($0.uppercased())()" }) }
        return found
    }

    /// The bullets between the refusal markers of docs/FLINK.md (the text before ` — `, without backquotes).
    static func documented() throws -> [String] {
        let text = try String(contentsOf: root.appendingPathComponent("docs/FLINK.md"), encoding: .utf8)
        guard let a = text.range(of: "<!-- refusals:begin -->"), let b = text.range(of: "<!-- refusals:end -->") else { return [] }
        return text[a.upperBound..<b.lowerBound].split(separator: "\n").compactMap { line in
            guard line.hasPrefix("- ") else { return nil }
            let item = line.dropFirst(2).components(separatedBy: " — ")[0]
            return item.replacingOccurrences(of: "`", with: "")
        }
    }

    func testTheDocumentedRefusalsAreExactlyTheTranslatorsRefusals() throws {
        let source = try Self.refusals()
        let docs = try Self.documented()
        XCTAssertGreaterThan(source.count, 30, "the extraction found the refusals")
        XCTAssertEqual(docs.count, Set(docs).count, "each refusal is listed once")
        XCTAssertEqual(Set(docs).subtracting(source).sorted(), [], "listed in docs/FLINK.md but not refused by the translator")
        XCTAssertEqual(source.subtracting(docs).sorted(), [], "refused by the translator but missing from docs/FLINK.md")
    }
}
