import Foundation
import OrderedCollections
import StreamSQL

/// One test vector in the conformance corpus format (see shared/conformance/README.md).
public struct ConformanceCase: Sendable {
    public enum Expectation: Sendable {
        case rows([Value])
        case count(Int)
        case contains([Value])
        case error(String)
    }
    public let id: String
    public let sql: String
    public let events: [Value]
    public let flush: Bool
    public let expectation: Expectation
    public let anyOrder: Bool
    public let partialRows: Bool
    public let floatTolerance: Double

    public init(json: Value) throws(StreamSQLError) {
        guard case .object(let o) = json else { throw StreamSQLError(.io, "a vector must be a JSON object") }
        func str(_ k: String) -> String? { o[k]?.asString }
        guard let id = str("id") else { throw StreamSQLError(.io, "vector without an id") }
        self.id = id
        guard let sql = str("sql") else { throw StreamSQLError(.io, "vector \(id) has no sql") }
        self.sql = sql
        if case .array(let ev)? = o["events"] { events = ev } else { events = [] }
        flush = str("end") == "flush"
        anyOrder = o["any_order"] == .bool(true)
        partialRows = o["partial_rows"] == .bool(true)
        floatTolerance = o["float_tol"]?.asDouble ?? 1e-6
        if case .array(let rows)? = o["expect_rows"] { expectation = .rows(rows) }
        else if let n = o["expect_count"]?.asInt { expectation = .count(Int(n)) }
        else if case .array(let rows)? = o["expect_contains"] { expectation = .contains(rows) }
        else if let e = str("expect_error") { expectation = .error(e.lowercased()) }
        else { throw StreamSQLError(.io, "vector \(id) has no expectation") }
    }
}

public enum ConformanceOutcome: Sendable {
    case passed
    case failed(String)
    case skipped(feature: String)
}

/// Runs conformance vectors against a fresh engine each, the way the corpus README prescribes.
public enum ConformanceRunner {
    /// Reads a JSON Lines corpus. Malformed lines are reported, not skipped silently.
    public static func load(_ text: String) throws(StreamSQLError) -> [ConformanceCase] {
        var out: [ConformanceCase] = []
        for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let t = line.trimmingCharacters(in: .whitespaces)
            if t.isEmpty { continue }
            let v: Value
            do { v = try JSONReader.parse(String(t)) } catch {
                throw StreamSQLError(.io, "line \(n + 1): \(error)")
            }
            do { out.append(try ConformanceCase(json: v)) } catch {
                throw StreamSQLError(.io, "line \(n + 1): \(error.message)")
            }
        }
        return out
    }

    public static func run(_ c: ConformanceCase) -> ConformanceOutcome {
        var options = EngineOptions()
        options.autoCreateStreams = true   // the reference accepts any FROM name
        let engine = Engine(options: options)
        let query: Query
        do {
            query = try engine.execute(c.sql)
        } catch {
            if error.phase == .notSupported { return .skipped(feature: error.message) }
            if case .error(let want) = c.expectation {
                let msg = error.description.lowercased()
                if want == "any" || msg.contains(want) { return .passed }
                return .failed("rejected, but the message does not contain \"\(want)\":\n    \(error.description)")
            }
            return .failed("the query was rejected: \(error.description)")
        }
        if case .error(let want) = c.expectation {
            engine.stopAll(flush: false)
            return .failed("expected the query to be rejected (\(want)), but it was accepted")
        }
        let collected = Collector()
        query.addSink { batch in collected.add(batch.objects) }
        for ev in c.events {
            guard case .object(let o) = ev else { return .failed("an event is not a JSON object") }
            engine.emitSync(o, to: query.streamName)
        }
        if c.flush { engine.finish() } else { engine.stopAll(flush: false) }
        let rows = collected.rows
        return compare(c, rows)
    }

    final class Collector: @unchecked Sendable {
        private let lock = NSLock()
        private var _rows: [OrderedDictionary<String, Value>] = []
        func add(_ r: [OrderedDictionary<String, Value>]) { lock.withLock { _rows += r } }
        var rows: [OrderedDictionary<String, Value>] { lock.withLock { _rows } }
    }

    static func compare(_ c: ConformanceCase, _ rows: [OrderedDictionary<String, Value>]) -> ConformanceOutcome {
        func show(_ rs: [OrderedDictionary<String, Value>]) -> String {
            rs.isEmpty ? "    (no rows)" : rs.map { "    " + JSONWriter.string(object: $0) }.joined(separator: "\n")
        }
        func showV(_ rs: [Value]) -> String {
            rs.isEmpty ? "    (no rows)" : rs.map { "    " + JSONWriter.string($0) }.joined(separator: "\n")
        }
        switch c.expectation {
        case .error: return .failed("unreachable")
        case .count(let n):
            return rows.count == n ? .passed : .failed("expected \(n) rows, got \(rows.count):\n\(show(rows))")
        case .rows(let expected):
            guard expected.count == rows.count else {
                return .failed("expected \(expected.count) rows, got \(rows.count)\n  expected:\n\(showV(expected))\n  actual:\n\(show(rows))")
            }
            if c.anyOrder {
                if matchAll(expected, rows, c) { return .passed }
            } else if zip(expected, rows).allSatisfy({ rowMatches($0, $1, c) }) {
                return .passed
            }
            return .failed("rows differ\n  expected:\n\(showV(expected))\n  actual:\n\(show(rows))")
        case .contains(let expected):
            if matchAll(expected, rows, c) { return .passed }
            return .failed("not every expected row was found\n  expected (contained):\n\(showV(expected))\n  actual:\n\(show(rows))")
        }
    }

    /// Each expected row matches a distinct actual row (bipartite matching by augmenting paths).
    static func matchAll(_ expected: [Value], _ rows: [OrderedDictionary<String, Value>], _ c: ConformanceCase) -> Bool {
        var owner = [Int](repeating: -1, count: rows.count)
        let ok = expected.map { e in rows.map { rowMatches(e, $0, c) } }
        func augment(_ i: Int, _ seen: inout [Bool]) -> Bool {
            for j in 0..<rows.count where ok[i][j] && !seen[j] {
                seen[j] = true
                if owner[j] < 0 || augment(owner[j], &seen) { owner[j] = i; return true }
            }
            return false
        }
        for i in 0..<expected.count {
            var seen = [Bool](repeating: false, count: rows.count)
            if !augment(i, &seen) { return false }
        }
        return true
    }

    static func rowMatches(_ expected: Value, _ actual: OrderedDictionary<String, Value>, _ c: ConformanceCase) -> Bool {
        guard case .object(let e) = expected else { return false }
        for (k, v) in e where k != "window_id" {
            if !valueMatches(v, actual[k] ?? .null, c.floatTolerance) { return false }
        }
        if !c.partialRows {
            for (k, v) in actual where k != "window_id" && !v.isNull {
                if e[k] == nil { return false }
            }
        }
        return true
    }

    static func valueMatches(_ e: Value, _ a: Value, _ tol: Double) -> Bool {
        switch (e, a) {
        case (.null, _): return a.isNull
        case (.string(let s), .timestamp(let ns)): return s == TimeFormat.sqlDateTime(nanos: ns)
        case (.array(let x), .array(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { valueMatches($0, $1, tol) }
        case (.object(let x), .object(let y)):
            return x.count == y.count && x.allSatisfy { k, v in y[k].map { valueMatches(v, $0, tol) } ?? v.isNull }
        default:
            if let x = e.asDouble, let y = a.asDouble { return abs(x - y) <= tol || x == y }
            return e == a
        }
    }
}
