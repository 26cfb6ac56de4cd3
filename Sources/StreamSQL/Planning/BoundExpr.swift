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

    var constantValue: Value? {
        if case .literal(let v) = self { return v }
        return nil
    }
}

/// One output column of a query.
public struct ResultColumn: Sendable, Equatable {
    public let name: String
    /// The column holds an object whose fields become the row's fields (`SELECT *`, `changed_cols`).
    public let spread: Bool
    /// A NULL value leaves the key out of the row (`changed_col`), and a row whose every column is
    /// left out is not emitted, as the reference does.
    public let omitNull: Bool

    public init(name: String, spread: Bool, omitNull: Bool = false) {
        self.name = name
        self.spread = spread
        self.omitNull = omitNull
    }
}

public struct ResultSchema: Sendable, Equatable {
    public let columns: [ResultColumn]
    /// Every column leaves out empty values (changed_col / changed_cols only): a row with nothing
    /// left is not emitted.
    public var suppressesEmptyRows: Bool { !columns.isEmpty && columns.allSatisfy(\.omitNull) }
    public var width: Int { columns.count }
    public var names: [String] { columns.map(\.name) }
}
