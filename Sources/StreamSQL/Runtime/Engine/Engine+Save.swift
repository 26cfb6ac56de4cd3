import Foundation

/// The catalog written back as statements: running them in a new engine (`-f`, `--init`, `.read`)
/// makes the same streams, tables, functions and queries. The shell's `.save` adds its panes, layout
/// and settings after these.
extension Engine {
    /// Statements that rebuild the catalog, each ending in `;`, in an order that runs: declared streams,
    /// tables read from files, SQL-defined functions (each after those it calls), then every named query,
    /// derived stream and query-kept table in the order first defined (a stopped query is followed by
    /// STOP QUERY). Ad hoc SELECTs are views of a moment and are not saved; tables given rows through the
    /// Swift API are named in a comment, since their rows are not SQL.
    public func catalogScript() -> [String] {
        var out: [String] = []
        let (streamList, tableList, defs, running) = lock.withLock {
            (streams.values.sorted { $0.name < $1.name }, tables.values.sorted { $0.name < $1.name },
             definitions.values.sorted { $0.order < $1.order }, Set(namedQueries.keys))
        }
        for st in streamList where st.derivedFrom == nil && st.system == nil && st.name.lowercased() != "stream" {
            var s = "CREATE STREAM \(quoted(st.name))"
            if !st.columns.isEmpty {
                s += " (" + st.columns.map { "\(quoted($0.name)) \($0.typeName)" }.joined(separator: ", ") + ")"
                if st.strict { s += " WITH (STRICT = true)" }
            }
            out.append(s + ";")
        }
        for t in tableList where defs.allSatisfy({ $0.name.lowercased() != t.name.lowercased() }) {
            guard let path = t.sourcePath else {
                out.append("-- table \(t.name) was given its rows through the API; they are not saved")
                continue
            }
            var s = "CREATE TABLE \(quoted(t.name))"
            if !t.columns.isEmpty { s += " (" + t.columns.map { "\(quoted($0.name)) \($0.typeName)" }.joined(separator: ", ") + ")" }
            let key = t.snapshot.key
            if !key.isEmpty { s += " PRIMARY KEY (" + key.map(quoted).joined(separator: ", ") + ")" }
            out.append(s + " FROM FILE " + literal(path) + ";")
        }
        out += parameters.map { "SET @\($0.name) = \($0.value.sqlLiteral);" }
        out += functionStatements()
        for d in defs {
            out.append(d.sql.trimmingCharacters(in: .whitespacesAndNewlines.union(CharacterSet(charactersIn: ";"))) + ";")
            if !running.contains(d.name.lowercased()) { out.append("STOP QUERY \(quoted(d.name));") }
        }
        return out
    }

    /// SQL-defined functions, each after the functions its body calls.
    private func functionStatements() -> [String] {
        let registry = functionRegistry
        var pending = registry.all.compactMap(\.definition).sorted { $0.name < $1.name }
        var done = Set<String>()
        var out: [String] = []
        let visitor = Binder(source: "", functions: registry, resolver: NoFields(), streamNames: [])
        while !pending.isEmpty {
            // A function is ready when every SQL-defined function it calls is written (cycles cannot be defined).
            let ready = pending.filter { def in
                var ok = true
                visitor.visit(def.body) { x in
                    if case .call(let n, _, _, _, _) = x.kind, let f = registry.lookup(n), f.definition != nil,
                       f.name.lowercased() != def.name.lowercased(), !done.contains(f.name.lowercased()) { ok = false }
                }
                return ok
            }
            let batch = ready.isEmpty ? [pending[0]] : ready
            for def in batch {
                var s = "CREATE FUNCTION \(quoted(def.name))(\(def.parameters.joined(separator: ", "))) AS \(def.bodyText)"
                if let c = def.comment { s += " COMMENT " + literal(c) }
                out.append(s + ";")
                done.insert(def.name.lowercased())
            }
            pending.removeAll { d in batch.contains { $0.name == d.name } }
        }
        return out
    }

    /// A name as written in SQL: bare when it is a plain identifier, else in backquotes.
    private func quoted(_ name: String) -> String {
        let plain = name.first.map { $0.isLetter || $0 == "_" } ?? false && name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
        return plain ? name : "`" + name.replacingOccurrences(of: "`", with: "``") + "`"
    }

    private func literal(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "''") + "'" }
}
