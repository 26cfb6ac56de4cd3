import Foundation
import StreamSQL
@testable import StreamSQLScenarios
import XCTest
@testable import StreamSQLShell

/// The dashboard's `!`: a menu of the scenario's incidents; a digit causes one in the feeding generator.
final class IncidentMenuTests: XCTestCase {
    func testBangOpensTheMenuAndADigitCausesTheIncident() throws {
        let s = try XCTUnwrap(Scenarios.named("moderation"))
        let session = ScenarioSession(scenarios: [s], demosDirectory: ScenarioTests.demos)
        let feeder = try session.feeder(seed: 3, rate: 0)
        feeder.synchronous = true
        feeder.limit = 200
        feeder.runHere()
        let board = session.dashboard(feeder: feeder)
        XCTAssertTrue(board.handle(Int32(UInt8(ascii: "!"))))
        let menu = board.snapshot(width: 100, height: 30)
        XCTAssertTrue(menu.contains("Incidents — 1-9 or Enter to cause, Esc to close"), menu)
        XCTAssertTrue(menu.contains("1 spam_wave [user=… count=20]"), menu)
        XCTAssertTrue(menu.contains("2 toxic_thread [count=15]"), menu)
        // Keys go to the menu while it is open: q does not leave the dashboard.
        XCTAssertTrue(board.handle(Int32(UInt8(ascii: "q"))))
        XCTAssertTrue(board.handle(Int32(UInt8(ascii: "1"))))
        let after = board.snapshot(width: 100, height: 30)
        XCTAssertFalse(after.contains("Incidents —"), after)
        XCTAssertTrue(after.split(separator: "\n").last?.contains("incident spam_wave caused") == true, after)
        XCTAssertEqual(feeder.appliedIncidents.flatMap(\.entries), [], "applied with the next event, not before")
        // The feeder's run has ended; its generator's next event starts the wave.
        let generator = try XCTUnwrap(feeder.sources.first?.generator as? ScheduledGenerator)
        XCTAssertEqual(generator.next().fields["content"].map { "\($0)".contains("spam.example") }, true)
        XCTAssertEqual(feeder.appliedIncidents.flatMap(\.entries), [.init(at: 200, trigger: IncidentTrigger(name: "spam_wave"))])
        // Esc closes the menu without causing anything.
        XCTAssertTrue(board.handle(Int32(UInt8(ascii: "!"))))
        XCTAssertTrue(board.handle(27))
        XCTAssertNil(board.incidentMenu)
    }

    func testWithoutAGeneratorBangSaysWhy() throws {
        let s = try XCTUnwrap(Scenarios.named("fraud"))
        let session = ScenarioSession(scenarios: [s], demosDirectory: ScenarioTests.demos)
        let board = session.dashboard(feeder: nil)
        XCTAssertTrue(board.handle(Int32(UInt8(ascii: "!"))))
        XCTAssertNil(board.incidentMenu)
        XCTAssertTrue(board.snapshot(width: 100, height: 30).contains("no incidents here"))
    }
}
