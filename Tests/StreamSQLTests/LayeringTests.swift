import Foundation
import XCTest

/// The engine's folders are layers: no folder reaches a type of a folder that reaches back (no cycle),
/// and no source file passes 600 lines. A folder "reaches" another when one of its files names a type
/// declared at the top level of the other's files.
final class LayeringTests: XCTestCase {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Sources").standardizedFileURL

    func swiftFiles(under dir: URL) -> [(folder: String, name: String, text: String)] {
        guard let walker = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: nil) else { return [] }
        var out: [(String, String, String)] = []
        for case let url as URL in walker where url.pathExtension == "swift" {
            guard let text = try? String(contentsOf: url, encoding: .utf8) else { continue }
            let folder = url.deletingLastPathComponent().path.replacingOccurrences(of: dir.path, with: "")
            out.append((folder.isEmpty ? "/" : folder, url.lastPathComponent, text))
        }
        return out
    }

    func testEngineFoldersHaveNoCycle() throws {
        let files = swiftFiles(under: Self.sources.appendingPathComponent("StreamSQL"))
        XCTAssertGreaterThan(files.count, 50, "found the engine's sources at \(Self.sources.path)")
        let declaration = try NSRegularExpression(
            pattern: #"^(?:public |internal |private |fileprivate |final |indirect )*(?:class|struct|enum|protocol|typealias|actor)\s+([A-Z]\w*)"#,
            options: [.anchorsMatchLines])
        let identifier = try NSRegularExpression(pattern: #"\b[A-Z]\w*\b"#)
        var home: [String: String] = [:]
        for f in files {
            for m in declaration.matches(in: f.text, range: NSRange(f.text.startIndex..., in: f.text)) {
                if let r = Range(m.range(at: 1), in: f.text) { home[String(f.text[r])] = f.folder }
            }
        }
        var edges: [String: Set<String>] = [:]
        var because: [String: String] = [:]
        for f in files {
            let code = f.text.split(separator: "\n").map { $0.split(separator: "//", maxSplits: 1, omittingEmptySubsequences: false).first ?? "" }
                .joined(separator: "\n")
            for m in identifier.matches(in: code, range: NSRange(code.startIndex..., in: code)) {
                guard let r = Range(m.range, in: code), let to = home[String(code[r])], to != f.folder else { continue }
                if edges[f.folder, default: []].insert(to).inserted { because["\(f.folder) → \(to)"] = "\(f.name) names \(code[r])" }
            }
        }
        // A cycle exists when some folder reaches itself.
        for start in edges.keys.sorted() {
            var seen: Set<String> = []
            var stack: [(String, [String])] = [(start, [start])]
            while let (node, path) = stack.popLast() {
                for next in edges[node, default: []].sorted() {
                    if next == start {
                        let steps = zip(path, path.dropFirst() + [start]).map { "\($0) → \($1) (\(because["\($0) → \($1)"] ?? ""))" }
                        return XCTFail("folder cycle: " + steps.joined(separator: "; "))
                    }
                    if seen.insert(next).inserted { stack.append((next, path + [next])) }
                }
            }
        }
    }

    func testNoSourceFileIsOver600Lines() {
        for target in ["StreamSQL", "StreamSQLFlink", "StreamSQLConformance", "StreamSQLShell", "StreamSQLScenarios", "streamsql"] {
            for f in swiftFiles(under: Self.sources.appendingPathComponent(target)) {
                let lines = f.text.split(separator: "\n", omittingEmptySubsequences: false).count
                XCTAssertLessThanOrEqual(lines, 600, "\(target)\(f.folder)/\(f.name) has \(lines) lines")
            }
        }
    }
}
