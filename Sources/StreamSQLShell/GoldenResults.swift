import Foundation
import OrderedCollections
import StreamSQL

/// Golden tests for scripts (`streamsql test`): each query's rows compared with an expected file of the
/// lines `streamsql run` prints (`{"query": NAME, "row": {…}}`).
///
/// A query's rows are compared as a multiset: the order of rows is not part of the result (rows of one
/// window firing come in no promised order, and the lines carry no firing to compare within). Integers,
/// strings and the shape of a row must match exactly; floating-point numbers within a relative tolerance.
public enum GoldenResults {
    /// One result row: its JSON text (as shown in a diff) and its value.
    public struct Row: Sendable {
        public let text: String
        public let value: Value
    }

    /// How one query fared.
    public struct Outcome: Sendable {
        public let query: String
        public let expected: Int
        public let actual: Int
        /// Rows the expected file has that the run did not produce, and rows the run produced beyond it.
        public let missing: [Row]
        public let unexpected: [Row]
        public var passed: Bool { missing.isEmpty && unexpected.isEmpty }
    }

    /// Rows per query, in the order queries first appear.
    public typealias Parsed = OrderedDictionary<String, [Row]>

    public struct LineError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Reads result lines (`{"query": NAME, "row": {…}}`, blank lines skipped) into rows per query, in
    /// the order queries first appear. `source` names the lines in errors.
    public static func parse(_ lines: [String], source: String) throws(LineError) -> OrderedDictionary<String, [Row]> {
        var out = OrderedDictionary<String, [Row]>()
        for (i, line) in lines.enumerated() where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            let value: Value
            do throws(JSONError) { value = try JSONReader.parse(line) } catch {
                throw LineError(description: "\(source) line \(i + 1): not JSON: \(error)")
            }
            guard case .object(let o) = value, case .string(let query)? = o["query"], let row = o["row"] else {
                throw LineError(description: "\(source) line \(i + 1): expected {\"query\": NAME, \"row\": {…}}")
            }
            out[query, default: []].append(Row(text: JSONWriter.string(row), value: row))
        }
        return out
    }

    /// Compares each query's rows: the queries in `expected`, then those only in `actual`, then `alsoRan`
    /// (queries that ran; with no rows on either side they pass).
    public static func compare(expected: OrderedDictionary<String, [Row]>, actual: OrderedDictionary<String, [Row]>,
                               alsoRan: [String] = [], tolerance: Double = 1e-9) -> [Outcome] {
        var names = OrderedSet(expected.keys)
        names.formUnion(actual.keys)
        names.formUnion(alsoRan)
        return names.map { name in
            let want = expected[name] ?? [], got = actual[name] ?? []
            // Rows that could match share a key: the row with its floating-point numbers left out.
            var pending: [String: [Int]] = [:]
            for (i, r) in want.enumerated() { pending[shape(r.value), default: []].append(i) }
            var unexpected: [Row] = []
            for r in got {
                let k = shape(r.value)
                if let candidates = pending[k], let at = candidates.firstIndex(where: { close(want[$0].value, r.value, tolerance) }) {
                    pending[k]?.remove(at: at)
                } else {
                    unexpected.append(r)
                }
            }
            let left = Set(pending.values.joined())
            let missing = want.indices.filter { left.contains($0) }.map { want[$0] }
            return Outcome(query: name, expected: want.count, actual: got.count, missing: missing, unexpected: unexpected)
        }
    }

    /// A readable report: a line per query (ok or FAIL with its counts), the missing (`-`) and unexpected
    /// (`+`) rows of a failed one (at most `limit` of each), and last `N passed, M failed`.
    public static func report(_ outcomes: [Outcome], limit: Int = 10) -> [String] {
        var lines: [String] = []
        for o in outcomes {
            guard !o.passed else {
                lines.append("ok   \(o.query) (\(o.actual) row\(o.actual == 1 ? "" : "s"))")
                continue
            }
            lines.append("FAIL \(o.query): expected \(o.expected) rows, got \(o.actual); \(o.missing.count) missing, \(o.unexpected.count) unexpected")
            for (mark, rows) in [("-", o.missing), ("+", o.unexpected)] {
                lines += rows.prefix(limit).map { "  \(mark) \($0.text)" }
                if rows.count > limit { lines.append("  \(mark) … \(rows.count - limit) more") }
            }
        }
        let failed = outcomes.filter { !$0.passed }.count
        lines.append("\(outcomes.count - failed) passed, \(failed) failed")
        return lines
    }

    /// The value with every floating-point number replaced by a placeholder.
    static func shape(_ v: Value) -> String {
        var out = ""
        func walk(_ v: Value) {
            switch v {
            case .double: out += "~"
            case .array(let a):
                out += "["
                for x in a { walk(x); out += "," }
                out += "]"
            case .object(let o):
                out += "{"
                for (k, x) in o.sorted(by: { $0.key < $1.key }) { out += JSONWriter.string(.string(k)) + ":"; walk(x); out += "," }
                out += "}"
            default: out += JSONWriter.string(v)
            }
        }
        walk(v)
        return out
    }

    /// Equal, floating-point numbers within `tolerance` of the larger magnitude (magnitudes under 1 counting
    /// as 1, so that noise around zero matches zero).
    static func close(_ a: Value, _ b: Value, _ tolerance: Double) -> Bool {
        switch (a, b) {
        case (.double(let x), .double(let y)):
            if x == y { return true }
            return abs(x - y) <= tolerance * max(abs(x), abs(y), 1)
        case (.array(let x), .array(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { close($0, $1, tolerance) }
        case (.object(let x), .object(let y)):
            return x.count == y.count && x.allSatisfy { k, v in y[k].map { close(v, $0, tolerance) } ?? false }
        default:
            return a == b
        }
    }
}
