import Foundation
import OrderedCollections
import StreamSQL

/// One generated event and the stream it belongs to.
public struct GeneratedEvent: Sendable {
    public var stream: String
    public var fields: OrderedDictionary<String, Value>
    /// Event time in milliseconds since the epoch (the value behind the event's timestamp field).
    public var eventTimeMs: Int64

    public var jsonLine: String { JSONWriter.string(object: fields) }
}

/// A deterministic event source for one scenario. The same seed gives the same events, and event time
/// advances a fixed number of simulated milliseconds per event, so a run is reproducible whatever the
/// wall-clock pacing.
public protocol ScenarioGenerator: AnyObject {
    /// The next event.
    func next() -> GeneratedEvent
    /// Starts an incident (see `Incidents`) from the next event on; false if this generator has no such incident.
    func begin(_ incident: IncidentTrigger) -> Bool
}

extension ScenarioGenerator {
    public func begin(_ incident: IncidentTrigger) -> Bool { false }
}

/// Settings shared by every generator.
public struct GeneratorConfig: Sendable {
    public var seed: UInt64
    /// Simulated milliseconds of event time per event (nil: the scenario's own cadence).
    public var stepMs: Double?
    /// Event time of the first event, in ms since the epoch (nil: the scenario's own start).
    public var startMs: Int64?

    public init(seed: UInt64 = 42, stepMs: Double? = nil, startMs: Int64? = nil) {
        self.seed = seed
        self.stepMs = stepMs
        self.startMs = startMs
    }
}

/// Simulated time: a start and a fixed step per event.
struct SimClock {
    let startMs: Int64
    let stepMs: Double
    private(set) var count: Int64 = 0

    init(startMs: Int64, stepMs: Double) {
        self.startMs = startMs
        self.stepMs = stepMs
    }

    /// The time of the next event (advances the clock).
    mutating func tick() -> Int64 {
        defer { count += 1 }
        return startMs + Int64((Double(count) * stepMs).rounded())
    }

    static func iso(_ ms: Int64) -> String { TimeFormat.iso8601(nanos: ms * 1_000_000) }

    /// Hour of the day (0..<24, fractional) of a time in ms, UTC.
    static func hourOfDay(_ ms: Int64) -> Double {
        let dayMs: Int64 = 86_400_000
        let m = ((ms % dayMs) + dayMs) % dayMs
        return Double(m) / 3_600_000
    }

    /// Milliseconds since the epoch of a UTC date-time.
    static func ms(_ y: Int64, _ mo: Int64, _ d: Int64, _ h: Int64 = 0, _ mi: Int64 = 0) -> Int64 {
        (TimeFormat.daysFromCivil(y, mo, d) * 86_400 + h * 3600 + mi * 60) * 1000
    }
}

/// Random helpers on the seeded generator.
struct Rand {
    var rng: SplitMix64
    init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(rng.next() >> 11) * 0x1.0p-53 }
    mutating func int(_ n: Int) -> Int { n <= 1 ? 0 : Int(rng.next() % UInt64(n)) }
    mutating func range(_ lo: Double, _ hi: Double) -> Double { lo + (hi - lo) * unit() }
    mutating func chance(_ p: Double) -> Bool { unit() < p }
    mutating func pick<T>(_ a: [T]) -> T { a[int(a.count)] }
    /// Standard normal (Box–Muller).
    mutating func normal() -> Double {
        let u1 = max(unit(), 1e-12), u2 = unit()
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }
    /// A value picked by weight.
    mutating func weighted<T>(_ items: [(T, Double)]) -> T {
        let total = items.reduce(0) { $0 + $1.1 }
        var x = unit() * total
        for (v, w) in items {
            if x < w { return v }
            x -= w
        }
        return items[items.count - 1].0
    }
}

/// Rounds to `places` decimals.
func round(_ x: Double, _ places: Int) -> Double {
    let p = pow(10, Double(places))
    return (x * p).rounded() / p
}

/// `P001`-style identifiers.
func ident(_ prefix: String, _ n: Int, width: Int = 3) -> String {
    let s = String(n)
    return prefix + String(repeating: "0", count: max(0, width - s.count)) + s
}
