import Foundation
import OrderedCollections
import StreamSQL

/// The paths users take, next to the row path the other workloads measure: events given as dictionaries
/// (`dict-sync`, `dict-emit`) and a JSON Lines file run through one query to JSON Lines output, formatted
/// and dropped (`file-filter`, `file-tumbling`, `file-session`: what `streamsql query … --input FILE` does).
extension BenchCommand {
    static let sessionSQL = "SELECT deviceId, COUNT(*) AS c, AVG(temperature) AS avg_t, MAX(temperature) AS max_t FROM stream GROUP BY deviceId, SessionWindow('500ms') WITH (TIMESTAMP='ts', TIMEUNIT='ms')"

    enum DictAPI: String, CaseIterable {
        /// `engine.emitSync(dict)`, building the result dictionary; `engine.process(dict)`; a `StreamWriter`;
        /// a `StreamWriter` with rows filled by slot (the typed path): rows from `makeRow`, or the writer's
        /// own reused row (`emitSync(filling:)`).
        case emitSync = "engine.emitSync", process = "engine.process", writer = "writer.emitSync", slots = "writer.emitSync(row:)"
        case fill = "writer.emitSync(filling:)"
    }

    /// The filter query fed with dictionaries, one call per event; only the calls are timed (the events
    /// are built beforehand, in chunks).
    func dictionaries(buffered: Bool) throws {
        let apis: [DictAPI] = buffered ? [.process] : DictAPI.allCases
        for api in apis {
            var best = 0.0
            var rowsOut = 0
            for _ in 0..<runs {
                let engine = Engine(options: engineOptions)
                let counter = RowCounter()
                let q = try engine.execute(BenchCommand.filterSQL)
                q.addSink { counter.add($0.count) }
                let writer = try engine.writer(for: "stream")
                let slots = ["deviceId", "temperature", "humidity", "ts"].map { writer.slot(of: $0) ?? -1 }
                var src = EventSource(devices: devices, total: events)
                var chunk: [OrderedDictionary<String, Value>] = []
                chunk.reserveCapacity(4096)
                // The typed paths: the embedder's own values, taken out of the dictionaries before timing.
                var fields: [[Value]] = []
                var elapsed: UInt64 = 0
                var done = false
                while !done {
                    chunk.removeAll(keepingCapacity: true)
                    while chunk.count < 4096, let e = src.next() { chunk.append(e) }
                    done = chunk.count < 4096
                    if api == .slots || api == .fill { fields = chunk.map { $0.values.elements } }
                    let start = DispatchTime.now().uptimeNanoseconds
                    switch api {
                    case .emitSync: BenchCommand.dictEmitSync(engine, chunk)
                    case .process: if buffered { BenchCommand.dictEmit(engine, chunk) } else { BenchCommand.dictProcess(engine, chunk) }
                    case .writer: BenchCommand.dictWriter(writer, chunk)
                    case .slots: BenchCommand.slotWriter(writer, slots, fields)
                    case .fill: BenchCommand.fillWriter(writer, slots, fields)
                    }
                    elapsed += DispatchTime.now().uptimeNanoseconds - start
                }
                let start = DispatchTime.now().uptimeNanoseconds
                engine.drain()
                elapsed += DispatchTime.now().uptimeNanoseconds - start
                best = max(best, Double(events) / (Double(elapsed) / 1e9))
                rowsOut = counter.value
                engine.stopAll(flush: false)
            }
            let name = buffered ? "dict-emit" : "dict-sync"
            let label = buffered ? "engine.emit (buffered)" : api.rawValue
            print(String(format: "%-10@ %8.2f M events/s   (%d rows out, %@)  %@", name as NSString, best / 1e6, rowsOut,
                         label as NSString, BenchCommand.filterSQL as NSString))
        }
    }

    // One function per API, so that callgrind can count each alone (--toggle-collect='*dictProcess*').
    @inline(never) static func dictEmitSync(_ engine: Engine, _ chunk: [OrderedDictionary<String, Value>]) {
        for e in chunk { engine.emitSync(e) }
    }
    @inline(never) static func dictProcess(_ engine: Engine, _ chunk: [OrderedDictionary<String, Value>]) {
        for e in chunk { engine.process(e) }
    }
    @inline(never) static func dictEmit(_ engine: Engine, _ chunk: [OrderedDictionary<String, Value>]) {
        for e in chunk { engine.emit(e) }
    }
    @inline(never) static func dictWriter(_ writer: StreamWriter, _ chunk: [OrderedDictionary<String, Value>]) {
        for e in chunk { writer.emitSync(e) }
    }
    /// The typed path: the embedder's own fields put into slots by index, in a row from `makeRow`.
    @inline(never) static func slotWriter(_ writer: StreamWriter, _ slots: [Int], _ chunk: [[Value]]) {
        for e in chunk {
            var row = writer.makeRow()
            for k in slots.indices where slots[k] >= 0 { row.slots[slots[k]] = e[k] }
            writer.emitSync(row: row)
        }
    }
    /// The same in the writer's reused row.
    @inline(never) static func fillWriter(_ writer: StreamWriter, _ slots: [Int], _ chunk: [[Value]]) {
        for e in chunk {
            writer.emitSync { row in
                for k in slots.indices where slots[k] >= 0 { row.slots[slots[k]] = e[k] }
            }
        }
    }

    /// A JSON Lines file of `events` sensor events, written once into the temporary folder.
    func benchFile() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("streamsql-bench")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("sensors-\(events)-\(devices).jsonl").path
        if FileManager.default.fileExists(atPath: path) { return path }
        var src = EventSource(devices: devices, total: events)
        var text: [UInt8] = []
        while let e = src.next() {
            JSONWriter.write(object: e, into: &text)
            text.append(10)
        }
        let tmp = path + ".part"
        try Data(text).write(to: URL(fileURLWithPath: tmp))
        try FileManager.default.moveItem(atPath: tmp, toPath: path)
        return path
    }

    /// `streamsql query SQL --input FILE` without the terminal: every result row is formatted as a JSON
    /// line into the output buffer, which drops it instead of writing it.
    /// Measured twice: on one thread, then with the file read and decoded on a second thread
    /// (`query --threads 2`; callgrind's `*fileRun*` counts only the first).
    func file(name: String, sql: String) throws {
        let path = try benchFile()
        for pipelined in [false, true] {
            var best = 0.0
            var rowsOut = 0
            var bytes = 0
            for _ in 0..<runs {
                let start = DispatchTime.now().uptimeNanoseconds
                (rowsOut, bytes) = pipelined ? try BenchCommand.pipelinedRun(path: path, sql: sql, options: engineOptions) : try BenchCommand.fileRun(path: path, sql: sql, options: engineOptions)
                best = max(best, Double(events) / (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9))
            }
            let label = pipelined ? "2 threads" : "1 thread"
            print(String(format: "%-13@ %8.2f M events/s   (%@, %d rows out, %.0f MB of JSON, peak RSS %.0f MB)  %@", name as NSString, best / 1e6,
                         label as NSString, rowsOut, Double(bytes) / 1e6, peakRSSMegabytes(), sql as NSString))
        }
    }

    /// A file workload's engine: the query over an auto-created stream, its rows formatted as JSON Lines into a
    /// discarding output, and a batching writer for its stream.
    static func fileQuery(sql: String, options: EngineOptions) throws -> (Engine, StreamWriter, Output, RowCounter) {
        var options = options
        options.autoCreateStreams = true
        let engine = Engine(options: options)
        let query = try engine.execute(sql)
        let out = Output(fd: nil)
        let json = ResultJSONWriter(schema: query.schema)
        let rows = RowCounter()
        query.addSink { batch in
            rows.add(batch.count)
            out.rows(batch, json)
        }
        let writer = try engine.writer(for: query.streamName)
        writer.batchSize = 1024
        return (engine, writer, out, rows)
    }

    @inline(never) static func pipelinedRun(path: String, sql: String, options: EngineOptions) throws -> (rows: Int, bytes: Int) {
        let (engine, writer, out, rows) = try fileQuery(sql: sql, options: options)
        writer.feedPipelined(try EventFile(path: path), rejected: { _, _ in })
        engine.finish()
        out.flush()
        return (rows.value, out.bytes)
    }

    @inline(never) static func fileRun(path: String, sql: String, options: EngineOptions) throws -> (rows: Int, bytes: Int) {
        let (engine, writer, out, rows) = try fileQuery(sql: sql, options: options)
        let file = try EventFile(path: path)
        while let record = file.next() { _ = writer.feed(record, sync: true) }
        writer.flush()
        engine.finish()
        out.flush()
        return (rows.value, out.bytes)
    }
}
