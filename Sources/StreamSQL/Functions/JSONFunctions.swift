import OrderedCollections

/// JSON functions. Arguments may be JSON text or already-structured values (objects, arrays).
enum JSONFunctions {
    static func f(_ name: String, _ aliases: [String] = [], _ args: ClosedRange<Int>, _ sig: String, _ summary: String,
                  _ impl: ScalarImpl) -> FunctionInfo {
        FunctionInfo(name, aliases: aliases, category: "json", args: args, signature: sig, summary: summary, impl: impl)
    }

    /// A structured value: strings are parsed as JSON text (nil when invalid); others pass through.
    static func structured(_ v: Value) -> Value? {
        if case .string(let s) = v { return try? JSONReader.parse(s) }
        return v.isNull ? nil : v
    }

    /// Follows a JSON path: `$`, `$.a.b`, `$.items[0].name`, `$['key']`. Indexes are 0-based.
    static func extract(_ root: Value, _ path: String) -> Value {
        var cur = root
        var s = Substring(path.trimmingSpaces())
        if s.first == "$" { s = s.dropFirst() }
        while !s.isEmpty {
            if s.first == "." {
                s = s.dropFirst()
                let key = s.prefix(while: { $0 != "." && $0 != "[" })
                guard !key.isEmpty else { return .null }
                s = s.dropFirst(key.count)
                guard case .object(let o) = cur, let next = o[String(key)] else { return .null }
                cur = next
            } else if s.first == "[" {
                s = s.dropFirst()
                guard let close = s.firstIndex(of: "]") else { return .null }
                var inner = s[..<close].trimmingCharacters(in: .whitespaces)
                s = s[s.index(after: close)...]
                if inner.hasPrefix("'") || inner.hasPrefix("\"") {
                    inner = String(inner.dropFirst().dropLast())
                    guard case .object(let o) = cur, let next = o[inner] else { return .null }
                    cur = next
                } else {
                    guard let i = Int(inner), case .array(let a) = cur else { return .null }
                    let k = i < 0 ? a.count + i : i
                    guard k >= 0 && k < a.count else { return .null }
                    cur = a[k]
                }
            } else {
                return .null
            }
        }
        return cur
    }

    static let all: [FunctionInfo] = [
        f("to_json", [], 1...1, "to_json(x)", "JSON text of a value", .unary { v in .string(JSONWriter.string(v)) }),
        FunctionInfo("json_object", aliases: ["object"], category: "json", args: 0...0, variadic: true, signature: "json_object('k1', v1, 'k2', v2, …)",
                     summary: "An object from key/value pairs (keys must be text)", impl: .variadic { args in
            guard args.count % 2 == 0 else { return .null }
            var o = OrderedDictionary<String, Value>()
            var i = 0
            while i < args.count {
                guard case .string(let k) = args[i] else { return .null }
                o[k] = args[i + 1]
                i += 2
            }
            return .object(o)
        }),
        f("from_json", ["parse_json"], 1...1, "from_json(s)", "The value a JSON text describes; NULL when invalid", .unary { v in
            guard let s = Fn.str(v) else { return .null }
            return (try? JSONReader.parse(s)) ?? .null
        }),
        f("json_extract", [], 2...2, "json_extract(j, path)", "The value at a JSON path ('$.a.b[0]'); NULL when absent", .binary { j, p in
            guard let root = structured(j), let path = Fn.str(p) else { return .null }
            return extract(root, path)
        }),
        f("json_valid", [], 1...1, "json_valid(s)", "Whether s is valid JSON text", .unary { v in
            switch v {
            case .string(let s): return .bool((try? JSONReader.parse(s)) != nil)
            case .object, .array: return .bool(true)
            default: return .bool(false)
            }
        }),
        f("json_type", [], 1...1, "json_type(j)", "object, array, string, number, boolean or null", .unary { v in
            guard let x = structured(v) else { return .null }
            switch x {
            case .object: return "object"
            case .array: return "array"
            case .string: return "string"
            case .int, .double: return "number"
            case .bool: return "boolean"
            case .null: return "null"
            case .timestamp: return "string"
            }
        }),
        f("json_length", [], 1...1, "json_length(j)", "Number of elements of a JSON array or keys of an object", .unary { v in
            switch structured(v) {
            case .array(let a): return .int(Int64(a.count))
            case .object(let o): return .int(Int64(o.count))
            default: return .null
            }
        }),
    ]
}

import Foundation

enum ArrayFunctions {
    static func f(_ name: String, _ aliases: [String] = [], _ args: ClosedRange<Int>, variadic: Bool = false, _ sig: String,
                  _ summary: String, _ impl: ScalarImpl) -> FunctionInfo {
        FunctionInfo(name, aliases: aliases, category: "array", args: args, variadic: variadic, signature: sig, summary: summary, impl: impl)
    }

    static func arr(_ v: Value) -> [Value]? {
        if case .array(let a) = v { return a }
        return nil
    }

    static func distinct(_ a: [Value]) -> [Value] {
        var seen = Set<Value>()
        return a.filter { seen.insert($0).inserted }
    }

    static let all: [FunctionInfo] = [
        f("array_length", ["cardinality"], 1...1, "array_length(a)", "Number of elements", .unary { v in
            arr(v).map { .int(Int64($0.count)) } ?? .null
        }),
        f("array_contains", [], 2...2, "array_contains(a, x)", "Whether a contains x", .binary { a, x in
            arr(a).map { .bool($0.contains(x)) } ?? .null
        }),
        f("array_position", [], 2...2, "array_position(a, x)", "1-based position of x in a, 0 when absent", .binary { a, x in
            guard let xs = arr(a) else { return .null }
            return .int(Int64((xs.firstIndex(of: x) ?? -1) + 1))
        }),
        f("array_remove", [], 2...2, "array_remove(a, x)", "a without any element equal to x", .binary { a, x in
            arr(a).map { .array($0.filter { $0 != x }) } ?? .null
        }),
        f("array_distinct", [], 1...1, "array_distinct(a)", "Elements of a without repeats, first occurrence order", .unary { v in
            arr(v).map { .array(distinct($0)) } ?? .null
        }),
        f("array_intersect", [], 2...2, "array_intersect(a, b)", "Distinct elements of a that are also in b", .binary { a, b in
            guard let x = arr(a), let y = arr(b) else { return .null }
            let ys = Set(y)
            return .array(distinct(x.filter { ys.contains($0) }))
        }),
        f("array_union", [], 2...2, "array_union(a, b)", "Distinct elements of a then b", .binary { a, b in
            guard let x = arr(a), let y = arr(b) else { return .null }
            return .array(distinct(x + y))
        }),
        f("array_except", [], 2...2, "array_except(a, b)", "Distinct elements of a not in b", .binary { a, b in
            guard let x = arr(a), let y = arr(b) else { return .null }
            let ys = Set(y)
            return .array(distinct(x.filter { !ys.contains($0) }))
        }),
        f("array", ["json_array", "array_construct"], 0...0, variadic: true, "array(a, b, …)", "An array of the arguments", .variadic { .array($0) }),
        f("array_compact", ["array_drop_nulls"], 1...1, "array_compact(a)", "a without its NULL elements", .unary { v in
            arr(v).map { .array($0.filter { !$0.isNull }) } ?? .null
        }),
        f("array_sort", [], 1...2, "array_sort(a [, 'desc'])", "Elements in ascending (or descending) order", .variadic { args in
            guard let xs = arr(args[0]) else { return .null }
            let desc = args.count > 1 && Fn.str(args[1])?.lowercased() == "desc"
            return .array(xs.sorted { desc ? Value.sortOrder($0, $1) > 0 : Value.sortOrder($0, $1) < 0 })
        }),
        f("array_sort_by", [], 2...3, "array_sort_by(objects, 'key' [, 'desc'])", "Objects ordered by one field", .variadic { args in
            guard let xs = arr(args[0]), let key = Fn.str(args[1]) else { return .null }
            let desc = args.count > 2 && Fn.str(args[2])?.lowercased() == "desc"
            return .array(sortBy(xs, key, desc))
        }),
        f("array_pluck", [], 2...2, "array_pluck(objects, 'key')", "The key's value from each object (NULL for non-objects)", .binary { a, k in
            guard let xs = arr(a), let key = Fn.str(k) else { return .null }
            return .array(xs.map { x in if case .object(let o) = x { return o[key] ?? .null } else { return .null } })
        }),
        f("array_top", ["top_k"], 2...3, "array_top(a, n [, 'key'])", "The n largest elements (or objects by a field), largest first", .variadic { args in
            guard let xs = arr(args[0]), let n = Fn.int(args[1]), n >= 0 else { return .null }
            let sorted = args.count > 2 ? sortBy(xs, Fn.str(args[2]) ?? "", true) : xs.sorted { Value.sortOrder($0, $1) > 0 }
            return .array(Array(sorted.prefix(Int(min(n, Int64(sorted.count))))))
        }),
        f("array_slice", [], 2...3, "array_slice(a, start [, end])", "Elements from a 0-based start up to end (exclusive); negative counts from the end", .variadic { args in
            guard let xs = arr(args[0]), let s0 = Fn.int(args[1]) else { return .null }
            let n = Int64(xs.count)
            func clamp(_ i: Int64) -> Int { Int(max(0, min(n, i < 0 ? n + i : i))) }
            let lo = clamp(s0)
            let hi = args.count > 2 ? (Fn.int(args[2]).map(clamp) ?? xs.count) : xs.count
            return .array(lo < hi ? Array(xs[lo..<hi]) : [])
        }),
        f("array_sum", [], 1...1, "array_sum(a)", "Sum of the numeric elements", .unary { v in
            guard let xs = arr(v) else { return .null }
            let nums = xs.compactMap(\.asDouble)
            return nums.isEmpty ? .null : Fn.real(nums.reduce(0, +))
        }),
        f("array_avg", [], 1...1, "array_avg(a)", "Mean of the numeric elements", .unary { v in
            guard let xs = arr(v) else { return .null }
            let nums = xs.compactMap(\.asDouble)
            return nums.isEmpty ? .null : Fn.real(nums.reduce(0, +) / Double(nums.count))
        }),
        f("array_max", [], 1...1, "array_max(a)", "Largest element", .unary { v in
            arr(v).flatMap { $0.filter { !$0.isNull }.max { Value.sortOrder($0, $1) < 0 } } ?? .null
        }),
        f("array_min", [], 1...1, "array_min(a)", "Smallest element", .unary { v in
            arr(v).flatMap { $0.filter { !$0.isNull }.min { Value.sortOrder($0, $1) < 0 } } ?? .null
        }),
        f("array_join", [], 2...2, "array_join(a, sep)", "Elements as text joined by sep", .binary { a, b in
            guard let xs = arr(a), let sep = Fn.str(b) else { return .null }
            return .string(xs.filter { !$0.isNull }.map(\.description).joined(separator: sep))
        }),
        f("array_concat", [], 1...1, variadic: true, "array_concat(a, b, …)", "The arrays one after another (repeats kept; NULL arguments skipped)", .variadic { args in
            var out: [Value] = []
            for a in args {
                if a.isNull { continue }
                guard let xs = arr(a) else { return .null }
                out += xs
            }
            return .array(out)
        }),
        f("array_count", [], 2...2, "array_count(a, x)", "How many elements equal x", .binary { a, x in
            arr(a).map { xs in .int(Int64(xs.reduce(0) { $0 + ($1 == x ? 1 : 0) })) } ?? .null
        }),
        f("array_most_frequent", [], 2...2, "array_most_frequent(a, n)", "The n most frequent non-NULL elements, most frequent first (ties: first seen first)", .binary { a, n in
            guard let xs = arr(a), let k = Fn.int(n), k >= 0 else { return .null }
            var counts: [Value: Int] = [:]
            var order: [Value] = []
            for x in xs where !x.isNull {
                if counts[x] == nil { order.append(x) }
                counts[x, default: 0] += 1
            }
            let ranked = order.enumerated().sorted { l, r in
                let cl = counts[l.element] ?? 0, cr = counts[r.element] ?? 0
                return cl != cr ? cl > cr : l.offset < r.offset
            }
            return .array(ranked.prefix(Int(min(k, Int64(ranked.count)))).map(\.element))
        }),
        f("array_distinct_by", [], 2...2, "array_distinct_by(objects, 'key')", "The first object for each value of the key (objects without it kept)", .binary { a, k in
            guard let xs = arr(a), let key = Fn.str(k) else { return .null }
            var seen = Set<Value>()
            return .array(xs.filter { x in
                guard case .object(let o) = x, let v = o[key], !v.isNull else { return true }
                return seen.insert(v).inserted
            })
        }),
        FunctionInfo("array_transform", kind: .macro, category: "array", args: 2...2, signature: "array_transform(a, x -> expr)",
                     summary: "Each element replaced by the lambda's value, e.g. array_transform(items, i -> i.price * 2)", impl: nil),
        FunctionInfo("array_filter", kind: .macro, category: "array", args: 2...2, signature: "array_filter(a, x -> condition)",
                     summary: "The elements for which the lambda is true", impl: nil),
        FunctionInfo("array_any", kind: .macro, category: "array", args: 2...2, signature: "array_any(a, x -> condition)",
                     summary: "Whether the lambda is true for some element", impl: nil),
        FunctionInfo("array_all", kind: .macro, category: "array", args: 2...2, signature: "array_all(a, x -> condition)",
                     summary: "Whether the lambda is true for every element", impl: nil),
        FunctionInfo("lookup_rows", kind: .macro, category: "table", args: 3...3, signature: "lookup_rows('table', 'column', value)",
                     summary: "The table's current rows (objects) whose column equals the value, in table order", deterministic: false, impl: nil),
    ]

    static func sortBy(_ xs: [Value], _ key: String, _ desc: Bool) -> [Value] {
        // The sort keys are read once, not in every comparison; ties keep their order.
        let keys = xs.map { v -> Value in if case .object(let o) = v { return o[key] ?? .null }; return .null }
        let order = keys.indices.sorted { a, b in
            let r = Value.sortOrder(keys[a], keys[b])
            if r != 0 { return desc ? r > 0 : r < 0 }
            return a < b
        }
        return order.map { xs[$0] }
    }
}

enum ConditionalFunctions {
    static func f(_ name: String, _ aliases: [String] = [], _ args: ClosedRange<Int>,
                  variadic: Bool = false, _ sig: String, _ summary: String, _ impl: ScalarImpl) -> FunctionInfo {
        FunctionInfo(name, aliases: aliases, category: "conditional", args: args, variadic: variadic, signature: sig, summary: summary, impl: impl)
    }
    static func t(_ name: String, _ aliases: [String] = [], _ args: ClosedRange<Int>, _ sig: String, _ summary: String,
                  _ impl: ScalarImpl) -> FunctionInfo {
        FunctionInfo(name, aliases: aliases, category: "type", args: args, signature: sig, summary: summary, impl: impl)
    }

    static func extreme(_ a: [Value], _ wantGreater: Bool) -> Value {
        guard var best = a.first, !best.isNull else { return .null }
        for v in a.dropFirst() {
            guard !v.isNull, let c = v.compare(to: best) else { return .null }
            if wantGreater ? c > 0 : c < 0 { best = v }
        }
        return best
    }

    static let all: [FunctionInfo] = [
        f("if_null", ["ifnull", "nvl"], 2...2, "if_null(x, fallback)", "x, or fallback when x is NULL", .binary { x, y in x.isNull ? y : x }),
        f("coalesce", [], 1...1, variadic: true, "coalesce(a, b, …)", "The first argument that is not NULL", .variadic { a in
            a.first(where: { !$0.isNull }) ?? .null
        }),
        f("nullif", [], 2...2, "nullif(a, b)", "NULL when a equals b, else a", .binary { a, b in a == b ? .null : a }),
        f("greatest", [], 1...1, variadic: true, "greatest(a, b, …)", "The largest argument; NULL if any is NULL", .variadic { extreme($0, true) }),
        f("least", [], 1...1, variadic: true, "least(a, b, …)", "The smallest argument; NULL if any is NULL", .variadic { extreme($0, false) }),
        f("case_when", [], 2...2, variadic: true, "case_when(cond1, value1, [cond2, value2, …] [, else])", "The value of the first true condition, else the last argument (or NULL)", .variadic { a in
            var i = 0
            while i + 1 < a.count {
                if a[i].isTruthy { return a[i + 1] }
                i += 2
            }
            return a.count % 2 == 1 ? a[a.count - 1] : .null
        }),
        f("if", ["iif"], 3...3, "if(cond, then, else)", "then when cond is true, else otherwise", .ternary { c, a, b in c.isTruthy ? a : b }),
        t("is_null", [], 1...1, "is_null(x)", "Whether x is NULL", .unary { .bool($0.isNull) }),
        t("is_not_null", [], 1...1, "is_not_null(x)", "Whether x is not NULL", .unary { .bool(!$0.isNull) }),
        t("is_numeric", [], 1...1, "is_numeric(x)", "Whether x is a number", .unary { .bool($0.isNumeric) }),
        t("is_string", [], 1...1, "is_string(x)", "Whether x is a string", .unary { v in
            if case .string = v { return .bool(true) }
            return .bool(false)
        }),
        t("is_bool", [], 1...1, "is_bool(x)", "Whether x is a boolean", .unary { v in
            if case .bool = v { return .bool(true) }
            return .bool(false)
        }),
        t("is_array", [], 1...1, "is_array(x)", "Whether x is an array", .unary { v in
            if case .array = v { return .bool(true) }
            return .bool(false)
        }),
        t("is_object", [], 1...1, "is_object(x)", "Whether x is an object", .unary { v in
            if case .object = v { return .bool(true) }
            return .bool(false)
        }),
        t("typeof", ["type_of"], 1...1, "typeof(x)", "The type name of x: null, bool, int, float, string, timestamp, array, object", .unary {
            .string($0.typeName)
        }),
    ]
}

/// Functions whose evaluation needs more than one row. Their names are registered so that the binder
/// knows them (and can say which feature runs them); their pipelines provide the implementations.
enum StatefulFunctionNames {
    static func agg(_ name: String, _ aliases: [String] = [], _ args: ClosedRange<Int>, _ sig: String, _ summary: String) -> FunctionInfo {
        FunctionInfo(name, aliases: aliases, kind: .aggregate, category: "aggregate", args: args, signature: sig, summary: summary, impl: nil)
    }
    static func ana(_ name: String, _ args: ClosedRange<Int>, variadic: Bool = false, _ sig: String, _ summary: String) -> FunctionInfo {
        FunctionInfo(name, kind: .analytic, category: "analytic", args: args, variadic: variadic, signature: sig, summary: summary, impl: nil)
    }

    static let all: [FunctionInfo] = [
        agg("count", [], 0...1, "count(* | x)", "Number of rows, or of non-NULL x"),
        agg("sum", [], 1...1, "sum(x)", "Sum of x"),
        agg("avg", ["mean"], 1...1, "avg(x)", "Mean of x"),
        agg("min", [], 1...1, "min(x)", "Smallest x"),
        agg("max", [], 1...1, "max(x)", "Largest x"),
        agg("stddev", [], 1...1, "stddev(x)", "Sample standard deviation"),
        agg("stddevs", [], 1...1, "stddevs(x)", "Sample standard deviation"),
        agg("var", [], 1...1, "var(x)", "Population variance"),
        agg("vars", [], 1...1, "vars(x)", "Sample variance"),
        agg("median", [], 1...1, "median(x)", "Median of x"),
        agg("percentile", [], 2...2, "percentile(x, p)", "The p-th percentile, sorted[floor(p*(n-1))]"),
        agg("collect", [], 1...1, "collect(x)", "Array of every x in the window"),
        agg("first_value", [], 1...1, "first_value(x)", "x of the first row"),
        agg("last_value", [], 1...1, "last_value(x)", "x of the last row"),
        agg("merge_agg", [], 1...1, "merge_agg(x)", "Objects merged, or values joined"),
        agg("deduplicate", [], 1...1, "deduplicate(x)", "Distinct x values in arrival order"),
        agg("nth_value", [], 2...2, "nth_value(x, n)", "x of the n-th row (1-based)"),
        FunctionInfo("window_start", kind: .window, category: "window", args: 0...0, signature: "window_start()", summary: "Start of the current window (Unix ns)", impl: nil),
        FunctionInfo("window_end", kind: .window, category: "window", args: 0...0, signature: "window_end()", summary: "End of the current window (Unix ns)", impl: nil),
        FunctionInfo("row_number", kind: .window, category: "window", args: 0...0, signature: "row_number()", summary: "Row number within the window firing", impl: nil),
        FunctionInfo("emit_kind", kind: .window, category: "window", args: 0...0, signature: "emit_kind()", summary: "What a windowed row is: 'final', 'early' (EMIT EVERY), 'update' or 'retract' (EMIT CHANGES, late rows)", impl: nil),
        ana("lag", 1...4, "lag(x [, offset [, default [, ignoreNull]]])", "x of an earlier row in the partition"),
        ana("latest", 1...1, "latest(x)", "The most recent non-NULL x"),
        ana("had_changed", 2...2, variadic: true, "had_changed(ignoreNull, x, …)", "Whether any x changed since the previous row"),
        ana("changed_col", 2...2, "changed_col(ignoreNull, x)", "x when it changed, else NULL"),
        ana("changed_cols", 3...3, variadic: true, "changed_cols(prefix, ignoreNull, x, … | *)", "One column per changed input"),
        ana("acc_sum", 1...3, "acc_sum(x [, start, reset])", "Running sum"),
        ana("acc_max", 1...3, "acc_max(x [, start, reset])", "Running maximum"),
        ana("acc_min", 1...3, "acc_min(x [, start, reset])", "Running minimum"),
        ana("acc_count", 1...3, "acc_count(x [, start, reset])", "Running count of non-NULL x"),
        ana("acc_avg", 1...3, "acc_avg(x [, start, reset])", "Running mean"),
        ana("acc_stddev", 1...3, "acc_stddev(x [, start, reset])", "Running sample standard deviation"),
        ana("recent_count", 2...2, "recent_count(time, 'duration')", "Rows of the partition whose time lies within the duration before this row's (this row included), e.g. transactions in the last 10 minutes"),
        ana("recent_collect", 3...3, "recent_collect(x, time, 'duration')", "The partition's non-NULL x whose time lies within the duration before this row's (this row included), oldest first, e.g. the categories a user viewed in the last 30 minutes"),
        ana("first_seen", 1...1, "first_seen(x)", "True the first time x appears in the partition (e.g. a user's new location)"),
        FunctionInfo("expr", aliases: ["expression"], kind: .macro, category: "expression", args: 1...1, signature: "expr('expression text')",
                     summary: "Evaluates an expression given as constant text (parsed and checked when the query is planned)", impl: nil),
        FunctionInfo("unnest", kind: .table, category: "multirow", args: 1...1, signature: "unnest(array)",
                     summary: "One output row per array element", impl: nil),
    ]
}
