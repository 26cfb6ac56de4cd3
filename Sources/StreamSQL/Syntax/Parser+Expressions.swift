extension Parser {
    /// Makes an expression node, refusing one higher than `maxDepth`. Chains are built in loops, not by
    /// recursion, so this check — not the recursion depth — is what keeps every later pass within its stack.
    func node(_ kind: ExprKind, _ range: SourceRange) throws(StreamSQLError) -> Expr {
        let e = Expr(kind, range)
        guard e.height <= Parser.maxDepth else {
            throw error("expression too deep: more than \(Parser.maxDepth) levels (each operator of a chain such as "
                        + "a + b + … or x AND y AND … adds a level); split it, or use IN (…) for a list of alternatives",
                        at: tokens[max(0, pos - 1)].range)  // the last token read: where the limit was crossed
        }
        return e
    }

    /// expr := or
    public mutating func parseExpr() throws(StreamSQLError) -> Expr {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Parser.maxDepth else {
            throw error("expression nested more than \(Parser.maxDepth) levels deep", at: peek.range)
        }
        return try parseOr()
    }

    mutating func parseOr() throws(StreamSQLError) -> Expr {
        var l = try parseAnd()
        while acceptWord("or") {
            let r = try parseAnd()
            l = try node(.binary(.or, l, r), l.range.union(r.range))
        }
        return l
    }

    mutating func parseAnd() throws(StreamSQLError) -> Expr {
        var l = try parseNot()
        while acceptWord("and") {
            let r = try parseNot()
            l = try node(.binary(.and, l, r), l.range.union(r.range))
        }
        return l
    }

    mutating func parseNot() throws(StreamSQLError) -> Expr {
        if peek.isWord("not") {
            let t = advance()
            depth += 1
            defer { depth -= 1 }
            guard depth <= Parser.maxDepth else { throw error("expression nested too deeply", at: t.range) }
            let e = try parseNot()
            return try node(.unary(.not, e), t.range.union(e.range))
        }
        return try parseComparison()
    }

    mutating func parseComparison() throws(StreamSQLError) -> Expr {
        var l = try parseConcat()
        while true {
            let t = peek
            if t.kind == .op, let op = Parser.comparisonOp(t.text) {
                _ = advance()
                let r = try parseConcat()
                l = try node(.binary(op, l, r), l.range.union(r.range))
                continue
            }
            if t.isWord("is") {
                _ = advance()
                let neg = acceptWord("not")
                guard peek.isWord("null") || peek.isWord("nil") else { throw expected("NULL after IS\(neg ? " NOT" : "")") }
                let n = advance()
                l = try node(.isNull(l, negated: neg), l.range.union(n.range))
                continue
            }
            var negated = false
            if t.isWord("not"), peek(1).isWord("in") || peek(1).isWord("like") || peek(1).isWord("between") {
                _ = advance()
                negated = true
            }
            if acceptWord("in") {
                try expectOp("(", "after IN")
                var list: [Expr] = []
                if !peek.isOp(")") {
                    repeat { list.append(try parseExpr()) } while acceptOp(",")
                }
                let close = peek
                try expectOp(")", "to close the IN list")
                l = try node(.inList(l, list, negated: negated), l.range.union(close.range))
                continue
            }
            if acceptWord("like") {
                let p = try parseConcat()
                l = try node(.like(l, p, negated: negated), l.range.union(p.range))
                continue
            }
            if acceptWord("between") {
                let lo = try parseConcat()
                try expectWord("and", "between the bounds of BETWEEN")
                let hi = try parseConcat()
                l = try node(.between(l, lo, hi, negated: negated), l.range.union(hi.range))
                continue
            }
            if negated { throw expected("IN, LIKE or BETWEEN after NOT") }
            return l
        }
    }

    static func comparisonOp(_ s: String) -> BinaryOp? {
        switch s {
        case "=", "==": return .eq
        case "!=", "<>": return .ne
        case "<": return .lt
        case "<=": return .le
        case ">": return .gt
        case ">=": return .ge
        default: return nil
        }
    }

    mutating func parseConcat() throws(StreamSQLError) -> Expr {
        var l = try parseAdditive()
        while acceptOp("||") {
            let r = try parseAdditive()
            l = try node(.binary(.concat, l, r), l.range.union(r.range))
        }
        return l
    }

    mutating func parseAdditive() throws(StreamSQLError) -> Expr {
        var l = try parseMultiplicative()
        while peek.isOp("+") || peek.isOp("-") {
            let op: BinaryOp = advance().text == "+" ? .add : .sub
            let r = try parseMultiplicative()
            l = try node(.binary(op, l, r), l.range.union(r.range))
        }
        return l
    }

    mutating func parseMultiplicative() throws(StreamSQLError) -> Expr {
        var l = try parseUnary()
        while peek.isOp("*") || peek.isOp("/") || peek.isOp("%") {
            let t = advance().text
            let op: BinaryOp = t == "*" ? .mul : (t == "/" ? .div : .mod)
            let r = try parseUnary()
            l = try node(.binary(op, l, r), l.range.union(r.range))
        }
        return l
    }

    mutating func parseUnary() throws(StreamSQLError) -> Expr {
        if peek.isOp("-") || peek.isOp("+") {
            let t = advance()
            depth += 1
            defer { depth -= 1 }
            guard depth <= Parser.maxDepth else { throw error("expression nested too deeply", at: t.range) }
            let e = try parseUnary()
            let r = t.range.union(e.range)
            if t.text == "-", case .literal(let v) = e.kind {
                switch v {  // fold negative literals
                case .int(let i) where i != Int64.min: return Expr(.literal(.int(-i)), r)
                case .double(let d): return Expr(.literal(.double(-d)), r)
                default: break
                }
            }
            return try node(.unary(t.text == "-" ? .neg : .plus, e), r)
        }
        return try parsePostfix()
    }

    mutating func parsePostfix() throws(StreamSQLError) -> Expr {
        var e = try parsePrimary()
        while true {
            if peek.isOp("."), peek(1).kind == .word || peek(1).kind == .quoted {
                _ = advance()
                let n = advance()
                e = try node(.member(e, n.text), e.range.union(n.range))
            } else if peek.isOp("[") {
                _ = advance()
                let idx = try parseExpr()
                let close = peek
                try expectOp("]", "to close the index")
                e = try node(.index(e, idx), e.range.union(close.range))
            } else {
                return e
            }
        }
    }

    mutating func parsePrimary() throws(StreamSQLError) -> Expr {
        let t = peek
        switch t.kind {
        case .integer:
            _ = advance()
            if let i = Int64(t.text) { return Expr(.literal(.int(i)), t.range) }
            return Expr(.literal(.double(Double(t.text) ?? .infinity)), t.range)
        case .float:
            _ = advance()
            return Expr(.literal(.double(Double(t.text) ?? 0)), t.range)
        case .string, .dstring:
            _ = advance()
            return Expr(.literal(.string(t.text)), t.range)
        case .quoted:
            _ = advance()
            return Expr(.name(t.text, quoted: true), t.range)
        case .parameter:
            _ = advance()
            return Expr(.parameter(t.text), t.range)
        case .op:
            if t.text == "(" {
                _ = advance()
                let e = try parseExpr()
                let close = peek
                try expectOp(")", "to close the parenthesis opened at column \(colOf(t.range))")
                return try node(e.kind, t.range.union(close.range))
            }
            if t.text == "[" {
                _ = advance()
                var items: [Expr] = []
                if !peek.isOp("]") { repeat { items.append(try parseExpr()) } while acceptOp(",") }
                let close = peek
                try expectOp("]", "to close the array")
                return try node(.arrayLiteral(items), t.range.union(close.range))
            }
            if t.text == "{" {
                _ = advance()
                var fields: [(String, Expr)] = []
                if !peek.isOp("}") {
                    repeat {
                        let k = peek
                        guard k.kind == .string || k.kind == .dstring || k.kind == .word || k.kind == .quoted else {
                            throw expected("a key in the object literal")
                        }
                        _ = advance()
                        try expectOp(":", "after the key \(k.text)")
                        fields.append((k.text, try parseExpr()))
                    } while acceptOp(",")
                }
                let close = peek
                try expectOp("}", "to close the object")
                return try node(.objectLiteral(fields), t.range.union(close.range))
            }
            if t.text == "*" { throw error("'*' is only allowed as a whole select item or in COUNT(*)", at: t.range) }
            throw expected("an expression")
        case .eof:
            throw expected("an expression")
        case .word:
            return try parseWordPrimary()
        }
    }

    func colOf(_ r: SourceRange) -> Int {
        StreamSQLError(.syntax, "", at: r, in: source).location?.column ?? 0
    }

    mutating func parseWordPrimary() throws(StreamSQLError) -> Expr {
        let t = peek
        let lower = t.text.lowercased()
        switch lower {
        case "null", "nil":
            _ = advance(); return Expr(.literal(.null), t.range)
        case "true":
            _ = advance(); return Expr(.literal(.bool(true)), t.range)
        case "false":
            _ = advance(); return Expr(.literal(.bool(false)), t.range)
        case "case":
            return try parseCase()
        case "cast" where peek(1).isOp("("):
            _ = advance()
            _ = advance()
            let e = try parseExpr()
            if acceptWord("as") {
                let ty = peek
                guard ty.kind == .word else { throw expected("a type name after AS in CAST") }
                _ = advance()
                let name = ty.text
                if acceptOp("(") {  // VARCHAR(20), DECIMAL(10,2): size ignored
                    while !peek.isOp(")") && peek.kind != .eof { _ = advance() }
                    try expectOp(")", "after the type size")
                }
                let close = peek
                try expectOp(")", "to close CAST")
                return try node(.cast(e, typeName: name), t.range.union(close.range))
            }
            if acceptOp(",") {
                let ty = try parseExpr()
                let close = peek
                try expectOp(")", "to close cast")
                return try node(.call(name: "cast", args: [e, ty], distinct: false, over: nil, semantics: nil), t.range.union(close.range))
            }
            throw expected("AS <type> in CAST(… AS type)")
        case "running" where peek(1).kind == .word && peek(2).isOp("("), "final" where peek(1).kind == .word && peek(2).isOp("("):
            _ = advance()
            let inner = try parseWordPrimary()
            if case .call(let n, let a, let d, let o, _) = inner.kind {
                return try node(.call(name: n, args: a, distinct: d, over: o, semantics: lower), t.range.union(inner.range))
            }
            return inner
        default:
            break
        }
        if Parser.isReserved(t) {
            throw expected("an expression")
        }
        _ = advance()
        if peek.isOp("(") {
            return try parseCall(name: t)
        }
        return Expr(.name(t.text, quoted: false), t.range)
    }

    mutating func parseCall(name t: Token) throws(StreamSQLError) -> Expr {
        let open = advance()
        var args: [Expr] = []
        var distinct = false
        if !peek.isOp(")") {
            distinct = acceptWord("distinct")
            repeat {
                if peek.isOp("*") {
                    let s = advance()
                    args.append(Expr(.star(qualifier: nil), s.range))
                } else if peek.kind == .word || peek.kind == .quoted, peek(1).isOp("->") {
                    let p = advance()
                    _ = advance()
                    let body = try parseExpr()
                    args.append(try node(.lambda(param: p.text, body: body), p.range.union(body.range)))
                } else {
                    args.append(try parseExpr())
                }
            } while acceptOp(",")
        }
        var close = peek
        guard acceptOp(")") else {
            throw error("expected ')' to close the call to \(t.text)( opened at column \(colOf(open.range)), found \(describe(peek))", at: peek.range)
        }
        var over: OverClause? = nil
        if peek.isWord("over") {
            let o = advance()
            try expectOp("(", "after OVER")
            var parts: [Expr] = []
            var when: Expr? = nil
            if acceptWord("partition") {
                try expectWord("by", "after PARTITION")
                repeat { parts.append(try parseExpr()) } while acceptOp(",")
            }
            if acceptWord("when") { when = try parseExpr() }
            if peek.isWord("order") {
                throw error("ORDER BY inside OVER is not supported: analytic functions follow arrival order", at: peek.range)
            }
            close = peek
            try expectOp(")", "to close OVER (…)")
            over = OverClause(partitionBy: parts, when: when, range: o.range.union(close.range))
        }
        let call = try node(.call(name: t.text, args: args, distinct: distinct, over: over, semantics: nil), t.range.union(close.range))
        // `count(*) FILTER (WHERE cond)`; a bare word `filter` after a call stays an alias.
        if over == nil, peek.isWord("filter"), peek(1).isOp("("), peek(2).isWord("where") {
            pos += 3
            let cond = try parseExpr()
            let end = peek
            try expectOp(")", "to close FILTER (WHERE …)")
            return try node(.aggregateFilter(call, where: cond), t.range.union(end.range))
        }
        return call
    }

    mutating func parseCase() throws(StreamSQLError) -> Expr {
        let start = advance()
        var operand: Expr? = nil
        if !peek.isWord("when") { operand = try parseExpr() }
        var whens: [(Expr, Expr)] = []
        while acceptWord("when") {
            let c = try parseExpr()
            try expectWord("then", "after the WHEN condition")
            let v = try parseExpr()
            whens.append((c, v))
        }
        guard !whens.isEmpty else { throw expected("WHEN in CASE") }
        var otherwise: Expr? = nil
        if acceptWord("else") { otherwise = try parseExpr() }
        let end = peek
        guard acceptWord("end") else { throw expected("END to close the CASE that starts at column \(colOf(start.range))") }
        return try node(.caseWhen(operand: operand, whens: whens, otherwise: otherwise), start.range.union(end.range))
    }
}
