import Foundation
import Synchronization

/// A story event a scenario's generator can be told to cause now (`.incident NAME`, `!` in the dashboard,
/// a story's `.incident` step). Declared once per scenario in `Incidents.catalog`.
public struct Incident: Sendable {
    public let name: String
    public let description: String
    /// What it changes in the generated events.
    public let changes: String
    /// The `key=value` settings it takes, each with its default (text; "" means drawn from the seed).
    public let parameters: [Parameter]

    public struct Parameter: Sendable {
        public let key: String
        public let defaultValue: String
        public let help: String
    }

    /// One line for `.incident` and the dashboard's menu.
    public var summary: String {
        let ps = parameters.map { "\($0.key)=\($0.defaultValue.isEmpty ? "…" : $0.defaultValue)" }.joined(separator: " ")
        return "\(name)\(ps.isEmpty ? "" : " [\(ps)]") — \(description)"
    }
}

/// An incident to cause, with its settings (keys checked against the declaration).
public struct IncidentTrigger: Sendable, Equatable {
    public let name: String
    public let settings: [String: String]
    public init(name: String, settings: [String: String] = [:]) { self.name = name; self.settings = settings }

    func int(_ key: String, _ fallback: Int, in range: ClosedRange<Int>) -> Int {
        guard let s = settings[key], let v = Int(s) else { return fallback }
        return min(range.upperBound, max(range.lowerBound, v))
    }
    func text(_ key: String) -> String? { settings[key].flatMap { $0.isEmpty ? nil : $0 } }
}

public struct IncidentError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ d: String) { description = d }
}

/// The incidents of each scenario, in one place.
public enum Incidents {
    static func p(_ key: String, _ def: String, _ help: String) -> Incident.Parameter { .init(key: key, defaultValue: def, help: help) }

    public static let catalog: [String: [Incident]] = [
        "fraud": [
            Incident(name: "burst", description: "an account takeover: a burst of large purchases on one user",
                     changes: "the next `count` transactions come from `user`, each from a new city and a new device, at 8–25× the user's usual amount",
                     parameters: [p("user", "", "the user (U0001…U5000; default: one of the active users)"),
                                  p("count", "8", "how many transactions (1…50)")]),
        ],
        "moderation": [
            Incident(name: "spam_wave", description: "one account posts a run of spam with links and many hashtags",
                     changes: "the next `count` posts are spam from `user`", parameters: [p("user", "", "the spammer"), p("count", "20", "posts (1…200)")]),
            Incident(name: "toxic_thread", description: "a thread turns toxic",
                     changes: "the next `count` posts are abusive", parameters: [p("count", "15", "posts (1…200)")]),
        ],
        "supply": [
            Incident(name: "stockout", description: "a product sells out in every warehouse",
                     changes: "`product`'s stock drops to zero in every warehouse and it is not restocked again",
                     parameters: [p("product", "P001", "the product (P001…P050)")]),
            Incident(name: "supplier_delay", description: "a supplier's lead times jump",
                     changes: "every product of `product`'s supplier gets `days` more lead time", parameters: [p("product", "P001", "a product of the supplier"), p("days", "14", "extra days (1…60)")]),
        ],
        "traffic": [
            Incident(name: "snowstorm", description: "snow: the weather turns snowy",
                     changes: "weather becomes snowy and flows at `intersection` double", parameters: [p("intersection", "INT001", "the worst-hit intersection")]),
            Incident(name: "rush_hour", description: "rush-hour traffic now, whatever the clock says",
                     changes: "the next `count` events are reported as rush_hour with rush-hour flows", parameters: [p("count", "200", "events (1…5000)")]),
        ],
        "energy": [
            Incident(name: "hvac_fault", description: "a building's HVAC fails and its temperature drifts outdoors",
                     changes: "`building` stops regulating its temperature for `count` readings", parameters: [p("building", "B001", "B001…B030"), p("count", "150", "readings (1…2000)")]),
            Incident(name: "consumption_spike", description: "a building draws far more power than usual",
                     changes: "`building`'s consumption is tripled for `count` readings", parameters: [p("building", "B001", "B001…B030"), p("count", "60", "readings (1…2000)")]),
        ],
        "routing": [
            Incident(name: "skill_shortage", description: "every agent logs off: tickets queue with nobody to take them",
                     changes: "a shift handover starts now (all agents offline, then back)", parameters: []),
        ],
        "recommend": [
            Incident(name: "buying_spree", description: "shoppers rush to buy in one category",
                     changes: "the next `count` events are purchases in `category`", parameters: [p("category", "electronics", "a product category"), p("count", "150", "events (1…5000)")]),
        ],
    ]

    /// The incidents of a scenario (none for one without declared incidents).
    public static func of(_ scenario: String) -> [Incident] { catalog[scenario] ?? [] }

    /// `NAME key=value …` checked against the scenario's declarations.
    public static func parse(_ args: [String], scenario: String) throws(IncidentError) -> IncidentTrigger {
        let list = of(scenario)
        guard let name = args.first else { throw IncidentError("usage: .incident NAME [key=value …]") }
        guard let inc = list.first(where: { $0.name == name.lowercased() }) else {
            let known = list.map(\.name).joined(separator: ", ")
            throw IncidentError("\(scenario) has no incident '\(name)'" + (known.isEmpty ? "" : "; its incidents: \(known)"))
        }
        var settings: [String: String] = [:]
        for a in args.dropFirst() {
            let kv = a.split(separator: "=", maxSplits: 1).map(String.init)
            guard kv.count == 2, !kv[0].isEmpty else { throw IncidentError("'\(a)' is not key=value (\(inc.summary))") }
            guard inc.parameters.contains(where: { $0.key == kv[0].lowercased() }) else {
                let keys = inc.parameters.map(\.key).joined(separator: ", ")
                throw IncidentError("\(inc.name) takes no '\(kv[0])'" + (keys.isEmpty ? "" : "; it takes: \(keys)"))
            }
            settings[kv[0].lowercased()] = kv[1]
        }
        return IncidentTrigger(name: inc.name, settings: settings)
    }
}

extension Scenario {
    /// The incidents this scenario declares.
    public var incidents: [Incident] { Incidents.of(name) }
}

/// Incidents applied at fixed event counts: a generator and its schedule always give the same events.
public struct IncidentSchedule: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        /// Applied just before the event with this 0-based index is generated.
        public let at: Int
        public let trigger: IncidentTrigger
        public init(at: Int, trigger: IncidentTrigger) { self.at = at; self.trigger = trigger }
    }
    public private(set) var entries: [Entry] = []
    public init(_ entries: [Entry] = []) { self.entries = entries.sorted { $0.at < $1.at } }
    public mutating func add(_ e: Entry) {
        let i = entries.firstIndex { $0.at > e.at } ?? entries.count
        entries.insert(e, at: i)
    }
}

/// A generator that applies a schedule of incidents, and incidents asked for live (applied before the next
/// event, on the thread generating) — which it records, so a live session's schedule can be replayed.
public final class ScheduledGenerator: ScenarioGenerator, @unchecked Sendable {
    public let base: ScenarioGenerator
    private var schedule: IncidentSchedule
    private var nextEntry = 0
    public private(set) var generated = 0
    private let pending = Mutex<[IncidentTrigger]>([])
    /// Whether `pending` may hold something: the per-event check takes no lock.
    private let hasPending = Atomic<Bool>(false)
    private let log = Mutex<IncidentSchedule>(IncidentSchedule())
    private let lastTime = Atomic<Int64>(Int64.min)

    /// The event time of the latest event (ms since the epoch), if any.
    public var lastEventTimeMs: Int64? {
        let t = lastTime.load(ordering: .relaxed)
        return t == Int64.min ? nil : t
    }

    public init(_ base: ScenarioGenerator, schedule: IncidentSchedule = IncidentSchedule()) {
        self.base = base
        self.schedule = schedule
    }

    /// Causes `trigger` before the next event.
    public func trigger(_ trigger: IncidentTrigger) {
        pending.withLock { $0.append(trigger) }
        hasPending.store(true, ordering: .releasing)
    }

    /// Every incident applied so far, at the event it was applied before.
    public var applied: IncidentSchedule { log.withLock { $0 } }

    public func next() -> GeneratedEvent {
        var now: [IncidentTrigger] = []
        while nextEntry < schedule.entries.count, schedule.entries[nextEntry].at <= generated {
            now.append(schedule.entries[nextEntry].trigger)
            nextEntry += 1
        }
        if hasPending.exchange(false, ordering: .acquiring) {
            now += pending.withLock { p in defer { p.removeAll() }; return p }
        }
        for t in now where base.begin(t) {
            let at = generated
            log.withLock { $0.add(.init(at: at, trigger: t)) }
        }
        generated += 1
        let e = base.next()
        lastTime.store(e.eventTimeMs, ordering: .relaxed)
        return e
    }

    public func begin(_ trigger: IncidentTrigger) -> Bool { base.begin(trigger) }
}
