import StreamSQL

/// `.tables` and `.schema [NAME]`, as in the DuckDB CLI: the catalog's names, and the statements that
/// make it (an untyped stream with the fields its events held, in a comment).
enum CatalogCommands {
    /// Streams, tables and running queries by name, one kind a line.
    static func tables(_ engine: Engine) -> [String] {
        let kinds: [(String, [String])] = [("streams", engine.streamNames), ("tables", engine.tableNames),
                                           ("queries", engine.queries.map(\.name).sorted())]
        return kinds.filter { !$0.1.isEmpty }.map { $0.0.padding(toLength: 8, withPad: " ", startingAt: 0) + " " + $0.1.joined(separator: "  ") }
    }

    /// The catalog's statements (`Engine.catalogScript`), or those that make `name`.
    static func schema(_ engine: Engine, name: String?) throws(ShellError) -> [String] {
        var out: [String] = []
        for statement in engine.catalogScript() {
            let made = madeName(statement)
            if let name, made?.name.lowercased() != name.lowercased() { continue }
            out.append(statement)
            // An untyped stream declares no columns: show the fields its events held.
            if let made, made.untypedStream, let p = engine.profile(ofStream: made.name), !p.fields.isEmpty {
                out.append("-- fields seen: " + p.fields.map { f in "\(f.name) \(f.types.first?.0 ?? "null")" }.joined(separator: ", "))
            }
        }
        if let name, out.isEmpty {
            let known = engine.streamNames + engine.tableNames + engine.queries.map(\.name)
            let close = closestNames(to: name, in: known, max: 1)
            throw ShellError("nothing named \(name) in the catalog" + (close.first.map { " (did you mean \($0)?)" } ?? "") + "; .tables lists the names")
        }
        return out
    }

    /// The name a CREATE statement makes, from its parse, and whether it is a stream without columns.
    static func madeName(_ statement: String) -> (name: String, untypedStream: Bool)? {
        switch try? Parser.parse(statement) {
        case .createStream(let name, let columns, let query, _, _)?: return (name, columns.isEmpty && query == nil)
        case .createTable(let name, _, _, _, _, _, _)?: return (name, false)
        case .createQuery(let name, _, _, _)?: return (name, false)
        case .createFunction(let def)?: return (def.name, false)
        default: return nil
        }
    }
}
