import OrderedCollections

/// Making, feeding and listing system streams (`SystemStream`).
extension Engine {
    /// Makes system stream `name` (called under `lock`, for a name no stream has); nil when the name is
    /// not a system stream's. Throws when it names one whose query or stream does not exist or cannot have it.
    func makeSystemStream(_ name: String, range: SourceRange, sql: String) throws(StreamSQLError) -> StreamState? {
        guard let (kind, base) = SystemStream.parse(name) else { return nil }
        let st = StreamState(name: name, history: .off)
        st.columns = kind.columns.map { ColumnDefinition(name: $0.0, typeName: $0.1.rawValue, range: range) }
        st.types = Dictionary(uniqueKeysWithValues: kind.columns)
        st.system = kind
        switch kind {
        case .late:
            guard let q = namedQueries[base.lowercased()] else {
                throw StreamSQLError(.catalog, "unknown query '\(base)' in \(name): .late names the late rows of a running query", at: range, in: sql,
                                     suggestions: closestNames(to: base, in: namedQueries.values.filter { $0.eventTimeField != nil }.map { $0.name }).map { $0 + ".late" })
            }
            guard q.eventTimeField != nil else {
                throw StreamSQLError(.plan, "query \(q.name) drops no late rows: only windows on event time (WITH (TIMESTAMP=…)) do", at: range, in: sql)
            }
            st.derivedFrom = q.name   // finished after its query
            streams[name.lowercased()] = st
            attach(st, to: q)
        case .rejected:
            guard let source = streams[base.lowercased()], source.system == nil else {
                throw StreamSQLError(.catalog, "unknown stream '\(base)' in \(name): .rejected names the rejected lines of a stream", at: range, in: sql,
                                     suggestions: closestNames(to: base, in: streams.values.filter { $0.system == nil }.map(\.name)).map { $0 + ".rejected" })
            }
            streams[name.lowercased()] = st
            let box = ViewBox(StreamView(st))
            source.counters.rejectedLines.setReceiver { [weak self] r in
                guard let self else { return }
                let event: OrderedDictionary<String, Value> = ["line": r.text.map(Value.string) ?? .null, "file": r.file.map(Value.string) ?? .null,
                                                               "line_number": r.line.map { .int(Int64($0)) } ?? .null, "reason": .string(r.reason)]
                self.deliver(event, into: box)
            }
        }
        return st
    }

    /// Feeds query `q`'s late rows into system stream `st` (again after the query is replaced or restarted).
    func attach(_ st: StreamState, to q: Query) {
        let box = ViewBox(StreamView(st))
        q.counters.lateRows.setReceiver { [weak self] l in
            guard let self else { return }
            self.deliver(["row": .object(l.fields), "event_time": .timestamp(l.eventTime), "watermark": .timestamp(l.watermark)], into: box)
        }
    }

    /// Names ending in `.late` or `.rejected` belong to system streams.
    func refuseSystemName(_ name: String, range: SourceRange, sql: String) throws(StreamSQLError) {
        guard let (kind, _) = SystemStream.parse(name) else { return }
        throw StreamSQLError(.catalog, "names ending in .\(kind.rawValue) are system streams (\(SystemStream.allCases.map { "." + $0.rawValue }.joined(separator: ", "))); choose another name",
                             at: range, in: sql)
    }

    /// A newly started named query takes over the late-row stream of its name.
    func attachSystemStreams(of q: Query) {
        guard q.eventTimeField != nil, let st = lock.withLock({ streams[q.name.lowercased() + ".late"] }), st.system == .late else { return }
        attach(st, to: q)
    }

    private func deliver(_ event: OrderedDictionary<String, Value>, into box: ViewBox) {
        box.view.withLock { view in
            view.refresh(self)
            guard !view.queries.isEmpty else { return }
            var why: String? = nil
            if let row = view.row(event, why: &why) { view.deliver(row, sync: true) }
        }
    }

    /// SHOW STREAMS rows for the system streams nobody has read yet (those read are in the catalog).
    func unreadSystemStreams() -> [[Value]] {
        lock.withLock {
            var rows: [[Value]] = []
            func add(_ kind: SystemStream, _ base: String, count: Int) {
                let name = base + "." + kind.rawValue
                guard streams[name.lowercased()] == nil else { return }
                rows.append([.string(name), .string(kind.columns.map { "\($0.0) \($0.1.rawValue)" }.joined(separator: ", ")), "",
                             .string(kind.describe(base)), .int(Int64(count)), 0, "off"])
            }
            for st in streams.values where st.system == nil && st.derivedFrom == nil { add(.rejected, st.name, count: st.counters.snapshot.rejected) }
            for q in namedQueries.values where q.eventTimeField != nil { add(.late, q.name, count: q.metrics.late) }
            return rows
        }
    }
}
