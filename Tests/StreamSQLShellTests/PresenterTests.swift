import Foundation
@testable import StreamSQLShell
import StreamSQLScenarios
import XCTest

/// Stories: parsing (mistakes name their line), and screens that are a function of the seed and the steps.
final class PresenterTests: XCTestCase {
    static let demos = InteractiveShellTests.root.appendingPathComponent("demos").path

    func fraudStory() throws -> Story {
        let text = try String(contentsOfFile: Self.demos + "/stories/fraud.sql", encoding: .utf8)
        return try Story.parse(text)
    }

    func testTheFraudStoryParses() throws {
        let s = try fraudStory()
        XCTAssertEqual(s.scenario.name, "fraud")
        XCTAssertEqual(s.steps.count, 4)
        XCTAssertTrue(s.steps[0].caption.contains("payment's risk score"), s.steps[0].caption)
        XCTAssertEqual(s.steps[1].actions.first, .incident(IncidentTrigger(name: "burst", settings: ["user": "U0042", "count": "8"])))
        // 60 minutes of event time at the fraud generator's 3 s per event.
        XCTAssertEqual(s.steps[0].actions.last, .wait(events: 1200))
    }

    /// One story per business scenario, each playing in under two minutes, its incident visible at the end.
    func testEveryScenarioHasAStoryThatShowsItsIncident() throws {
        let effects: [String: [String]] = [
            "fraud": ["● decline  TXN001208"], "moderation": ["● rejected POST000380 U0666"],
            "supply": ["● critical P007     WH001    0.0"], "energy": ["● B007     consumption_spike"],
            "traffic": ["Slippery roads due to snow"], "routing": ["Escalations due"], "recommend": [">=0.6"],
        ]
        for s in Scenarios.business {
            let story = try Story.parse(try String(contentsOfFile: Self.demos + "/stories/\(s.name).sql", encoding: .utf8))
            XCTAssertEqual(story.scenario.name, s.name)
            XCTAssertLessThan(story.playSeconds, 120, s.name)
            // Nothing cut on a 100×30 projector terminal: the captions fit the bottom line.
            for step in story.steps { XCTAssertLessThanOrEqual(Frame.width(" " + step.caption), 100, step.caption) }
            XCTAssertGreaterThan(story.playSeconds, 1, s.name)
            XCTAssertTrue(story.steps.contains { $0.actions.contains { if case .incident = $0 { true } else { false } } }, s.name)
            let p = Presenter(story: story, seed: 42, demosDirectory: Self.demos)
            // Before the first incident, and at the end of the step after it.
            let incidentStep = try XCTUnwrap(story.steps.firstIndex { $0.actions.contains { if case .incident = $0 { true } else { false } } })
            let before = try p.frame(afterStep: incidentStep - 1)
            let end = try p.frame(afterStep: min(incidentStep + 1, story.steps.count - 1))
            let top = String(end.prefix { $0 != "\n" }).trimmingCharacters(in: .whitespaces)
            XCTAssertTrue(top.hasSuffix("← back · p pause · q"), "\(s.name): the top line is cut: \(top)")
            for text in effects[s.name] ?? [] {
                XCTAssertTrue(end.contains(text), "\(s.name): no '\(text)' after the incident")
                if s.name != "routing" && s.name != "recommend" { XCTAssertFalse(before.contains(text), "\(s.name): '\(text)' before the incident") }
            }
        }
    }

    /// A step that highlights rows in a pane leaves some to see: a filter naming no row (a score compared
    /// with `false`, say) left the moderation story's log empty at its toxic-thread step.
    func testEveryHighlightStepLeavesRowsInItsPane() throws {
        for s in Scenarios.business {
            let story = try Story.parse(try String(contentsOfFile: Self.demos + "/stories/\(s.name).sql", encoding: .utf8))
            let p = Presenter(story: story, seed: 42, demosDirectory: Self.demos)
            for (k, step) in story.steps.enumerated() {
                for case .highlight(let pane, let filter) in step.actions {
                    let run = try p.prepared(through: k)
                    defer { run.session.engine.stopAll(flush: false) }
                    run.session.engine.drain()
                    let target = try XCTUnwrap(run.board.groupPanes.first { $0.spec.name.lowercased() == pane.lowercased() }, "\(s.name): no pane \(pane)")
                    XCTAssertEqual(target.filter, filter)
                    let listed = target.listed(target.feed.snapshot().rows) ?? []
                    XCTAssertFalse(listed.isEmpty, "\(s.name) step \(k + 1): '\(filter)' leaves pane \(pane) empty")
                }
            }
        }
    }

    func testStoryMistakesNameTheirLine() {
        func error(_ text: String) -> String {
            do { _ = try Story.parse(text); return "" } catch { return error.description }
        }
        XCTAssertEqual(error(".step 'x'"), "line 1: a story starts with .story SCENARIO 'title'")
        XCTAssertEqual(error(".story fraud\n.wait 10s"), "line 2: .wait belongs to a step: put a .step 'caption' first")
        XCTAssertEqual(error(".story fraud\n.step 'a'\n.incident meteor"), "line 3: fraud has no incident 'meteor'; its incidents: burst")
        XCTAssertEqual(error(".story fraud\n.step 'a'\n.wait ten"), "line 3: usage: .wait DURATION of event time (30s, 10m, 2h), or .wait DURATION wall")
        XCTAssertEqual(error(".story fraud\n.step 'a'\n.wait 5s later"), "line 3: usage: .wait DURATION of event time (30s, 10m, 2h), or .wait DURATION wall")
        XCTAssertEqual(try Story.parse(".story fraud\n.step 'a'\n.wait 5s wall\n.wait 6s").steps[0].actions, [.hold(seconds: 5), .wait(events: 2)])
        XCTAssertEqual(error(".story fraud\n.step 'a'\nSELECT 1;").prefix(38), "line 3: a story holds only story comma")
        XCTAssertEqual(error(".story nope"), "line 1: usage: .story SCENARIO 'title'   (scenarios: \(Scenarios.names.joined(separator: ", ")))")
        XCTAssertEqual(error(".story fraud"), "the story has no steps: add .step 'caption' lines")
        XCTAssertEqual(error(".story fraud\n.step 'a'\n.speed fast"), "line 3: usage: .speed xN with N > 0, or .speed max")
    }

    func testAStepNamingNoPaneIsRefused() throws {
        let story = try Story.parse(".story fraud\n.step 'a'\n.zoom nope")
        XCTAssertThrowsError(try Presenter(story: story, seed: 1, demosDirectory: Self.demos).frame(afterStep: 0)) { e in
            XCTAssertEqual("\(e)", "line 2+: no pane 'nope' in fraud.sql; its panes: scores, per_minute, alerts")
        }
    }

    func testEveryRunOfAStepGivesTheSameScreenAndTheBurstEndsInDeclines() throws {
        let story = try fraudStory()
        let p = Presenter(story: story, seed: 42, demosDirectory: Self.demos)
        let before = try p.frame(afterStep: 0), burst = try p.frame(afterStep: 1), declined = try p.frame(afterStep: 2)
        XCTAssertEqual(try p.frame(afterStep: 1), burst)
        XCTAssertEqual(try p.frame(afterStep: 0), before)
        XCTAssertNotEqual(try Presenter(story: story, seed: 7, demosDirectory: Self.demos).frame(afterStep: 1), burst)
        XCTAssertTrue(before.contains("Fraud · step 1/4") && burst.contains("Fraud · step 2/4"), burst)
        // The burst is transactions 1201–1208 (60 minutes of normal traffic first); from the sixth on,
        // velocity joins new city and new device and the score reaches the decline threshold.
        let line = { (s: String, txn: String) in s.split(separator: "\n").first { $0.contains(txn) }.map(String.init) ?? "" }
        XCTAssertFalse(before.contains("TXN001201"))
        XCTAssertTrue(line(burst, "TXN001208").contains("0.85"), burst)
        XCTAssertTrue(declined.contains("/decision=decline"), declined)
        for txn in ["TXN001206", "TXN001207", "TXN001208"] {
            XCTAssertTrue(line(declined, txn).contains("● decline"), declined)
        }
        // The caption is the bottom line.
        XCTAssertTrue(declined.split(separator: "\n").last?.hasPrefix(" The score crosses 0.8, the decline threshold") == true, declined)
    }
}
