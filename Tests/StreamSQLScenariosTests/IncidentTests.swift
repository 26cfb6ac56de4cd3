import Foundation
import StreamSQL
import StreamSQLScenarios
import XCTest

/// Incidents on demand: declared per scenario, parsed with their settings checked, and deterministic — a
/// seed and an incident schedule always give the same events, and a live trigger is recorded as a schedule.
final class IncidentTests: XCTestCase {
    func events(_ s: Scenario, seed: UInt64, _ schedule: IncidentSchedule, n: Int = 600) -> [String] {
        let g = ScheduledGenerator(s.generator(GeneratorConfig(seed: seed)), schedule: schedule)
        return (0..<n).map { _ in g.next().jsonLine }
    }

    func testEveryBusinessScenarioDeclaresIncidentsItsGeneratorKnows() {
        for s in Scenarios.business {
            XCTAssertFalse(s.incidents.isEmpty, s.name)
            for inc in s.incidents {
                XCTAssertTrue(s.generator().begin(IncidentTrigger(name: inc.name)), "\(s.name).\(inc.name)")
                XCTAssertFalse(inc.description.isEmpty || inc.changes.isEmpty, inc.name)
            }
            XCTAssertFalse(s.generator().begin(IncidentTrigger(name: "no_such_incident")), s.name)
        }
    }

    func testSameSeedAndScheduleGiveTheSameEventsAndTheIncidentChangesThem() {
        for s in Scenarios.business {
            let schedule = IncidentSchedule(s.incidents.enumerated().map { .init(at: 50 + 150 * $0.offset, trigger: IncidentTrigger(name: $0.element.name)) })
            let a = events(s, seed: 9, schedule), b = events(s, seed: 9, schedule)
            XCTAssertEqual(a, b, s.name)
            XCTAssertNotEqual(a, events(s, seed: 9, IncidentSchedule()), "\(s.name): the incidents changed nothing")
            // Before the first incident, the events are the plain generator's.
            XCTAssertEqual(Array(a.prefix(50)), Array(events(s, seed: 9, IncidentSchedule()).prefix(50)), s.name)
        }
    }

    func testFraudBurstIsOneUserFromNewCitiesAndDevices() throws {
        let fraud = try XCTUnwrap(Scenarios.named("fraud"))
        let trigger = try Incidents.parse(["burst", "user=U0042", "count=6"], scenario: "fraud")
        let g = ScheduledGenerator(fraud.generator(GeneratorConfig(seed: 3)), schedule: IncidentSchedule([.init(at: 100, trigger: trigger)]))
        let all = (0..<110).map { _ in g.next().fields }
        let burst = all[100..<106]
        XCTAssertEqual(Set(burst.map { $0["user_id"] }), [.string("U0042")])
        XCTAssertEqual(Set(burst.map { $0["device_fingerprint"] }).count, 6)
        XCTAssertGreaterThan(Set(burst.map { $0["location"] }).count, 3)
        XCTAssertNotEqual(all[106]["user_id"], .string("U0042"))
        XCTAssertEqual(g.applied.entries, [.init(at: 100, trigger: trigger)])
    }

    func testALiveTriggerIsRecordedAndReplaysToTheSameEvents() throws {
        let s = try XCTUnwrap(Scenarios.named("moderation"))
        let live = ScheduledGenerator(s.generator(GeneratorConfig(seed: 4)))
        var seen: [String] = []
        for i in 0..<300 {
            if i == 120 { live.trigger(IncidentTrigger(name: "spam_wave", settings: ["user": "U0007"])) }
            seen.append(live.next().jsonLine)
        }
        XCTAssertEqual(live.applied.entries.map(\.at), [120])
        XCTAssertEqual(events(s, seed: 4, live.applied, n: 300), seen)
        XCTAssertTrue(seen[120].contains("U0007") && seen[120].contains("spam.example"))
    }

    func testBadIncidentsGetClearErrors() {
        XCTAssertThrowsError(try Incidents.parse(["meteor"], scenario: "fraud")) { e in
            XCTAssertEqual("\(e)", "fraud has no incident 'meteor'; its incidents: burst")
        }
        XCTAssertThrowsError(try Incidents.parse(["burst", "size=3"], scenario: "fraud")) { e in
            XCTAssertEqual("\(e)", "burst takes no 'size'; it takes: user, count")
        }
        XCTAssertThrowsError(try Incidents.parse(["burst", "count"], scenario: "fraud")) { e in
            XCTAssertTrue("\(e)".hasPrefix("'count' is not key=value"))
        }
        XCTAssertThrowsError(try Incidents.parse([], scenario: "fraud"))
    }
}
