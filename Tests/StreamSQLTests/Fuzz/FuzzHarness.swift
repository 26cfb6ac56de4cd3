import Foundation
import Synchronization
import XCTest
@testable import StreamSQL

/// Shared machinery of the fuzz tests (see `SQLFuzzTests.swift` for how to run them longer):
/// the time budget and seed from the environment, one seeded generator per input (so a failure names
/// `seed` and `case` and nothing else is needed to reproduce it), a watchdog for inputs that hang, and a
/// crash reporter that prints the input being run when the process traps.
enum Fuzz {
    /// Seconds for one target group (SQL, readers): STREAMSQL_FUZZ_SECONDS, default 24.
    static var groupSeconds: Double {
        if let s = ProcessInfo.processInfo.environment["STREAMSQL_FUZZ_SECONDS"], let v = Double(s), v >= 0 { return v }
        return 24
    }

    /// The run's seed: STREAMSQL_FUZZ_SEED, default 1 (so `swift test` tries the same inputs every time,
    /// as many as fit in its time).
    static var seed: UInt64 {
        if let s = ProcessInfo.processInfo.environment["STREAMSQL_FUZZ_SEED"], let v = UInt64(s) { return v }
        return 1
    }

    /// Only this case (STREAMSQL_FUZZ_CASE=n), to rerun one reported failure.
    static var onlyCase: Int? {
        ProcessInfo.processInfo.environment["STREAMSQL_FUZZ_CASE"].flatMap { Int($0) }
    }

    /// An input that takes longer than this is a failure (a hang, or close to one).
    static let slowSeconds = 2.0
    /// An input still running after this long: the reporter prints it and the process is ended.
    static let hangSeconds = 60.0

    /// The generator for case `n` of a target under a seed: independent of every other case.
    static func rng(seed: UInt64, target: UInt64, n: Int) -> SplitMix64 {
        var mix = SplitMix64(seed: seed ^ (target &* 0x9E37_79B9_7F4A_7C15))
        for _ in 0..<(n & 3) { _ = mix.next() }
        return SplitMix64(seed: mix.next() ^ (UInt64(truncatingIfNeeded: n) &* 0xD1B5_4A32_D192_ED03))
    }

    /// Bytes as a Swift string literal body: printable ASCII as is, everything else escaped, so that a
    /// failing input can be pasted into a test.
    static func escape(_ bytes: some Sequence<UInt8>) -> String {
        var s = ""
        for b in bytes {
            switch b {
            case 10: s += "\\n"
            case 13: s += "\\r"
            case 9: s += "\\t"
            case 34: s += "\\\""
            case 92: s += "\\\\"
            case 32..<127: s.unicodeScalars.append(Unicode.Scalar(b))
            default: s += String(format: "\\x%02X", b)
            }
        }
        return s
    }

    static func escape(_ text: String) -> String { escape(Array(text.utf8)) }

    /// Runs `body(case, rng)` for cases 0, 1, … until `seconds` pass (or only STREAMSQL_FUZZ_CASE), under
    /// the watchdog and the crash reporter. `describe` gives the input of a case as bytes for reports.
    /// Returns the number of cases run; slow cases fail the test with their seed, case and input.
    static func loop(_ name: String, target: UInt64, seconds: Double, file: StaticString = #filePath, line: UInt = #line,
                     _ body: (Int, inout SplitMix64, CurrentInput) -> Void) -> Int {
        let seed = Fuzz.seed
        let watchdog = Watchdog.shared
        CrashReporter.install()
        let started = Date()
        var n = Fuzz.onlyCase ?? 0
        var count = 0
        while true {
            if Fuzz.onlyCase == nil && Date().timeIntervalSince(started) >= seconds && count > 0 { break }
            var rng = Fuzz.rng(seed: seed, target: target, n: n)
            let current = CurrentInput(name: name, seed: seed, n: n)
            watchdog.begin(current)
            let t0 = DispatchTime.now().uptimeNanoseconds
            body(n, &rng, current)
            let took = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            watchdog.end()
            if took > Fuzz.slowSeconds {
                XCTFail("fuzz \(name): seed \(seed) case \(n) took \(String(format: "%.1f", took)) s (limit \(Fuzz.slowSeconds) s); input: \"\(current.escaped)\"",
                        file: file, line: line)
            }
            count += 1
            if Fuzz.onlyCase != nil { break }
            n += 1
        }
        return count
    }
}

/// The input being run, for the watchdog and the crash reporter.
final class CurrentInput: @unchecked Sendable {
    let name: String
    let seed: UInt64
    let n: Int
    private let lock = NSLock()
    private var bytes: [UInt8] = []

    init(name: String, seed: UInt64, n: Int) {
        self.name = name
        self.seed = seed
        self.n = n
    }

    /// Records the input (call before running it).
    func set(_ b: [UInt8]) {
        lock.withLock { bytes = b }
        CrashReporter.record(name: name, seed: seed, n: n, bytes: b)
    }

    func set(_ s: String) { set(Array(s.utf8)) }

    var escaped: String { Fuzz.escape(lock.withLock { bytes }) }
}

/// A thread that notices an input running too long: it prints the input after `slowSeconds` (so a hang
/// can be reproduced even if the run is killed) and ends the process after `hangSeconds`.
final class Watchdog: @unchecked Sendable {
    static let shared = Watchdog()
    private let lock = NSLock()
    private var current: CurrentInput?
    private var since: UInt64 = 0
    private var reported = false

    private init() {
        let t = Thread { [unowned self] in
            while true {
                Thread.sleep(forTimeInterval: 0.25)
                self.check()
            }
        }
        t.name = "streamsql.fuzz.watchdog"
        t.start()
    }

    func begin(_ input: CurrentInput) {
        lock.withLock { current = input; since = DispatchTime.now().uptimeNanoseconds; reported = false }
    }

    func end() { lock.withLock { current = nil } }

    private func check() {
        let (input, elapsed, done) = lock.withLock { () -> (CurrentInput?, Double, Bool) in
            guard let c = current else { return (nil, 0, true) }
            return (c, Double(DispatchTime.now().uptimeNanoseconds - since) / 1e9, reported)
        }
        guard let input else { return }
        if elapsed > Fuzz.slowSeconds && !done {
            lock.withLock { reported = true }
            FileHandle.standardError.write(Data("fuzz \(input.name): seed \(input.seed) case \(input.n) still running after \(Fuzz.slowSeconds) s; input: \"\(input.escaped)\"\n".utf8))
        }
        if elapsed > Fuzz.hangSeconds {
            FileHandle.standardError.write(Data("fuzz \(input.name): seed \(input.seed) case \(input.n) hangs (over \(Fuzz.hangSeconds) s); ending the run\n".utf8))
            exit(3)
        }
    }
}

/// Prints the fuzz input being run when the process gets a fatal signal (a Swift trap is SIGILL or
/// SIGTRAP, a stack overflow SIGSEGV on an alternate stack), then lets the previous handler run.
/// The input is kept in a preallocated buffer so that the handler needs no allocation.
enum CrashReporter {
    static let capacity = 1 << 20
    nonisolated(unsafe) static let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
    nonisolated(unsafe) static var length = 0
    nonisolated(unsafe) static let header = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
    nonisolated(unsafe) static var headerLength = 0
    /// The handlers that were there before, by signal number (all fatal signals are below 32).
    nonisolated(unsafe) static let previous = UnsafeMutablePointer<sigaction>.allocate(capacity: 32)
    static let installed = Mutex(false)
    static let signals: [Int32] = [SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGABRT, SIGFPE]

    static func record(name: String, seed: UInt64, n: Int, bytes: [UInt8]) {
        let h = Array("\nfuzz \(name) CRASHED: seed \(seed) case \(n) (rerun: STREAMSQL_FUZZ_SEED=\(seed) STREAMSQL_FUZZ_CASE=\(n)); input: \"".utf8.prefix(255))
        h.withUnsafeBufferPointer { p in if let b = p.baseAddress { header.update(from: b, count: p.count) } }
        headerLength = h.count
        let count = min(bytes.count, capacity)
        bytes.withUnsafeBufferPointer { p in if let b = p.baseAddress { buffer.update(from: b, count: count) } }
        length = count
    }

    /// Installs the handlers once, with an alternate signal stack for the calling (the fuzzing) thread.
    static func install() {
        let first = installed.withLock { done -> Bool in
            defer { done = true }
            return !done
        }
        guard first else { return }
        // XCTest runs every test on the main thread, so one alternate stack (for a stack overflow) serves all.
        let stackSize = 1 << 16
        var ss = stack_t()
        ss.ss_sp = UnsafeMutableRawPointer.allocate(byteCount: stackSize, alignment: 16)
        ss.ss_size = stackSize
        ss.ss_flags = 0
        sigaltstack(&ss, nil)
        for sig in signals {
            var sa = sigaction()
            sa.__sigaction_handler.sa_handler = { sig in CrashReporter.report(sig) }
            sa.sa_flags = Int32(SA_ONSTACK)
            var old = sigaction()
            sigaction(sig, &sa, &old)
            previous[Int(sig)] = old
        }
    }

    /// Async-signal-safe: only write(2) and sigaction(2) on preallocated memory.
    static func report(_ sig: Int32) {
        _ = write(2, header, headerLength)
        var i = 0
        let digits: StaticString = "0123456789ABCDEF"
        while i < length {
            let b = buffer[i]
            var chunk: (UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0)
            var n = 1
            if b >= 32 && b < 127 && b != 34 && b != 92 {
                chunk.0 = b
            } else {
                chunk = (92, 120, digits.utf8Start[Int(b >> 4)], digits.utf8Start[Int(b & 15)])
                n = 4
            }
            withUnsafeBytes(of: &chunk) { p in _ = write(2, p.baseAddress, n) }
            i += 1
        }
        let tail: StaticString = "\"\n"
        _ = write(2, tail.utf8Start, tail.utf8CodeUnitCount)
        sigaction(sig, previous + Int(sig), nil)
        // Returning re-runs the faulting instruction (or, for a raised signal, the previous handler runs).
        if sig == SIGABRT { raise(sig) }
    }
}
