import OrderedCollections
import XCTest
@testable import StreamSQL

/// The compiler's specialised closures and the general operator semantics must agree.
final class CompilerTests: XCTestCase {
    struct Fields: FieldResolver {
        var names: [String] = []
        mutating func slot(for field: String) -> Int {
            if let i = names.firstIndex(of: field) { return i }
            names.append(field)
            return names.count - 1
        }
        mutating func requireWholeEvent() {}
    }

    func bind(_ expr: String) throws -> (BoundExpr, [String]) {
        let sql = "SELECT \(expr) AS x FROM stream"
        guard case .select(let s) = try Parser.parse(sql) else { throw StreamSQLError(.plan, "not a select") }
        var b = Binder(source: sql, functions: .builtins, resolver: Fields(), streamNames: ["stream"])
        let e = try b.bind(s.items[0].expr)
        return (e, b.resolver.names)
    }

    /// An unspecialised evaluation straight from `Ops`, to compare against.
    func reference(_ e: BoundExpr, _ row: Row) -> Value {
        switch e {
        case .literal(let v): return v
        case .slot(let i, _): return row[i]
        case .binary(.and, let a, let b): return Ops.and(reference(a, row), reference(b, row))
        case .binary(.or, let a, let b): return Ops.or(reference(a, row), reference(b, row))
        case .binary(let op, let a, let b) where op.isComparison: return Ops.compare(op, reference(a, row), reference(b, row))
        case .binary(let op, let a, let b): return Ops.arith(op, reference(a, row), reference(b, row))
        case .unary(.not, let a): return Ops.not(reference(a, row))
        case .unary(_, let a): return Ops.negate(reference(a, row))
        case .isNull(let a, let n): return .bool(reference(a, row).isNull != n)
        default: return ExpressionCompiler().compile(e)(row)
        }
    }

    func testSpecialisedPathsAgreeWithGeneralSemantics() throws {
        let exprs = [
            "a > 50", "a >= 2.5", "a = 3", "a != 3", "a < -1", "b = 'x'", "b != 'x'", "a * 1.8 + 32", "a - 2.5",
            "a / 0.0", "a > 1 AND b = 'x'", "a > 1 OR b IS NULL", "NOT (a > 2)", "a IS NOT NULL", "a + b", "a % 2.0",
        ]
        let values: [Value] = [.null, .int(3), .int(-7), .double(2.5), .double(60), .string("x"), .string("y"), .bool(true), .double(.nan)]
        let compiler = ExpressionCompiler()
        for text in exprs {
            let (e, names) = try bind(text)
            let value = compiler.compile(e)
            let pred = compiler.compilePredicate(e)
            for a in values {
                for b in values {
                    var row = Row(width: names.count)
                    if let i = names.firstIndex(of: "a") { row.slots[i] = a }
                    if let i = names.firstIndex(of: "b") { row.slots[i] = b }
                    let want = reference(e, row)
                    let got = value(row)
                    XCTAssertTrue(got == want || (got.asDouble?.isNaN ?? false), "\(text) with a=\(a), b=\(b): \(got) vs \(want)")
                    XCTAssertEqual(pred(row), want.isTruthy, "\(text) predicate with a=\(a), b=\(b)")
                }
            }
        }
    }

    func testConstantFoldingAndLike() throws {
        let (e, _) = try bind("upper('ab') || 'c'")
        XCTAssertEqual(ExpressionCompiler().fold(e), .string("ABc"))
        let (n, _) = try bind("rand()")
        XCTAssertNil(ExpressionCompiler().fold(n), "non-deterministic functions are not folded")
        let cases: [(String, String, Bool)] = [
            ("abc", "a%", true), ("abc", "%c", true), ("abc", "%b%", true), ("abc", "a_c", true), ("abbc", "a_c", false),
            ("", "%", true), ("", "", true), ("a", "", false), ("file123.log", "file___.log", true), ("a%b", "a\\%b", true),
            ("axb", "a\\%b", false), ("xaybz", "%a%b%", true), ("ab", "%a%b%c", false), ("héllo", "h_llo", true),
        ]
        for (s, p, want) in cases {
            XCTAssertEqual(LikePattern(p).matches(s), want, "'\(s)' LIKE '\(p)'")
        }
    }

    func testCasts() {
        XCTAssertEqual(Value.string(" 42 ").cast(to: .int), .int(42))
        XCTAssertEqual(Value.string("4.7").cast(to: .int), .int(4))
        XCTAssertEqual(Value.string("abc").cast(to: .int), .null)
        XCTAssertEqual(Value.double(1e300).cast(to: .int), .null)
        XCTAssertEqual(Value.double(26).cast(to: .string), .string("26"))
        XCTAssertEqual(Value.double(25.7).cast(to: .string), .string("25.7"))
        XCTAssertEqual(Value.string("yes").cast(to: .bool), .bool(true))
        XCTAssertEqual(Value.string("2024-01-15T10:00:00Z").cast(to: .timestamp), .timestamp(1_705_312_800_000_000_000))
        XCTAssertEqual(Value.int(1_705_312_800).cast(to: .timestamp), .timestamp(1_705_312_800_000_000_000))
        XCTAssertEqual(Value.string("[1,2]").cast(to: .array), .array([1, 2]))
    }

    func testTimeParsing() {
        XCTAssertEqual(TimeParse.parse("1970-01-01"), 0)
        XCTAssertEqual(TimeParse.parse("2024-02-29 23:59:59"), 1_709_251_199_000_000_000)
        XCTAssertEqual(TimeParse.parse("2024-01-15T10:00:00.5+01:00"), 1_705_309_200_500_000_000)
        XCTAssertNil(TimeParse.parse("2023-02-29"))
        XCTAssertNil(TimeParse.parse("2024-13-01"))
        XCTAssertNil(TimeParse.parse("not a date"))
        XCTAssertNil(TimeParse.parse("2024-01-01 25:00"))
        XCTAssertEqual(TimeFormat.sqlDateTime(nanos: -1_000_000_000), "1969-12-31 23:59:59")
        for days in stride(from: -800_000 as Int64, to: 800_000, by: 997) {
            let (y, m, d) = TimeFormat.civilFromDays(days)
            XCTAssertEqual(TimeFormat.daysFromCivil(y, m, d), days)
        }
    }
}
