/// Aggregate state for many groups at once, one array element per group ("columnar" state).
///
/// A window's groups live in a `GroupTable`; each aggregate of the query is one column whose i-th
/// element is group i's state. Adding a group appends a zeroed element, so creating and expiring
/// groups allocates nothing per group once the arrays have grown, and the common aggregates
/// (count, sum, avg, min, max, variance) update plain numbers with no object per group.
/// Other aggregates fall back to one `Accumulator` object per group.
///
/// Contract: as `Accumulator` (NULLs skipped; `result` does not consume; `merge` folds another
/// group's state in), indexed by group. The owning `GroupTable` decides how many groups there are:
/// it grows the columns, starts new groups and empties them all.
protocol AggregateColumn: AnyObject {
    /// Room for `capacity` groups; groups `0..<count` keep their state.
    func grow(count: Int, to capacity: Int)
    /// Starts group `g` (just past the last group) with empty state.
    func start(_ g: Int)
    /// False when new groups start empty without `start` (storage is zeroed when grown or emptied).
    var needsStart: Bool { get }
    func add(_ g: Int, _ v: Value)
    func merge(_ g: Int, from other: AggregateColumn, _ h: Int)
    func result(_ g: Int) -> Value
    /// Empties group `g`'s state (the group stays).
    func reset(_ g: Int)
    /// Ends groups `0..<count` (the table is emptied).
    func removeAll(count: Int)
    /// Folds every group `h` of `other` into group `targets[h]` (one call per pane, not per group).
    func mergeAll(_ targets: [Int], from other: AggregateColumn)
    func free()
    /// Writes the results of `n` groups (`groups[j]`, or group `j` when nil) to `out[j * stride]`.
    func writeResults(_ n: Int, groups: [Int]?, into out: UnsafeMutablePointer<Value>, stride: Int)
}

extension AggregateColumn {
    func writeResults(_ n: Int, groups: [Int]?, into out: UnsafeMutablePointer<Value>, stride: Int) {
        for j in 0..<n { out[j * stride] = result(groups?[j] ?? j) }
    }
    func mergeAll(_ targets: [Int], from other: AggregateColumn) {
        for (h, g) in targets.enumerated() { merge(g, from: other, h) }
    }
    func start(_ g: Int) { reset(g) }
    var needsStart: Bool { true }
    func removeAll(count: Int) {}
    func free() {}
}

/// Per-group cells of a plain type behind a pointer, grown by their column: reading and writing a
/// cell costs no copy-on-write check and no reference counting, as the hot path of every row needs.
struct Cells<T: BitwiseCopyable> {
    private(set) var base = UnsafeMutablePointer<T>.allocate(capacity: 1)

    @inline(__always) subscript(i: Int) -> T {
        get { base[i] }
        nonmutating set { base[i] = newValue }
    }

    /// Moves to room for `capacity` cells; cells past `count` are zero.
    mutating func grow(count: Int, to capacity: Int) {
        let p = UnsafeMutablePointer<T>.allocate(capacity: capacity)
        p.update(from: base, count: count)
        UnsafeMutableRawPointer(p + count).initializeMemory(as: UInt8.self, repeating: 0,
                                                            count: (capacity - count) * MemoryLayout<T>.stride)
        base.deallocate()
        base = p
    }

    /// Zeroes cells `0..<count`.
    func zero(_ count: Int) {
        UnsafeMutableRawPointer(base).initializeMemory(as: UInt8.self, repeating: 0, count: count * MemoryLayout<T>.stride)
    }

    func free() { base.deallocate() }
}

extension AggregateKind {
    /// A column holding this aggregate's state for many groups.
    func makeColumn() -> AggregateColumn {
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
    var n = Cells<Int64>()
    func grow(count: Int, to capacity: Int) { n.grow(count: count, to: capacity) }
    func free() { n.free() }
    var needsStart: Bool { false }
    func removeAll(count: Int) { n.zero(count) }
    func mergeAll(_ targets: [Int], from other: AggregateColumn) {
        let x = unsafeDowncast(other, to: CountColumn.self)
        for (h, g) in targets.enumerated() { n[g] &+= x.n[h] }
    }
    @inline(__always) func add(_ g: Int, _ v: Value) { if !v.isNull { n[g] &+= 1 } }
    /// COUNT(*): every row counts.
    @inline(__always) func addRow(_ g: Int) { n[g] &+= 1 }
    func merge(_ g: Int, from o: AggregateColumn, _ h: Int) { n[g] &+= unsafeDowncast(o, to: CountColumn.self).n[h] }
    func result(_ g: Int) -> Value { .int(n[g]) }
    func reset(_ g: Int) { n[g] = 0 }
    func writeResults(_ count: Int, groups: [Int]?, into out: UnsafeMutablePointer<Value>, stride: Int) {
        for j in 0..<count { out[j * stride] = .int(n[groups?[j] ?? j]) }
    }
}

final class AvgColumn: AggregateColumn {
    var sum = Cells<Double>()
    var n = Cells<Int64>()
    func grow(count: Int, to capacity: Int) { sum.grow(count: count, to: capacity); n.grow(count: count, to: capacity) }
    func free() { sum.free(); n.free() }
    var needsStart: Bool { false }
    func removeAll(count: Int) { sum.zero(count); n.zero(count) }
    func mergeAll(_ targets: [Int], from other: AggregateColumn) {
        let x = unsafeDowncast(other, to: AvgColumn.self)
        for (h, g) in targets.enumerated() { sum[g] += x.sum[h]; n[g] &+= x.n[h] }
    }
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
    func writeResults(_ count: Int, groups: [Int]?, into out: UnsafeMutablePointer<Value>, stride: Int) {
        for j in 0..<count {
            let g = groups?[j] ?? j
            out[j * stride] = n[g] == 0 ? .null : Fn.real(sum[g] / Double(n[g]))
        }
    }
}

/// SUM: an integer while every input is an integer and no overflow occurs, a float otherwise.
final class SumColumn: AggregateColumn {
    var isum = Cells<Int64>()
    var dsum = Cells<Double>()
    var state = Cells<UInt8>()     // 0 empty, 1 integer, 2 float
    func grow(count: Int, to capacity: Int) {
        isum.grow(count: count, to: capacity); dsum.grow(count: count, to: capacity); state.grow(count: count, to: capacity)
    }
    func free() { isum.free(); dsum.free(); state.free() }
    var needsStart: Bool { false }
    func removeAll(count: Int) { isum.zero(count); dsum.zero(count); state.zero(count) }
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
}

/// MIN/MAX of any comparable values; floats (the common case) are compared without unboxing twice.
final class ExtremeColumn: AggregateColumn {
    let wantMax: Bool
    /// Initialized for the table's groups only.
    var best = UnsafeMutablePointer<Value>.allocate(capacity: 1)
    init(wantMax: Bool) { self.wantMax = wantMax }
    func grow(count: Int, to capacity: Int) {
        let p = UnsafeMutablePointer<Value>.allocate(capacity: capacity)
        p.moveInitialize(from: best, count: count)
        best.deallocate()
        best = p
    }
    func free() { best.deallocate() }
    func start(_ g: Int) { (best + g).initialize(to: .null) }
    func removeAll(count: Int) { best.deinitialize(count: count) }
    func mergeAll(_ targets: [Int], from other: AggregateColumn) {
        let x = unsafeDowncast(other, to: ExtremeColumn.self)
        for (h, g) in targets.enumerated() { add(g, x.best[h]) }
    }
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
    func writeResults(_ n: Int, groups: [Int]?, into out: UnsafeMutablePointer<Value>, stride: Int) {
        for j in 0..<n { out[j * stride] = best[groups?[j] ?? j] }
    }
}

final class VarianceColumn: AggregateColumn {
    let op: AggregateKind.Op
    var n = Cells<Double>(), mean = Cells<Double>(), m2 = Cells<Double>()
    init(_ op: AggregateKind.Op) { self.op = op }
    func grow(count: Int, to capacity: Int) {
        n.grow(count: count, to: capacity); mean.grow(count: count, to: capacity); m2.grow(count: count, to: capacity)
    }
    func free() { n.free(); mean.free(); m2.free() }
    var needsStart: Bool { false }
    func removeAll(count: Int) { n.zero(count); mean.zero(count); m2.zero(count) }
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
}

/// Any other aggregate: one `Accumulator` object per group, reused across windows.
final class ObjectColumn: AggregateColumn {
    let kind: AggregateKind
    var accs: [Accumulator] = []
    init(_ kind: AggregateKind) { self.kind = kind }
    func grow(count: Int, to capacity: Int) {}
    func start(_ g: Int) {
        if g < accs.count { accs[g].reset() } else { accs.append(kind.make()) }
    }
    func add(_ g: Int, _ v: Value) { accs[g].add(v) }
    func merge(_ g: Int, from o: AggregateColumn, _ h: Int) { accs[g].merge(unsafeDowncast(o, to: ObjectColumn.self).accs[h]) }
    func result(_ g: Int) -> Value { accs[g].result() }
    func reset(_ g: Int) { accs[g].reset() }
}
