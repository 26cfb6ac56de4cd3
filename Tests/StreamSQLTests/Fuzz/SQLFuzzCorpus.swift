import Foundation
@testable import StreamSQL

/// The starting points of the SQL fuzzer: the statements of the conformance vectors and the demo
/// scripts, and a grammar-based generator of statements of every kind.
enum SQLFuzzCorpus {
    static var repoRoot: URL {
        // Tests/StreamSQLTests/Fuzz/SQLFuzzCorpus.swift → repo root
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }

    static var demosDirectory: String { repoRoot.appendingPathComponent("demos").path }

    /// Every `sql` of the conformance vectors and every statement of `demos/*.sql`.
    static let seeds: [String] = {
        var out: [String] = []
        let conformance = ProcessInfo.processInfo.environment["STREAMSQL_CONFORMANCE"]
            ?? repoRoot.deletingLastPathComponent().appendingPathComponent("shared/conformance/streamsql-e2e.jsonl").path
        if let data = FileManager.default.contents(atPath: conformance) {
            for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
                if case .object(let o)? = try? JSONReader.parse(String(line)), case .string(let sql)? = o["sql"] { out.append(sql) }
            }
        }
        let demos = demosDirectory
        let files = (try? FileManager.default.contentsOfDirectory(atPath: demos)) ?? []
        for f in files.sorted() where f.hasSuffix(".sql") {
            guard let data = FileManager.default.contents(atPath: demos + "/" + f) else { continue }
            // Shell dot-commands (`.pane …`) are not SQL.
            let script = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
                .filter { !$0.hasPrefix(".") }.joined(separator: "\n")
            out += StatementScanner.scan(script).statements
        }
        return out
    }()
}

/// Random statements from a small grammar of the dialect. Expressions are kept short (at most
/// `maxOperands` leaves), so that no statement is a long flat operator chain.
struct SQLGenerator {
    var rng: SplitMix64
    let functions: [FunctionInfo]
    static let maxOperands = 50
    private var operands = 0

    init(rng: SplitMix64, functions: [FunctionInfo]) {
        self.rng = rng
        self.functions = functions
    }

    static let fields = ["a", "b", "v", "k", "ts", "temperature", "name", "tags", "device.info.name", "s.a", "`odd name`", "amount", "id"]
    static let streams = ["stream", "sensors", "orders", "s2"]
    static let windows = ["TumblingWindow('1s')", "SlidingWindow('2s', '1s')", "CountingWindow(3)", "SessionWindow('5s')",
                          "TumblingWindow('0s')", "CountingWindow(0)", "SlidingWindow('1s', '2s')", "TumblingWindow('1000000d')"]
    static let literals = ["0", "1", "-1", "2.5", "1e308", "-1e308", "9223372036854775807", "-9223372036854775808",
                           "9223372036854775808", "0.0", "'x'", "''", "'it''s'", "'%a_'", "NULL", "TRUE", "FALSE",
                           "'2024-01-01 00:00:00'", "'1s'", "'$.a'", "'[0-9]+'", "\"dq\"", "'\\n'"]
    static let binary = ["+", "-", "*", "/", "%", "=", "==", "!=", "<>", "<", "<=", ">", ">=", "AND", "OR", "||"]

    mutating func pick<T>(_ xs: [T]) -> T { xs[Int(rng.next() % UInt64(xs.count))] }
    mutating func chance(_ percent: UInt64) -> Bool { rng.next() % 100 < percent }
    mutating func int(_ upTo: Int) -> Int { Int(rng.next() % UInt64(max(1, upTo))) }

    mutating func statement() -> String {
        operands = 0
        switch int(12) {
        case 0: return "CREATE STREAM \(name()) (\(columns()))"
        case 1: return "CREATE STREAM \(name()) AS \(select())"
        case 2: return "CREATE TABLE \(name()) PRIMARY KEY (a) AS \(select(windowed: true))"
        case 3: return "CREATE TABLE \(name()) PRIMARY KEY (\(pick(["product_id", "name", "a"]))) FROM FILE '\(pick(["products.csv", "agents.jsonl", "devices.csv", "missing.csv", "spam_terms.csv"]))'"
        case 4:
            let params = (0..<int(4)).map { "p\($0)" }
            return "CREATE \(chance(50) ? "OR REPLACE " : "")FUNCTION \(pick(["f1", "f2", "abs", "g"]))(\(params.joined(separator: ", "))) AS \(expr(depth: 3, names: params.isEmpty ? ["1"] : params))"
        case 5: return "CREATE QUERY \(name()) AS \(select())"
        case 6: return "INSERT INTO \(pick(SQLGenerator.streams)) (a, b) VALUES (\(expr(depth: 2)), \(expr(depth: 2)))"
        case 7: return matchRecognize()
        case 8: return pick(["SHOW STREAMS", "SHOW TABLES", "SHOW QUERIES", "SHOW FUNCTIONS LIKE 'a%'", "DESCRIBE stream", "DESCRIBE products",
                             "EXPLAIN \(select())", "DROP STREAM IF EXISTS s2", "DROP TABLE products", "DESCRIBE FUNCTION lag", "STOP QUERY q1"])
        default: return select(windowed: chance(40))
        }
    }

    mutating func name() -> String { pick(["s2", "t2", "derived", "q_named", "stream", "products", "x"]) }

    mutating func columns() -> String {
        (0..<(1 + int(4))).map { i in "c\(i) \(pick(["int", "float", "string", "bool", "timestamp", "array", "object", "varchar(10)", "blob"]))" }
            .joined(separator: ", ")
    }

    mutating func select(windowed: Bool = false) -> String {
        var s = "SELECT "
        if chance(10) { s += "DISTINCT " }
        let n = 1 + int(4)
        var items: [String] = []
        if chance(15) { items.append("*") }
        for i in 0..<n {
            let e = windowed && chance(50) ? aggregate() : (chance(20) ? analytic() : expr(depth: 3))
            items.append(chance(70) ? "\(e) AS c\(i)" : e)
        }
        s += items.joined(separator: ", ")
        let stream = pick(SQLGenerator.streams)
        s += " FROM \(stream)"
        if chance(25) {
            s += " \(pick(["stream", "s"])) \(pick(["JOIN", "LEFT JOIN", "INNER JOIN"])) products p ON p.product_id = \(pick(["s.a", "stream.a", "k", "a"]))"
        }
        if chance(50) { s += " WHERE \(expr(depth: 3))" }
        if windowed {
            s += " GROUP BY " + (chance(60) ? "k, " : "") + pick(SQLGenerator.windows)
            if chance(30) { s += " HAVING \(aggregate()) > \(pick(SQLGenerator.literals))" }
            if chance(40) {
                s += " WITH (TIMESTAMP='ts', TIMEUNIT='\(pick(["ms", "ss", "ns", "mi", "hh", "dd", "xx"]))'"
                if chance(50) { s += ", MAXOUTOFORDERNESS='\(pick(["2s", "0s", "-1s", "99999d"]))'" }
                s += ")"
            }
        }
        if chance(15) { s += " LIMIT \(pick(["0", "1", "3", "-1", "9223372036854775807"]))" }
        return s
    }

    mutating func aggregate() -> String {
        let fs = functions.filter { $0.kind == .aggregate }
        let f = fs.isEmpty ? "count" : pick(fs).name
        if chance(10) { return "count(*)" }
        return "\(f)(\(chance(10) ? "DISTINCT " : "")\(expr(depth: 2))\(chance(20) ? ", \(pick(SQLGenerator.literals))" : ""))"
    }

    mutating func analytic() -> String {
        let fs = functions.filter { $0.kind == .analytic }
        let f = fs.isEmpty ? "lag" : pick(fs).name
        let args = (0..<(1 + int(3))).map { _ in expr(depth: 1) }.joined(separator: ", ")
        let over = chance(60) ? " OVER (PARTITION BY \(pick(SQLGenerator.fields))\(chance(30) ? " WHEN \(expr(depth: 1))" : ""))" : ""
        return "\(f)(\(args))\(over)"
    }

    mutating func matchRecognize() -> String {
        operands = 0
        let vars = ["A", "B", "C"]
        let q = ["", "+", "*", "?", "{2}", "{1,3}", "+?", "{0,}"]
        let pattern = (0..<(1 + int(3))).map { _ in pick(vars) + pick(q) }.joined(separator: chance(20) ? " | " : " ")
        let measures = ["FIRST(A.v) AS f", "LAST(B.v) AS l", "COUNT(*) AS n", "MATCH_NUMBER() AS mn", "CLASSIFIER() AS c", "SUM(A.v) AS s", "AVG(C.v) AS av"]
        let ms = (0..<(1 + int(3))).map { _ in pick(measures) }
        let defines = vars.prefix(1 + int(3)).map { "\($0) AS \(expr(depth: 2))" }
        var s = "SELECT * FROM \(pick(SQLGenerator.streams)) MATCH_RECOGNIZE ("
        if chance(50) { s += " PARTITION BY k" }
        s += " ORDER BY ts MEASURES \(ms.joined(separator: ", ")) \(pick(["ONE ROW PER MATCH", "ALL ROWS PER MATCH", ""]))"
        if chance(30) { s += " AFTER MATCH SKIP \(pick(["PAST LAST ROW", "TO NEXT ROW", "TO FIRST B", "TO LAST A"]))" }
        s += " PATTERN (\(chance(10) ? "^" : "")\(chance(10) ? "PERMUTE(A, B)" : pattern)\(chance(10) ? "$" : ""))"
        if chance(20) { s += " SUBSET S = (A, B)" }
        if chance(30) { s += " WITHIN '\(pick(["1h", "0s", "10s"]))'" }
        s += " DEFINE \(defines.joined(separator: ", ")))"
        return s
    }

    /// An expression of at most `depth` levels; leaves stop growing it once `maxOperands` are used.
    mutating func expr(depth: Int, names: [String] = SQLGenerator.fields) -> String {
        operands += 1
        if depth <= 0 || operands >= SQLGenerator.maxOperands || chance(25) {
            return chance(50) ? pick(names) : pick(SQLGenerator.literals)
        }
        let d = depth - 1
        switch int(14) {
        case 0: return "CASE WHEN \(expr(depth: d, names: names)) THEN \(expr(depth: d, names: names)) ELSE \(expr(depth: d, names: names)) END"
        case 1: return "CASE \(expr(depth: d, names: names)) WHEN \(expr(depth: d, names: names)) THEN \(expr(depth: d, names: names)) END"
        case 2: return "\(expr(depth: d, names: names)) \(chance(30) ? "NOT " : "")IN (\((0..<(1 + int(4))).map { _ in expr(depth: 0, names: names) }.joined(separator: ", ")))"
        case 3: return "\(expr(depth: d, names: names)) \(chance(30) ? "NOT " : "")LIKE \(pick(["'a%'", "'%'", "'_'", "'%%%_'", "'\\\\'", "''"]))"
        case 4: return "\(expr(depth: d, names: names)) BETWEEN \(expr(depth: 0, names: names)) AND \(expr(depth: 0, names: names))"
        case 5: return "\(expr(depth: d, names: names)) IS \(chance(50) ? "NOT " : "")NULL"
        case 6: return "CAST(\(expr(depth: d, names: names)) AS \(pick(["int", "float", "string", "bool", "timestamp", "bigint", "nope"])))"
        case 7: return "NOT \(expr(depth: d, names: names))"
        case 8: return "(\(expr(depth: d, names: names)))"
        case 9: return pick(["0.0 / 0.0", "sqrt(-1)", "ln(0)", "1 / 0", "-9223372036854775808 / -1", "9223372036854775807 + 1", "power(10, 400)", "abs(-9223372036854775808)"])
        case 10, 11:
            let scalars = functions.filter { $0.kind == .scalar }
            guard !scalars.isEmpty else { return "abs(1)" }
            let f = pick(scalars)
            let hi = f.maxArgs ?? (f.minArgs + 3)
            let count = f.minArgs + int(hi - f.minArgs + 2)  // sometimes one too many
            let args = (0..<count).map { _ in expr(depth: d, names: names) }
            return "\(f.name)(\(args.joined(separator: ", ")))"
        default:
            return "\(expr(depth: d, names: names)) \(pick(SQLGenerator.binary)) \(expr(depth: d, names: names))"
        }
    }
}
