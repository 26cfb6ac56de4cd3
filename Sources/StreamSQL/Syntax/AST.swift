/// The parsed, unbound form of statements. Names are not resolved here; the binder does that.

public enum UnaryOp: String, Sendable { case neg = "-", plus = "+", not = "NOT" }

public enum BinaryOp: String, Sendable {
    case add = "+", sub = "-", mul = "*", div = "/", mod = "%"
    case eq = "=", ne = "!=", lt = "<", le = "<=", gt = ">", ge = ">="
    case and = "AND", or = "OR", concat = "||"

    var isComparison: Bool {
        switch self {
        case .eq, .ne, .lt, .le, .gt, .ge: return true
        default: return false
        }
    }
}

/// `OVER ([PARTITION BY …] [WHEN …])` on an analytic function.
public struct OverClause: Sendable {
    public var partitionBy: [Expr]
    public var when: Expr?
    public var range: SourceRange
}

public indirect enum ExprKind: Sendable {
    case literal(Value)
    /// A bare name (field, or the first part of a path, or a qualifier such as a stream alias).
    case name(String, quoted: Bool)
    /// `*` (in a select list or `COUNT(*)`), optionally qualified (`m.*`).
    case star(qualifier: String?)
    case unary(UnaryOp, Expr)
    case binary(BinaryOp, Expr, Expr)
    case isNull(Expr, negated: Bool)
    case inList(Expr, [Expr], negated: Bool)
    case between(Expr, Expr, Expr, negated: Bool)
    case like(Expr, Expr, negated: Bool)
    case caseWhen(operand: Expr?, whens: [(Expr, Expr)], otherwise: Expr?)
    case cast(Expr, typeName: String)
    /// A function call; `semantics` is RUNNING/FINAL inside MATCH_RECOGNIZE.
    case call(name: String, args: [Expr], distinct: Bool, over: OverClause?, semantics: String?)
    /// `agg(…) FILTER (WHERE cond)`: an aggregate over the rows where `cond` holds.
    case aggregateFilter(Expr, where: Expr)
    /// `base.field`
    case member(Expr, String)
    /// `base[index]`
    case index(Expr, Expr)
    /// `[a, b, c]`
    case arrayLiteral([Expr])
    /// `{'k': v, …}`
    case objectLiteral([(String, Expr)])
    /// `x -> body`: an argument of a higher-order function such as `array_transform(a, x -> x * 2)`.
    case lambda(param: String, body: Expr)
    /// `@name`: a session parameter (`SET @name = …`), replaced by its value when the query is planned.
    case parameter(String)
}

/// An expression node with the source span it was parsed from.
public final class Expr: Sendable {
    public let kind: ExprKind
    public let range: SourceRange
    /// Levels from this node to its deepest leaf (a leaf is 1). Every pass over expressions (binder,
    /// compiler, canonical text, EXPLAIN, the Flink translator) recurses along this height, so the parser
    /// refuses trees higher than `Parser.maxDepth`; a chain such as `a + b + … + z` is as high as it is long.
    public let height: Int
    /// Whether a parameter (`@name`) occurs in it: planning replaces those by their values.
    public let mentionsParameter: Bool
    public init(_ kind: ExprKind, _ range: SourceRange) {
        self.kind = kind
        self.range = range
        var h = 0
        var p = false
        if case .parameter = kind { p = true }
        kind.forEachChild { h = max(h, $0.height); p = p || $0.mentionsParameter }
        self.height = h + 1
        self.mentionsParameter = p
    }
}

extension ExprKind {
    /// Calls `f` on each direct sub-expression (OVER's partition keys and condition included).
    func forEachChild(_ f: (Expr) -> Void) {
        switch self {
        case .literal, .name, .star, .parameter: break
        case .unary(_, let a), .isNull(let a, _), .cast(let a, _), .member(let a, _), .lambda(_, let a): f(a)
        case .binary(_, let a, let b), .like(let a, let b, _), .index(let a, let b), .aggregateFilter(let a, let b): f(a); f(b)
        case .inList(let a, let xs, _): f(a); xs.forEach(f)
        case .between(let a, let b, let c, _): f(a); f(b); f(c)
        case .caseWhen(let op, let whens, let other):
            if let op { f(op) }
            for (c, v) in whens { f(c); f(v) }
            if let other { f(other) }
        case .call(_, let args, _, let over, _):
            args.forEach(f)
            if let over {
                over.partitionBy.forEach(f)
                if let w = over.when { f(w) }
            }
        case .arrayLiteral(let xs): xs.forEach(f)
        case .objectLiteral(let fs): fs.forEach { f($0.1) }
        }
    }
}

public struct SelectItem: Sendable {
    public var expr: Expr
    public var alias: String?
    public var range: SourceRange
}

public struct OrderItem: Sendable {
    public var expr: Expr
    public var descending: Bool
}

public enum JoinKind: String, Sendable { case inner = "INNER", left = "LEFT" }

public struct JoinClause: Sendable {
    public var kind: JoinKind
    public var source: String
    public var alias: String?
    public var on: Expr
    public var range: SourceRange
}

public struct FromClause: Sendable {
    public var source: String
    public var alias: String?
    public var range: SourceRange
    public var joins: [JoinClause]
}

/// A window in GROUP BY: `TumblingWindow('5s')`, …, or `GLOBAL WINDOW TRIGGER WHEN cond`.
public struct WindowSpec: Sendable {
    public var name: String           // as written
    public var args: [Expr]
    public var trigger: Expr?         // GLOBAL WINDOW only
    public var range: SourceRange
    /// `SlidingWindow('10s') OVER (WHEN cond)`: the rows that trigger a result.
    public var when: Expr? = nil
}

/// `EMIT CHANGES`, `EMIT EVERY '5s'` or `EMIT FINAL` after a windowed query: when its window speaks.
public struct EmitClause: Sendable {
    public enum Mode: Sendable { case changes, every(Expr), final }
    public var mode: Mode
    public var range: SourceRange
}

public indirect enum PatternNode: Sendable {
    case symbol(String, SourceRange)
    case sequence([PatternNode])
    case alternation([PatternNode])
    case quantified(PatternNode, min: Int, max: Int?, reluctant: Bool)
    case permute([PatternNode])
    case anchorStart, anchorEnd
}

public enum AfterMatchSkip: Sendable, Equatable {
    case pastLastRow, toNextRow, toFirst(String), toLast(String)
}

public struct MatchRecognizeClause: Sendable {
    public var partitionBy: [Expr]
    public var orderBy: [OrderItem]
    public var measures: [SelectItem]
    public var allRows: Bool
    public var afterMatch: AfterMatchSkip
    public var pattern: PatternNode
    public var subsets: [(String, [String])]
    public var withinNanos: Int64?
    public var withinRange: SourceRange
    public var defines: [(String, Expr)]
    public var range: SourceRange
}

public struct SelectStatement: Sendable {
    public var distinct: Bool
    public var items: [SelectItem]
    public var from: FromClause
    public var matchRecognize: MatchRecognizeClause?
    public var whereClause: Expr?
    public var groupBy: [Expr]
    public var window: WindowSpec?
    public var windowOver: SourceRange?     // OVER (…) written after a GROUP BY window: rejected by the binder
    public var having: Expr?
    public var orderBy: [OrderItem]
    public var limit: Int?
    public var limitRange: SourceRange
    public var with: [(String, Value, SourceRange)]
    public var emit: EmitClause? = nil
    public var range: SourceRange
}

/// A SQL-defined function: `CREATE FUNCTION name(a, b) AS expression`.
public struct FunctionDefinition: Sendable {
    public var name: String
    public var parameters: [String]
    public var body: Expr
    /// The body's text as written (for SHOW FUNCTIONS and DESCRIBE FUNCTION).
    public var bodyText: String
    public var comment: String?
    public var orReplace: Bool
    public var range: SourceRange
}

/// A typed column of `CREATE STREAM` / `CREATE TABLE`.
public struct ColumnDefinition: Sendable {
    public var name: String
    public var typeName: String
    public var range: SourceRange
}

public enum CatalogKind: String, Sendable { case stream = "STREAM", table = "TABLE", query = "QUERY", function = "FUNCTION" }

/// What `CREATE [OR REPLACE] STREAM|TABLE|QUERY` says besides the definition itself.
public struct CreateOptions: Sendable {
    /// `OR REPLACE`: an existing definition of the same name is replaced (a query keeps its name).
    public var orReplace = false
    /// `WITH (key = value, …)` (streams: STRICT).
    public var with: [(String, Value, SourceRange)] = []
    public init(orReplace: Bool = false, with: [(String, Value, SourceRange)] = []) {
        self.orReplace = orReplace
        self.with = with
    }
}

public enum Statement: Sendable {
    case select(SelectStatement)
    /// CREATE [OR REPLACE] STREAM name [(cols)] [WITH (…)] | CREATE STREAM name AS SELECT …
    case createStream(name: String, columns: [ColumnDefinition], query: SelectStatement?, options: CreateOptions, range: SourceRange)
    /// CREATE [OR REPLACE] TABLE name [(cols)] [PRIMARY KEY (…)] FROM FILE 'path' | … AS SELECT …
    case createTable(name: String, columns: [ColumnDefinition], primaryKey: [String], file: String?, query: SelectStatement?,
                     options: CreateOptions, range: SourceRange)
    /// CREATE [OR REPLACE] QUERY name AS SELECT …
    case createQuery(name: String, query: SelectStatement, options: CreateOptions, range: SourceRange)
    /// INSERT INTO stream [(cols)] VALUES (…), (…) | INSERT INTO stream JSON '{…}'
    case insert(stream: String, columns: [String], rows: [[Expr]], json: [String], range: SourceRange)
    case drop(CatalogKind, name: String, ifExists: Bool, range: SourceRange)
    case show(CatalogKind)
    /// `SHOW WINDOWS query`: the inspector (open windows, watermark, idle time, late and rejected rows).
    case showWindows(query: String, range: SourceRange)
    /// `DESCRIBE [EXTENDED] [STREAM|TABLE|QUERY] name`.
    case describe(name: String, extended: Bool, range: SourceRange)
    case stopQuery(name: String, range: SourceRange)
    case startQuery(name: String, range: SourceRange)
    case createFunction(FunctionDefinition)
    case dropFunction(name: String, ifExists: Bool, range: SourceRange)
    case showFunctions(like: String?)
    case describeFunction(name: String, range: SourceRange)
    case explain(SelectStatement)
    /// `EXPLAIN FLINK SELECT …`: the query as Flink SQL.
    case explainFlink(SelectStatement)
    /// `EXPLAIN DIFF name AS SELECT …`: how the rows of running query `name` would change with this SELECT,
    /// over the events its sources kept.
    case explainDiff(name: String, query: SelectStatement, range: SourceRange)
    /// `EXPLAIN ROW query n`: the inputs that produced the n-th latest result row of a query (1 = the latest).
    case explainRow(query: String, n: Int, range: SourceRange)
    /// `SET name = value` (`SET lineage = on`).
    case set(name: String, value: String, range: SourceRange)
    /// `SET @name = constant`: a session parameter; running queries that use it restart with the new value.
    case setParameter(name: String, value: Expr, range: SourceRange)
    /// `SHOW PARAMETERS`
    case showParameters
}
