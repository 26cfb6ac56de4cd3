import Synchronization

extension Engine {
    /// Runs the rows `q`'s stream most recently carried through `q` alone, oldest first, and returns how
    /// many: for a query on a derived stream (a named query's results), what that query showed lately.
    /// Call after adding `q`'s sinks. Nothing for other streams, or when `EngineOptions.replayRows` is 0.
    @discardableResult
    public func showRecentRows(to q: Query) -> Int {
        guard let st = lock.withLock({ streams[q.streamName.lowercased()] }), st.derivedFrom != nil else { return 0 }
        let kept = st.recent.withLock { Array($0.rows.suffix(max(0, options.replayRows))) }
        guard !kept.isEmpty else { return 0 }
        let view = StreamView(st)
        view.refresh(self)
        var rows: [Row] = []
        for event in kept {
            var why: String? = nil
            if let row = view.row(event, why: &why) { rows.append(row) }
        }
        q.run(rows)
        return rows.count
    }
}
