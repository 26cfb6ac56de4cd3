import OrderedCollections

/// Feeding file records into streams, and the account of what did not make it, for every batch mode.
extension Engine {
    /// Feeds one record of an `EventFile` into `stream`, buffered or now (`sync`). Returns why it was
    /// rejected, or nil; a rejection is counted on the stream and its queries with that reason.
    /// `file` names the file in the rejected lines kept for the inspector and `stream.rejected`.
    @discardableResult
    public func feed(_ record: EventFile.Record, to stream: String, sync: Bool, file: String? = nil) -> String? {
        let origin = LineOrigin(file: file, line: record.line)
        switch record {
        case .json(let line):
            return emit(jsonBytes: line.bytes, to: stream, sync: sync, origin: origin)?.description
        case .row(let event, _):
            guard let s = target(stream) else { return "unknown stream '\(stream)'" }
            let (layout, qs) = snapshot(s)
            var why: String? = nil
            guard let row = typedRow(s, layout, event, qs, why: &why, origin: origin) else { return why ?? "rejected" }
            remember(event, in: s)
            if let file, s.tracesOrigins.load(ordering: .relaxed) {
                RowOrigin.$current.withValue(RowOrigin(source: file, line: record.line)) { deliver(row, on: s, to: qs, sync: sync) }
            } else {
                deliver(row, on: s, to: qs, sync: sync)
            }
            return nil
        case .rejected(_, let reason):
            guard let s = target(stream) else { return reason }
            s.counters.reject(RejectedLine(text: nil, file: file, line: record.line, reason: reason))
            for q in snapshot(s).1 { q.counters.reject(reason) }
            return reason
        }
    }

    /// What was rejected, dropped, evicted, late or made NULL, per stream and query, as lines for standard
    /// error (empty when nothing was lost). Every batch mode prints this at its end, so no limit is invisible.
    public func lossSummary() -> [String] {
        var lines: [String] = []
        func reasons(_ r: [String: Int]) -> String {
            let items = r.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            return items.isEmpty ? "" : " (" + items.map { "\($0.key): \($0.value)" }.joined(separator: "; ") + ")"
        }
        let streamList = lock.withLock { streams.values.sorted { $0.name < $1.name } }
        var streamReasons: [String: [String: Int]] = [:]
        for s in streamList {
            let m = s.counters.snapshot
            streamReasons[s.name.lowercased()] = m.rejectionReasons
            if m.rejected > 0 { lines.append("stream \(s.name): \(m.rejected) event\(m.rejected == 1 ? "" : "s") rejected\(reasons(m.rejectionReasons))") }
        }
        // Running queries, then those that finished (their counts as they ended).
        let (live, finished) = lock.withLock { (streamsInOrder.flatMap(\.queries), finishedQueries) }
        let running = live.map { (name: $0.name, stream: $0.streamName, metrics: $0.metrics) }
        for q in running.sorted(by: { $0.name < $1.name }) + finished {
            let m = q.metrics
            var parts: [String] = []
            // Lines the stream rejected are reported once, above; the query's own rejections here.
            let ofStream = streamReasons[q.stream.lowercased()] ?? [:]
            let own = m.rejectionReasons.filter { !$0.key.hasPrefix("invalid JSON: ") && ofStream[$0.key] == nil }
            let ownCount = own.values.reduce(0, +)
            if ownCount > 0 { parts.append("\(ownCount) rejected\(reasons(own))") }
            if m.late > 0 { parts.append("\(m.late) late (after their window closed)") }
            if m.dropped > 0 { parts.append("\(m.dropped) dropped by back-pressure") }
            if m.evicted > 0 { parts.append("\(m.evicted) state entr\(m.evicted == 1 ? "y" : "ies") evicted by a limit") }
            if m.nulled > 0 { parts.append("\(m.nulled) value\(m.nulled == 1 ? "" : "s") made NULL\(reasons(m.nullReasons))") }
            if !parts.isEmpty { lines.append("query \(q.name): " + parts.joined(separator: ", ")) }
        }
        return lines
    }
}
