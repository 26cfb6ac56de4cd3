import Foundation

/// What running one statement produced.
public enum StatementResult: Sendable {
    /// A continuous query that is now running (SELECT).
    case query(Query)
    /// Rows to show (SHOW, DESCRIBE, EXPLAIN).
    case table(columns: [String], rows: [[Value]])
    /// A confirmation (CREATE, DROP).
    case message(String)
}

extension Engine {
    /// Runs one statement of any kind. A SELECT starts a continuous query, as `execute` does.
    @discardableResult
    public func run(_ sql: String) throws(StreamSQLError) -> StatementResult {
        let stmt = try Parser.parse(sql)
        switch stmt {
        case .select:
            return .query(try execute(sql))
        case .createFunction(let def):
            try createFunction(def, sql: sql)
            return .message("function \(def.name) created")
        case .dropFunction(let name, let ifExists, let range):
            guard let f = functionRegistry.lookup(name), f.origin != .builtin else {
                if ifExists { return .message("function \(name) does not exist; nothing dropped") }
                let known = functionRegistry.lookup(name) != nil
                throw StreamSQLError(.catalog, known ? "\(name) is a built-in function and cannot be dropped" : "unknown function \(name)",
                                     at: range, in: sql)
            }
            removeFunction(f.name)
            return .message("function \(f.name) dropped")
        case .showFunctions(let like):
            let pattern = like.map(LikePattern.init)
            let rows = functionRegistry.all
                .filter { f in pattern.map { $0.matches(f.name) || $0.matches(f.name.uppercased()) } ?? true }
                .map { f -> [Value] in [.string(f.name), .string(f.kind.rawValue), .string(f.category), .string(f.signature), .string(f.summary)] }
            return .table(columns: ["name", "kind", "category", "signature", "description"], rows: rows)
        case .describeFunction(let name, let range):
            guard let f = functionRegistry.lookup(name) else {
                throw StreamSQLError(.catalog, "unknown function \(name)", at: range, in: sql,
                                     suggestions: closestNames(to: name, in: functionRegistry.all.map(\.name)))
            }
            var rows: [[Value]] = [
                ["name", .string(f.name)], ["kind", .string(f.kind.rawValue)], ["category", .string(f.category)],
                ["signature", .string(f.signature)], ["arguments", .string(f.arityText)], ["description", .string(f.summary)],
                ["defined in", .string(f.origin.rawValue)],
            ]
            if !f.aliases.isEmpty { rows.append(["aliases", .string(f.aliases.joined(separator: ", "))]) }
            if let d = f.definition { rows.append(["body", .string(d.bodyText)]) }
            return .table(columns: ["property", "value"], rows: rows)
        case .explain(let select):
            return .table(columns: ["property", "value"], rows: try explain(select, sql: sql))
        }
    }

    /// Runs every statement of a script in order; stops at the first error.
    public func runScript(_ script: String) throws(StreamSQLError) -> [StatementResult] {
        var out: [StatementResult] = []
        for text in Parser.splitStatements(script) { out.append(try run(text)) }
        return out
    }

    func createFunction(_ def: FunctionDefinition, sql: String) throws(StreamSQLError) {
        if let existing = functionRegistry.lookup(def.name) {
            if existing.origin == .builtin {
                throw StreamSQLError(.catalog, "\(def.name) is a built-in function; choose another name", at: def.range, in: sql)
            }
            if !def.orReplace {
                throw StreamSQLError(.catalog, "function \(def.name) already exists (use CREATE OR REPLACE FUNCTION)", at: def.range, in: sql)
            }
        }
        // The body may use only its parameters and scalar functions.
        var check = Binder(source: sql, functions: functionRegistry, resolver: NoFields(), streamNames: [])
        try check.validate(def.body, windowed: false, groupKeys: [])
        if check.contains(def.body, kind: .aggregate) || check.contains(def.body, kind: .analytic) || check.contains(def.body, kind: .window) {
            throw StreamSQLError(.plan, "a SQL-defined function is a scalar expression; aggregate, analytic and window functions are not allowed in its body", at: def.body.range, in: sql)
        }
        check.udfArguments = [Dictionary(uniqueKeysWithValues: def.parameters.map { ($0.lowercased(), BoundExpr.literal(.null)) })]
        _ = try check.bind(def.body)
        let deterministic = !containsNondeterministic(def.body)
        let summary = def.comment ?? "SQL-defined: \(def.bodyText)"
        let info = FunctionInfo(def.name, category: "user", args: def.parameters.count...def.parameters.count,
                                signature: "\(def.name)(\(def.parameters.joined(separator: ", ")))", summary: summary,
                                deterministic: deterministic, impl: nil, definition: def, origin: .sql)
        registerFunction(info)
    }

    private func containsNondeterministic(_ e: Expr) -> Bool {
        var found = false
        Binder(source: "", functions: functionRegistry, resolver: NoFields(), streamNames: []).visit(e) { x in
            if case .call(let n, _, _, _, _) = x.kind, self.functionRegistry.lookup(n)?.deterministic == false { found = true }
        }
        return found
    }

    /// Registers a scalar function implemented in Swift. It is visible to every later query,
    /// to `SHOW FUNCTIONS` and to completion.
    ///
    /// ```swift
    /// engine.registerFunction("celsius", arguments: 1...1, summary: "Fahrenheit to Celsius") { args in
    ///     guard let f = args[0].asDouble else { return .null }
    ///     return .double((f - 32) / 1.8)
    /// }
    /// ```
    public func registerFunction(_ name: String, arguments: ClosedRange<Int>, summary: String, deterministic: Bool = true,
                                 _ impl: @escaping @Sendable ([Value]) -> Value) {
        registerFunction(FunctionInfo(name, category: "user", args: arguments, signature: "\(name)(…)", summary: summary,
                                      deterministic: deterministic, impl: .variadic(impl), origin: .native))
    }

    func explain(_ s: SelectStatement, sql: String) throws(StreamSQLError) -> [[Value]] {
        // Plan without starting anything: bind against a scratch copy of the stream's layout.
        var binder = Binder(source: sql, functions: functionRegistry, resolver: LayoutResolver(layout: .empty),
                            streamNames: [s.from.source] + (s.from.alias.map { [$0] } ?? []))
        let bound = try binder.bindSelect(s)
        let q = Query(name: "explain", sql: sql, stream: s.from.source, op: makeOperator(bound, counters: Counters()), counters: Counters(),
                      capacity: 1, policy: .block)
        var rows: [[Value]] = [["source", .string(s.from.source)]]
        switch bound {
        case .row(let r):
            rows.append(["pipeline", "row-at-a-time: one event in, zero or more rows out"])
            rows.append(["why", "no aggregate function and no GROUP BY window"])
            rows.append(["columns", .string(r.schema.names.joined(separator: ", "))])
            if !r.analytics.isEmpty { rows.append(["analytic calls", .string("\(r.analytics.count), state kept per partition")]) }
        case .match(let m):
            rows.append(["pipeline", "pattern matching (MATCH_RECOGNIZE)"])
            rows.append(["why", "MATCH_RECOGNIZE clause"])
            rows.append(["variables", .string(m.program.symbols.joined(separator: ", "))])
            rows.append(["columns", .string(m.schema.names.joined(separator: ", "))])
        case .windowed(let w):
            rows.append(["pipeline", "windowed aggregation"])
            rows.append(["why", .string(w.implicitWindow ? "aggregate functions without a window: the reference's default 10s tumbling window applies" : "GROUP BY \(w.window.name)")])
            rows.append(["group keys", .string(w.groupKeyNames.isEmpty ? "(none)" : w.groupKeyNames.joined(separator: ", "))])
            rows.append(["aggregates", .string(w.aggregates.map { $0.kind.op.rawValue + ($0.kind.distinct ? " distinct" : "") }.joined(separator: ", "))])
            rows.append(["columns", .string(w.schema.names.joined(separator: ", "))])
        }
        rows.append(["plan", .string(q.explain)])
        rows.append(["state", "groups, open windows and partitions; bounded by maxGroups and maxPartitions"])
        return rows
    }
}

/// A resolver for expressions that must not read event fields (SQL-defined function bodies).
struct NoFields: FieldResolver {
    mutating func slot(for field: String) -> Int { 0 }
    mutating func requireWholeEvent() {}
}
