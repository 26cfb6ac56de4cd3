import Foundation
import StreamSQL
import StreamSQLScenarios
import XCTest

/// The routing scenario (SCENARIOS.md §2): its rules recomputed from generated events, and a ticket that
/// arrives while no agent is online, through the real binary.
extension ScenarioTests {
    func testRoutingRulesOnGeneratedEvents() throws {
        let (rows, events) = try generate("routing", count: 3000)
        let out = try XCTUnwrap(rows["routing"])
        // Rows by ticket, so that a missing ticket is reported as such rather than shifting every later row.
        var byTicket: [String: [String: Any]] = [:]
        for row in out { if let id = row["ticket_id"] as? String { byTicket[id] = row } }
        var status: [String: (load: Int, online: Bool)] = [:]
        var tickets = 0
        var reasons = Set<String>()
        for e in events {
            let f = e.fields
            if e.stream == "agent_status" {
                status[f["agent_id"]?.stringValue ?? ""] = (Int(f["current_load"]?.int64Value ?? 0), f["online"] == .bool(true))
                continue
            }
            let online = AgentRoster.agents.filter { status[$0.id]?.online == true }
            tickets += 1
            let id = f["ticket_id"]?.stringValue ?? ""
            guard let row = byTicket[id] else {
                XCTFail("ticket \(id) has no routing row (\(online.count) agents online)")
                continue
            }
            let minutes = ["urgent": 10, "high": 15, "medium": 30, "low": 60][f["priority"]?.stringValue ?? ""] ?? 0
            let tier = f["customer_tier"]?.stringValue ?? ""
            if online.isEmpty {
                // Nobody to take it: the ticket still comes out, queued, and goes to a supervisor at once.
                reasons.insert("queued_no_agent_online")
                XCTAssertTrue(row["assigned_agent"] is NSNull, "\(row)")
                XCTAssertEqual(row["routing_reason"] as? String, "queued_no_agent_online")
                let rules = try XCTUnwrap(row["escalation_rules"] as? [String: Any])
                XCTAssertEqual(rules["auto_escalate_after"] as? String, "0 minutes")
                XCTAssertEqual(rules["escalate_to"] as? String, "supervisor")
                continue
            }
            let category = f["category"]?.stringValue ?? ""
            let skilled = online.filter { $0.skills.contains(category) }
            let pool = skilled.isEmpty ? online : skilled
            let best = try XCTUnwrap(pool.min { a, b in
                let la = status[a.id]?.load ?? 0, lb = status[b.id]?.load ?? 0
                return la != lb ? la < lb : a.id < b.id
            })
            let load = status[best.id]?.load ?? 0
            let reason = skilled.isEmpty ? "fallback_least_loaded" : load < best.capacity ? "skill_match_and_availability" : "skill_match_only"
            reasons.insert(reason)
            let agent = try XCTUnwrap(row["assigned_agent"] as? [String: Any])
            XCTAssertEqual(agent["agent_id"] as? String, best.id, "\(row)")
            XCTAssertEqual(agent["current_load"] as? Int, load)
            XCTAssertEqual(agent["estimated_response_time"] as? String,
                           "\(Int((Double(load + 1) * Double(best.avgHandleMinutes) / Double(best.capacity)).rounded(.up))) minutes")
            XCTAssertEqual(row["routing_reason"] as? String, reason)
            let rules = try XCTUnwrap(row["escalation_rules"] as? [String: Any])
            XCTAssertEqual(rules["auto_escalate_after"] as? String, "\(tier == "vip" ? minutes / 2 : minutes) minutes")
            XCTAssertEqual(rules["escalate_to"] as? String, tier == "premium" || tier == "vip" ? "supervisor" : "senior_agent")
        }
        XCTAssertEqual(out.count, tickets, "one row per ticket")
        let arrived: [String] = events.filter { $0.stream == "tickets" }.compactMap { $0.fields["ticket_id"]?.stringValue }
        XCTAssertTrue(out.compactMap { $0["ticket_id"] as? String } == arrived, "one row per ticket, in arrival order")
        XCTAssertTrue(reasons.isSuperset(of: ["skill_match_and_availability", "queued_no_agent_online"]), "\(reasons)")
    }

    /// Every agent offline, then a ticket: `streamsql run demos/routing.sql` must still give the ticket a
    /// row, queued and escalated, while an online agent takes the next ticket as before.
    func testTicketWithNoAgentOnlineIsQueuedNotDropped() throws {
        guard StreamsqlBinary.exists else { throw XCTSkip("build the streamsql binary first") }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("streamsql-routing-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let status = dir.appendingPathComponent("status.jsonl"), tickets = dir.appendingPathComponent("tickets.jsonl")
        try (AgentRoster.agents.map { a in
            #"{"agent_id":"\#(a.id)","current_load":2,"online":false,"timestamp":"2024-01-15T10:29:00Z"}"#
        }.joined(separator: "\n") + "\n").write(to: status, atomically: true, encoding: .utf8)
        try #"""
            {"ticket_id":"T001","customer_id":"C001","question":"My order hasn't arrived yet","category":"shipping","priority":"low","customer_tier":"basic","timestamp":"2024-01-15T10:30:00Z"}

            """#.write(to: tickets, atomically: true, encoding: .utf8)
        let script = Self.demos + "/routing.sql"
        let (code, out, err) = try StreamsqlBinary.run(["run", script, "--input", "agent_status=\(status.path)", "--input", "tickets=\(tickets.path)"])
        XCTAssertEqual(code, 0, err)
        let rows = try group(out.split(separator: "\n").map(String.init))
        let r = try XCTUnwrap(rows["routing"]?.first, "the ticket disappeared: \(out)")
        XCTAssertEqual(rows["routing"]?.count, 1)
        XCTAssertEqual(r["ticket_id"] as? String, "T001")
        XCTAssertTrue(r["assigned_agent"] is NSNull, "\(r)")
        XCTAssertEqual(r["routing_reason"] as? String, "queued_no_agent_online")
        XCTAssertEqual(r["escalation_rules"] as? [String: String], ["auto_escalate_after": "0 minutes", "escalate_to": "supervisor"])
        XCTAssertEqual(rows["escalations"]?.first?["agent_id"] as? String, "queued", "a queued ticket is always due")

        // One agent back online: the next ticket goes to that agent.
        let back = dir.appendingPathComponent("back.jsonl")
        try (String(contentsOf: status, encoding: .utf8)
             + #"{"agent_id":"A001","current_load":2,"online":true,"timestamp":"2024-01-15T10:31:00Z"}"# + "\n")
            .write(to: back, atomically: true, encoding: .utf8)
        let (code2, out2, err2) = try StreamsqlBinary.run(["run", script, "--input", "agent_status=\(back.path)", "--input", "tickets=\(tickets.path)"])
        XCTAssertEqual(code2, 0, err2)
        let again = try XCTUnwrap(try group(out2.split(separator: "\n").map(String.init))["routing"]?.first)
        XCTAssertEqual((again["assigned_agent"] as? [String: Any])?["agent_id"] as? String, "A001")
        XCTAssertEqual(again["routing_reason"] as? String, "skill_match_and_availability")
    }
}
