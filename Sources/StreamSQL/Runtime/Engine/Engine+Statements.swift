import Foundation
import OrderedCollections

/// What running one statement produced.
public enum StatementResult: Sendable {
    /// An ad hoc continuous query now running (SELECT): a shell attaches to it and prints its rows.
    case query(Query)
    /// A named query now running (CREATE [OR REPLACE] QUERY, START QUERY): it runs in the background.
    case started(Query, message: String)
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
        case .explainDiff(let name, let select, let range):
            return diffTable(try whatIf(name, select: select, sql: sql, range: range))
        case .explainRow(let name, let n, let range):
            return try explainRow(name, n: n, range: range, sql: sql)
        case .set(let name, let value, let range):
            return try set(name, value, range: range, sql: sql)
        case .setParameter(let name, let value, let range):
            return .message(try setParameter(name, to: try constant(value, sql: sql), range: range, sql: sql))
        case .showParameters:
            let rows = parametersInUse().map { p -> [Value] in [.string("@" + p.name), p.value, .string(p.queries.joined(separator: ", "))] }
            return .table(columns: ["parameter", "value", "used by"], rows: rows)
        case .explainFlink(let select):
            return .message(try explainFlink(select, sql: sql))
        case .createStream(let name, let columns, let query, let options, let range):
            return try createStream(name, columns: columns, query: query, options: options, range: range, sql: sql)
        case .createTable(let name, let columns, let key, let file, let query, let options, let range):
            return try createTable(name, columns: columns, key: key, file: file, query: query, options: options, range: range, sql: sql)
        case .createQuery(let name, let select, let options, let range):
            return try createQuery(name, select: select, options: options, range: range, sql: sql)
        case .insert(let stream, let columns, let rows, let json, let range):
            return try insert(stream, columns: columns, rows: rows, json: json, range: range, sql: sql)
        case .drop(let kind, let name, let ifExists, let range):
            return try drop(kind, name, ifExists: ifExists, range: range, sql: sql)
        case .show(let kind):
            return show(kind)
        case .showWindows(let name, let range):
            return try showWindows(name, range: range, sql: sql)
        case .describe(let name, let extended, let range):
            return try describe(name, extended: extended, range: range, sql: sql)
        case .stopQuery(let name, let range):
            guard let q = lock.withLock({ namedQueries[name.lowercased()] }) else {
                throw StreamSQLError(.catalog, "no running query named \(name)", at: range, in: sql,
                                     suggestions: closestNames(to: name, in: queries.map(\.name)))
            }
            stop(q)
            if lock.withLock({ definitions[name.lowercased()] == nil }), let select = q.select { define(q.name, select: select, sql: q.sql) }
            return .message("query \(q.name) stopped")
        case .startQuery(let name, let range):
            if lock.withLock({ namedQueries[name.lowercased()] }) != nil { return .message("query \(name) is already running") }
            guard let def = lock.withLock({ definitions[name.lowercased()] }) else {
                throw StreamSQLError(.catalog, "no stopped query named \(name) (CREATE QUERY names queries that can be restarted)", at: range, in: sql)
            }
            let q = try startQuery(def.select, sql: def.sql, name: def.name)
            publishResults(of: q)
            return .started(q, message: "query \(q.name) started")
        }
    }

    /// Creates a table from rows given in Swift, or replaces the rows of an existing one with the same
    /// key (running queries see the new version from their next event).
    public func createTable(_ name: String, key: [String] = [], rows: [OrderedDictionary<String, Value>]) {
        lock.withLock {
            if let existing = tables[name.lowercased()], existing.snapshot.key == key {
                existing.replace(rows)
            } else {
                tables[name.lowercased()] = TableState(name: name, columns: [], key: key, rows: rows, origin: "API")
            }
        }
    }

    /// Relative file paths resolve against `baseDirectory` (a script's folder), else the working directory.
    func resolvePath(_ p: String) -> String {
        if p.hasPrefix("/") { return p }
        let base = baseDirectory ?? FileManager.default.currentDirectoryPath
        return URL(fileURLWithPath: base).appendingPathComponent(p).path
    }

    func insert(_ stream: String, columns: [String], rows: [[Expr]], json: [String], range: SourceRange, sql: String) throws(StreamSQLError) -> StatementResult {
        guard let st = lock.withLock({ streams[stream.lowercased()] }) else {
            throw StreamSQLError(.catalog, "unknown stream \(stream)", at: range, in: sql, suggestions: closestNames(to: stream, in: streamNames))
        }
        var events: [OrderedDictionary<String, Value>] = []
        for doc in json {
            do {
                guard case .object(let o) = try JSONReader.parse(doc) else { throw JSONError(message: "not an object", offset: 0) }
                events.append(o)
            } catch {
                throw StreamSQLError(.io, "INSERT … JSON: \(error)", at: range, in: sql)
            }
        }
        let names = columns.isEmpty ? st.columns.map(\.name) : columns
        for vals in rows {
            guard !names.isEmpty else {
                throw StreamSQLError(.plan, "name the columns: INSERT INTO \(stream) (a, b) VALUES (…), or use INSERT INTO \(stream) JSON '{…}'", at: range, in: sql)
            }
            guard vals.count == names.count else {
                throw StreamSQLError(.plan, "\(vals.count) values for \(names.count) columns (\(names.joined(separator: ", ")))", at: vals.first?.range ?? range, in: sql)
            }
            var b = Binder(source: sql, functions: functionRegistry, resolver: NoFields(), streamNames: [])
            b.udfArguments = [[:]]
            b.parameters = lock.withLock { parameterValues }
            var o = OrderedDictionary<String, Value>()
            for (n, e) in zip(names, vals) {
                let bound = try b.bind(e)
                guard let v = ExpressionCompiler().fold(bound) else {
                    throw StreamSQLError(.plan, "INSERT values must be constants", at: e.range, in: sql)
                }
                o[n] = v
            }
            events.append(o)
        }
        var rejected = 0
        for e in events {
            let before = st.counters.snapshot.rejected
            emitSync(e, to: st.name)
            if st.counters.snapshot.rejected > before { rejected += 1 }
        }
        return .message("\(events.count - rejected) event\(events.count - rejected == 1 ? "" : "s") inserted into \(st.name)"
                        + (rejected > 0 ? ", \(rejected) rejected (see SHOW STREAMS)" : ""))
    }

    /// A named query's results are also a stream of the same name, so other queries can read them
    /// (`SELECT … FROM my_query`). Rows are forwarded only while some query reads that stream.
    func publishResults(of q: Query) {
        let name = q.name
        let key = name.lowercased()
        let st: StreamState? = lock.withLock {
            if let existing = streams[key] { return existing.derivedFrom?.lowercased() == key ? existing : nil }
            let s = StreamState(name: name, history: StreamHistory.Limits(events: 0))   // recomputed from its source's history
            s.derivedFrom = name
            streams[key] = s
            return s
        }
        guard let st else { return }
        forward(q, into: st, onlyWhenRead: true)
    }

    func drop(_ kind: CatalogKind, _ name: String, ifExists: Bool, range: SourceRange, sql: String) throws(StreamSQLError) -> StatementResult {
        let key = name.lowercased()
        switch kind {
        case .stream:
            guard let st = lock.withLock({ streams[key] }) else {
                if ifExists { return .message("no stream \(name); nothing dropped") }
                throw StreamSQLError(.catalog, "unknown stream \(name)", at: range, in: sql, suggestions: closestNames(to: name, in: streamNames))
            }
            let readers = lock.withLock { st.queries.map(\.name) }
            if !readers.isEmpty {
                throw StreamSQLError(.catalog, "stream \(name) is read by \(readers.joined(separator: ", ")); drop or stop them first", at: range, in: sql)
            }
            if let producer = lock.withLock({ namedQueries[key] }), st.derivedFrom != nil { stop(producer) }
            lock.withLock { streams[key] = nil; definitions[key] = nil }
            return .message("stream \(st.name) dropped")
        case .table:
            guard lock.withLock({ tables[key] }) != nil else {
                if ifExists { return .message("no table \(name); nothing dropped") }
                throw StreamSQLError(.catalog, "unknown table \(name)", at: range, in: sql, suggestions: closestNames(to: name, in: tableNames))
            }
            if let producer = lock.withLock({ namedQueries[key] }) { stop(producer) }
            lock.withLock { tables[key] = nil; definitions[key] = nil }
            return .message("table \(name) dropped")
        case .query:
            let q = lock.withLock { namedQueries[key] }
            let defined = lock.withLock { definitions[key] != nil }
            guard q != nil || defined else {
                if ifExists { return .message("no query \(name); nothing dropped") }
                throw StreamSQLError(.catalog, "unknown query \(name)", at: range, in: sql, suggestions: closestNames(to: name, in: queries.map(\.name)))
            }
            if let q { stop(q) }
            lock.withLock {
                definitions[key] = nil
                // The stream of its results goes too, unless a query still reads it.
                if let st = streams[key], st.derivedFrom?.lowercased() == key, st.queries.isEmpty { streams[key] = nil }
            }
            return .message("query \(name) dropped")
        case .function:
            return try run("DROP FUNCTION \(ifExists ? "IF EXISTS " : "")`\(name)`")
        }
    }

    public var tableNames: [String] { lock.withLock { tables.values.map(\.name).sorted() } }

    public func table(_ name: String) -> TableState? { lock.withLock { tables[name.lowercased()] } }

    func show(_ kind: CatalogKind) -> StatementResult {
        switch kind {
        case .stream:
            let rows: [[Value]] = lock.withLock {
                streams.values.sorted { $0.name < $1.name }.map { st in
                    let m = st.counters.snapshot
                    let cols = st.columns.isEmpty ? "(untyped)" : st.columns.map { "\($0.name) \($0.typeName)" }.joined(separator: ", ")
                    return [.string(st.name), .string(cols), .string(st.queries.map(\.name).joined(separator: ", ")),
                            .string(st.system.map { k in k.describe(SystemStream.parse(st.name)?.base ?? st.name) } ?? st.derivedFrom.map { "query \($0)" } ?? "input"), .int(Int64(m.eventsIn)), .int(Int64(m.rejected)),
                            .string(historyText(st.history))]
                }
            }
            // Each stream's own event time (the lock is not held: it reads the queries' counters).
            let timed = rows.map { r in r + [.string(r[0].asString.flatMap { timeStatus(ofStream: $0)?.text } ?? "")] }
            let system = unreadSystemStreams().map { $0 + [.string("")] }
            return .table(columns: ["name", "columns", "read by", "source", "events", "rejected", "history", "event time"],
                          rows: (timed + system).sorted { ($0[0].asString ?? "") < ($1[0].asString ?? "") })
        case .table:
            let rows: [[Value]] = lock.withLock {
                tables.values.sorted { $0.name < $1.name }.map { t in
                    let snap = t.snapshot
                    return [.string(t.name), .int(Int64(snap.rows.count)), .string(snap.key.joined(separator: ", ")), .string(t.origin)]
                }
            }
            return .table(columns: ["name", "rows", "key", "source"], rows: rows)
        case .query:
            let qs = queries.sorted { $0.name < $1.name }
            let rows: [[Value]] = qs.map { q in
                let m = q.metrics
                let st = q.stateSize
                func ms(_ n: Int64?) -> Value { n.map { .double((Double($0) / 1e4).rounded() / 100) } ?? .null }
                return [.string(q.name), .string(q.streamName), .int(Int64(m.eventsIn)), .int(Int64(m.rowsOut)), .int(Int64(m.rejected)),
                        .int(Int64(m.late)), .int(Int64(m.dropped)), .int(Int64(m.evicted)), .int(Int64(m.nulled)), ms(m.latencyP50), ms(m.latencyP99), .string(st.description),
                        .string(q.sql.split(whereSeparator: \.isNewline).joined(separator: " "))]
            }
            let stopped = lock.withLock { definitions.filter { namedQueries[$0.key] == nil }.map(\.value) }
            let stoppedRows: [[Value]] = stopped.sorted { $0.name < $1.name }.map {
                [.string($0.name), "(stopped)", 0, 0, 0, 0, 0, 0, 0, nil, nil, "", .string($0.sql)]
            }
            return .table(columns: ["name", "stream", "events in", "rows out", "rejected", "late", "dropped", "evicted", "nulled", "p50 ms", "p99 ms", "state", "sql"],
                          rows: rows + stoppedRows)
        case .function:
            return (try? run("SHOW FUNCTIONS")) ?? .message("")
        }
    }

    /// What a stream keeps for what-if runs: "off", or the events kept, their size and what was dropped.
    func historyText(_ h: StreamHistory) -> String {
        guard h.isRecording else { return "off" }
        let dropped = h.dropped.values.reduce(0, +)
        return "\(h.count) events, \(h.memoryBytes / 1024) KB" + (dropped > 0 ? ", \(dropped) dropped" : "")
    }

    /// Runs every statement of a script in order; stops at the first error.
    public func runScript(_ script: String) throws(StreamSQLError) -> [StatementResult] {
        var out: [StatementResult] = []
        for text in StatementScanner.scan(script).statements { out.append(try run(text)) }
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
        check.parameters = lock.withLock { parameterValues }
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

    /// Registers an aggregate implemented in Swift: `make` returns a fresh accumulator (see the
    /// `Accumulator` contract: NULLs skipped, `merge` for sliding windows, `result` non-consuming).
    ///
    /// ```swift
    /// engine.registerAggregate("range", summary: "max - min") { RangeAccumulator() }
    /// // SELECT k, range(v) FROM stream GROUP BY k, TumblingWindow('1m')
    /// ```
    public func registerAggregate(_ name: String, summary: String, _ make: @escaping @Sendable () -> Accumulator) {
        AggregateKind.customFactories.withLock { $0[name.lowercased()] = make }
        registerFunction(FunctionInfo(name, kind: .aggregate, category: "user", args: 1...1, signature: "\(name)(x)", summary: summary,
                                      impl: nil, origin: .native))
    }

    func explain(_ s: SelectStatement, sql: String) throws(StreamSQLError) -> [[Value]] {
        // Plan without starting anything: bind against a scratch copy of the stream's layout.
        var binder = Binder(source: sql, functions: functionRegistry, resolver: LayoutResolver(layout: .empty),
                            streamNames: [s.from.source] + (s.from.alias.map { [$0] } ?? []))
        binder.tableStates = lock.withLock { tables }
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
