import Foundation

/// A value shared with result sinks, which run on the engine's threads.
public final class Locked<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var v: T
    public init(_ v: T) { self.v = v }
    public var value: T { lock.withLock { v } }
    public func mutate(_ f: (inout T) -> Void) { lock.withLock { f(&v) } }
}
