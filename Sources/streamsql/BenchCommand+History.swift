import Foundation
import OrderedCollections
import StreamSQL

/// What-if and history workloads: how long the what-if of a window query takes over a full history
/// (`whatif`), and what the history costs in memory per event next to the events' JSON text (`history`).
extension BenchCommand {
    /// The running and the edited window query of the `whatif` workload.
    static let whatIfRunningSQL = "SELECT deviceId, AVG(temperature) AS avg_t, COUNT(*) AS c FROM stream GROUP BY deviceId, TumblingWindow('1s') WITH (TIMESTAMP='ts', TIMEUNIT='ms')"
    static let whatIfEditedSQL = "SELECT deviceId, AVG(temperature) AS avg_t, COUNT(*) AS c FROM stream WHERE temperature > 20 GROUP BY deviceId, TumblingWindow('1s') WITH (TIMESTAMP='ts', TIMEUNIT='ms')"

    /// The sensor events as JSON lines, as a replay reads them.
    func sensorLines(_ n: Int) -> [String] {
        var src = EventSource(devices: devices, total: n)
        var out: [String] = []
        out.reserveCapacity(n)
        while let e = src.next() { out.append(JSONWriter.string(object: e)) }
        return out
    }

    /// `events` (capped at the default history, 100,000) JSON lines into a stream that keeps its history,
    /// a tumbling-window query running; then the what-if of an edited version, timed.
    func whatIf() throws {
        let n = min(events, StreamHistory.Limits.default.events)
        let lines = sensorLines(n)
        var best = Double.infinity, bestCPU = Double.infinity
        var summary = ""
        for _ in 0..<runs {
            var o = EngineOptions()
            o.history = .default
            let engine = Engine(options: o)
            engine.createStream("stream")
            _ = try engine.run("CREATE QUERY live AS " + BenchCommand.whatIfRunningSQL)
            for l in lines { engine.emit(jsonLine: l, sync: true) }
            let sql = "EXPLAIN DIFF live AS " + BenchCommand.whatIfEditedSQL
            guard case .explainDiff(let name, let select, let range) = try Parser.parse(sql) else { return }
            let start = DispatchTime.now().uptimeNanoseconds, cpu0 = BenchCommand.processCPUNanos()
            let d = try engine.whatIf(name, select: select, sql: sql, range: range)
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            bestCPU = min(bestCPU, Double(BenchCommand.processCPUNanos() - cpu0) / 1e9)
            summary = d.summary
            engine.stopAll(flush: false)
        }
        print(String(format: "whatif     %.3f s (%.3f s of CPU, all threads) for %d buffered events   (%@)  %@ → %@", best, bestCPU, n, summary as NSString,
                     BenchCommand.whatIfRunningSQL as NSString, BenchCommand.whatIfEditedSQL as NSString))
    }

    /// CPU time of the whole process (every thread), in nanoseconds.
    static func processCPUNanos() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    /// Resident memory now, in bytes (/proc/self/statm; the heap grows in pages, which is fine at
    /// the ~10 MB a history of 100,000 events holds).
    static func heapInUse() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// `events` (capped at 100,000) events recorded by a stream's history, with no query: the heap it grew
    /// by, per event, against the events' JSON text — for JSON lines (a replay) and for dictionaries
    /// (`emitSync` from Swift, `.gen`).
    func history() throws {
        let n = min(events, StreamHistory.Limits.default.events)
        let lines = sensorLines(n)
        let jsonBytes = lines.reduce(0) { $0 + $1.utf8.count }
        for path in ["json lines", "dictionaries"] {
            var o = EngineOptions()
            o.history = .default
            let engine = Engine(options: o)
            engine.createStream("stream")
            let before = BenchCommand.heapInUse()
            if path == "json lines" {
                for l in lines { engine.emit(jsonLine: l, sync: true) }
            } else {
                // Each dictionary made, handed over and dropped, as a producer does.
                var src = EventSource(devices: devices, total: n)
                while let e = src.next() { engine.emitSync(e) }
            }
            let grown = BenchCommand.heapInUse() - before
            guard let kept = engine.history(ofStream: "stream") else { return }
            print(String(format: "history    %@: %.1f bytes/event for %.1f bytes of JSON: %.2f×   (%d events kept; the history reports %.1f bytes/event)",
                         path as NSString, Double(grown) / Double(n), Double(jsonBytes) / Double(n), Double(grown) / Double(jsonBytes),
                         kept.count, Double(kept.memoryBytes) / Double(max(1, kept.count))))
        }
    }
}
