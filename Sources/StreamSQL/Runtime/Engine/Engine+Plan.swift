import Foundation

/// A SELECT after binding: all that starting it needs, and nothing that needs its text again.
///
/// `Engine.planQuery` makes one from the parsed statement; `Engine.start` starts it. Both run under the
/// engine's planning lock: a plan binds against its stream's field layout as it is, and starting it widens
/// that layout with the fields the plan added, so two queries planned at once never get one slot for two
/// different fields.
public struct QueryPlan: @unchecked Sendable {
    /// The name it runs under: given by CREATE QUERY / STREAM / TABLE, or nil for an ad hoc SELECT
    /// (which gets `q1`, `q2`, … when started).
    public let name: String?
    /// The whole statement's text (SHOW QUERIES shows it; error positions in `select` count from it).
    public let sql: String
    public let select: SelectStatement
    /// The rows it produces.
    public let schema: ResultSchema
    /// Whether results come as window firings.
    public let windowed: Bool
    let stream: StreamState
    let bound: BoundQuery
    let addedFields: [String]
    let wantsWholeEvent: Bool
    /// The event fields it reads.
    var fieldsRead: [String] = []
    /// The session parameters it used (lower-cased).
    let parameters: Set<String>

    /// The same plan, to run under `name` (a definition planned before the old one gives up the name).
    func named(_ name: String) -> QueryPlan {
        QueryPlan(name: name, sql: sql, select: select, schema: schema, windowed: windowed, stream: stream, bound: bound,
                  addedFields: addedFields, wantsWholeEvent: wantsWholeEvent, fieldsRead: fieldsRead, parameters: parameters)
    }
}

/// A named query's definition, kept so that START QUERY can start it again after STOP QUERY, and
/// `catalogScript` can write it out in the order definitions were first made.
struct QueryDefinition {
    let name: String
    let select: SelectStatement
    let sql: String
    let order: Int
}

extension BoundQuery {
    var schema: ResultSchema {
        switch self {
        case .row(let r): return r.schema
        case .windowed(let w): return w.schema
        case .match(let m): return m.schema
        }
    }
}

extension Engine {
    /// Records a named query's definition; a replaced one keeps its place in the order.
    func define(_ name: String, select: SelectStatement, sql: String) {
        lock.withLock {
            let key = name.lowercased()
            let order = definitions[key]?.order ?? { definitionCounter += 1; return definitionCounter }()
            definitions[key] = QueryDefinition(name: name, select: select, sql: sql, order: order)
        }
    }

    /// Parses, binds and starts a continuous query. Its results go to the sinks added to the
    /// returned `Query`. Errors say what is wrong and where.
    @discardableResult
    public func execute(_ sql: String, name: String? = nil) throws(StreamSQLError) -> Query {
        let stmt = try Parser.parse(sql)
        guard case .select(let select) = stmt else {
            throw StreamSQLError(.plan, "execute takes a SELECT; use run(_:) for other statements", at: SourceRange(0, 1), in: sql)
        }
        return try startQuery(select, sql: sql, name: name)
    }

    /// Plans and starts the SELECT of a statement already parsed (`sql` is the whole statement's text,
    /// which the select's source ranges point into), under the planning lock.
    func startQuery(_ select: SelectStatement, sql: String, name: String?) throws(StreamSQLError) -> Query {
        planLock.lock()
        defer { planLock.unlock() }
        return start(try planQuery(select, sql: sql, name: name))
    }

    /// Binds a SELECT against the catalog as it is now, its parameters replaced by their values (the
    /// session's, or `parameters` to plan a what-if). Nothing changes until the plan is started.
    /// Call with `planLock` held when the plan is to be started.
    func planQuery(_ written: SelectStatement, sql: String, name: String?,
                   parameters: ParameterValues? = nil) throws(StreamSQLError) -> QueryPlan {
        var substitution = ParameterSubstitution(values: parameters ?? lock.withLock { parameterValues }, sql: sql)
        let select = try substitution.select(written)
        if let name, lock.withLock({ namedQueries[name.lowercased()] != nil }) {
            throw StreamSQLError(.catalog, "a query named \(name) is already running (CREATE OR REPLACE QUERY replaces it)",
                                 at: select.range, in: sql)
        }
        let st = try stream(select.from.source, range: select.from.range, sql: sql)
        var names = [select.from.source]
        if let a = select.from.alias { names.append(a) }
        let (layout, declared) = lock.withLock { (st.layout, st.columns.isEmpty ? nil : st.columns.map(\.name)) }
        let resolver = LayoutResolver(layout: layout, declaredFields: declared, sourceName: "stream \(st.name)")
        var binder = Binder(source: sql, functions: functionRegistry, resolver: resolver, streamNames: names)
        binder.tableStates = lock.withLock { tables }
        binder.parameters = substitution.values
        let bound = try binder.bindSelect(select)
        var windowed = false
        if case .windowed = bound { windowed = true }
        // The plan keeps the SELECT as written, so that a restart binds the parameters' values then.
        return QueryPlan(name: name, sql: sql, select: written, schema: bound.schema, windowed: windowed, stream: st, bound: bound,
                         addedFields: binder.resolver.added, wantsWholeEvent: binder.resolver.wantsWhole, fieldsRead: binder.resolver.read,
                         parameters: substitution.used.union(binder.usedParameters))
    }

    /// Starts a plan: widens its stream's layout, registers the query under its name and starts its
    /// worker. Call with `planLock` held, right after `planQuery`.
    func start(_ plan: QueryPlan) -> Query {
        let st = plan.stream
        let queryName: String = lock.withLock {
            if let n = plan.name { return n }
            repeat { queryCounter += 1 } while namedQueries["q\(queryCounter)"] != nil
            return "q\(queryCounter)"
        }
        let counters = Counters()
        let lineage = options.lineage ? LineageRecorder(query: queryName, stream: st.name, limits: options.lineageLimits) : nil
        let op = makeOperator(plan.bound, counters: counters, lineage: lineage)
        let q = Query(name: queryName, sql: plan.sql, stream: st.name, op: op, counters: counters,
                      capacity: options.queueCapacity, policy: options.backPressure, lineage: lineage)
        q.windowed = plan.windowed
        if case .windowed(let w) = plan.bound { q.eventTimeField = w.time.eventTimeField }
        q.select = plan.select
        q.isNamed = plan.name != nil
        q.fieldsRead = plan.fieldsRead
        q.windowBoundColumns = plan.windowBoundColumns
        q.keyColumns = plan.keyColumns
        q.parameters = plan.parameters
        lock.withLock {
            // Widen the stream's layout (slots are only appended, so other queries stay valid). Lineage keeps
            // an input as its row of slots (the fields the stream's queries read), not the whole event: keeping
            // every event's dictionary doubled the cost of a window (README, Performance).
            st.layout = st.layout.adding(plan.addedFields, keepWhole: plan.wantsWholeEvent)
            counters.rowLayout.withLock { $0 = st.layout }
            st.queries.append(q)
            if lineage != nil {
                st.tracesOrigins.store(true, ordering: .relaxed)
                // The query whose results this stream carries now needs a record for every row it forwards.
                if let source = st.derivedFrom { namedQueries[source.lowercased()]?.lineage?.feedsStreams.store(true, ordering: .relaxed) }
            }
            namedQueries[queryName.lowercased()] = q
        }
        if let lineage { keepLineage(lineage) }
        q.inbox.start(q, tickEvery: options.clock.isRealTime && op.needsTicks ? options.tickInterval : nil, clock: options.clock)
        q.onFinish { [weak self, weak q] in
            guard let self, let q else { return }
            let final = (name: q.name, stream: q.streamName, metrics: q.metrics)
            self.lock.withLock {
                self.finishedQueries.append(final)
                if self.finishedQueries.count > Engine.keptFinishedQueries { self.finishedQueries.removeFirst() }
                st.queries.removeAll { $0 === q }
                if self.namedQueries[q.name.lowercased()] === q { self.namedQueries[q.name.lowercased()] = nil }
            }
        }
        if plan.name != nil { attachSystemStreams(of: q) }
        return q
    }
}

extension QueryPlan {
    /// The output columns that are a windowed query's window bounds (`window_start()`, `window_end()`:
    /// nanoseconds since 1970), which a terminal shows as times.
    var windowBoundColumns: [String] {
        guard case .windowed(let w) = bound else { return [] }
        return zip(schema.names, w.projections).compactMap { name, p in
            guard case .slot(let i, _) = p, i == BoundWindowQuery.windowStartSlot || i == BoundWindowQuery.windowEndSlot else { return nil }
            return name
        }
    }
}

/// Gives fields slots in a stream's layout, recording which names are new.
struct LayoutResolver: FieldResolver {
    let layout: FieldLayout
    var declaredFields: [String]? = nil
    var sourceName = "the stream"
    var added: [String] = []
    var wantsWhole = false
    /// Every field the plan reads, in order.
    var read: [String] = []

    mutating func slot(for field: String) -> Int {
        if !read.contains(field) { read.append(field) }
        if let s = layout.slot(of: field) { return s }
        if let i = added.firstIndex(of: field) { return layout.count + i }
        added.append(field)
        return layout.count + added.count - 1
    }

    mutating func requireWholeEvent() { wantsWhole = true }
}
