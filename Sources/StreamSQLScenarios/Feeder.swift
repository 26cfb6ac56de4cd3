import Foundation
import Synchronization
import StreamSQL

/// Something feeding the engine live (a generator, a file replay): what the dashboard header shows.
public protocol LiveSource: AnyObject, Sendable {
    /// Events emitted so far.
    var emitted: Int { get }
    /// The latest event time emitted (ms since the epoch), if known.
    var eventTimeMs: Int64? { get }
    /// A short progress line ("replay 45% · 12,300 events"), if the source has one.
    var status: String? { get }
    /// Holds the feed (true) or lets it go on (false), where the source can; it must not catch up on
    /// the events it would have sent meanwhile. Returns whether the source paused.
    @discardableResult
    func setPaused(_ paused: Bool) -> Bool
}

extension LiveSource {
    /// A source that cannot pause keeps running.
    @discardableResult
    public func setPaused(_ paused: Bool) -> Bool { false }
}

/// The pause switch of a source's thread: the thread waits while it is on, and the time spent waiting is
/// added to its pacing clock, so that a paced feed resumes where it was instead of sending a burst.
public final class PauseGate: Sendable {
    private let on = Atomic<Bool>(false)
    public init() {}
    public var isOn: Bool { on.load(ordering: .relaxed) }
    public func set(_ paused: Bool) { on.store(paused, ordering: .relaxed) }

    /// Waits while paused (checking `stop` every 10 ms); returns the nanoseconds waited.
    public func wait(unless stop: () -> Bool) -> UInt64 {
        guard isOn else { return 0 }
        let t0 = DispatchTime.now().uptimeNanoseconds
        while isOn, !stop() { usleep(10_000) }
        return DispatchTime.now().uptimeNanoseconds - t0
    }
}

/// Drives generators into an engine on a background thread, paced at a number of events per second
/// (or as fast as possible), and keeps the counters the dashboard header shows.
public final class Feeder: LiveSource, @unchecked Sendable {
    public struct Source {
        public var generator: ScenarioGenerator
        /// Events per second in wall time; nil or ≤ 0 runs as fast as possible.
        public var rate: Double?
        public init(generator: ScenarioGenerator, rate: Double?) {
            self.generator = generator
            self.rate = rate
        }
    }

    private let engine: Engine
    /// Each generator wrapped in a `ScheduledGenerator`, so incidents can be caused while it runs.
    var sources: [Source]
    private let record: FileHandle?
    private let stopFlag = Atomic<Bool>(false)
    private let gate = PauseGate()
    private let emittedCount = Atomic<Int>(0)
    private let maxEventTime = Atomic<Int64>(Int64.min)
    private var thread: Thread?
    private let done = DispatchSemaphore(value: 0)
    /// Stop after this many events in all (nil: until stopped).
    public var limit: Int?
    /// Emit synchronously (row results are delivered before `emit` returns; deterministic order).
    public var synchronous = false
    /// Record events as `{"stream": …, "event": {…}}` (for scenarios with several streams).
    public var tagRecording = false

    /// `recordTo`: a JSON Lines file receiving every generated event (tagged with its stream when
    /// there are several).
    public init(engine: Engine, sources: [Source], recordTo path: String? = nil) throws {
        self.engine = engine
        self.sources = sources.map { s in
            Source(generator: s.generator as? ScheduledGenerator ?? ScheduledGenerator(s.generator), rate: s.rate)
        }
        if let path {
            guard FileManager.default.createFile(atPath: path, contents: nil), let h = FileHandle(forWritingAtPath: path) else {
                throw FeederError.cannotRecord(path)
            }
            record = h
        } else {
            record = nil
        }
    }

    public enum FeederError: Error, CustomStringConvertible {
        case cannotRecord(String)
        public var description: String {
            switch self { case .cannotRecord(let p): "cannot write the recording file \(p)" }
        }
    }

    public var emitted: Int { emittedCount.load(ordering: .relaxed) }
    /// The scenarios of its generators (for `.incident` and the dashboard's `!`).
    public var scenarioNames: [String] = []
    /// Shown in the dashboard header (e.g. "generator sensors").
    public var label: String?
    public var status: String? { label }
    /// The latest event time emitted (ms since the epoch), if any.
    public var eventTimeMs: Int64? {
        let t = maxEventTime.load(ordering: .relaxed)
        return t == Int64.min ? nil : t
    }

    /// Starts the background thread.
    public func start() {
        let t = Thread { [self] in
            loop(gated: true)
            done.signal()
        }
        t.name = "streamsql-feeder"
        thread = t
        t.start()
    }

    /// Pauses the generators (the dashboard's Space); events due meanwhile are not sent later.
    @discardableResult
    public func setPaused(_ paused: Bool) -> Bool {
        gate.set(paused)
        return true
    }

    /// Stops the thread and waits for it.
    public func stop() {
        guard thread != nil else { return }
        stopFlag.store(true, ordering: .relaxed)
        done.wait()
        done.signal()
        record?.synchronizeFile()
    }

    /// Waits until the limit is reached.
    public func wait() {
        guard thread != nil else { return }
        done.wait()
        done.signal()
    }

    /// Runs on the calling thread until the limit (for `--print` runs and tests).
    public func runHere() {
        loop()
        record?.synchronizeFile()
    }

    private func emitOne(_ i: Int, _ recordBuffer: inout [UInt8]) {
        let e = sources[i].generator.next()
        if synchronous {
            _ = engine.emitSync(e.fields, to: e.stream)
        } else {
            engine.emit(e.fields, to: e.stream)
        }
        if e.eventTimeMs > maxEventTime.load(ordering: .relaxed) { maxEventTime.store(e.eventTimeMs, ordering: .relaxed) }
        emittedCount.add(1, ordering: .relaxed)
        if record != nil {
            let line = tagRecording
                ? JSONWriter.string(object: ["stream": .string(e.stream), "event": .object(e.fields)])
                : e.jsonLine
            recordBuffer.append(contentsOf: line.utf8)
            recordBuffer.append(10)
        }
    }

    /// `gated`: the background thread, which `setPaused` holds (a run on the caller's thread is not held).
    private func loop(gated: Bool = false) {
        var buffer: [UInt8] = []
        var sent = [Int](repeating: 0, count: sources.count)
        var start = DispatchTime.now().uptimeNanoseconds
        var total = 0
        while !stopFlag.load(ordering: .relaxed) {
            if gated { start &+= gate.wait { stopFlag.load(ordering: .relaxed) } }
            if let l = limit, total >= l { break }
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            var any = false
            for i in sources.indices {
                let due: Int
                if let r = sources[i].rate, r > 0 {
                    due = min(Int(elapsed * r) - sent[i], 10_000)
                } else {
                    due = 1024
                }
                var k = 0
                while k < due {
                    if let l = limit, total >= l { break }
                    emitOne(i, &buffer)
                    sent[i] += 1
                    total += 1
                    k += 1
                }
                if k > 0 { any = true }
            }
            if let h = record, buffer.count > 1 << 16 {
                h.write(Data(buffer))
                buffer.removeAll(keepingCapacity: true)
            }
            if !any { usleep(5_000) }
        }
        if let h = record, !buffer.isEmpty { h.write(Data(buffer)) }
        stopFlag.store(true, ordering: .relaxed)
    }
}
