import OrderedCollections

/// `DESCRIBE [EXTENDED] name`: a stream's fields with their live profile (`StreamProfile`), a table's
/// columns, a query's columns and plan.
extension Engine {
    func describe(_ name: String, extended: Bool, range: SourceRange, sql: String) throws(StreamSQLError) -> StatementResult {
        let key = name.lowercased()
        if let st = lock.withLock({ streams[key] }) {
            return extended ? describeExtended(st) : describeFields(st)
        }
        if let t = lock.withLock({ tables[key] }) {
            let snap = t.snapshot
            var cols: OrderedDictionary<String, String> = [:]
            for c in t.columns { cols[c.name] = c.typeName.lowercased() }
            for r in snap.rows.prefix(1000) { for (k, v) in r where cols[k] == nil || cols[k] == "null" { cols[k] = v.typeName } }
            return .table(columns: ["column", "type", "key"], rows: cols.map { [.string($0.key), .string($0.value), .bool(snap.key.contains($0.key))] })
        }
        if let q = lock.withLock({ namedQueries[key] }) {
            var rows: [[Value]] = q.schema.columns.map { [.string($0.name), $0.spread ? "(fields of the event)" : "column"] }
            rows.append(["plan", .string(q.explain)])
            return .table(columns: ["column", "kind"], rows: rows)
        }
        throw StreamSQLError(.catalog, "no stream, table or query named \(name)", at: range, in: sql,
                             suggestions: closestNames(to: name, in: streamNames + tableNames + queries.map(\.name)))
    }

    /// One row per field: a typed stream's declared columns; an untyped stream's fields the events held,
    /// then fields queries read that no sampled event held. Rates are percentages of the sampled events.
    func describeFields(_ st: StreamState) -> StatementResult {
        let p = st.profile.snapshot(now: options.clock.now())
        let (declared, read) = lock.withLock { (st.columns, st.layout.names) }
        var names: [String] = declared.map(\.name)
        // A typed stream has its declared columns (undeclared fields are dropped; EXTENDED lists them).
        if declared.isEmpty { for n in p.fieldNames + read where !names.contains(n) { names.append(n) } }
        let byName = Dictionary(p.fields.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let typeOf = Dictionary(declared.map { ($0.name, $0.typeName.lowercased()) }, uniquingKeysWith: { a, _ in a })
        let rows: [[Value]] = names.map { n in
            let f = byName[n]
            let type: Value = .string(typeOf[n] ?? "any")
            guard p.sampled > 0 else { return [.string(n), type, nil, nil, nil, nil, nil, nil] }
            guard let f else { return [.string(n), type, "(never seen)", 0, 100, nil, nil, nil] }
            return [.string(n), type, .string(Self.typesText(f)), Self.percent(f.nulls, p.sampled), Self.percent(p.sampled - f.present, p.sampled),
                    Self.number(f.min) ?? f.minText.map(Value.string) ?? .null, Self.number(f.max) ?? f.maxText.map(Value.string) ?? .null, Self.topText(f)]
        }
        return .table(columns: ["column", "type", "seen as", "null %", "missing %", "min", "max", "top values"], rows: rows)
    }

    /// The stream as a whole: events, rate, time seen, each reading query's watermark and late rows, and
    /// a line per field.
    func describeExtended(_ st: StreamState) -> StatementResult {
        let now = options.clock.now()
        let p = st.profile.snapshot(now: now)
        let m = st.counters.snapshot
        let (columns, strict, derived, qs) = lock.withLock { (st.columns, st.strict, st.derivedFrom, st.queries) }
        var rows: [[Value]] = [["stream", .string(st.name)]]
        var kind = columns.isEmpty ? "untyped (fields learnt from the events)" : "typed, \(columns.count) column\(columns.count == 1 ? "" : "s")" + (strict ? ", STRICT" : "")
        if let derived { kind += "; the results of query \(derived)" }
        rows.append(["kind", .string(kind)])
        rows.append(["events", .int(Int64(m.eventsIn))])
        rows.append(["rejected", .int(Int64(m.rejected))])
        rows.append(["events/s", p.eventsPerSecond.map { .double(($0 * 10).rounded() / 10) } ?? "(not yet measured)"])
        if let first = p.firstSeen, let last = p.lastSeen {
            rows.append(["first event at", .string(TimeFormat.iso8601(nanos: first))])
            rows.append(["last event at", .string(TimeFormat.iso8601(nanos: last))])
        }
        let rule = p.events > StreamProfile.warmup ? "every event for the first \(StreamProfile.warmup), then 1 in \(st.profile.every.load(ordering: .relaxed))" : "every event"
        rows.append(["profiled", .string("\(p.sampled) event\(p.sampled == 1 ? "" : "s") (\(rule))")])
        var fields = "\(p.fields.count)"
        if p.unprofiledFieldEvents > 0 { fields += "; more than \(StreamProfile.maxFields) in \(p.unprofiledFieldEvents) events, the rest not profiled" }
        rows.append(["fields", .string(fields)])
        if let t = Self.eventTimeText(p) { rows.append(["event time", .string(t)]) }
        for q in qs {
            let qm = q.metrics
            let wm = qm.watermarkNanos.map { TimeFormat.iso8601(nanos: $0) } ?? "none yet"
            rows.append([.string("query \(q.name)"), .string("watermark \(wm), \(qm.late) late, \(qm.rejected) rejected")])
        }
        rows.append(["history", .string(historyText(st.history))])
        for f in p.fields {
            var text = "\(Self.typesText(f)) · null \(Self.percentText(f.nulls, p.sampled)) · missing \(Self.percentText(p.sampled - f.present, p.sampled))"
            if let lo = f.min, let hi = f.max { text += " · \(Self.number(lo)?.description ?? "") … \(Self.number(hi)?.description ?? "")" }
            else if let lo = f.minText, let hi = f.maxText { text += " · \(lo) … \(hi)" }
            if case .string(let top) = Self.topText(f) { text += " · top \(top)" }
            if !columns.isEmpty && !columns.contains(where: { $0.name == f.name }) { text += " · not declared: dropped" }
            rows.append([.string("field \(f.name)"), .string(text)])
        }
        return .table(columns: ["property", "value"], rows: rows)
    }

    /// A notice when a query on an untyped stream reads fields that none of the stream's profiled events
    /// held (a misspelt column reads as NULL there, not an error): the fields, with the closest seen names.
    public func unseenFieldsNotice(_ q: Query) -> String? {
        guard let st = lock.withLock({ streams[q.streamName.lowercased()] }), lock.withLock({ st.types.isEmpty }) else { return nil }
        let p = st.profile.snapshot(now: 0)
        let seen = p.fieldNames
        guard p.sampled > 0, !seen.isEmpty, p.unprofiledFieldEvents == 0 else { return nil }
        let unseen = q.fieldsRead.filter { !seen.contains($0) }
        guard !unseen.isEmpty else { return nil }
        let parts = unseen.map { f -> String in
            let close = closestNames(to: f, in: seen, max: 1)
            return "'\(f)'" + (close.first.map { " (did you mean '\($0)'?)" } ?? "")
        }
        return "note: none of the \(p.sampled) events of \(st.name) profiled so far had \(parts.joined(separator: ", ")); "
            + "\(q.name) reads \(unseen.count == 1 ? "it" : "them") as NULL (DESCRIBE \(st.name) lists the fields seen)"
    }

    /// `int` or `int 90%, string 10%`.
    static func typesText(_ f: StreamProfile.Field) -> String {
        let nonNull = f.present - f.nulls
        guard nonNull > 0 else { return "null" }
        if f.types.count == 1 { return f.types[0].0 }
        return f.types.map { "\($0.0) \(percentText($0.1, nonNull))" }.joined(separator: ", ")
    }

    /// `a (45%), b (30%)` of the non-null values, or NULL when no string or boolean was surely seen twice.
    static func topText(_ f: StreamProfile.Field) -> Value {
        let nonNull = f.present - f.nulls
        guard !f.top.isEmpty, nonNull > 0 else { return nil }
        return .string(f.top.map { "\($0.0) (\(percentText($0.1, nonNull)))" }.joined(separator: ", "))
    }

    static func percent(_ n: Int, _ of: Int) -> Value {
        guard of > 0 else { return nil }
        return .double((Double(n) * 1000 / Double(of)).rounded() / 10)
    }

    static func percentText(_ n: Int, _ of: Int) -> String {
        guard case .double(let d) = percent(n, of) else { return "-" }
        return (d == d.rounded() ? String(Int(d)) : String(d)) + "%"
    }

    /// A whole number as an int, otherwise the double.
    static func number(_ d: Double?) -> Value? {
        guard let d else { return nil }
        if d == d.rounded(), abs(d) < 9e15 { return .int(Int64(d)) }
        return .double(d)
    }

    /// The range of the first field named like an event time, as ISO times (the unit guessed from the
    /// size: seconds, milliseconds, microseconds or nanoseconds since 1970).
    static func eventTimeText(_ p: StreamProfile.Snapshot) -> String? {
        let names = ["timestamp", "ts", "event_time", "eventtime", "time", "event_ts"]
        guard let f = p.fields.first(where: { names.contains($0.name.lowercased()) && ($0.min != nil || $0.minText != nil) }) else { return nil }
        if let lo = f.minText, let hi = f.maxText, f.min == nil { return "\(f.name): \(lo) … \(hi)" }
        guard let lo = f.min, let hi = f.max else { return nil }
        let scale: Double = hi.magnitude >= 1e17 ? 1 : hi.magnitude >= 1e14 ? 1e3 : hi.magnitude >= 1e11 ? 1e6 : 1e9
        func iso(_ x: Double) -> String {
            guard (x * scale).magnitude < 9e18 else { return String(x) }
            // Whole numbers in integer arithmetic (a double product would show …750000128Z).
            if x == x.rounded() { return TimeFormat.iso8601(nanos: Int64(x) &* Int64(scale)) }
            return TimeFormat.iso8601(nanos: Int64(x * scale))
        }
        return "\(f.name): \(iso(lo)) … \(iso(hi))"
    }
}
