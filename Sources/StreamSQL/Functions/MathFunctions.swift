import Foundation

enum MathFunctions {
    static func f(_ name: String, _ aliases: [String] = [], _ args: ClosedRange<Int>, _ sig: String, _ summary: String,
                  _ impl: ScalarImpl) -> FunctionInfo {
        FunctionInfo(name, aliases: aliases, category: "math", args: args, signature: sig, summary: summary, impl: impl)
    }

    static func bit(_ op: @escaping @Sendable (Int64, Int64) -> Int64) -> ScalarImpl {
        .binary { a, b in
            guard let x = Fn.int(a), let y = Fn.int(b) else { return .null }
            return .int(op(x, y))
        }
    }

    static func roundTo(_ x: Double, _ digits: Int64) -> Double {
        guard digits > 0 else { return x.rounded() }
        let p = pow(10.0, Double(min(digits, 15)))
        let r = (x * p).rounded() / p
        return r.isFinite ? r : x
    }

    static let all: [FunctionInfo] = [
        f("abs", [], 1...1, "abs(x)", "Absolute value", .unary { v in
            switch v {
            case .int(let i): return i == Int64.min ? .double(-Double(i)) : .int(abs(i))
            default: return Fn.num(v).map { .double(abs($0)) } ?? .null
            }
        }),
        f("sqrt", [], 1...1, "sqrt(x)", "Square root; NULL for negative x", Fn.math1 { $0 < 0 ? .nan : $0.squareRoot() }),
        f("acos", [], 1...1, "acos(x)", "Arc cosine in radians", Fn.math1 { Foundation.acos($0) }),
        f("asin", [], 1...1, "asin(x)", "Arc sine in radians", Fn.math1 { Foundation.asin($0) }),
        f("atan", [], 1...1, "atan(x)", "Arc tangent in radians", Fn.math1 { Foundation.atan($0) }),
        f("atan2", [], 2...2, "atan2(y, x)", "Arc tangent of y/x in radians", .binary { y, x in
            guard let a = Fn.num(y), let b = Fn.num(x) else { return .null }
            return Fn.real(Foundation.atan2(a, b))
        }),
        f("bitand", [], 2...2, "bitand(a, b)", "Bitwise AND of two integers", bit(&)),
        f("bitor", [], 2...2, "bitor(a, b)", "Bitwise OR of two integers", bit(|)),
        f("bitxor", [], 2...2, "bitxor(a, b)", "Bitwise XOR of two integers", bit(^)),
        f("bitnot", [], 1...1, "bitnot(a)", "Bitwise NOT of an integer", .unary { v in Fn.int(v).map { .int(~$0) } ?? .null }),
        f("ceiling", ["ceil"], 1...1, "ceil(x)", "Smallest integer not below x", Fn.math1 { $0.rounded(.up) }),
        f("floor", [], 1...1, "floor(x)", "Largest integer not above x", Fn.math1 { $0.rounded(.down) }),
        f("cos", [], 1...1, "cos(x)", "Cosine of x radians", Fn.math1 { Foundation.cos($0) }),
        f("cosh", [], 1...1, "cosh(x)", "Hyperbolic cosine", Fn.math1 { Foundation.cosh($0) }),
        f("sin", [], 1...1, "sin(x)", "Sine of x radians", Fn.math1 { Foundation.sin($0) }),
        f("sinh", [], 1...1, "sinh(x)", "Hyperbolic sine", Fn.math1 { Foundation.sinh($0) }),
        f("tan", [], 1...1, "tan(x)", "Tangent of x radians", Fn.math1 { Foundation.tan($0) }),
        f("tanh", [], 1...1, "tanh(x)", "Hyperbolic tangent", Fn.math1 { Foundation.tanh($0) }),
        f("exp", [], 1...1, "exp(x)", "e raised to x", Fn.math1 { Foundation.exp($0) }),
        f("ln", [], 1...1, "ln(x)", "Natural logarithm; NULL for x <= 0", Fn.math1 { $0 <= 0 ? .nan : Foundation.log($0) }),
        f("log", [], 1...1, "log(x)", "Base-10 logarithm (as the reference); NULL for x <= 0", Fn.math1 { $0 <= 0 ? .nan : Foundation.log10($0) }),
        f("log10", [], 1...1, "log10(x)", "Base-10 logarithm; NULL for x <= 0", Fn.math1 { $0 <= 0 ? .nan : Foundation.log10($0) }),
        f("log2", [], 1...1, "log2(x)", "Base-2 logarithm; NULL for x <= 0", Fn.math1 { $0 <= 0 ? .nan : Foundation.log2($0) }),
        f("mod", [], 2...2, "mod(a, b)", "Remainder of a / b; NULL when b is 0", .binary { a, b in
            if case .int(let x) = a, case .int(let y) = b { return y == 0 ? .null : .int(x.remainderReportingOverflow(dividingBy: y).partialValue) }
            guard let x = Fn.num(a), let y = Fn.num(b), y != 0 else { return .null }
            return Fn.real(fmod(x, y))
        }),
        FunctionInfo("rand", category: "math", args: 0...0, signature: "rand()", summary: "Uniform random float in [0, 1)",
                     deterministic: false, impl: .nullary { .double(Double.random(in: 0..<1)) }),
        f("round", [], 1...2, "round(x [, digits])", "Round half away from zero, to digits decimals", .variadic { a in
            guard let x = Fn.num(a[0]) else { return .null }
            if a.count == 1 { return Fn.real(x.rounded()) }
            guard let d = Fn.int(a[1]) else { return .null }
            return Fn.real(roundTo(x, d))
        }),
        f("sign", [], 1...1, "sign(x)", "-1, 0 or 1 by the sign of x", .unary { v in
            guard let x = Fn.num(v) else { return .null }
            return .int(x > 0 ? 1 : (x < 0 ? -1 : 0))
        }),
        f("power", ["pow"], 2...2, "power(x, y)", "x raised to y", .binary { a, b in
            guard let x = Fn.num(a), let y = Fn.num(b) else { return .null }
            return Fn.real(Foundation.pow(x, y))
        }),
        f("trunc", ["truncate"], 1...2, "trunc(x [, digits])", "Truncate toward zero to digits decimals", .variadic { a in
            guard let x = Fn.num(a[0]) else { return .null }
            let d = a.count > 1 ? (Fn.int(a[1]) ?? 0) : 0
            let p = Foundation.pow(10.0, Double(max(0, min(d, 15))))
            return Fn.real((x * p).rounded(.towardZero) / p)
        }),
        f("pi", [], 0...0, "pi()", "The constant π", .nullary { .double(Double.pi) }),
    ]
}
