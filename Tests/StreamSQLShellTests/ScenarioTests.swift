import Foundation
import OrderedCollections
import StreamSQL
import StreamSQLScenarios
import XCTest
@testable import StreamSQLShell

/// The scenarios end to end: demo scripts from `demos/`, fed by the seed's examples and by the generators,
/// checked against the rules of SCENARIOS.md recomputed here from the same inputs.
final class ScenarioTests: XCTestCase {
    static let demos = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("demos").path

    /// Runs a scenario's script over events and returns its rows per query (parsed JSON objects).
    func run(_ scenario: String, events: [(String, String)]) throws -> [String: [[String: Any]]] {
        let s = try XCTUnwrap(Scenarios.named(scenario))
        let out = Lines()
        let session = ScenarioSession(scenarios: [s], demosDirectory: Self.demos, print: out.add)
        XCTAssertEqual(session.errors, [])
        for (stream, line) in events { XCTAssertNil(session.engine.emit(jsonLine: line, to: stream, sync: true)) }
        session.engine.finish()
        return try group(out.all)
    }

    /// Runs a scenario with its generator for `count` events; returns the rows and the events.
    func generate(_ scenario: String, count: Int, seed: UInt64 = 7) throws -> ([String: [[String: Any]]], [GeneratedEvent]) {
        let s = try XCTUnwrap(Scenarios.named(scenario))
        let out = Lines()
        let session = ScenarioSession(scenarios: [s], demosDirectory: Self.demos, print: out.add)
        XCTAssertEqual(session.errors, [])
        let g = s.generator(GeneratorConfig(seed: seed))
        var evs: [GeneratedEvent] = []
        for _ in 0..<count {
            let e = g.next()
            evs.append(e)
            session.engine.emitSync(e.fields, to: e.stream)
        }
        session.engine.finish()
        return (try group(out.all), evs)
    }

    func group(_ lines: [String]) throws -> [String: [[String: Any]]] {
        var out: [String: [[String: Any]]] = [:]
        for l in lines {
            let o = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(l.utf8)) as? [String: Any])
            out[o["query"] as? String ?? "", default: []].append(o["row"] as? [String: Any] ?? [:])
        }
        return out
    }

    func keys(_ o: Any?) -> [String] { ((o as? [String: Any])?.keys).map { Array($0).sorted() } ?? [] }

    // MARK: The seed's examples

    func testSupplySeedExampleGivesTheBriefsValues() throws {
        let rows = try run("supply", events: [
            ("inventory", #"{"product_id":"P001","warehouse_id":"WH002","current_stock":135,"daily_sales_avg":15,"lead_time_days":7,"supplier_id":"SUP001","timestamp":"2024-01-15T10:00:00Z"}"#),
            ("inventory", #"{"product_id":"P001","warehouse_id":"WH001","current_stock":50,"daily_sales_avg":15,"lead_time_days":7,"supplier_id":"SUP001","timestamp":"2024-01-15T10:30:00Z"}"#),
        ])
        let last = try XCTUnwrap(rows["supply_actions"]?.last)
        XCTAssertEqual(keys(last), ["inventory_analysis", "optimization_actions", "product_id", "timestamp", "warehouse_id"])
        let a = try XCTUnwrap(last["inventory_analysis"] as? [String: Any])
        XCTAssertEqual(a["days_of_stock"] as? Double, 3.3)
        XCTAssertEqual(a["reorder_point"] as? Int, 105)
        XCTAssertEqual(a["suggested_order_quantity"] as? Int, 200)
        XCTAssertEqual(a["urgency_level"] as? String, "high")
        let actions = try XCTUnwrap(last["optimization_actions"] as? [[String: Any]])
        XCTAssertEqual(actions.count, 2)
        XCTAssertEqual(actions[0]["action"] as? String, "emergency_reorder")
        XCTAssertEqual(actions[0]["supplier"] as? String, "SUP001")
        XCTAssertEqual(actions[0]["quantity"] as? Int, 200)
        XCTAssertEqual(actions[1]["action"] as? String, "redistribute_stock")
        XCTAssertEqual(actions[1]["from_warehouse"] as? String, "WH002")
        XCTAssertEqual(actions[1]["quantity"] as? Int, 30)
        XCTAssertEqual(last["timestamp"] as? String, "2024-01-15T10:30:00Z")
    }

    func testEnergySeedExampleSavings() throws {
        let rows = try run("energy", events: [
            ("energy", #"{"building_id":"B001","current_consumption":150.5,"temperature":22.5,"occupancy":85,"weather_forecast":"sunny","time_of_day":"morning","timestamp":"2024-01-15T09:30:00Z"}"#),
        ])
        let r = try XCTUnwrap(rows["energy_plan"]?.first)
        XCTAssertEqual(keys(r), ["alerts", "building_id", "energy_optimization", "predictions", "timestamp"])
        let o = try XCTUnwrap(r["energy_optimization"] as? [String: Any])
        XCTAssertEqual(o["estimated_savings"] as? Double, 25.5)
        XCTAssertEqual(o["recommended_temperature"] as? Double, 21.0)
        XCTAssertEqual(keys(o["hvac_schedule"]), ["afternoon", "next_hour"])
        XCTAssertEqual((o["hvac_schedule"] as? [String: Any])?["next_hour"] as? String, "reduce_by_10_percent")
        XCTAssertEqual((o["hvac_schedule"] as? [String: Any])?["afternoon"] as? String, "increase_cooling")
        XCTAssertEqual(keys(r["predictions"]), ["cost_optimization", "daily_consumption_forecast", "peak_demand_time"])
        XCTAssertEqual((r["predictions"] as? [String: Any])?["cost_optimization"] as? Double, 91.8)
        XCTAssertEqual((r["alerts"] as? [Any])?.count, 0)
    }

    func testSeedShapesOfFraudTrafficModerationRouting() throws {
        let fraud = try run("fraud", events: [("transactions", #"{"transaction_id":"TXN001","user_id":"U001","amount":2500.00,"merchant":"Online Store","location":"Tokyo","device_fingerprint":"DEV001","timestamp":"2024-01-15T10:30:00Z"}"#)])
        let f = try XCTUnwrap(fraud["risk_decisions"]?.first)
        XCTAssertEqual(keys(f), ["decision", "recommended_actions", "risk_assessment", "timestamp", "transaction_id"])
        XCTAssertEqual(keys(f["risk_assessment"]), ["overall_score", "risk_factors"])
        XCTAssertTrue(f["recommended_actions"] is [Any])

        let traffic = try run("traffic", events: [("traffic", #"{"intersection_id":"INT001","traffic_flow":{"north":45,"south":32,"east":28,"west":38},"weather":"rainy","time_of_day":"rush_hour","timestamp":"2024-01-15T08:30:00Z"}"#)])
        let t = try XCTUnwrap(traffic["signal_plans"]?.first)
        XCTAssertEqual(keys(t), ["alerts", "intersection_id", "signal_optimization", "timestamp", "traffic_predictions"])
        let so = try XCTUnwrap(t["signal_optimization"] as? [String: Any])
        XCTAssertEqual(keys(so), ["cycle_length", "east_west_green_time", "efficiency_improvement", "north_south_green_time"])
        // Webster by hand: s = 102, y_ns = 45/102, y_ew = 38/102, L = 12.
        let yns = 45.0 / 102, yew = 38.0 / 102, y = yns + yew
        let c = min(150, max(60, (((1.5 * 12 + 5) / (1 - y)) / 5).rounded() * 5))
        XCTAssertEqual(so["cycle_length"] as? Int, Int(c))
        let gns = Int(((c - 12) * yns / y).rounded())
        XCTAssertEqual(so["north_south_green_time"] as? Int, gns)
        XCTAssertEqual(so["east_west_green_time"] as? Int, Int(c) - 12 - gns)
        let tp = try XCTUnwrap(t["traffic_predictions"] as? [String: Any])
        XCTAssertEqual(tp["congestion_level"] as? String, y < 0.8 ? "moderate" : "heavy")
        XCTAssertTrue(tp["alternative_routes"] is [Any])
        XCTAssertEqual((t["alerts"] as? [[String: Any]])?.first?["type"] as? String, "weather_impact")

        let mod = try run("moderation", events: [("posts", ##"{"post_id":"POST001","user_id":"U001","content":"Check out this amazing product!","media_urls":["https://example.com/image1.jpg"],"hashtags":["#product","#amazing"],"timestamp":"2024-01-15T10:30:00Z"}"##)])
        let m = try XCTUnwrap(mod["moderation"]?.first)
        XCTAssertEqual(keys(m), ["moderation_result", "post_id", "recommendations", "timestamp"])
        XCTAssertEqual(keys(m["moderation_result"]), ["confidence", "content_score", "flags", "status"])
        XCTAssertEqual((m["moderation_result"] as? [String: Any])?["status"] as? String, "approved")
        XCTAssertEqual((m["recommendations"] as? [String: Any])?["target_audience"] as? String, "product_enthusiasts")

        let routing = try run("routing", events: [
            ("agent_status", #"{"agent_id":"A001","current_load":3,"online":true,"timestamp":"2024-01-15T10:29:00Z"}"#),
            ("tickets", #"{"ticket_id":"T001","customer_id":"C001","question":"My order hasn't arrived yet","category":"shipping","priority":"medium","customer_tier":"premium","timestamp":"2024-01-15T10:30:00Z"}"#),
        ])
        let r = try XCTUnwrap(routing["routing"]?.first)
        XCTAssertEqual(keys(r), ["assigned_agent", "escalation_rules", "routing_reason", "ticket_id", "timestamp"])
        let agent = try XCTUnwrap(r["assigned_agent"] as? [String: Any])
        XCTAssertEqual(agent["agent_id"] as? String, "A001")
        XCTAssertEqual(agent["name"] as? String, "Sarah Johnson")
        XCTAssertEqual((r["escalation_rules"] as? [String: Any])?["auto_escalate_after"] as? String, "30 minutes")
        XCTAssertEqual((r["escalation_rules"] as? [String: Any])?["escalate_to"] as? String, "supervisor")
    }

    /// The recommendation rules of SCENARIOS.md §1, recomputed from the events and the catalog: one
    /// expected row (user_id, recommendations, profile) per view or add-to-cart, in order.
    struct ShopperEvent { var user: String; var action: String; var product: String; var category: String; var price: Double; var timeMs: Int64; var session: String; var source: String }
    func expectedRecommendations(_ events: [ShopperEvent]) -> [(String, [(String, Double, String)], [String], String?, Double)] {
        func r2(_ x: Double) -> Double { (x * 100).rounded() / 100 }
        var byUser: [String: [ShopperEvent]] = [:]
        var carts: [String: Int] = [:], views: [String: Int] = [:]
        var out: [(String, [(String, Double, String)], [String], String?, Double)] = []
        for e in events {
            byUser[e.user, default: []].append(e)
            if e.action == "add_to_cart" { carts[e.session, default: 0] += 1 }
            if e.action == "view_product" { views[e.session, default: 0] += 1 }
            guard e.action == "view_product" || e.action == "add_to_cart" else { continue }
            let recent = byUser[e.user, default: []].filter { $0.timeMs > e.timeMs - 1_800_000 }
            var counts: [String: Int] = [:], order: [String] = []
            for r in recent { if counts[r.category] == nil { order.append(r.category) }; counts[r.category, default: 0] += 1 }
            let preferred = Array(order.enumerated().sorted { a, b in
                counts[a.element]! != counts[b.element]! ? counts[a.element]! > counts[b.element]! : a.offset < b.offset
            }.map(\.element).prefix(2))
            let viewed = recent.filter { $0.action == "view_product" }
            var band: String? = nil
            if !viewed.isEmpty {
                let avg = viewed.map(\.price).reduce(0, +) / Double(viewed.count)
                band = avg < 50 ? "0-50" : avg < 200 ? "50-200" : avg < 500 ? "200-500" : avg < 1000 ? "500-1000" : "1000+"
            }
            let z = -2 + 0.8 * Double(carts[e.session] ?? 0) + 0.15 * Double(views[e.session] ?? 0) + (e.source == "ad" ? 0.5 : 0)
            let probability = r2(1 / (1 + exp(-z)))
            var candidates: [(String, Double, String)] = ProductCatalog.coPurchase.filter { $0.0 == e.product }.map { ($0.1, r2($0.2), "frequently_bought_together") }
            for c in preferred {
                // popularity × views of the category / views (in this order, as the script computes it: the
                // rounding of halves such as 0.475 depends on it).
                let n = Double(viewed.filter { $0.category == c }.count), total = max(1, Double(viewed.count))
                candidates += ProductCatalog.products.filter { $0.category == c }.map { ($0.id, r2($0.popularity * n / total), "similar_category") }
            }
            candidates = candidates.filter { $0.0 != e.product && $0.1 > 0 }
            candidates = candidates.enumerated().sorted { a, b in a.element.1 != b.element.1 ? a.element.1 > b.element.1 : a.offset < b.offset }.map(\.element)
            var seen = Set<String>()
            let recs = Array(candidates.filter { seen.insert($0.0).inserted }.prefix(3))
            out.append((e.user, recs, preferred, band, probability))
        }
        return out
    }

    func checkRecommendations(_ rows: [[String: Any]], _ expected: [(String, [(String, Double, String)], [String], String?, Double)],
                              file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(rows.count, expected.count, file: file, line: line)
        for (row, want) in zip(rows, expected) {
            XCTAssertEqual(row["user_id"] as? String, want.0, file: file, line: line)
            let recs = try XCTUnwrap(row["recommendations"] as? [[String: Any]], file: file, line: line)
            XCTAssertEqual(recs.map { $0["product_id"] as? String ?? "" }, want.1.map(\.0), "\(row)", file: file, line: line)
            XCTAssertEqual(recs.map { $0["score"] as? Double ?? -1 }, want.1.map(\.1), "\(row)", file: file, line: line)
            XCTAssertEqual(recs.map { $0["reason"] as? String ?? "" }, want.1.map(\.2), "\(row)", file: file, line: line)
            let profile = try XCTUnwrap(row["user_profile"] as? [String: Any], file: file, line: line)
            XCTAssertEqual(profile["preferred_categories"] as? [String], want.2, file: file, line: line)
            XCTAssertEqual(profile["price_range"] as? String, want.3, file: file, line: line)
            XCTAssertEqual(profile["purchase_probability"] as? Double, want.4, file: file, line: line)
        }
    }

    func testRecommendSeedExample() throws {
        let rows = try run("recommend", events: [("user_events", #"{"user_id":"U001","action":"view_product","product_id":"P001","category":"electronics","price":299.99,"timestamp":"2024-01-15T10:30:00Z","session_id":"S001","source":"search"}"#)])
        let r = try XCTUnwrap(rows["recommendations"]?.first)
        XCTAssertEqual(keys(r), ["recommendations", "timestamp", "user_id", "user_profile"])
        XCTAssertEqual(keys(r["user_profile"]), ["preferred_categories", "price_range", "purchase_probability"])
        let profile = try XCTUnwrap(r["user_profile"] as? [String: Any])
        XCTAssertEqual(profile["price_range"] as? String, "200-500", "299.99 is in the 200-500 band")
        XCTAssertEqual(profile["preferred_categories"] as? [String], ["electronics"])
        let recs = try XCTUnwrap(r["recommendations"] as? [[String: Any]])
        XCTAssertEqual(recs.count, 3)
        try checkRecommendations(rows["recommendations"] ?? [], expectedRecommendations([
            ShopperEvent(user: "U001", action: "view_product", product: "P001", category: "electronics", price: 299.99, timeMs: 0, session: "S001", source: "search"),
        ]))
    }

    func testRecommendRulesOnGeneratedEvents() throws {
        let (rows, events) = try generate("recommend", count: 4000)
        let shopper = events.map { e in
            ShopperEvent(user: e.fields["user_id"]?.stringValue ?? "", action: e.fields["action"]?.stringValue ?? "",
                         product: e.fields["product_id"]?.stringValue ?? "", category: e.fields["category"]?.stringValue ?? "",
                         price: e.fields["price"]?.doubleValue ?? 0, timeMs: e.eventTimeMs, session: e.fields["session_id"]?.stringValue ?? "",
                         source: e.fields["source"]?.stringValue ?? "")
        }
        let expected = expectedRecommendations(shopper)
        try checkRecommendations(try XCTUnwrap(rows["recommendations"]), expected)
        // Both reasons occur, bands vary, and some shoppers pass 0.5.
        let reasons = Set(expected.flatMap { $0.1.map(\.2) })
        XCTAssertEqual(reasons, ["frequently_bought_together", "similar_category"])
        XCTAssertGreaterThan(Set(expected.compactMap(\.3)).count, 2)
        XCTAssertTrue(expected.contains { $0.4 > 0.5 })
        XCTAssertFalse(rows["top_recommended"]?.isEmpty ?? true)
    }

    // MARK: Generators, rules recomputed

    func testSupplyRulesOnGeneratedRows() throws {
        let (rows, events) = try generate("supply", count: 2000)
        let out = try XCTUnwrap(rows["supply_actions"])
        XCTAssertEqual(out.count, events.count)
        var levels = Set<String>()
        for (row, e) in zip(out, events) {
            let stock = Double(e.fields["current_stock"]?.int64Value ?? 0), sales = Double(e.fields["daily_sales_avg"]?.int64Value ?? 0)
            let lead = Double(e.fields["lead_time_days"]?.int64Value ?? 0)
            let a = try XCTUnwrap(row["inventory_analysis"] as? [String: Any])
            let days = ((stock / sales) * 10).rounded() / 10
            XCTAssertEqual(a["days_of_stock"] as? Double, days)
            XCTAssertEqual(a["reorder_point"] as? Int, Int(sales * lead))
            XCTAssertEqual(a["suggested_order_quantity"] as? Int, Int(max(0, ((sales * (lead + 10) - stock) / 50).rounded(.down) * 50)))
            let level = days < 2 ? "critical" : days < lead ? "high" : days < 1.5 * lead ? "medium" : "low"
            XCTAssertEqual(a["urgency_level"] as? String, level)
            levels.insert(level)
            let actions = try XCTUnwrap(row["optimization_actions"] as? [[String: Any]])
            if level == "high" || level == "critical" {
                XCTAssertEqual(actions.first?["action"] as? String, "emergency_reorder")
            } else {
                XCTAssertTrue(actions.isEmpty)
            }
        }
        XCTAssertEqual(levels, ["critical", "high", "medium", "low"])
    }

    func testFraudRulesOnGeneratedRowsAndEveryDecisionOccurs() throws {
        let (rows, events) = try generate("fraud", count: 6000)
        let out = try XCTUnwrap(rows["risk_decisions"])
        XCTAssertEqual(out.count, events.count)
        struct History { var locations = Set<String>(); var devices = Set<String>(); var amounts: [Double] = []; var times: [Int64] = [] }
        var users: [String: History] = [:]
        var decisions = Set<String>()
        for (row, e) in zip(out, events) {
            let u = e.fields["user_id"]?.stringValue ?? ""
            var h = users[u] ?? History()
            let amount = e.fields["amount"]?.doubleValue ?? 0
            var score = 0.1
            if !h.locations.contains(e.fields["location"]?.stringValue ?? "") { score += 0.3 }
            if h.amounts.count >= 5 {
                let n = Double(h.amounts.count), mean = h.amounts.reduce(0, +) / n
                let sd = (h.amounts.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)).squareRoot()
                if amount > mean + 3 * sd + 1e-9 { score += 0.25 }
            }
            if !h.devices.contains(e.fields["device_fingerprint"]?.stringValue ?? "") { score += 0.2 }
            h.times.append(e.eventTimeMs)
            if h.times.filter({ $0 > e.eventTimeMs - 600_000 }).count > 5 { score += 0.2 }
            let hour = (e.eventTimeMs / 3_600_000) % 24
            if hour < 5 { score += 0.05 }
            score = (min(1, score) * 100).rounded() / 100
            h.locations.insert(e.fields["location"]?.stringValue ?? "")
            h.devices.insert(e.fields["device_fingerprint"]?.stringValue ?? "")
            h.amounts.append(amount)
            users[u] = h
            let ra = try XCTUnwrap(row["risk_assessment"] as? [String: Any])
            XCTAssertEqual(ra["overall_score"] as? Double ?? Double(ra["overall_score"] as? Int ?? -1), score, accuracy: 1e-9, "\(e.jsonLine)")
            let decision = score >= 0.8 ? "decline" : score >= 0.5 ? "manual_review" : "approve"
            XCTAssertEqual(row["decision"] as? String, decision)
            decisions.insert(decision)
            if decision == "approve" { XCTAssertEqual((row["recommended_actions"] as? [Any])?.count, 0) }
        }
        XCTAssertEqual(decisions, ["approve", "manual_review", "decline"])
    }

    /// A CSV file of `demos/` as rows of strings (the shipped tables have no quoted commas).
    func csv(_ name: String) throws -> [[String: String]] {
        let text = try String(contentsOfFile: Self.demos + "/" + name, encoding: .utf8)
        var lines = text.split(separator: "\n").map(String.init)
        let head = lines.removeFirst().split(separator: ",").map(String.init)
        return lines.map { l in Dictionary(uniqueKeysWithValues: zip(head, l.split(separator: ",", omittingEmptySubsequences: false).map(String.init))) }
    }

    func r(_ x: Double, _ digits: Double = 2) -> Double { let p = pow(10, digits); return (x * p).rounded() / p }

    func testTrafficRulesOnGeneratedEvents() throws {
        let (rows, events) = try generate("traffic", count: 4000)
        let out = try XCTUnwrap(rows["signal_plans"])
        let routes = try csv("routes.csv")
        // Expected plans per (intersection, minute): the average flows of the minute, the last weather.
        struct Minute { var n = 0.0, north = 0.0, south = 0.0, east = 0.0, west = 0.0, weather = "", last = "" }
        var minutes: [String: Minute] = [:]
        for e in events {
            let f = e.fields, flow = f["traffic_flow"]
            let key = "\(f["intersection_id"]?.stringValue ?? "")|\(e.eventTimeMs / 60_000)"
            var m = minutes[key] ?? Minute()
            m.n += 1
            m.north += flow?["north"]?.doubleValue ?? 0; m.south += flow?["south"]?.doubleValue ?? 0
            m.east += flow?["east"]?.doubleValue ?? 0; m.west += flow?["west"]?.doubleValue ?? 0
            m.weather = f["weather"]?.stringValue ?? ""; m.last = f["timestamp"]?.stringValue ?? ""
            minutes[key] = m
        }
        XCTAssertEqual(out.count, minutes.count, "one plan per intersection and minute")
        var levels = Set<String>()
        for row in out {
            let id = try XCTUnwrap(row["intersection_id"] as? String)
            let m = try XCTUnwrap(minutes.first { $0.key.hasPrefix(id + "|") && $0.value.last == row["timestamp"] as? String }?.value)
            let s = 120 * (m.weather == "snowy" ? 0.7 : m.weather == "rainy" || m.weather == "foggy" ? 0.85 : 1)
            let lost = 10.0 + (m.weather == "clear" ? 0 : 2)
            let yns = max(m.north, m.south) / m.n / s, yew = max(m.east, m.west) / m.n / s, y = yns + yew
            let cycle = y >= 0.95 ? 150 : min(150, max(60, ((1.5 * lost + 5) / (1 - y) / 5).rounded() * 5))
            let gns = ((cycle - lost) * yns / y).rounded()
            let so = try XCTUnwrap(row["signal_optimization"] as? [String: Any])
            XCTAssertEqual(so["cycle_length"] as? Int, Int(cycle), "\(row)")
            XCTAssertEqual(so["north_south_green_time"] as? Int, Int(gns))
            XCTAssertEqual(so["east_west_green_time"] as? Int, Int(cycle - lost - gns))
            func delay(_ c: Double, _ g: Double, _ y: Double) -> Double { c * pow(1 - g / c, 2) / (2 * (1 - min(y, 0.99))) }
            let webster = yns * delay(cycle, gns, yns) + yew * delay(cycle, cycle - lost - gns, yew)
            let fixed = yns * delay(90, (90 - lost) / 2, yns) + yew * delay(90, (90 - lost) / 2, yew)
            XCTAssertEqual(so["efficiency_improvement"] as? Int, Int(max(0, (100 * (1 - webster / max(0.000001, fixed))).rounded())))
            let level = y < 0.5 ? "low" : y < 0.8 ? "moderate" : y < 0.95 ? "heavy" : "severe"
            levels.insert(level)
            let tp = try XCTUnwrap(row["traffic_predictions"] as? [String: Any])
            XCTAssertEqual(tp["congestion_level"] as? String, level)
            let wait = yns >= yew ? delay(cycle, gns, yns) : delay(cycle, cycle - lost - gns, yew)
            XCTAssertEqual(tp["estimated_wait_time"] as? Int, Int(wait.rounded()))
            let alternatives = routes.filter { $0["intersection_id"] == id && (Double($0["congestion"] ?? "") ?? 1) < 0.5 }
                .sorted { (Double($0["congestion"] ?? "") ?? 0) < (Double($1["congestion"] ?? "") ?? 0) }.prefix(2).map { $0["route"] ?? "" }
            XCTAssertEqual(tp["alternative_routes"] as? [String], Array(alternatives))
            let alerts = (row["alerts"] as? [[String: Any]] ?? []).compactMap { $0["type"] as? String }
            XCTAssertEqual(alerts, (m.weather != "clear" ? ["weather_impact"] : []) + (y >= 0.8 ? ["congestion"] : []))
        }
        XCTAssertGreaterThan(levels.count, 1)
    }

    func testModerationRulesOnGeneratedEvents() throws {
        let (rows, events) = try generate("moderation", count: 2500)
        let out = try XCTUnwrap(rows["moderation"])
        XCTAssertEqual(out.count, events.count)
        let spamTerms = try csv("spam_terms.csv"), toxicTerms = try csv("toxic_terms.csv"), audiences = try csv("hashtag_audience.csv")
        let byId = Dictionary(uniqueKeysWithValues: events.map { ($0.fields["post_id"]?.stringValue ?? "", $0) })
        var times: [String: [Int64]] = [:]
        var rateLimited: [String: Bool] = [:]
        for e in events {
            let u = e.fields["user_id"]?.stringValue ?? ""
            times[u, default: []].append(e.eventTimeMs)
            rateLimited[e.fields["post_id"]?.stringValue ?? ""] = times[u, default: []].filter { $0 > e.eventTimeMs - 60_000 }.count > 10
        }
        var statuses = Set<String>()
        for row in out {
            let id = try XCTUnwrap(row["post_id"] as? String)
            let e = try XCTUnwrap(byId[id])
            let content = e.fields["content"]?.stringValue ?? "", text = content.lowercased()
            let tags = (e.fields["hashtags"]?.arrayValue ?? []).compactMap(\.stringValue)
            let media = Double(e.fields["media_urls"]?.arrayValue?.count ?? 0)
            let urls = Double(text.components(separatedBy: "http://").count - 1 + text.components(separatedBy: "https://").count - 1)
            let limited = rateLimited[id] ?? false
            let spamWeights = spamTerms.filter { text.contains($0["term"] ?? "\u{0}") }.map { Double($0["weight"] ?? "") ?? 0 }.reduce(0, +)
            let spam = min(1, spamWeights + 0.1 * urls + 0.1 * max(0, Double(tags.count) - 5) + (limited ? 0.2 : 0))
            let toxicity = min(1, toxicTerms.filter { text.contains($0["term"] ?? "\u{0}") }.map { Double($0["weight"] ?? "") ?? 0 }.reduce(0, +))
            let quality = max(0, 1 - spam - toxicity) * min(1, 0.5 + Double(content.count) / 200 + 0.1 * media)
            let status = spam >= 0.8 || toxicity >= 0.7 ? "rejected" : spam >= 0.5 || toxicity >= 0.4 || limited ? "flagged" : "approved"
            statuses.insert(status)
            let result = try XCTUnwrap(row["moderation_result"] as? [String: Any])
            XCTAssertEqual(result["status"] as? String, status, "\(row)")
            XCTAssertEqual(result["flags"] as? [String], (spam >= 0.5 ? ["spam"] : []) + (toxicity >= 0.4 ? ["toxicity"] : []) + (limited ? ["rate_limit"] : []))
            let scores = try XCTUnwrap(result["content_score"] as? [String: Any])
            XCTAssertEqual(try XCTUnwrap(scores["spam_probability"] as? Double), r(spam), accuracy: 1e-9)
            XCTAssertEqual(try XCTUnwrap(scores["toxicity_score"] as? Double), r(toxicity), accuracy: 1e-9)
            XCTAssertEqual(try XCTUnwrap(scores["quality_score"] as? Double), r(quality), accuracy: 0.0100001)
            let rec = try XCTUnwrap(row["recommendations"] as? [String: Any])
            XCTAssertEqual(rec["boost_eligible"] as? Bool, status == "approved" && quality >= 0.8)
            let audience = tags.lazy.compactMap { t in audiences.first { $0["hashtag"] == t }?["audience"] }.first ?? "general"
            XCTAssertEqual(rec["target_audience"] as? String, audience)
            let engagement = min(1, 0.5 * quality + 0.1 * min(Double(tags.count), 3) + 0.1 * min(media, 2))
            XCTAssertEqual(try XCTUnwrap(rec["engagement_prediction"] as? Double), r(engagement), accuracy: 0.0100001)
        }
        XCTAssertEqual(statuses, ["approved", "flagged", "rejected"])
    }

    func testEnergyRulesOnGeneratedEvents() throws {
        let (rows, events) = try generate("energy", count: 6000)
        let out = try XCTUnwrap(rows["energy_plan"])
        XCTAssertEqual(out.count, events.count)
        // History as the script keeps it: windows fire when the watermark (the latest reading's time) reaches
        // their end, so a reading sees the hourly averages, the 24-hour window and the 1-hour window (sliding
        // by 5 minutes) that ended at or before it.
        let hour: Int64 = 3_600_000, five: Int64 = 300_000
        var byBuilding: [String: [(Int64, Double)]] = [:]
        var forecasts = 0, peaks = 0, spikes = 0
        for (row, e) in zip(out, events) {
            let f = e.fields
            let b = f["building_id"]?.stringValue ?? "", t = e.eventTimeMs
            let history = byBuilding[b, default: []]
            func mean(_ from: Int64, _ to: Int64) -> Double? {
                let xs = history.filter { $0.0 >= from && $0.0 < to }.map(\.1)
                return xs.isEmpty ? nil : xs.reduce(0, +) / Double(xs.count)
            }
            let p = try XCTUnwrap(row["predictions"] as? [String: Any])
            let dayEnd = t / hour * hour
            if let m = mean(dayEnd - 24 * hour, dayEnd) {
                XCTAssertEqual(try XCTUnwrap(p["daily_consumption_forecast"] as? Double), r(m * 24, 1), accuracy: 0.051, "\(row)")
                forecasts += 1
            } else {
                XCTAssertNil(p["daily_consumption_forecast"] as? Double)
            }
            // The latest complete hour of each hour of the day; the peak is the highest.
            var profile: [Int64: Double] = [:]
            var h = (history.first?.0 ?? t) / hour * hour
            while h + hour <= t {
                if let m = mean(h, h + hour) { profile[(h / hour) % 24] = m }
                h += hour
            }
            if let peak = profile.max(by: { $0.value < $1.value }) {
                XCTAssertEqual(p["peak_demand_time"] as? String, String(format: "%02d:00", peak.key), "\(row)")
                peaks += 1
            }
            let kw = f["current_consumption"]?.doubleValue ?? 0
            let lastHourEnd = t / five * five
            let spike = mean(lastHourEnd - hour, lastHourEnd).map { kw > 1.5 * $0 } ?? false
            let alerts = (row["alerts"] as? [[String: Any]] ?? []).compactMap { $0["type"] as? String }
            XCTAssertEqual(alerts.contains("consumption_spike"), spike, "\(row)")
            if spike { spikes += 1 }
            byBuilding[b, default: []].append((t, kw))
            XCTAssertEqual(row["building_id"] as? String, f["building_id"]?.stringValue)
            let temp = f["temperature"]?.doubleValue ?? 0
            let occupancy = f["occupancy"]?.doubleValue ?? 0, tod = f["time_of_day"]?.stringValue ?? "", forecast = f["weather_forecast"]?.stringValue ?? ""
            let target = occupancy < 30 || tod == "night" ? 18.0 : tod == "evening" ? 20.5 : 21.0
            let o = try XCTUnwrap(row["energy_optimization"] as? [String: Any])
            XCTAssertEqual(o["recommended_temperature"] as? Double, target)
            let hvac = try XCTUnwrap(o["hvac_schedule"] as? [String: Any])
            XCTAssertEqual(hvac["next_hour"] as? String, temp > target + 1 ? "reduce_by_10_percent" : temp < target - 1 ? "increase_by_10_percent" : "maintain")
            XCTAssertEqual(hvac["afternoon"] as? String, forecast == "sunny" || forecast == "hot" ? "increase_cooling" : forecast == "cold" ? "increase_heating" : "maintain")
            let saved = r(kw * max(0, temp - target) * 0.113, 1)
            XCTAssertEqual(try XCTUnwrap(o["estimated_savings"] as? Double), saved, accuracy: 1e-9)
            XCTAssertEqual(try XCTUnwrap(p["cost_optimization"] as? Double), r(saved * 0.15 * 24), accuracy: 1e-9)
            let hasComfort = (row["alerts"] as? [[String: Any]] ?? []).contains { $0["type"] as? String == "comfort" }
            XCTAssertEqual(hasComfort, temp < 18 || temp > 26)
        }
        XCTAssertGreaterThan(forecasts, 1000)
        XCTAssertGreaterThan(peaks, 1000)
        XCTAssertGreaterThan(spikes, 0)
    }

    /// What the first 60 seconds of `streamsql demo NAME` emit: the demo's rate × 60 events of the
    /// generator with the demo's default seed (pacing changes when events arrive, not which).
    func firstMinuteOfDemo(_ name: String) throws -> [String: [[String: Any]]] {
        let s = try XCTUnwrap(Scenarios.named(name))
        return try generate(name, count: Int(s.demoRate * 60), seed: 42).0
    }

    func values(_ rows: [[String: Any]]?, _ path: String...) -> Set<String> {
        Set((rows ?? []).compactMap { row in
            var v: Any? = row
            for p in path { v = (v as? [String: Any])?[p] }
            return v as? String
        })
    }

    func testEveryDecisionAndAlertAppearsInTheDemosFirstMinute() throws {
        let fraud = try firstMinuteOfDemo("fraud")
        XCTAssertEqual(values(fraud["risk_decisions"], "decision"), ["approve", "manual_review", "decline"])
        let supply = try firstMinuteOfDemo("supply")
        XCTAssertTrue(values(supply["stock_alerts"], "urgency").isSuperset(of: ["critical", "high"]), "\(values(supply["stock_alerts"], "urgency"))")
        let traffic = try firstMinuteOfDemo("traffic")
        XCTAssertEqual(Set((traffic["signal_plans"] ?? []).flatMap { ($0["alerts"] as? [[String: Any]] ?? []).compactMap { $0["type"] as? String } }),
                       ["weather_impact", "congestion"])
        let moderation = try firstMinuteOfDemo("moderation")
        XCTAssertEqual(values(moderation["moderation"], "moderation_result", "status"), ["approved", "flagged", "rejected"])
        let energy = try firstMinuteOfDemo("energy")
        XCTAssertEqual(Set((energy["energy_plan"] ?? []).flatMap { ($0["alerts"] as? [[String: Any]] ?? []).compactMap { $0["type"] as? String } }),
                       ["consumption_spike", "comfort"])
        XCTAssertTrue(energy["energy_plan"]?.contains { ($0["predictions"] as? [String: Any])?["peak_demand_time"] is String } == true)
        let routing = try firstMinuteOfDemo("routing")
        XCTAssertTrue(values(routing["escalations"], "priority").isSuperset(of: ["urgent", "high"]))
        XCTAssertTrue(values(routing["routing"], "routing_reason").contains("queued_no_agent_online"))
        XCTAssertTrue(values(routing["escalations"], "agent_id").contains("queued"))
        let recommend = try firstMinuteOfDemo("recommend")
        XCTAssertFalse(recommend["top_recommended"]?.isEmpty ?? true)
    }
}

extension Value {
    var int64Value: Int64? { if case .int(let i) = self { return i }; if case .double(let d) = self { return Int64(d) }; return nil }
    var doubleValue: Double? { if case .double(let d) = self { return d }; if case .int(let i) = self { return Double(i) }; return nil }
    var stringValue: String? { if case .string(let s) = self { return s }; return nil }
    var arrayValue: [Value]? { if case .array(let a) = self { return a }; return nil }
    subscript(field: String) -> Value? { if case .object(let o) = self { return o[field] }; return nil }
}
