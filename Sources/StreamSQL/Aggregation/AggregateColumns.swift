/// Aggregate state for many groups at once, one array element per group ("columnar" state).
///
/// A window's groups live in a `GroupTable`; each aggregate of the query is one column whose i-th
/// element is group i's state. Adding a group appends a zeroed element, so creating and expiring
/// groups allocates nothing per group once the arrays have grown, and the common aggregates
/// (count, sum, avg, min, max, variance) update plain numbers with no object per group.
/// Other aggregates fall back to one `Accumulator` object per group.
///
/// Contract: as `Accumulator` (NULLs skipped; `result` does not consume; `merge` folds another
/// group's state in), indexed by group.
public protocol AggregateColumn: AnyObject {
    func appendGroup()
    func add(_ g: Int, _ v: Value)
    func merge(_ g: Int, from other: AggregateColumn, _ h: Int)
    func result(_ g: Int) -> Value
    func reset(_ g: Int)
    func removeAll()
    /// Folds every group `h` of `other` into group `targets[h]` (one call per pane, not per group).
    func mergeAll(_ targets: [Int], from other: AggregateColumn)
}

extension AggregateColumn {
    func mergeAll(_ targets: [Int], from other: AggregateColumn) {
        for (h, g) in targets.enumerated() { merge(g, from: other, h) }
    }
}

extension AggregateKind {
    /// A column holding this aggregate's state for many groups.
    public func makeColumn() -> AggregateColumn {
        if distinct && op != .countStar { return ObjectColumn(self) }
        switch op {
        case .countStar, .count: return CountColumn()
        case .sum: return SumColumn()
        case .avg: return AvgColumn()
        case .min: return ExtremeColumn(wantMax: false)
        case .max: return ExtremeColumn(wantMax: true)
        case .stddevSample, .variancePopulation, .varianceSample, .stddevPopulation: return VarianceColumn(op)
        default: return ObjectColumn(self)
        }
    }
}

final class CountColumn: AggregateColumn {
    var n: [Int64] = []
    func mergeAll(_ targets: [Int], from other: AggregateColumn) {
        let x = unsafeDowncast(other, to: CountColumn.self)
        for (h, g) in targets.enumerated() { n[g] &+= x.n[h] }
    }
    func appendGroup() { n.append(0) }
    @inline(__always) func add(_ g: Int, _ v: Value) { if !v.isNull { n[g] &+= 1 } }
    func merge(_ g: Int, from o: AggregateColumn, _ h: Int) { n[g] &+= unsafeDowncast(o, to: CountColumn.self).n[h] }
    func result(_ g: Int) -> Value { .int(n[g]) }
    func reset(_ g: Int) { n[g] = 0 }
    func removeAll() { n.removeAll(keepingCapacity: true) }
}

final class AvgColumn: AggregateColumn {
    var sum: [Double] = []
    var n: [Int64] = []
    func mergeAll(_ targets: [Int], from other: AggregateColumn) {
        let x = unsafeDowncast(other, to: AvgColumn.self)
        for (h, g) in targets.enumerated() { sum[g] += x.sum[h]; n[g] &+= x.n[h] }
    }
    func appendGroup() { sum.append(0); n.append(0) }
    @inline(__always) func add(_ g: Int, _ v: Value) {
        switch v {
        case .double(let d): sum[g] += d; n[g] &+= 1
        case .int(let i): sum[g] += Double(i); n[g] &+= 1
        default: break
        }
    }
    func merge(_ g: Int, from o: AggregateColumn, _ h: Int) {
        let x = unsafeDowncast(o, to: AvgColumn.self)
        sum[g] += x.sum[h]; n[g] &+= x.n[h]
    }
    func result(_ g: Int) -> Value { n[g] == 0 ? .null : Fn.real(sum[g] / Double(n[g])) }
    func reset(_ g: Int) { sum[g] = 0; n[g] = 0 }
    func removeAll() { sum.removeAll(keepingCapacity: true); n.removeAll(keepingCapacity: true) }
}

/// SUM: an integer while every input is an integer and no overflow occurs, a float otherwise.
final class SumColumn: AggregateColumn {
    var isum: [Int64] = []
    var dsum: [Double] = []
    var state: [UInt8] = []     // 0 empty, 1 integer, 2 float
    func appendGroup() { isum.append(0); dsum.append(0); state.append(0) }
    func add(_ g: Int, _ v: Value) {
        switch v {
        case .int(let i):
            if state[g] == 2 { dsum[g] += Double(i); return }
            let (r, o) = isum[g].addingReportingOverflow(i)
            if o { state[g] = 2; dsum[g] = Double(isum[g]) + Double(i) } else { isum[g] = r; state[g] = 1 }
        case .double(let d):
            if state[g] != 2 { dsum[g] = Double(isum[g]); state[g] = 2 }
            dsum[g] += d
        default: break
        }
    }
    func merge(_ g: Int, from o: AggregateColumn, _ h: Int) {
        let x = unsafeDowncast(o, to: SumColumn.self)
        switch x.state[h] {
        case 1: add(g, .int(x.isum[h]))
        case 2: add(g, .double(x.dsum[h]))
        default: break
        }
    }
    func result(_ g: Int) -> Value {
        switch state[g] {
        case 1: return .int(isum[g])
        case 2: return Fn.real(dsum[g])
        default: return .null
        }
    }
    func reset(_ g: Int) { isum[g] = 0; dsum[g] = 0; state[g] = 0 }
    func removeAll() { isum.removeAll(keepingCapacity: true); dsum.removeAll(keepingCapacity: true); state.removeAll(keepingCapacity: true) }
}

final class ExtremeColumn: AggregateColumn {
    let wantMax: Bool
    var best: [Value] = []
    func mergeAll(_ targets: [Int], from other: AggregateColumn) {
        let x = unsafeDowncast(other, to: ExtremeColumn.self)
        for (h, g) in targets.enumerated() { add(g, x.best[h]) }
    }
    init(wantMax: Bool) { self.wantMax = wantMax }
    func appendGroup() { best.append(.null) }
    @inline(__always) func add(_ g: Int, _ v: Value) {
        if case .double(let d) = v, case .double(let b) = best[g] {
            if wantMax ? d > b : d < b { best[g] = v }
            return
        }
        if v.isNull { return }
        if best[g].isNull { best[g] = v; return }
        if let c = v.compare(to: best[g]), wantMax ? c > 0 : c < 0 { best[g] = v }
    }
    func merge(_ g: Int, from o: AggregateColumn, _ h: Int) { add(g, unsafeDowncast(o, to: ExtremeColumn.self).best[h]) }
    func result(_ g: Int) -> Value { best[g] }
    func reset(_ g: Int) { best[g] = .null }
    func removeAll() { best.removeAll(keepingCapacity: true) }
}

final class VarianceColumn: AggregateColumn {
    let op: AggregateKind.Op
    var n: [Double] = [], mean: [Double] = [], m2: [Double] = []
    init(_ op: AggregateKind.Op) { self.op = op }
    func appendGroup() { n.append(0); mean.append(0); m2.append(0) }
    func add(_ g: Int, _ v: Value) {
        guard let x = v.asDouble else { return }
        n[g] += 1
        let d = x - mean[g]
        mean[g] += d / n[g]
        m2[g] += d * (x - mean[g])
    }
    func merge(_ g: Int, from o: AggregateColumn, _ h: Int) {
        let b = unsafeDowncast(o, to: VarianceColumn.self)
        guard b.n[h] > 0 else { return }
        if n[g] == 0 { n[g] = b.n[h]; mean[g] = b.mean[h]; m2[g] = b.m2[h]; return }
        let total = n[g] + b.n[h]
        let d = b.mean[h] - mean[g]
        mean[g] += d * b.n[h] / total
        m2[g] += b.m2[h] + d * d * n[g] * b.n[h] / total
        n[g] = total
    }
    func result(_ g: Int) -> Value {
        let c = n[g]
        switch op {
        case .variancePopulation: return c < 1 ? .null : Fn.real(m2[g] / c)
        case .stddevPopulation: return c < 1 ? .null : Fn.real((m2[g] / c).squareRoot())
        case .varianceSample: return c < 2 ? .null : Fn.real(m2[g] / (c - 1))
        default: return c < 2 ? .null : Fn.real((m2[g] / (c - 1)).squareRoot())
        }
    }
    func reset(_ g: Int) { n[g] = 0; mean[g] = 0; m2[g] = 0 }
    func removeAll() { n.removeAll(keepingCapacity: true); mean.removeAll(keepingCapacity: true); m2.removeAll(keepingCapacity: true) }
}

/// Any other aggregate: one `Accumulator` object per group, reused across windows.
final class ObjectColumn: AggregateColumn {
    let kind: AggregateKind
    var accs: [Accumulator] = []
    var live = 0
    init(_ kind: AggregateKind) { self.kind = kind }
    func appendGroup() {
        if live < accs.count { accs[live].reset() } else { accs.append(kind.make()) }
        live += 1
    }
    func add(_ g: Int, _ v: Value) { accs[g].add(v) }
    func merge(_ g: Int, from o: AggregateColumn, _ h: Int) { accs[g].merge(unsafeDowncast(o, to: ObjectColumn.self).accs[h]) }
    func result(_ g: Int) -> Value { accs[g].result() }
    func reset(_ g: Int) { accs[g].reset() }
    func removeAll() { live = 0 }
}
