import Foundation

/// Where a function that gives up on a value records why.
///
/// A function whose result would be unreasonable (a string over `FunctionFaults.maxResultBytes` from `lpad`,
/// `rpad`, `repeat`, `concat` or `regexp_replace`; a `date_diff` no integer holds) returns NULL and calls
/// `note(_:)`. The query running on this thread counts it (`MetricsSnapshot.nulled`, by reason), so the
/// NULL is never silent. Outside a running query (constant folding at plan time) the note goes nowhere: the
/// same call runs again per event and is counted then.
public enum FunctionFaults {
    /// The longest string or array a function builds (10 MB); beyond it the result is NULL and counted.
    public static let maxResultBytes = 10 * 1024 * 1024

    /// Records that a function returned NULL for `reason` (a short, stable text: it is a counter's key).
    @inline(never)
    public static func note(_ reason: String) {
        guard let p = pthread_getspecific(key) else { return }
        (Unmanaged<AnyObject>.fromOpaque(p).takeUnretainedValue() as? FaultRecording)?.fault(reason)
    }

    /// Runs `body` with `counters` receiving the notes made on this thread (nesting restores the outer one).
    @inline(__always)
    static func counting<T>(into counters: some FaultRecording, _ body: () throws -> T) rethrows -> T {
        let previous = pthread_getspecific(key)
        pthread_setspecific(key, Unmanaged.passUnretained(counters).toOpaque())
        defer { pthread_setspecific(key, previous) }
        return try body()
    }

    private static let key: pthread_key_t = {
        var k = pthread_key_t()
        pthread_key_create(&k, nil)
        return k
    }()
}

/// What receives the notes of `FunctionFaults` (a running query's counters).
protocol FaultRecording: AnyObject {
    func fault(_ reason: String)
}
