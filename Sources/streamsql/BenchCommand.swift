import ArgumentParser
import Foundation
import OrderedCollections
import StreamSQL
import StreamSQLShell
import Synchronization

/// `streamsql bench --workload NAME`: the engine's throughput on fixed synthetic workloads.
/// Numbers in the docs come from this command, run on one core of the project's machine.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure throughput on a synthetic workload (events/s).")

    enum Workload: String, ExpressibleByArgument, CaseIterable {
        case filter, transform, json, tumbling, sliding, analytic, cep, join, fanout, dashboard, all
        case dictSync = "dict-sync", dictEmit = "dict-emit"
        case fileFilter = "file-filter", fileTumbling = "file-tumbling", fileSession = "file-session"
        case emitChanges = "emit-changes", stateWindow = "state-window"
        case whatif, history
    }

    @Option(help: "filter, transform, json, tumbling, sliding, analytic, cep, join, fanout, dashboard, dict-sync, dict-emit, file-filter, file-tumbling, file-session, emit-changes, state-window, whatif, history, or all (the row-path workloads but dashboard).")
    var workload: Workload = .all

    @Option(help: "Number of events.")
    var events = 2_000_000

    @Option(help: "Distinct device ids.")
    var devices = 1_000

    @Option(help: "Repetitions; the best run is reported.")
    var runs = 3

    @Flag(help: "Feed events through the buffered emit path (a worker thread per query) instead of emitSync.")
    var async = false

    @Flag(help: "Queries record lineage (the inputs of each result row, as with SET lineage = on): measures its cost.")
    var lineage = false
    @Flag(help: "Turn the stream profile (DESCRIBE STREAM) off, to measure what it costs on the dict-sync and file workloads.")
    var noProfile = false
    @Flag(help: "dict-sync, dict-emit and file-* workloads: streams keep no history (it is on by default), to measure what it costs.")
    var noHistory = false

    /// The engine options of the dict and file workloads.
    var engineOptions: EngineOptions {
        var o = EngineOptions()
        if noHistory { o.history = .off }
        o.profileStreams = !noProfile
        return o
    }

    @Option(help: "dashboard workload: events per second fed in wall time.")
    var rate = 200_000.0

    @Option(help: "dashboard workload: seconds to run.")
    var seconds = 10.0

    static let filterSQL = "SELECT deviceId, temperature FROM stream WHERE temperature > 50"
    static let transformSQL = "SELECT deviceId, temperature * 1.8 + 32 AS f, CASE WHEN temperature > 30 THEN 'hot' ELSE 'normal' END AS level FROM stream WHERE humidity < 90"
    static let analyticSQL = "SELECT deviceId, temperature, lag(temperature) OVER (PARTITION BY deviceId) AS prev FROM stream WHERE had_changed(true, temperature)"
    static let cepSQL = "SELECT * FROM stream MATCH_RECOGNIZE (PARTITION BY deviceId ORDER BY ts MEASURES LAST(A.temperature) AS peak ONE ROW PER MATCH PATTERN (A{3}) DEFINE A AS temperature > 80)"
    static let joinSQL = "SELECT deviceId, temperature, m.site AS site, m.model AS model FROM stream JOIN meta m ON deviceId = m.deviceId"
    static let tumblingSQL = "SELECT deviceId, AVG(temperature) AS avg_t, MAX(temperature) AS max_t, COUNT(*) AS c FROM stream GROUP BY deviceId, TumblingWindow('1s') WITH (TIMESTAMP='ts', TIMEUNIT='ms')"
    /// The tumbling workload with a retraction and an update per event (every event changes its group).
    static let emitChangesSQL = tumblingSQL + " EMIT CHANGES"
    /// A window per device opened by a hot reading and fired by a cold one.
    static let stateWindowSQL = "SELECT deviceId, AVG(temperature) AS avg_t, MAX(temperature) AS max_t, COUNT(*) AS c FROM stream GROUP BY deviceId, StateWindow(temperature > 90, temperature < 10)"
    static let slidingSQL = "SELECT deviceId, AVG(temperature) AS avg_t, MAX(temperature) AS max_t, COUNT(*) AS c FROM stream GROUP BY deviceId, SlidingWindow('10s', '1s') WITH (TIMESTAMP='ts', TIMEUNIT='ms')"

    func run() throws {
        let all: [Workload] = workload == .all ? [.filter, .transform, .json, .tumbling, .sliding, .analytic, .cep, .join, .fanout] : [workload]
        print("events: \(events), devices: \(devices), best of \(runs) runs, \(async ? "emit (buffered)" : "emitSync")\(lineage ? ", lineage on" : "")")
        for w in all {
            switch w {
            case .filter: try query(name: "filter", sql: BenchCommand.filterSQL)
            case .transform: try query(name: "transform", sql: BenchCommand.transformSQL)
            case .json: json()
            case .tumbling: try query(name: "tumbling", sql: BenchCommand.tumblingSQL, flush: true)
            case .sliding: try query(name: "sliding", sql: BenchCommand.slidingSQL, flush: true)
            case .emitChanges: try query(name: "emit-changes", sql: BenchCommand.emitChangesSQL, flush: true)
            case .stateWindow: try query(name: "state-window", sql: BenchCommand.stateWindowSQL, flush: true)
            case .analytic: try query(name: "analytic", sql: BenchCommand.analyticSQL)
            case .cep: try query(name: "cep", sql: BenchCommand.cepSQL, flush: true)
            case .join: try query(name: "join", sql: BenchCommand.joinSQL)
            case .fanout: try query(name: "fanout", sql: BenchCommand.filterSQL, copies: 10)
            case .dashboard: try dashboard()
            case .dictSync: try dictionaries(buffered: false)
            case .dictEmit: try dictionaries(buffered: true)
            case .fileFilter: try file(name: "file-filter", sql: BenchCommand.filterSQL)
            case .fileTumbling: try file(name: "file-tumbling", sql: BenchCommand.tumblingSQL)
            case .fileSession: try file(name: "file-session", sql: BenchCommand.sessionSQL)
            case .whatif: try whatIf()
            case .history: try history()
            case .all: break
            }
        }
    }

    /// Deterministic sensor events: deviceId among `devices`, temperature and humidity floats, ts +1 ms.
    /// Built in chunks so that the benchmark's own memory stays small next to the engine's.
    struct EventSource {
        var rng = SplitMix64(seed: 42)
        let ids: [Value]
        var i = 0
        let total: Int
        static let t0: Int64 = 1_700_000_000_000

        init(devices: Int, total: Int) {
            ids = (0..<devices).map { Value.string(String(format: "dev-%04d", $0)) }
            self.total = total
        }

        mutating func next() -> OrderedDictionary<String, Value>? {
            guard i < total else { return nil }
            defer { i += 1 }
            return [
                "deviceId": ids[Int(rng.next() % UInt64(ids.count))],
                "temperature": .double(Double(rng.next() % 10_000) / 100),
                "humidity": .double(Double(rng.next() % 10_000) / 100),
                "ts": .int(EventSource.t0 + Int64(i)),
            ]
        }
    }

    func sensorEvents() -> [OrderedDictionary<String, Value>] {
        var src = EventSource(devices: devices, total: events)
        var out: [OrderedDictionary<String, Value>] = []
        out.reserveCapacity(events)
        while let e = src.next() { out.append(e) }
        return out
    }

    /// Emits a batch of rows and lets them go, as a caller does: a row the engine keeps (a window's
    /// lineage) is freed later by the engine, the others here. Callgrind measures this function for the
    /// cost of lineage (`--toggle-collect='*emitAndRelease*'`, README): `Engine.emitSync(rows:)` alone
    /// charges lineage for freeing the rows it outlives, which without lineage the caller frees outside it.
    @inline(never) static func emitAndRelease(_ engine: Engine, _ chunk: inout [Row], async: Bool) {
        if async { engine.emit(rows: chunk) } else { engine.emitSync(rows: chunk) }
        chunk.removeAll(keepingCapacity: true)
    }

    func query(name: String, sql: String, flush: Bool = false, copies: Int = 1) throws {
        var best = 0.0
        var rowsOut = 0
        for _ in 0..<runs {
            var options = EngineOptions()
            options.lineage = lineage
            let engine = Engine(options: options)
            engine.createTable("meta", key: ["deviceId"], rows: (0..<devices).map { i in
                ["deviceId": .string(String(format: "dev-%04d", i)), "site": .string("site-\(i % 17)"), "model": .string("m\(i % 5)")]
            })
            let counter = RowCounter()
            for _ in 0..<copies {
                let q = try engine.execute(sql)
                q.addSink { counter.add($0.count) }
            }
            var src = EventSource(devices: devices, total: events)
            var chunk: [Row] = []
            chunk.reserveCapacity(4096)
            var elapsed: UInt64 = 0
            var done = false
            while !done {
                while chunk.count < 4096, let e = src.next() { chunk.append(engine.makeRow(e)) }
                done = chunk.count < 4096
                let start = DispatchTime.now().uptimeNanoseconds
                BenchCommand.emitAndRelease(engine, &chunk, async: async)
                elapsed += DispatchTime.now().uptimeNanoseconds - start
            }
            let start = DispatchTime.now().uptimeNanoseconds
            if flush { engine.finish() } else { engine.drain() }
            elapsed += DispatchTime.now().uptimeNanoseconds - start
            best = max(best, Double(events) / (Double(elapsed) / 1e9))
            rowsOut = counter.value
            engine.stopAll(flush: false)
        }
        let label = copies > 1 ? "\(copies) × " + sql : sql
        print(String(format: "%-10@ %8.2f M events/s   (%d rows out, peak RSS %.0f MB)  %@", name as NSString, best / 1e6, rowsOut,
                     peakRSSMegabytes(), label as NSString))
    }

    /// Five queries with a pane each, fed at `rate` events/s for `seconds`, frames built at 4 per second
    /// (120×40): how much CPU the dashboard costs — its own drawing, and its panes' feeds on the engine's
    /// threads — as a share of one core.
    func dashboard() throws {
        // `--lineage`: the panes' queries keep lineage, as `streamsql demo` and `dashboard` start them.
        var options = EngineOptions()
        options.lineage = lineage
        let engine = Engine(options: options)
        engine.createStream("stream")
        let queries: [(String, String, [String: String])] = [
            ("SELECT deviceId, temperature, humidity FROM stream WHERE temperature > 99.5", "log", ["columns": "deviceId,temperature"]),
            ("SELECT COUNT(*) AS n FROM stream GROUP BY TumblingWindow('1s') WITH (TIMESTAMP='ts', TIMEUNIT='ms')", "counter", ["value": "n"]),
            ("SELECT deviceId, AVG(temperature) AS t FROM stream GROUP BY deviceId, TumblingWindow('1s') WITH (TIMESTAMP='ts', TIMEUNIT='ms')", "bars", ["key": "deviceId", "value": "t"]),
            ("SELECT deviceId, temperature, lag(temperature) OVER (PARTITION BY deviceId) AS prev FROM stream", "table", [:]),
            ("SELECT AVG(temperature) AS avg_t, MAX(humidity) AS max_h FROM stream GROUP BY TumblingWindow('1s') WITH (TIMESTAMP='ts', TIMEUNIT='ms')", "sparkline", ["value": "avg_t"]),
        ]
        var panes: [Pane] = []
        for (i, (sql, widget, options)) in queries.enumerated() {
            let q = try engine.execute(sql)
            guard let kind = WidgetKind(rawValue: widget) else { continue }
            panes.append(Pane(spec: PaneSpec(name: "p\(i)", widget: kind, query: q.name, options: options), query: q))
        }
        let board = Dashboard(engine: engine, panes: panes, groups: [])
        let feedStart = Dashboard.feedCPUNanos
        let stop = Atomic<Bool>(false)
        let fed = Atomic<Int>(0)
        // The feeder: event time follows wall time, so 1 s windows fire once a second as they would live.
        let feeder = Thread { [rate, devices] in
            var rng = SplitMix64(seed: 42)
            let ids = (0..<devices).map { Value.string(String(format: "dev-%04d", $0)) }
            let start = DispatchTime.now().uptimeNanoseconds
            var sent = 0
            var chunk: [Row] = []
            while !stop.load(ordering: .relaxed) {
                let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                let due = Int(elapsed * rate) - sent
                if due <= 0 { usleep(1000); continue }
                chunk.removeAll(keepingCapacity: true)
                let ts = Value.int(EventSource.t0 + Int64(elapsed * 1000))
                for _ in 0..<min(due, 20_000) {
                    chunk.append(engine.makeRow(["deviceId": ids[Int(rng.next() % UInt64(ids.count))],
                                                 "temperature": .double(Double(rng.next() % 10_000) / 100),
                                                 "humidity": .double(Double(rng.next() % 10_000) / 100), "ts": ts]))
                }
                engine.emit(rows: chunk)
                sent += chunk.count
                fed.store(sent, ordering: .relaxed)
            }
        }
        feeder.start()
        let wallStart = DispatchTime.now().uptimeNanoseconds
        var next = 0.0
        while true {
            let now = Double(DispatchTime.now().uptimeNanoseconds - wallStart) / 1e9
            if now >= seconds { break }
            if now >= next {
                _ = board.render(width: 120, height: 40)
                next += 0.25
            }
            usleep(5_000)
        }
        stop.store(true, ordering: .relaxed)
        let wall = Double(DispatchTime.now().uptimeNanoseconds - wallStart)
        engine.drain()
        let feeds = Double(Dashboard.feedCPUNanos - feedStart), own = Double(board.renderCPUNanos)
        engine.stopAll(flush: false)
        print(String(format: "dashboard  %.0f events/s fed through 5 queries for %.0f s; %d frames: drawing %.2f%% of a core, pane feeds %.2f%%, together %.2f%%",
                     Double(fed.load(ordering: .relaxed)) / (wall / 1e9), wall / 1e9, board.framesRendered,
                     100 * own / wall, 100 * feeds / wall, 100 * (own + feeds) / wall))
    }

    func json() {
        let source = sensorEvents()
        var text: [UInt8] = []
        var offsets: [Int] = [0]
        for e in source {
            JSONWriter.write(object: e, into: &text)
            text.append(10)
            offsets.append(text.count)
        }
        let layouts = [
            ("all fields", FieldLayout(names: ["deviceId", "temperature", "humidity", "ts"], keepsWholeEvent: false)),
            ("2 of 4 fields", FieldLayout(names: ["deviceId", "temperature"], keepsWholeEvent: false)),
        ]
        for (label, layout) in layouts {
            var best = 0.0
            var decoded = 0
            for _ in 0..<runs {
                decoded = 0
                let start = DispatchTime.now().uptimeNanoseconds
                text.withUnsafeBufferPointer { buf in
                    for k in 0..<(offsets.count - 1) {
                        let line = UnsafeBufferPointer(rebasing: buf[offsets[k]..<(offsets[k + 1] - 1)])
                        if let row = try? JSONReader.decodeEvent(bytes: line, layout: layout), !row.slots.isEmpty { decoded += 1 }
                    }
                }
                let secs = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                best = max(best, Double(offsets.count - 1) / secs)
            }
            print(String(format: "%-10@ %8.2f M lines/s    (%d decoded, %@, %.0f bytes/line)", "json" as NSString, best / 1e6,
                         decoded, label as NSString, Double(text.count) / Double(max(1, source.count))))
        }
    }
}

final class RowCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func add(_ k: Int) { lock.lock(); n += k; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return n }
}

/// Peak resident set size of this process so far (VmHWM), in MB.
func peakRSSMegabytes() -> Double {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in text.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let kb = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
        return kb / 1024
    }
    return 0
}
