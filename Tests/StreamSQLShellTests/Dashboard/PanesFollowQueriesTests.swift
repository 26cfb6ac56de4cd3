import Foundation
import StreamSQL
import XCTest
@testable import StreamSQLShell

/// Panes name their query: DROP QUERY removes them; CREATE OR REPLACE QUERY and START QUERY move them to
/// the new query object, keeping what they have shown.
final class PanesFollowQueriesTests: XCTestCase {
    func testTheShellsPanesGoWithADroppedQueryAndFollowAReplacedOne() throws {
        let engine = Engine()
        let repl = Repl(engine: engine)
        repl.execute("CREATE STREAM s;")
        repl.execute("CREATE QUERY hot AS SELECT k, v FROM s WHERE v > 1;")
        repl.execute("CREATE QUERY cold AS SELECT k, v FROM s WHERE v <= 1;")
        XCTAssertTrue(repl.command(".pane add h table hot"))
        XCTAssertTrue(repl.command(".pane add c log cold"))
        XCTAssertEqual(repl.panes.map(\.name), ["h", "c"])
        // As `.dashboard` binds them (it needs a terminal, so bind here the same way).
        for spec in repl.panes {
            guard case .running(let q) = engine.status(ofQuery: spec.query) else { return XCTFail(spec.query) }
            repl.boundPanes[spec.name] = Pane(spec: spec, query: q)
        }
        let hot = try XCTUnwrap(repl.boundPanes["h"])
        let oldQuery = hot.query
        engine.emitSync(["k": "a", "v": 5], to: "s")
        XCTAssertEqual(hot.feed.snapshot().total, 1)

        repl.execute("CREATE OR REPLACE QUERY hot AS SELECT k, v, v * 2 AS w FROM s WHERE v > 2;")
        XCTAssertEqual(repl.panes.map(\.name), ["h", "c"])
        XCTAssertTrue(repl.boundPanes["h"] === hot, "the bound pane is kept, with its history")
        XCTAssertFalse(hot.query === oldQuery)
        XCTAssertEqual(hot.query.schema.names, ["k", "v", "w"])
        engine.emitSync(["k": "b", "v": 7], to: "s")
        let (rows, total) = hot.feed.snapshot()
        XCTAssertEqual(total, 2)
        XCTAssertEqual(rows.last?.row["w"], 14)

        // Stopped, the pane stays; started again, it follows the new object.
        repl.execute("STOP QUERY hot;")
        XCTAssertEqual(repl.panes.map(\.name), ["h", "c"])
        repl.execute("START QUERY hot;")
        engine.emitSync(["k": "c", "v": 9], to: "s")
        XCTAssertEqual(hot.feed.snapshot().total, 3)

        repl.execute("DROP QUERY cold;")
        XCTAssertEqual(repl.panes.map(\.name), ["h"])
        XCTAssertNil(repl.boundPanes["c"])
        XCTAssertNotNil(repl.boundPanes["h"])
    }

    func testAScriptsPanesGoWithADroppedQueryAndFollowAReplacedOne() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("streamsql-follow-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("s.sql").path
        try """
            CREATE STREAM s;
            CREATE QUERY hot AS SELECT k, v FROM s WHERE v > 1;
            CREATE QUERY cold AS SELECT k, v FROM s WHERE v <= 1;
            .pane add h table hot
            .pane add c log cold
            CREATE OR REPLACE QUERY hot AS SELECT k, v * 10 AS v FROM s WHERE v > 2;
            DROP QUERY cold;
            """.write(toFile: path, atomically: true, encoding: .utf8)
        let session = ScenarioSession(scripts: [.init(name: "s", title: "s", path: path)])
        XCTAssertEqual(session.errors, [])
        XCTAssertEqual(session.panes.map(\.spec.name), ["h"])
        XCTAssertEqual(session.queries.map(\.name), ["hot"])
        let pane = try XCTUnwrap(session.panes.first)
        guard case .running(let current) = session.engine.status(ofQuery: "hot") else { return XCTFail("hot runs") }
        XCTAssertTrue(pane.query === current)
        session.engine.emitSync(["k": "a", "v": 3], to: "s")
        XCTAssertEqual(pane.feed.snapshot().rows.last?.row["v"], 30)
        XCTAssertFalse(session.dashboard(feeder: nil).snapshot(width: 80, height: 12).contains("waiting for results"))
    }

    /// A replacement that no longer outputs a column a pane names is reported.
    func testAReplacementWithoutThePanesColumnIsReported() {
        let err = Lines()
        let runner = ScriptRunner(write: { _ in }, writeError: err.add)
        runner.showMessages = false
        runner.attachQueries = false
        runner.runScript("""
            CREATE STREAM s;
            CREATE QUERY scores AS SELECT id, score FROM s;
            .pane add risk gauge scores value=score
            CREATE OR REPLACE QUERY scores AS SELECT id, score * 2 AS risk FROM s;
            """)
        XCTAssertEqual(runner.errors, 1)
        XCTAssertEqual(err.all, ["pane risk: query scores has no column 'score'; its columns: id, risk"])
    }
}
