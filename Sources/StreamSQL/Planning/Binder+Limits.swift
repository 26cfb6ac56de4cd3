/// How large a bound expression may grow.
///
/// The parser bounds the height of what it builds (`Parser.maxDepth`), but binding can make an
/// expression larger than its text: a SQL-defined function's body is expanded where it is called, with
/// its arguments substituted, so `f(f(f(x)))` or a function that calls another four times at each of
/// twelve levels (4¹² copies) grows without any long text. Every pass after binding (the compiler, the
/// operators' walks over bound expressions) recurses along the height and visits every node, so both are
/// capped here with an error that names the function being expanded.
public enum PlanLimits {
    /// The highest bound expression tree (and the deepest `bind` recursion) a query may have.
    public static let maxHeight = 256
    /// The most nodes one call of a SQL-defined function may expand to, counted as a tree (a shared
    /// argument counts once per use, as the compiled query evaluates it once per use). Expressions
    /// written out in full are bounded by their text instead.
    public static let maxNodes = 100_000
}

extension Binder {
    /// Counts one more level of `bind` (and, inside a SQL-defined function, one more node bound),
    /// refusing past the limits.
    mutating func enterBind(_ e: Expr) throws(StreamSQLError) {
        bindDepth += 1
        guard bindDepth <= PlanLimits.maxHeight else {
            bindDepth -= 1
            throw planError(tooLarge("more than \(PlanLimits.maxHeight) levels deep"), e.range)
        }
        guard expanding != nil else { return }
        boundNodes += 1
        guard boundNodes <= PlanLimits.maxNodes else {
            bindDepth -= 1
            throw planError(tooLarge("more than \(PlanLimits.maxNodes) expression nodes"), e.range)
        }
    }

    /// Measures a bound expression as a tree, without recursion: arguments substituted into SQL-defined
    /// functions are shared in memory but evaluated at every use, so they count every time.
    func checkBoundSize(_ b: BoundExpr, _ e: Expr) throws(StreamSQLError) {
        var stack: [(BoundExpr, Int)] = [(b, 1)]
        var nodes = 0
        while let (node, level) = stack.popLast() {
            nodes += 1
            guard level <= PlanLimits.maxHeight else {
                throw planError(tooLarge("more than \(PlanLimits.maxHeight) levels deep"), e.range)
            }
            guard nodes <= PlanLimits.maxNodes else {
                throw planError(tooLarge("more than \(PlanLimits.maxNodes) expression nodes"), e.range)
            }
            node.forEachChild { stack.append(($0, level + 1)) }
        }
    }

    private func tooLarge(_ what: String) -> String {
        if let f = expanding {
            return "expanding the SQL-defined function \(f)(…) makes this expression \(what); "
                + "make the function call itself fewer times (each call is expanded in place)"
        }
        return "this expression is too large to plan: \(what)"
    }
}
