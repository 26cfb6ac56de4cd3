import ArgumentParser
import Foundation
import StreamSQL
import StreamSQLConformance

/// `streamsql conformance FILE.jsonl [--only ID]`: runs conformance vectors and prints a diff for
/// each failure, then `N passed, M failed, K skipped`. Exits non-zero on any failure.
struct ConformanceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conformance",
        abstract: "Run conformance vectors (JSON Lines, one case per line) and report the result.")

    @Argument(help: "The vector file.")
    var file: String

    @Option(help: "Run only the vector with this id.")
    var only: String?

    @Flag(help: "Also list every passed and skipped vector.")
    var verbose = false

    func run() throws {
        guard let data = FileManager.default.contents(atPath: file) else {
            warn("cannot read \(file)")
            throw ExitCode(2)
        }
        let cases: [ConformanceCase]
        do {
            cases = try ConformanceRunner.load(String(decoding: data, as: UTF8.self))
        } catch {
            warn("\(file): \(error.description)")
            throw ExitCode(2)
        }
        let selected = only.map { id in cases.filter { $0.id == id } } ?? cases
        if let only, selected.isEmpty {
            warn("no vector with id \(only)")
            throw ExitCode(2)
        }
        var passed = 0, failed = 0, skipped = 0
        var skipsByFeature: [String: [String]] = [:]
        for c in selected {
            switch ConformanceRunner.run(c) {
            case .passed:
                passed += 1
                if verbose { print("PASS \(c.id)") }
            case .failed(let why):
                failed += 1
                print("FAIL \(c.id)\n  sql: \(c.sql.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " "))\n  \(why)")
            case .skipped(let feature):
                skipped += 1
                skipsByFeature[feature, default: []].append(c.id)
                if verbose { print("SKIP \(c.id): \(feature)") }
            }
        }
        if !skipsByFeature.isEmpty {
            print("skipped by feature:")
            for (f, ids) in skipsByFeature.sorted(by: { $0.value.count > $1.value.count }) {
                print("  \(ids.count) × \(f)")
            }
        }
        print("\(passed) passed, \(failed) failed, \(skipped) skipped")
        if failed > 0 { throw ExitCode(1) }
    }
}
