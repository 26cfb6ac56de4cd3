/// An expression after binding: names resolved to row slots, functions resolved to registry entries,
/// types checked where they are known. The compiler turns it into a closure; no SQL text survives.
public indirect enum BoundExpr: Sendable {
    case literal(Value)
    /// A top-level field of the event, read from its slot.
    case slot(Int, name: String)
    /// The whole event as an object (`SELECT *`).
    case wholeEvent
    case member(BoundExpr, String)
    case index(BoundExpr, BoundExpr)
    case unary(UnaryOp, BoundExpr)
    case binary(BinaryOp, BoundExpr, BoundExpr)
    case isNull(BoundExpr, negated: Bool)
    case inList(BoundExpr, [BoundExpr], negated: Bool)
    case between(BoundExpr, BoundExpr, BoundExpr, negated: Bool)
    case like(BoundExpr, BoundExpr, negated: Bool)
    case caseWhen(operand: BoundExpr?, whens: [(BoundExpr, BoundExpr)], otherwise: BoundExpr?)
    case cast(BoundExpr, SQLType)
    case call(FunctionInfo, [BoundExpr])
    case arrayLiteral([BoundExpr])
    case objectLiteral([(String, BoundExpr)])
    /// The value the query's i-th analytic call computed for the current row.
    case analytic(Int)
    /// MATCH_RECOGNIZE: evaluate the expression on another row of the match (A.v, FIRST, LAST, PREV).
    case navigate(PatternNavigation, BoundExpr)
    /// MATCH_RECOGNIZE: an aggregate over the match's rows (all, or those of some variables).
    case patternAggregate(AggregateKind, symbols: [Int]?, argument: BoundExpr?, final: Bool?)
    case classifier
    case matchNumber
    /// The table row the i-th JOIN matched for the current event (an object; NULL when a LEFT JOIN found none).
    case joinRow(Int)
    /// A lambda's parameter: the array element being visited.
    case lambdaVar(Int)
    /// `array_transform(a, x -> body)` and its kin: `body` evaluated with `lambdaVar(variable)` bound to each element.
    case higherOrder(HigherOrderFunction, array: BoundExpr, variable: Int, body: BoundExpr)
    /// `lookup_rows('table', 'column', key)`: the table's current rows whose column equals the key.
    case tableRows(TableState, column: String, key: BoundExpr)

    var constantValue: Value? {
        if case .literal(let v) = self { return v }
        return nil
    }
}

/// Functions whose second argument is a lambda (`x -> expression`).
public enum HigherOrderFunction: String, Sendable, CaseIterable {
    /// Each element replaced by the lambda's value.
    case transform = "array_transform"
    /// The elements for which the lambda is true.
    case filter = "array_filter"
    /// Whether the lambda is true for any element.
    case any = "array_any"
    /// Whether the lambda is true for every element.
    case all = "array_all"
}

/// Which row of a match an expression reads.
public enum PatternNavigation: Sendable, Equatable {
    /// The last row mapped to one of the variables (all rows when nil).
    case last([Int]?)
    /// The first row mapped to one of the variables (all rows when nil).
    case first([Int]?)
    /// The row `n` rows before the current one in the partition.
    case prev(Int)
}

extension BoundExpr {
    /// Calls `f` on each direct sub-expression.
    func forEachChild(_ f: (BoundExpr) -> Void) {
        switch self {
        case .literal, .slot, .wholeEvent, .analytic, .classifier, .matchNumber, .joinRow, .lambdaVar: break
        case .higherOrder(_, let a, _, let body): f(a); f(body)
        case .tableRows(_, _, let key): f(key)
        case .member(let a, _), .unary(_, let a), .isNull(let a, _), .cast(let a, _), .navigate(_, let a): f(a)
        case .index(let a, let b), .binary(_, let a, let b), .like(let a, let b, _): f(a); f(b)
        case .inList(let a, let xs, _): f(a); xs.forEach(f)
        case .between(let a, let b, let c, _): f(a); f(b); f(c)
        case .caseWhen(let o, let ws, let other):
            if let o { f(o) }
            for (c, v) in ws { f(c); f(v) }
            if let other { f(other) }
        case .call(_, let args): args.forEach(f)
        case .arrayLiteral(let xs): xs.forEach(f)
        case .objectLiteral(let fs): fs.forEach { f($0.1) }
        case .patternAggregate(_, _, let a, _): if let a { f(a) }
        }
    }
}
