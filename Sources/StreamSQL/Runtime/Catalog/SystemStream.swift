/// System streams: what a query or stream diverted, readable as a stream.
///
/// - `q.late`: the rows event-time query `q` dropped as late — `row` (the row's fields), `event_time`,
///   `watermark` (when it arrived).
/// - `s.rejected`: what input stream `s` rejected — `line` (the raw line, or the event as JSON),
///   `file` and `line_number` (when it came from a file), `reason`.
///
/// A name resolves as written first (any stream of that exact name); otherwise a name ending in `.late`
/// names the late rows of the query before the dot, and one ending in `.rejected` the rejections of the
/// stream before it. The stream is made the first time a query reads it and receives what is diverted from
/// then on (the inspector keeps the last 50 of either, `SHOW WINDOWS`); `SHOW STREAMS` lists every one
/// that can be read.
enum SystemStream: String, CaseIterable {
    case late, rejected

    /// The system stream a name asks for, and the name of its query or stream; nil for other names.
    static func parse(_ name: String) -> (SystemStream, base: String)? {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return nil }
        let suffix = name[name.index(after: dot)...].lowercased()
        guard let kind = SystemStream(rawValue: suffix) else { return nil }
        return (kind, String(name[..<dot]))
    }

    var columns: [(String, SQLType)] {
        switch self {
        case .late: return [("row", .object), ("event_time", .timestamp), ("watermark", .timestamp)]
        case .rejected: return [("line", .string), ("file", .string), ("line_number", .int), ("reason", .string)]
        }
    }

    func describe(_ base: String) -> String {
        switch self {
        case .late: return "system: late rows of query \(base)"
        case .rejected: return "system: rejected lines of stream \(base)"
        }
    }
}
