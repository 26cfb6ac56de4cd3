/// Incremental aggregate state.
///
/// Contract (the window operators rely on it):
/// - `add` folds one value in; NULLs are skipped by every accumulator except `COUNT(*)`, which is
///   given `.bool(true)` per row.
/// - `merge` folds another accumulator of the same kind in (sliding windows merge panes).
/// - `result` does not consume the state: windows may call it again after late rows are added.
/// - `reset` empties the state so the object can be reused.
///
/// - Complexity: O(1) per `add` and `merge` for count, sum, avg, min, max, the variances, first and
///   last; the order statistics (median, percentile), collect and the DISTINCT forms keep values.
public protocol Accumulator: AnyObject {
    func add(_ v: Value)
    func merge(_ other: Accumulator)
    func result() -> Value
    func reset()
}

/// Which aggregate, with its constant parameter (percentile's p, nth_value's n).
public struct AggregateKind: Sendable, Equatable {
    public enum Op: String, Sendable {
        case countStar, count, sum, avg, min, max
        case stddevSample, variancePopulation, varianceSample, stddevPopulation
        case median, percentile, collect, firstValue, lastValue, nthValue, deduplicate, mergeAgg
        /// An aggregate registered from Swift (`Engine.registerAggregate`), by name.
        case custom
    }
    public var op: Op
    public var parameter: Double = 0
    public var distinct = false
    public var customName = ""

    /// Factories of aggregates registered from Swift, by lower-cased name.
    static let customFactories = Mutex<[String: @Sendable () -> Accumulator]>([:])

    public func make() -> Accumulator {
        if distinct && op != .countStar { return DistinctAcc(self) }
        switch op {
        case .custom:
            let factory = AggregateKind.customFactories.withLock { $0[customName] }
            return factory?() ?? CountAcc()
        case .countStar, .count: return CountAcc()
        case .sum: return SumAcc()
        case .avg: return AvgAcc()
        case .min: return ExtremeAcc(wantMax: false)
        case .max: return ExtremeAcc(wantMax: true)
        case .stddevSample, .variancePopulation, .varianceSample, .stddevPopulation: return VarianceAcc(op)
        case .median, .percentile: return OrderStatAcc(median: op == .median, p: parameter)
        case .collect: return CollectAcc(distinct: false)
        case .deduplicate: return CollectAcc(distinct: true)
        case .firstValue: return FirstLastAcc(first: true)
        case .lastValue: return FirstLastAcc(first: false)
        case .nthValue: return NthAcc(n: Int(parameter))
        case .mergeAgg: return MergeAcc()
        }
    }

    /// The kind for a registry function name, or nil if it is not an aggregate.
    public static func named(_ name: String, star: Bool, distinct: Bool) -> AggregateKind? {
        let op: Op
        switch name.lowercased() {
        case "count": op = star ? .countStar : .count
        case "sum": op = .sum
        case "avg", "mean": op = .avg
        case "min": op = .min
        case "max": op = .max
        case "stddev", "stddevs": op = .stddevSample
        case "stddevp": op = .stddevPopulation
        case "var": op = .variancePopulation
        case "vars": op = .varianceSample
        case "median": op = .median
        case "percentile": op = .percentile
        case "collect": op = .collect
        case "first_value": op = .firstValue
        case "last_value": op = .lastValue
        case "nth_value": op = .nthValue
        case "deduplicate": op = .deduplicate
        case "merge_agg": op = .mergeAgg
        default: return nil
        }
        return AggregateKind(op: op, distinct: distinct)
    }
}

final class CountAcc: Accumulator {
    var n: Int64 = 0
    func add(_ v: Value) { if !v.isNull { n += 1 } }
    func merge(_ o: Accumulator) { n += (o as! CountAcc).n }
    func result() -> Value { .int(n) }
    func reset() { n = 0 }
}

final class SumAcc: Accumulator {
    var isum: Int64 = 0
    var dsum: Double = 0
    var allInts = true
    var any = false
    func add(_ v: Value) {
        switch v {
        case .int(let i):
            any = true
            if allInts {
                let (r, o) = isum.addingReportingOverflow(i)
                if o { allInts = false; dsum = Double(isum) + Double(i) } else { isum = r }
            } else { dsum += Double(i) }
        case .double(let d):
            any = true
            if allInts { allInts = false; dsum = Double(isum) }
            dsum += d
        default: break
        }
    }
    func merge(_ o: Accumulator) {
        let x = o as! SumAcc
        guard x.any else { return }
        if x.allInts { add(.int(x.isum)) } else { add(.double(x.dsum)) }
    }
    func result() -> Value {
        guard any else { return .null }
        return allInts ? .int(isum) : (dsum.isFinite ? .double(dsum) : .null)
    }
    func reset() { isum = 0; dsum = 0; allInts = true; any = false }
}

final class AvgAcc: Accumulator {
    var sum: Double = 0
    var n: Int64 = 0
    func add(_ v: Value) {
        switch v {
        case .double(let d): sum += d; n += 1
        case .int(let i): sum += Double(i); n += 1
        default: break
        }
    }
    func merge(_ o: Accumulator) { let x = o as! AvgAcc; sum += x.sum; n += x.n }
    func result() -> Value { n == 0 ? .null : Fn.real(sum / Double(n)) }
    func reset() { sum = 0; n = 0 }
}

final class ExtremeAcc: Accumulator {
    let wantMax: Bool
    var best: Value = .null
    init(wantMax: Bool) { self.wantMax = wantMax }
    func add(_ v: Value) {
        if v.isNull { return }
        if case .double(let d) = v, case .double(let b) = best {  // the common case, without the generic compare
            if wantMax ? d > b : d < b { best = v }
            return
        }
        if best.isNull { best = v; return }
        if let c = v.compare(to: best), wantMax ? c > 0 : c < 0 { best = v }
    }
    func merge(_ o: Accumulator) { add((o as! ExtremeAcc).best) }
    func result() -> Value { best }
    func reset() { best = .null }
}

/// Welford's running mean and squared deviations; panes merge with Chan's formula.
final class VarianceAcc: Accumulator {
    let op: AggregateKind.Op
    var n: Double = 0
    var mean: Double = 0
    var m2: Double = 0
    init(_ op: AggregateKind.Op) { self.op = op }
    func add(_ v: Value) {
        guard let x = v.asDouble else { return }
        n += 1
        let d = x - mean
        mean += d / n
        m2 += d * (x - mean)
    }
    func merge(_ o: Accumulator) {
        let b = o as! VarianceAcc
        guard b.n > 0 else { return }
        if n == 0 { n = b.n; mean = b.mean; m2 = b.m2; return }
        let total = n + b.n
        let d = b.mean - mean
        mean += d * b.n / total
        m2 += b.m2 + d * d * n * b.n / total
        n = total
    }
    func result() -> Value {
        switch op {
        case .variancePopulation: return n < 1 ? .null : Fn.real(m2 / n)
        case .stddevPopulation: return n < 1 ? .null : Fn.real((m2 / n).squareRoot())
        case .varianceSample: return n < 2 ? .null : Fn.real(m2 / (n - 1))
        default: return n < 2 ? .null : Fn.real((m2 / (n - 1)).squareRoot())
        }
    }
    func reset() { n = 0; mean = 0; m2 = 0 }
}

/// Median (the mean of the two middle values for an even count) and percentile
/// (`sorted[floor(p * (n - 1))]`, no interpolation, as the reference).
final class OrderStatAcc: Accumulator {
    let median: Bool
    let p: Double
    var values: [Double] = []
    init(median: Bool, p: Double) { self.median = median; self.p = p }
    func add(_ v: Value) { if let d = v.asDouble { values.append(d) } }
    func merge(_ o: Accumulator) { values += (o as! OrderStatAcc).values }
    func result() -> Value {
        guard !values.isEmpty else { return .null }
        let s = values.sorted()
        if median {
            let m = s.count / 2
            return .double(s.count % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2)
        }
        let q = Swift.min(1, Swift.max(0, p))
        return .double(s[Int((q * Double(s.count - 1)).rounded(.down))])
    }
    func reset() { values.removeAll(keepingCapacity: true) }
}

final class CollectAcc: Accumulator {
    let distinct: Bool
    var values: [Value] = []
    var seen = Set<Value>()
    init(distinct: Bool) { self.distinct = distinct }
    func add(_ v: Value) {
        if v.isNull { return }
        if distinct && !seen.insert(v).inserted { return }
        values.append(v)
    }
    func merge(_ o: Accumulator) { for v in (o as! CollectAcc).values { add(v) } }
    func result() -> Value { .array(values) }
    func reset() { values.removeAll(keepingCapacity: true); seen.removeAll(keepingCapacity: true) }
}

final class FirstLastAcc: Accumulator {
    let first: Bool
    var value: Value = .null
    var has = false
    init(first: Bool) { self.first = first }
    func add(_ v: Value) {
        if v.isNull { return }
        if first && has { return }
        value = v; has = true
    }
    func merge(_ o: Accumulator) { let x = o as! FirstLastAcc; if x.has { add(x.value) } }
    func result() -> Value { value }
    func reset() { value = .null; has = false }
}

final class NthAcc: Accumulator {
    let n: Int
    var seen = 0
    var value: Value = .null
    init(n: Int) { self.n = n }
    func add(_ v: Value) {
        if v.isNull { return }
        seen += 1
        if seen == n { value = v }
    }
    func merge(_ o: Accumulator) {
        let x = o as! NthAcc
        if seen < n && seen + x.seen >= n && !x.value.isNull { value = x.value }
        seen += x.seen
    }
    func result() -> Value { value }
    func reset() { seen = 0; value = .null }
}

/// Objects are merged key by key (later rows win); other values are collected into an array.
final class MergeAcc: Accumulator {
    var object: [(String, Value)] = []
    var index: [String: Int] = [:]
    var others: [Value] = []
    func add(_ v: Value) {
        switch v {
        case .null: break
        case .object(let o):
            for (k, x) in o {
                if let i = index[k] { object[i].1 = x } else { index[k] = object.count; object.append((k, x)) }
            }
        default: others.append(v)
        }
    }
    func merge(_ o: Accumulator) {
        let x = o as! MergeAcc
        for (k, v) in x.object { add(.object([k: v])) }
        others += x.others
    }
    func result() -> Value {
        if object.isEmpty && others.isEmpty { return .null }
        if others.isEmpty {
            var d = OrderedDictionary<String, Value>()
            for (k, v) in object { d[k] = v }
            return .object(d)
        }
        return .array(others)
    }
    func reset() { object = []; index = [:]; others = [] }
}

/// `AGG(DISTINCT x)`: keeps the distinct values and aggregates them when asked.
final class DistinctAcc: Accumulator {
    let kind: AggregateKind
    var values: [Value] = []
    var seen = Set<Value>()
    init(_ k: AggregateKind) { var inner = k; inner.distinct = false; kind = inner }
    func add(_ v: Value) {
        if v.isNull { return }
        if seen.insert(v).inserted { values.append(v) }
    }
    func merge(_ o: Accumulator) { for v in (o as! DistinctAcc).values { add(v) } }
    func result() -> Value {
        let a = kind.make()
        for v in values { a.add(v) }
        return a.result()
    }
    func reset() { values.removeAll(keepingCapacity: true); seen.removeAll(keepingCapacity: true) }
}

import OrderedCollections
import Synchronization
