import Foundation

/// What the catalog knows of a query name, for front ends that keep things bound to a query by name
/// (dashboard panes): they follow the running query, keep their history while it is stopped, and go
/// when it is dropped.
public enum QueryStatus: Sendable {
    /// Running: the current `Query` object, which is a new one after CREATE OR REPLACE QUERY or START QUERY.
    case running(Query)
    /// Defined but not running (STOP QUERY, its LIMIT reached, or input ended): START QUERY runs it again.
    case stopped
    /// Never created, or dropped (an ad hoc query that ended is gone as well).
    case unknown
}

extension Engine {
    /// The status of the query named `name` (case-insensitive).
    public func status(ofQuery name: String) -> QueryStatus {
        let key = name.lowercased()
        return lock.withLock {
            if let q = namedQueries[key] { return .running(q) }
            return definitions[key] != nil ? .stopped : .unknown
        }
    }
}
