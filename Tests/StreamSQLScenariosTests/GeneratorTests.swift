import Foundation
import StreamSQL
import StreamSQLScenarios
import XCTest

/// The generators on their own (no engine, no shell): the same seed gives the same events, each scenario's
/// events carry the fields SCENARIOS.md lists with values from its lists, and the shipped tables are the
/// generators' own.
final class GeneratorTests: XCTestCase {
    static let demos = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("demos").path

    func testGeneratorsAreDeterministicPerSeed() {
        for s in Scenarios.all {
            let a = s.generator(GeneratorConfig(seed: 5)), b = s.generator(GeneratorConfig(seed: 5)), c = s.generator(GeneratorConfig(seed: 6))
            let xa = (0..<300).map { _ in a.next().jsonLine }, xb = (0..<300).map { _ in b.next().jsonLine }
            let xc = (0..<300).map { _ in c.next().jsonLine }
            XCTAssertEqual(xa, xb, s.name)
            XCTAssertNotEqual(xa, xc, s.name)
        }
    }

    /// Per scenario and stream: the input fields of SCENARIOS.md, and the values its enumerations allow.
    static let inputs: [String: [String: (fields: [String], values: [String: Set<String>])]] = [
        "recommend": ["user_events": (["user_id", "action", "product_id", "category", "price", "timestamp", "session_id", "source"],
                                      ["action": ["view_product", "add_to_cart", "purchase", "search"], "source": ["search", "home", "ad", "email"]])],
        "routing": [
            "tickets": (["ticket_id", "customer_id", "question", "category", "priority", "customer_tier", "timestamp"],
                        ["category": ["shipping", "billing", "returns", "technical", "account"], "priority": ["low", "medium", "high", "urgent"],
                         "customer_tier": ["basic", "premium", "vip"]]),
            "agent_status": (["agent_id", "current_load", "online", "timestamp"], [:]),
        ],
        "supply": ["inventory": (["product_id", "warehouse_id", "current_stock", "daily_sales_avg", "lead_time_days", "supplier_id", "timestamp"], [:])],
        "fraud": ["transactions": (["transaction_id", "user_id", "amount", "merchant", "location", "device_fingerprint", "timestamp"], [:])],
        "traffic": ["traffic": (["intersection_id", "traffic_flow", "weather", "time_of_day", "timestamp"],
                                ["weather": ["clear", "rainy", "foggy", "snowy"], "time_of_day": ["rush_hour", "daytime", "night"]])],
        "moderation": ["posts": (["post_id", "user_id", "content", "media_urls", "hashtags", "timestamp"], [:])],
        "energy": ["energy": (["building_id", "current_consumption", "temperature", "occupancy", "weather_forecast", "time_of_day", "timestamp"],
                              ["weather_forecast": ["sunny", "cloudy", "rainy", "hot", "cold"], "time_of_day": ["morning", "afternoon", "evening", "night"]])],
    ]

    func testEveryScenariosEventsHaveTheFieldsSCENARIOSmdLists() throws {
        XCTAssertEqual(Set(Scenarios.business.map(\.name)), Set(Self.inputs.keys))
        for s in Scenarios.business {
            let expected = try XCTUnwrap(Self.inputs[s.name])
            XCTAssertEqual(Set(s.streams), Set(expected.keys), s.name)
            let g = s.generator(GeneratorConfig(seed: 11))
            var seen: [String: [String: Set<String>]] = [:]
            for _ in 0..<3000 {
                let e = g.next()
                let spec = try XCTUnwrap(expected[e.stream], "\(s.name) emits into \(e.stream)")
                XCTAssertEqual(Array(e.fields.keys).sorted(), spec.fields.sorted(), "\(s.name) \(e.stream)")
                for (field, allowed) in spec.values {
                    guard case .string(let v) = e.fields[field] ?? .null else { XCTFail("\(s.name) \(field) is text"); continue }
                    XCTAssertTrue(allowed.contains(v), "\(s.name) \(field) = \(v)")
                    seen[e.stream, default: [:]][field, default: []].insert(v)
                }
                switch s.name {
                case "traffic":
                    guard case .object(let flow) = e.fields["traffic_flow"] ?? .null else { XCTFail("traffic_flow is an object"); continue }
                    XCTAssertEqual(Set(flow.keys), ["north", "south", "east", "west"])
                case "moderation":
                    for f in ["media_urls", "hashtags"] {
                        guard case .array = e.fields[f] ?? .null else { XCTFail("\(f) is an array"); continue }
                    }
                default: break
                }
            }
            // Every stream is fed, and each enumeration shows more than one of its values (but the time of day
            // and the forecast, which follow simulated time, and 3,000 events are barely two hours of it).
            XCTAssertEqual(Set(seen.keys).union(expected.filter { $0.value.values.isEmpty }.keys), Set(expected.keys), s.name)
            for (stream, fields) in seen {
                for (f, vs) in fields where !["time_of_day", "weather_forecast"].contains(f) {
                    XCTAssertGreaterThan(vs.count, 1, "\(s.name) \(stream).\(f)")
                }
            }
        }
    }

    func testShippedTablesMatchTheGeneratorsData() throws {
        for (file, text) in Scenarios.tableFiles {
            let onDisk = try String(contentsOfFile: Self.demos + "/" + file, encoding: .utf8)
            XCTAssertEqual(onDisk, text, "\(file) is stale: run `streamsql gen --write-tables demos`")
        }
    }
}
