import ArgumentParser
import Foundation
import OrderedCollections
import StreamSQL

/// `streamsql bench --workload NAME`: the engine's throughput on fixed synthetic workloads.
/// Numbers in the docs come from this command, run on one core of the project's machine.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure throughput on a synthetic workload (events/s).")

    enum Workload: String, ExpressibleByArgument, CaseIterable {
        case filter, transform, json, all
    }

    @Option(help: "filter, transform, json, or all.")
    var workload: Workload = .all

    @Option(help: "Number of events.")
    var events = 2_000_000

    @Option(help: "Distinct device ids.")
    var devices = 1_000

    @Option(help: "Repetitions; the best run is reported.")
    var runs = 3

    @Flag(help: "Feed events through the buffered emit path (a worker thread per query) instead of emitSync.")
    var async = false

    static let filterSQL = "SELECT deviceId, temperature FROM stream WHERE temperature > 50"
    static let transformSQL = "SELECT deviceId, temperature * 1.8 + 32 AS f, CASE WHEN temperature > 30 THEN 'hot' ELSE 'normal' END AS level FROM stream WHERE humidity < 90"

    func run() throws {
        let all: [Workload] = workload == .all ? [.filter, .transform, .json] : [workload]
        print("events: \(events), devices: \(devices), best of \(runs) runs, \(async ? "emit (buffered)" : "emitSync")")
        for w in all {
            switch w {
            case .filter: try query(name: "filter", sql: BenchCommand.filterSQL)
            case .transform: try query(name: "transform", sql: BenchCommand.transformSQL)
            case .json: json()
            case .all: break
            }
        }
    }

    /// Deterministic sensor events: deviceId among `devices`, temperature and humidity floats, ts +1 ms.
    func sensorEvents() -> [OrderedDictionary<String, Value>] {
        var rng = SplitMix64(seed: 42)
        let ids = (0..<devices).map { Value.string(String(format: "dev-%04d", $0)) }
        var out: [OrderedDictionary<String, Value>] = []
        out.reserveCapacity(events)
        let t0: Int64 = 1_700_000_000_000
        for i in 0..<events {
            out.append([
                "deviceId": ids[Int(rng.next() % UInt64(devices))],
                "temperature": .double(Double(rng.next() % 10_000) / 100),
                "humidity": .double(Double(rng.next() % 10_000) / 100),
                "ts": .int(t0 + Int64(i)),
            ])
        }
        return out
    }

    func query(name: String, sql: String) throws {
        let source = sensorEvents()
        var best = 0.0
        var rowsOut = 0
        for _ in 0..<runs {
            let engine = Engine()
            let q = try engine.execute(sql)
            let counter = RowCounter()
            q.addSink { counter.add($0.count) }
            let rows = source.map { engine.makeRow($0) }
            let start = DispatchTime.now().uptimeNanoseconds
            var i = 0
            while i < rows.count {
                let chunk = Array(rows[i..<min(i + 4096, rows.count)])
                if async { engine.emit(rows: chunk) } else { engine.emitSync(rows: chunk) }
                i += 4096
            }
            engine.drain()
            let secs = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            best = max(best, Double(rows.count) / secs)
            rowsOut = counter.value
            engine.stopAll(flush: false)
        }
        print(String(format: "%-10@ %8.2f M events/s   (%d rows out)  %@", name as NSString, best / 1e6, rowsOut, sql as NSString))
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

/// A small, fast, seedable generator (for reproducible benchmark data).
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
