import Foundation
import OrderedCollections

/// `CREATE [OR REPLACE] STREAM | TABLE | QUERY`. Each plans its SELECT from the statement's own AST
/// (never from re-sliced text). With OR REPLACE the new definition is planned first, so a mistake in
/// it leaves the old one running; then the old one's query stops and the new one starts under the same
/// name, so panes and readers bound to the name carry on.
extension Engine {
    func createQuery(_ name: String, select: SelectStatement, options: CreateOptions, range: SourceRange,
                     sql: String) throws(StreamSQLError) -> StatementResult {
        try refuseSystemName(name, range: range, sql: sql)
        let key = name.lowercased()
        planLock.lock()
        defer { planLock.unlock() }
        let (running, defined, clash) = lock.withLock {
            (namedQueries[key], definitions[key] != nil, streams[key].map { $0.derivedFrom?.lowercased() != key } ?? false || tables[key] != nil)
        }
        if clash { throw StreamSQLError(.catalog, "\(name) is already a stream or table; choose another name for the query", at: range, in: sql) }
        if (running != nil || defined) && !options.orReplace {
            throw StreamSQLError(.catalog, "a query named \(name) already exists (CREATE OR REPLACE QUERY replaces it)", at: range, in: sql)
        }
        // Plan the new version while the old one still holds the name, then swap.
        let plan = try planQuery(select, sql: sql, name: nil)
        if let running { stop(running) }
        let q = start(plan.named(name))
        define(name, select: select, sql: sql)
        publishResults(of: q)
        return .started(q, message: "query \(name) \(running != nil ? "replaced" : "running") (SHOW QUERIES; STOP QUERY \(name);)")
    }

    func createStream(_ name: String, columns: [ColumnDefinition], query: SelectStatement?, options: CreateOptions,
                      range: SourceRange, sql: String) throws(StreamSQLError) -> StatementResult {
        try refuseSystemName(name, range: range, sql: sql)
        let key = name.lowercased()
        let existing = lock.withLock { streams[key] }
        let replacing = existing?.declared == true
        if lock.withLock({ tables[key] != nil }) || (replacing && !options.orReplace) {
            throw StreamSQLError(.catalog, "\(name) already exists\(existing != nil ? " (CREATE OR REPLACE STREAM replaces it)" : " as a table")",
                                 at: range, in: sql)
        }
        var types: [String: SQLType] = [:]
        for c in columns {
            guard let t = SQLType(name: c.typeName) else {
                throw StreamSQLError(.plan, "unknown type '\(c.typeName)' for column \(c.name) (types: \(SQLType.spellings))", at: c.range, in: sql)
            }
            types[c.name] = t
        }
        var strict = false
        var history = self.options.history
        for (k, v, r) in options.with {
            switch (k.lowercased(), v) {
            case ("strict", .bool(let b)):
                if columns.isEmpty { throw StreamSQLError(.plan, "STRICT applies to a stream with declared columns", at: r, in: sql) }
                strict = b
            case ("history", .int(let n)) where n >= 0:
                history.events = Int(n)
                if history.bytes == 0 { history.bytes = StreamHistory.Limits.default.bytes }
            case ("history", .string(let d)):
                guard let nanos = Durations.parse(d) else {
                    throw StreamSQLError(.plan, "HISTORY is a number of events or a duration such as '30m'", at: r, in: sql)
                }
                history.age = nanos
                if history.events == 0 { history.events = StreamHistory.Limits.default.events }
            default:
                throw StreamSQLError(.plan, "unknown stream option \(k) (STRICT = true rejects undeclared fields; HISTORY = 50000 or '30m' bounds what what-if runs replay)",
                                     at: r, in: sql)
            }
        }
        if query != nil { history.events = 0 }   // a derived stream is recomputed from its source's history
        // The stream object stays when replaced: the queries reading it keep their place.
        let st = existing ?? StreamState(name: name, history: history)
        if existing != nil { st.history.setLimits(history, now: self.options.clock.now()) }
        if let query {
            if readsItself(name, query) {
                // Its results would run through its own query again, on the thread that holds that query's lock.
                throw StreamSQLError(.plan, "stream \(name) cannot be derived from itself", at: query.from.range, in: sql)
            }
            planLock.lock()
            defer { planLock.unlock() }
            let plan = try planQuery(query, sql: sql, name: nil)
            if let producer = lock.withLock({ namedQueries[key] }), existing?.derivedFrom != nil { stop(producer) }
            lock.withLock {
                st.columns = []
                st.types = [:]
                st.strict = false
                st.derivedFrom = name
                st.declared = true
                streams[key] = st
            }
            let q = start(plan.named(name))
            forward(q, into: st, onlyWhenRead: false)
            define(name, select: query, sql: sql)
            return .message("stream \(name) \(replacing ? "replaced" : "created") from a query")
        }
        if existing?.derivedFrom != nil, let producer = lock.withLock({ namedQueries[key] }) { stop(producer) }
        lock.withLock {
            st.columns = columns
            st.types = types
            st.strict = strict
            st.derivedFrom = nil
            st.declared = true
            streams[key] = st
            definitions[key] = nil
        }
        return .message("stream \(name) \(replacing ? "replaced" : "created")")
    }

    func createTable(_ name: String, columns: [ColumnDefinition], key: [String], file: String?, query: SelectStatement?,
                     options: CreateOptions, range: SourceRange, sql: String) throws(StreamSQLError) -> StatementResult {
        let lower = name.lowercased()
        let existing = lock.withLock { tables[lower] }
        if lock.withLock({ streams[lower] != nil }) || (existing != nil && !options.orReplace) {
            throw StreamSQLError(.catalog, "\(name) already exists\(existing != nil ? " (CREATE OR REPLACE TABLE replaces it)" : " as a stream")",
                                 at: range, in: sql)
        }
        if let w = options.with.first { throw StreamSQLError(.plan, "tables take no WITH options", at: w.2, in: sql) }
        if let file {
            let path = resolvePath(file)
            var rows: [OrderedDictionary<String, Value>]
            do { rows = try TableFile.load(path) } catch {
                throw StreamSQLError(.io, error.message, at: range, in: sql)
            }
            for c in columns {
                guard let t = SQLType(name: c.typeName) else {
                    throw StreamSQLError(.plan, "unknown type '\(c.typeName)' for column \(c.name)", at: c.range, in: sql)
                }
                for i in rows.indices { if let v = rows[i][c.name] { rows[i][c.name] = v.cast(to: t) } }
            }
            for k in key where !rows.isEmpty && rows.allSatisfy({ $0[k] == nil }) {
                throw StreamSQLError(.plan, "PRIMARY KEY column \(k) is not in \(file)", at: range, in: sql)
            }
            try replaceTable(existing, name: name, key: key, range: range, sql: sql)
            if let existing, existing.snapshot.key == key {
                existing.replace(rows)   // joins see the new rows from their next event
                existing.sourcePath = path
            } else {
                let t = TableState(name: name, columns: columns, key: key, rows: rows, origin: "file \(file)")
                t.sourcePath = path
                lock.withLock { tables[lower] = t }
            }
            return .message("table \(name) \(existing != nil ? "reloaded" : "loaded"): \(rows.count) rows from \(file)")
        }
        guard let query else { throw StreamSQLError(.plan, "a table needs FROM FILE or AS SELECT", at: range, in: sql) }
        // Key: PRIMARY KEY, else the query's GROUP BY keys; the table keeps the latest row per key.
        var tableKey = key
        if tableKey.isEmpty {
            tableKey = query.groupBy.compactMap { e -> String? in
                if case .name(let n, _) = e.kind { return n }
                return nil
            }
        }
        planLock.lock()
        defer { planLock.unlock() }
        let plan = try planQuery(query, sql: sql, name: nil)
        for k in tableKey where !plan.schema.names.contains(k) {
            throw StreamSQLError(.plan, "the key column \(k) is not in the query's output (\(plan.schema.names.joined(separator: ", ")))", at: range, in: sql)
        }
        try replaceTable(existing, name: name, key: tableKey, range: range, sql: sql)
        let t: TableState
        if let existing, existing.snapshot.key == tableKey {
            existing.replace([])
            t = existing
        } else {
            t = TableState(name: name, columns: columns, key: tableKey, rows: [], origin: "query")
            lock.withLock { tables[lower] = t }
        }
        let q = start(plan.named(name))
        q.addSink { batch in t.upsert(batch.objects) }
        define(name, select: query, sql: sql)
        return .message("table \(name) \(existing != nil ? "replaced" : "created"), kept up to date by a query"
                        + (tableKey.isEmpty ? "" : " (latest row per \(tableKey.joined(separator: ", ")))"))
    }

    /// Whether `select` reads `name`'s rows, directly or through the derived streams it reads.
    private func readsItself(_ name: String, _ select: SelectStatement) -> Bool {
        let target = name.lowercased()
        var seen = Set<String>()
        var frontier = [select.from.source.lowercased()]
        while let s = frontier.popLast() {
            if s == target { return true }
            guard seen.insert(s).inserted, let d = lock.withLock({ definitions[s] }) else { continue }
            frontier.append(d.select.from.source.lowercased())
        }
        return false
    }

    /// Before a table is replaced: its producing query stops, and its key may not change while it exists
    /// (running joins hold the table and index it by that key).
    private func replaceTable(_ existing: TableState?, name: String, key: [String], range: SourceRange, sql: String) throws(StreamSQLError) {
        guard let existing else { return }
        if existing.snapshot.key != key {
            throw StreamSQLError(.catalog, "CREATE OR REPLACE TABLE cannot change the key of \(name) (\(existing.snapshot.key.joined(separator: ", "))); DROP TABLE \(name) first",
                                 at: range, in: sql)
        }
        if let producer = lock.withLock({ namedQueries[name.lowercased()] }) { stop(producer) }
    }
}
