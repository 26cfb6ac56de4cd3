import Foundation
import StreamSQL

// Panes name their query. After each statement the shell and the script runner call these, so that DROP
// QUERY removes the query's panes, and CREATE OR REPLACE QUERY or START QUERY moves them to the new query
// object (bound panes keep their history). A pane whose columns the new definition no longer outputs is
// reported; it stays, showing what it can.

extension Repl {
    /// Drops the panes of dropped queries and rebinds the others to their query's current object.
    func panesFollowQueries() {
        var gone: [PaneSpec] = []
        panes.removeAll { spec in
            guard case .unknown = engine.status(ofQuery: spec.query) else { return false }
            gone.append(spec)
            return true
        }
        for (key, pane) in boundPanes where gone.contains(where: { $0.name.lowercased() == key }) || !pane.followQuery(in: engine) {
            boundPanes[key] = nil
        }
        for spec in gone { say("pane \(spec.name) removed: query \(spec.query) was dropped") }
    }

    /// A query (re)started under a name: warns of its panes that name a column it does not output.
    func checkPanes(on query: Query) {
        for spec in panes where spec.query.lowercased() == query.name.lowercased() {
            do { try spec.validate(against: query) } catch { say("warning: \(error.description)") }
        }
    }
}

extension ScriptRunner {
    /// Keeps one entry per query name (its newest object, in the first one's place) and none for a
    /// dropped named query; drops the panes declared on those, and reports panes that name a column the
    /// replaced query no longer outputs.
    func queriesFollowCatalog() {
        // Named queries the engine restarted (a parameter changed): follow them to their new object.
        let running = engine.queries
        for q in queries where q.isNamed {
            guard let current = running.first(where: { $0.name.lowercased() == q.name.lowercased() }), current !== q,
                  !queries.contains(where: { $0 === current }) else { continue }
            queries.append(current)
            if attachQueries { attach(current) }
        }
        var index: [String: Int] = [:]
        var newest: [Query] = []
        var replaced: Set<String> = []
        for q in queries {
            let key = q.name.lowercased()
            if let i = index[key] {
                if newest[i] !== q { replaced.insert(key) }
                newest[i] = q
            } else {
                index[key] = newest.count
                newest.append(q)
            }
        }
        let dropped = Set(newest.filter { q in
            guard q.isNamed, case .unknown = engine.status(ofQuery: q.name) else { return false }
            return true
        }.map { $0.name.lowercased() })
        queries = newest.filter { !dropped.contains($0.name.lowercased()) }
        panes.removeAll { dropped.contains($0.query.lowercased()) }
        for spec in panes where replaced.contains(spec.query.lowercased()) {
            guard let q = queries.first(where: { $0.name.lowercased() == spec.query.lowercased() }) else { continue }
            do {
                try spec.validate(against: q)
            } catch {
                errors += 1
                writeError(error.description)
            }
        }
    }
}
