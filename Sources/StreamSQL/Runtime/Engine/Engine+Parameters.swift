import Foundation

/// A proposed new value for a session parameter, with what it would change: the what-if of every running
/// named query that uses the parameter, the old value against the new over its sources' history.
public struct ParameterChange: Sendable {
    public let name: String
    public let old: Value?
    public let value: Value
    /// Per running named query that uses the parameter, in definition order: how its rows would change.
    public let diffs: [(query: String, diff: ResultDiff)]
    /// Why no diff could be computed (no stream keeps a history), when some query uses the parameter.
    public let unavailable: String?
    /// The named queries that restart when the change is adopted.
    public let queries: [String]
}

/// Session parameters: `SET @name = constant`, `@name` in queries, `SHOW PARAMETERS`. A query binds a
/// parameter's value when it is planned; setting a parameter restarts the running named queries that use
/// it (a `CREATE OR REPLACE` of their definitions), so they run on with the new value.
extension Engine {
    /// Every parameter and its value, by name.
    public var parameters: [(name: String, value: Value)] { lock.withLock { parameterValues.all } }

    /// Every parameter, its value and the running queries that use it.
    public func parametersInUse() -> [(name: String, value: Value, queries: [String])] {
        let running = queries
        return parameters.map { p in
            (p.name, p.value, running.filter { $0.parameters.contains(p.name.lowercased()) }.map(\.name).sorted())
        }
    }

    /// The value of a constant expression (literals, other parameters, deterministic functions of them).
    func constant(_ e: Expr, sql: String) throws(StreamSQLError) -> Value {
        var field: Expr?
        Binder(source: sql, functions: functionRegistry, resolver: NoFields(), streamNames: []).visit(e) { x in
            if field == nil, case .name = x.kind { field = x }
        }
        if let field, case .name(let n, _) = field.kind {
            throw StreamSQLError(.plan, "a parameter's value must be a constant, not the field \(n) (SET @threshold = 0.8)", at: field.range, in: sql)
        }
        var b = Binder(source: sql, functions: functionRegistry, resolver: NoFields(), streamNames: [])
        b.udfArguments = [[:]]
        b.parameters = lock.withLock { parameterValues }
        let bound = try b.bind(e)
        guard let v = ExpressionCompiler().fold(bound) else {
            throw StreamSQLError(.plan, "a parameter's value must be a constant (SET @threshold = 0.8)", at: e.range, in: sql)
        }
        return v
    }

    /// Parses `SET @name = value` and runs the what-if of each running named query that uses the parameter;
    /// nothing changes until `adopt` is called with the result.
    public func proposeParameter(_ sql: String) throws(StreamSQLError) -> ParameterChange {
        guard case .setParameter(let name, let e, let range) = try Parser.parse(sql) else {
            throw StreamSQLError(.syntax, "expected SET @name = value", at: SourceRange(0, min(1, sql.utf8.count)), in: sql)
        }
        let value = try constant(e, sql: sql)
        let current = lock.withLock { parameterValues }
        var next = current
        next.set(name, value)
        let users = namedQueries(using: name)
        var diffs: [(String, ResultDiff)] = []
        var unavailable: String?
        if !users.isEmpty {
            do throws(StreamSQLError) {
                try requireHistory(users[0].name, range: range, sql: sql)
                for d in users { diffs.append((d.name, try whatIf(old: (d.select, d.sql, current), new: (d.select, d.sql, next)))) }
            } catch where error.phase == .catalog {
                unavailable = error.message
            }
        }
        return ParameterChange(name: name, old: current[name], value: value, diffs: diffs, unavailable: unavailable,
                               queries: users.map(\.name))
    }

    /// Adopts a proposed change: sets the parameter and restarts the queries that use it.
    @discardableResult
    public func adopt(_ change: ParameterChange) throws(StreamSQLError) -> String {
        let sql = "SET @\(change.name) = …"
        return try setParameter(change.name, to: change.value, range: SourceRange(4, 4 + change.name.utf8.count + 1), sql: sql)
    }

    /// Sets a parameter and restarts the running named queries that use it. Every one is planned with the
    /// new value first, so a value that one of them cannot take (a negative window size, say) changes nothing.
    func setParameter(_ name: String, to value: Value, range: SourceRange, sql: String) throws(StreamSQLError) -> String {
        var next = lock.withLock { parameterValues }
        next.set(name, value)
        let users = namedQueries(using: name)
        do throws(StreamSQLError) {
            planLock.lock()
            defer { planLock.unlock() }
            for d in users { _ = try planQuery(d.select, sql: d.sql, name: nil, parameters: next) }
        } catch {
            throw StreamSQLError(.plan, "@\(name) = \(value.sqlLiteral) would break \(users.map(\.name).joined(separator: ", ")): \(error.message)",
                                 at: range, in: sql)
        }
        lock.withLock { parameterValues = next }
        for d in users { try restart(d) }
        let display = "@" + (next.all.first { $0.name.lowercased() == name.lowercased() }?.name ?? name)
        if users.isEmpty { return "\(display) = \(value.sqlLiteral)" }
        return "\(display) = \(value.sqlLiteral); restarted \(users.map(\.name).joined(separator: ", "))"
    }

    /// The running named queries whose plans use parameter `name`, in definition order.
    func namedQueries(using name: String) -> [QueryDefinition] {
        let key = name.lowercased()
        return lock.withLock {
            definitions.values.filter { d in namedQueries[d.name.lowercased()]?.parameters.contains(key) == true }
                .sorted { $0.order < $1.order }
        }
    }

    /// Runs a definition's statement again as `CREATE OR REPLACE`: the query restarts under its name (panes
    /// and readers of its stream follow it) with the parameters' values now.
    private func restart(_ d: QueryDefinition) throws(StreamSQLError) {
        switch try Parser.parse(d.sql) {
        case .createQuery(let name, let select, var options, let range):
            options.orReplace = true
            _ = try createQuery(name, select: select, options: options, range: range, sql: d.sql)
        case .createStream(let name, let columns, let query, var options, let range):
            options.orReplace = true
            _ = try createStream(name, columns: columns, query: query, options: options, range: range, sql: d.sql)
        case .createTable(let name, let columns, let key, let file, let query, var options, let range):
            options.orReplace = true
            _ = try createTable(name, columns: columns, key: key, file: file, query: query, options: options, range: range, sql: d.sql)
        default:
            // A query stopped and defined from an ad hoc SELECT: its text is the SELECT.
            lock.withLock { namedQueries[d.name.lowercased()] }.map(stop)
            let q = try startQuery(d.select, sql: d.sql, name: d.name)
            publishResults(of: q)
        }
    }
}

extension Value {
    /// The value as SQL text that reads back as the same value (`SET @x = …` in a saved session).
    public var sqlLiteral: String {
        switch self {
        case .null: return "NULL"
        case .bool(let b): return b ? "TRUE" : "FALSE"
        case .int(let i): return String(i)
        case .double(let d): return d.isFinite ? String(d) : "NULL"
        case .string(let s): return "'" + s.replacingOccurrences(of: "'", with: "''") + "'"
        case .timestamp(let t): return String(t)
        case .array(let xs): return "[" + xs.map(\.sqlLiteral).joined(separator: ", ") + "]"
        case .object(let o): return "{" + o.map { "'\($0.key.replacingOccurrences(of: "'", with: "''"))': \($0.value.sqlLiteral)" }.joined(separator: ", ") + "}"
        }
    }
}
