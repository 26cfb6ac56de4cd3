import Foundation
import Synchronization

/// Where processing time comes from. Windows on processing time read it when rows arrive and when
/// the engine ticks; tests inject a `ManualClock` so that no test sleeps waiting for a window.
public protocol Clock: AnyObject, Sendable {
    /// Nanoseconds since the Unix epoch.
    func now() -> Int64
    /// Whether time moves by itself (the engine then ticks queries in the background).
    var isRealTime: Bool { get }
}

public final class SystemClock: Clock {
    public init() {}
    public func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
    public var isRealTime: Bool { true }
}

/// A clock that moves only when told to.
///
/// ```swift
/// let clock = ManualClock(start: 0)
/// let engine = Engine(options: .init(clock: clock))
/// clock.advance(by: 5_000_000_000)
/// engine.tick()   // fires processing-time windows that ended
/// ```
public final class ManualClock: Clock {
    private let t: Atomic<Int64>
    public init(start: Int64 = 0) { t = Atomic(start) }
    public func now() -> Int64 { t.load(ordering: .acquiring) }
    public func advance(by nanos: Int64) { _ = t.add(nanos, ordering: .releasing) }
    public func set(_ nanos: Int64) { t.store(nanos, ordering: .releasing) }
    public var isRealTime: Bool { false }
}
