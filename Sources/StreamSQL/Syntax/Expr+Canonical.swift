extension Expr {
    /// A canonical text of the expression: white space and keyword case normalised, function names
    /// lower-cased, field names kept. Two expressions with the same canonical text mean the same
    /// thing (used to match SELECT items with GROUP BY keys and to share aggregates).
    public var canonical: String {
        switch kind {
        case .literal(let v):
            if case .string(let s) = v { return "'" + s.replacingOccurrences(of: "'", with: "''") + "'" }
            return v.description
        case .name(let n, _): return n
        case .star(let q): return q.map { "\($0).*" } ?? "*"
        case .unary(let op, let a): return op == .not ? "NOT \(a.canonical)" : "\(op.rawValue)\(a.canonical)"
        case .binary(let op, let a, let b): return "(\(a.canonical) \(op.rawValue) \(b.canonical))"
        case .isNull(let a, let neg): return "(\(a.canonical) IS \(neg ? "NOT " : "")NULL)"
        case .inList(let a, let xs, let neg):
            return "(\(a.canonical) \(neg ? "NOT " : "")IN (\(xs.map(\.canonical).joined(separator: ", "))))"
        case .between(let a, let lo, let hi, let neg):
            return "(\(a.canonical) \(neg ? "NOT " : "")BETWEEN \(lo.canonical) AND \(hi.canonical))"
        case .like(let a, let p, let neg): return "(\(a.canonical) \(neg ? "NOT " : "")LIKE \(p.canonical))"
        case .caseWhen(let op, let whens, let other):
            var s = "CASE"
            if let op { s += " " + op.canonical }
            for (c, v) in whens { s += " WHEN \(c.canonical) THEN \(v.canonical)" }
            if let other { s += " ELSE \(other.canonical)" }
            return s + " END"
        case .cast(let a, let t): return "CAST(\(a.canonical) AS \(t.lowercased()))"
        case .call(let name, let args, let distinct, let over, let sem):
            var s = (sem.map { $0.uppercased() + " " } ?? "") + name.lowercased() + "("
            if distinct { s += "DISTINCT " }
            s += args.map(\.canonical).joined(separator: ", ") + ")"
            if let over {
                s += " OVER ("
                if !over.partitionBy.isEmpty { s += "PARTITION BY " + over.partitionBy.map(\.canonical).joined(separator: ", ") }
                if let w = over.when { s += (over.partitionBy.isEmpty ? "" : " ") + "WHEN " + w.canonical }
                s += ")"
            }
            return s
        case .aggregateFilter(let call, let cond): return "\(call.canonical) FILTER (WHERE \(cond.canonical))"
        case .member(let b, let f): return "\(b.canonical).\(f)"
        case .index(let b, let i): return "\(b.canonical)[\(i.canonical)]"
        case .arrayLiteral(let xs): return "[" + xs.map(\.canonical).joined(separator: ", ") + "]"
        case .objectLiteral(let fs): return "{" + fs.map { "'\($0.0)': \($0.1.canonical)" }.joined(separator: ", ") + "}"
        case .lambda(let p, let body): return "\(p) -> \(body.canonical)"
        case .parameter(let n): return "@" + n
        }
    }
}
