import Foundation
import StreamSQL

/// The built-in scenarios: their names, streams, demo scripts and generators.
public struct Scenario: Sendable {
    public let name: String
    public let title: String
    /// The streams its generator feeds (the first is the main one).
    public let streams: [String]
    /// The demo script under `demos/`.
    public let script: String
    /// Simulated milliseconds per event at the scenario's own cadence.
    public let stepMs: Double
    /// Wall-clock events per second for the live demo.
    public let demoRate: Double
    /// Event time of the first event.
    public let startMs: Int64
    let make: @Sendable (GeneratorConfig) -> ScenarioGenerator

    /// A generator with `config` (its step and start default to the scenario's).
    public func generator(_ config: GeneratorConfig = GeneratorConfig()) -> ScenarioGenerator {
        var c = config
        if c.stepMs == nil { c.stepMs = stepMs }
        if c.startMs == nil { c.startMs = startMs }
        return make(c)
    }

    /// The events/s at which event time runs `timeScale` times faster than wall time.
    public func rate(timeScale: Double) -> Double { timeScale * 1000 / stepMs }
}

public enum Scenarios {
    public static let all: [Scenario] = [
        Scenario(name: "recommend", title: "E-commerce recommendations", streams: ["user_events"], script: "recommend.sql",
                 stepMs: 250, demoRate: 200, startMs: SimClock.ms(2024, 1, 15, 10), make: { RecommendGenerator($0) }),
        Scenario(name: "routing", title: "Customer-service routing", streams: ["tickets", "agent_status"], script: "routing.sql",
                 stepMs: 2000, demoRate: 50, startMs: SimClock.ms(2024, 1, 15, 9), make: { RoutingGenerator($0) }),
        Scenario(name: "supply", title: "Supply-chain optimisation", streams: ["inventory"], script: "supply.sql",
                 stepMs: 60_000, demoRate: 100, startMs: SimClock.ms(2024, 1, 15, 0), make: { SupplyGenerator($0) }),
        Scenario(name: "fraud", title: "Financial risk control", streams: ["transactions"], script: "fraud.sql",
                 stepMs: 3000, demoRate: 200, startMs: SimClock.ms(2024, 1, 15, 3), make: { FraudGenerator($0) }),
        Scenario(name: "traffic", title: "Smart-city traffic", streams: ["traffic"], script: "traffic.sql",
                 stepMs: 750, demoRate: 100, startMs: SimClock.ms(2024, 1, 15, 6), make: { TrafficGenerator($0) }),
        Scenario(name: "moderation", title: "Content moderation", streams: ["posts"], script: "moderation.sql",
                 stepMs: 500, demoRate: 100, startMs: SimClock.ms(2024, 1, 15, 10), make: { ModerationGenerator($0) }),
        Scenario(name: "energy", title: "Energy management", streams: ["energy"], script: "energy.sql",
                 stepMs: 2000, demoRate: 360, startMs: SimClock.ms(2024, 1, 14, 0), make: { EnergyGenerator($0) }),
        Scenario(name: "sensors", title: "IoT sensors", streams: ["readings"], script: "sensors.sql",
                 stepMs: 250, demoRate: 400, startMs: 1_700_000_000_000, make: { SensorGenerator($0) }),
    ]

    /// The seven business scenarios, in the brief's order (the sensor generator is extra).
    public static var business: [Scenario] { all.filter { $0.name != "sensors" } }

    public static func named(_ name: String) -> Scenario? {
        let n = name.lowercased()
        return all.first { $0.name == n || $0.streams.contains(n) }
    }

    public static var names: [String] { all.map(\.name) }

    /// The lookup tables the demo scripts read, generated from the same data as the generators
    /// (file name under `demos/` → contents). `streamsql gen --write-tables demos` rewrites them.
    public static var tableFiles: [String: String] {
        ["products.csv": ProductCatalog.productsCSV, "co_purchase.csv": ProductCatalog.coPurchaseCSV,
         "agents.jsonl": AgentRoster.jsonl, "routes.csv": TrafficGenerator.routesCSV]
    }
}
