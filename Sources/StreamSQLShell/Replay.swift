import Foundation
import StreamSQL
import StreamSQLScenarios
import Synchronization

/// Replays JSON Lines or CSV files into named streams on a background thread: as fast as possible, at a
/// number of events per second, or paced by the events' own timestamps sped up N times. Malformed lines
/// are counted and reported with their line numbers; they never stop the replay. Progress (bytes read,
/// events, rejections) is readable at any time for the shell and the dashboard header.
public final class Replay: LiveSource, @unchecked Sendable {
    public enum Pace: Sendable, Equatable, CustomStringConvertible {
        /// As fast as the engine takes events.
        case max
        /// Events per second of wall time.
        case rate(Double)
        /// Event time runs N times faster than wall time (timestamps from `timeField`).
        case speed(Double)

        /// `max`, `500` or `500/s` (events per second), `x10` or `×10` (event-time speed-up).
        public static func parse(_ text: String) -> Pace? {
            let t = text.lowercased()
            if t == "max" { return .max }
            if t.hasPrefix("x") || t.hasPrefix("×") {
                guard let n = Double(t.dropFirst()), n > 0, n.isFinite else { return nil }
                return .speed(n)
            }
            let digits = t.hasSuffix("/s") ? String(t.dropLast(2)) : t
            guard let n = Double(digits), n > 0, n.isFinite else { return nil }
            return .rate(n)
        }

        public var description: String {
            switch self {
            case .max: "as fast as possible"
            case .rate(let r): "\(Int(r)) events/s"
            case .speed(let n): "×\(n == n.rounded() ? String(Int(n)) : String(n)) event time"
            }
        }
    }

    public struct Input: Sendable {
        public var path: String
        public var stream: String
        public init(path: String, stream: String) { self.path = path; self.stream = stream }
    }

    /// What a finished replay did.
    public struct Summary: Sendable, CustomStringConvertible {
        public var events = 0
        public var rejected = 0
        /// The first rejected lines as "file line N: reason".
        public var rejections: [String] = []
        public var seconds = 0.0
        public var cancelled = false
        public var unreadable: [String] = []
        /// The description, then the reported rejections indented: what to print when a replay ends.
        public var report: [String] { [description] + rejections.map { "  " + $0 } }

        public var description: String {
            var s = "replay \(cancelled ? "stopped" : "done"): \(events) event\(events == 1 ? "" : "s")"
            s += String(format: " in %.1f s", seconds)
            if rejected > 0 { s += ", \(rejected) malformed line\(rejected == 1 ? "" : "s") rejected" }
            for u in unreadable { s += "; cannot read \(u)" }
            return s
        }
    }

    public let inputs: [Input]
    public let pace: Pace
    public let timeField: String
    /// `"timeField"` as bytes, searched for in every line.
    private let timeKey: [UInt8]
    private let engine: Engine
    private let totalBytes: Int
    private let bytesRead = Atomic<Int>(0)
    private let events = Atomic<Int>(0)
    private let rejectedCount = Atomic<Int>(0)
    private let maxEventTime = Atomic<Int64>(Int64.min)
    private let stopFlag = Atomic<Bool>(false)
    private let gate = PauseGate()
    private let finishedFlag = Atomic<Bool>(false)
    private let done = DispatchSemaphore(value: 0)
    private let summaryLock = Mutex<Summary>(Summary())
    /// Called once on the replay's thread when it ends.
    public var onFinish: (@Sendable (Summary) -> Void)?
    /// Rejections reported one by one (up to `reportLimit`), as "file line N: reason".
    public var onRejection: (@Sendable (String) -> Void)?
    public var reportLimit = 20
    /// Told once when an `xN` pace finds no usable event time (naming the field it looked for and the
    /// fields the events had), so that a replay running flat out never passes without a word.
    public var onNotice: (@Sendable (String) -> Void)?
    /// How the notice says to name the time field (the shell's `.replay … BY FIELD`, the CLI's `--time-field`).
    public var timeFieldHint = ".replay FILE xN BY FIELD names the time field"
    /// Events an `xN` pace reads without an event time before it says so.
    static let timeProbe = 50
    /// Emit synchronously (results delivered before the next line; used by scripts and tests).
    public var synchronous = false

    public init(engine: Engine, inputs: [Input], pace: Pace = .max, timeField: String = "timestamp") {
        self.engine = engine
        self.inputs = inputs
        self.pace = pace
        self.timeField = timeField
        timeKey = Array("\"\(timeField)\"".utf8)
        totalBytes = inputs.reduce(0) { sum, i in
            sum + ((try? FileManager.default.attributesOfItem(atPath: i.path)[.size] as? Int) ?? 0)
        }
    }

    // MARK: LiveSource

    public var emitted: Int { events.load(ordering: .relaxed) }
    public var eventTimeMs: Int64? {
        let t = maxEventTime.load(ordering: .relaxed)
        return t == Int64.min ? nil : t / 1_000_000
    }
    public var isFinished: Bool { finishedFlag.load(ordering: .acquiring) }
    public var rejected: Int { rejectedCount.load(ordering: .relaxed) }
    /// Fraction of the input bytes read, 0…1.
    public var progress: Double {
        totalBytes == 0 ? (isFinished ? 1 : 0) : min(1, Double(bytesRead.load(ordering: .relaxed)) / Double(totalBytes))
    }

    /// One line for the shell and the dashboard header: "replay 45% · 12,300 events · 3 rejected".
    public var status: String? {
        var s = isFinished ? "replay done" : "replay \(Int((progress * 100).rounded(.down)))%"
        s += " · \(emitted) events"
        let r = rejected
        if r > 0 { s += " · \(r) rejected" }
        return s
    }

    /// Pauses after the current line (the dashboard's Space); the pace resumes without a burst.
    @discardableResult
    public func setPaused(_ paused: Bool) -> Bool {
        gate.set(paused)
        return true
    }

    public func start() {
        let t = Thread { [self] in
            run(gated: true)
            done.signal()
        }
        t.name = "streamsql-replay"
        t.start()
    }

    /// Asks the replay to stop after the current line and waits for it.
    public func stop() {
        stopFlag.store(true, ordering: .relaxed)
        if !isFinished { done.wait(); done.signal() }
    }

    public func wait() {
        done.wait()
        done.signal()
    }

    public var summary: Summary { summaryLock.withLock { $0 } }

    /// The notice for an `xN` pace whose events carry no usable time in `field`.
    static func noTimeNotice(_ path: String, speed: Double, field: String, record: EventFile.Record,
                             hint: String = ".replay FILE xN BY FIELD names the time field") -> String {
        var fields: [String] = []
        switch record {
        case .json(let line):
            if case .object(let o)? = try? JSONReader.parse(bytes: line.bytes) { fields = Array(o.keys) }
        case .row(let row, _): fields = Array(row.keys)
        case .rejected: break
        }
        let x = speed == speed.rounded() ? String(Int(speed)) : String(speed)
        return "(notice: \(path): x\(x) paces events by their time, but none of the first \(timeProbe) had a usable '\(field)' field "
            + "(looked for: \(field)); they go as fast as possible. "
            + (fields.isEmpty ? "" : "Fields seen: \(fields.prefix(12).joined(separator: ", ")); ") + hint + ")"
    }

    // MARK: replaying

    /// Runs the replay on the calling thread; `gated` lets `setPaused` hold it (the background thread).
    public func run(gated: Bool = false) {
        var started = DispatchTime.now().uptimeNanoseconds
        var firstEventNs: Int64? = nil
        var emittedHere = 0

        /// Sleeps until the event is due by the pace.
        func pause(eventNs: Int64?) {
            switch pace {
            case .max: return
            case .rate(let r):
                let due = Double(emittedHere) / r * 1e9
                let now = Double(DispatchTime.now().uptimeNanoseconds - started)
                if due > now { usleep(UInt32(min(1_000_000, (due - now) / 1000))) }
            case .speed(let n):
                guard let t = eventNs else { return }
                if firstEventNs == nil { firstEventNs = t }
                // In floating point: timestamps centuries apart must not overflow Int64 nanoseconds.
                let due = (Double(t) - Double(firstEventNs ?? t)) / n
                let now = Double(DispatchTime.now().uptimeNanoseconds - started)
                if due > now { usleep(UInt32(min(1_000_000, (due - now) / 1000))) }
            }
        }
        func reject(_ text: String) {
            let n = rejectedCount.add(1, ordering: .relaxed).newValue
            summaryLock.withLock { if $0.rejections.count < reportLimit { $0.rejections.append(text) } }
            if n <= reportLimit { onRejection?(text) }
        }

        for input in inputs {
            if stopFlag.load(ordering: .relaxed) { break }
            let file: EventFile
            do { file = try EventFile(path: input.path) } catch {
                summaryLock.withLock { $0.unreadable.append("\(input.path) (\(error.description))") }
                continue
            }
            engine.createStream(input.stream)
            var counted = 0
            var untimed = 0
            while !stopFlag.load(ordering: .relaxed), let record = file.next() {
                // The event time, for pacing and for the progress display.
                let t: Int64?
                switch record {
                case .json(let line): t = quickTime(line.bytes)
                case .row(let row, _): t = row[timeField].flatMap(TimeParse.nanos)
                case .rejected: t = nil
                }
                if let t { note(t) }
                if case .speed(let n) = pace, t == nil, firstEventNs == nil, untimed < Replay.timeProbe {
                    untimed += 1
                    if untimed == Replay.timeProbe { onNotice?(Replay.noTimeNotice(input.path, speed: n, field: timeField, record: record, hint: timeFieldHint)) }
                }
                if gated { started &+= gate.wait { stopFlag.load(ordering: .relaxed) } }
                pause(eventNs: t)
                if let why = engine.feed(record, to: input.stream, sync: synchronous, file: input.path) {
                    reject("\(input.path) line \(record.line): \(why)")
                } else {
                    emittedHere += 1
                    events.add(1, ordering: .relaxed)
                }
                let now = file.bytesRead
                bytesRead.add(now - counted, ordering: .relaxed)
                counted = now
            }
            if let f = file.failure { summaryLock.withLock { $0.unreadable.append(f) } }
        }
        let cancelled = stopFlag.load(ordering: .relaxed)
        let s = summaryLock.withLock { s -> Summary in
            s.events = events.load(ordering: .relaxed)
            s.rejected = rejectedCount.load(ordering: .relaxed)
            s.seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            s.cancelled = cancelled
            return s
        }
        finishedFlag.store(true, ordering: .releasing)
        onFinish?(s)
    }

    /// The time field of a JSON line, read without parsing the whole line: the first `"field":` and the
    /// string or number after it (a line whose field is nested or escaped is simply not timed).
    private func quickTime(_ b: UnsafeBufferPointer<UInt8>) -> Int64? {
        let key = timeKey
        guard b.count > key.count else { return nil }
        var i = 0
        search: while i + key.count <= b.count {
            for k in 0..<key.count where b[i + k] != key[k] { i += 1; continue search }
            var j = i + key.count
            while j < b.count, b[j] == 32 || b[j] == 9 { j += 1 }
            guard j < b.count, b[j] == UInt8(ascii: ":") else { i += 1; continue }
            j += 1
            while j < b.count, b[j] == 32 || b[j] == 9 { j += 1 }
            guard j < b.count else { return nil }
            if b[j] == UInt8(ascii: "\"") {
                var e = j + 1
                while e < b.count, b[e] != UInt8(ascii: "\""), b[e] != UInt8(ascii: "\\") { e += 1 }
                guard e < b.count, b[e] == UInt8(ascii: "\"") else { return nil }
                return TimeParse.parse(String(decoding: b[(j + 1)..<e], as: UTF8.self))
            }
            var e = j
            while e < b.count, (b[e] >= 48 && b[e] <= 57) || b[e] == UInt8(ascii: ".") || b[e] == UInt8(ascii: "-") || b[e] == UInt8(ascii: "e") || b[e] == UInt8(ascii: "E") || b[e] == UInt8(ascii: "+") { e += 1 }
            let text = String(decoding: b[j..<e], as: UTF8.self)
            if let n = Int64(text) { return TimeParse.nanos(.int(n)) }
            if let d = Double(text) { return TimeParse.nanos(.double(d)) }
            return nil
        }
        return nil
    }

    private func note(_ t: Int64) {
        if t > maxEventTime.load(ordering: .relaxed) { maxEventTime.store(t, ordering: .relaxed) }
    }
}

import OrderedCollections
