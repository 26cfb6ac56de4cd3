import Foundation
import OrderedCollections
import XCTest
@testable import StreamSQL

/// `catalogScript()` writes the catalog as statements that rebuild it in a new engine.
final class CatalogScriptTests: XCTestCase {
    func testEveryStatementKindRoundTrips() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("streamsql-save-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "id,site\nd1,north\nd2,south\n".write(to: dir.appendingPathComponent("meta.csv"), atomically: true, encoding: .utf8)
        let a = Engine()
        a.baseDirectory = dir.path
        _ = try a.runScript("""
            CREATE STREAM readings (id string, temp float) WITH (STRICT = true);
            CREATE STREAM raw;
            CREATE TABLE meta PRIMARY KEY (id) FROM FILE 'meta.csv';
            CREATE FUNCTION g(x) AS f(x) + 1 COMMENT 'it''s g';
            """.replacingOccurrences(of: "CREATE FUNCTION g", with: "CREATE FUNCTION f(x) AS x * 2;\nCREATE FUNCTION g"))
        _ = try a.runScript("""
            CREATE QUERY hot AS SELECT r.id AS id, g(r.temp) AS t, m.site AS site FROM readings r JOIN meta m ON r.id = m.id WHERE r.temp > 1;
            CREATE STREAM warm AS SELECT * FROM raw WHERE v > 0;
            CREATE TABLE latest PRIMARY KEY (id) AS SELECT id, temp FROM readings;
            CREATE QUERY paused AS SELECT id FROM readings;
            STOP QUERY paused;
            CREATE OR REPLACE QUERY hot AS SELECT r.id AS id, g(r.temp) AS t, m.site AS site FROM readings r JOIN meta m ON r.id = m.id WHERE r.temp > 2;
            SELECT id FROM readings;
            """)
        let script = a.catalogScript()
        let b = Engine()
        _ = try b.runScript(script.joined(separator: "\n"))
        XCTAssertEqual(b.catalogScript(), script, "saving the rebuilt catalog gives the same script")
        // Name, columns and source of each stream; name, rows and key of each table (readers and paths may differ:
        // ad hoc SELECTs are not saved, and a file's path is written resolved).
        for (what, cols) in [("SHOW STREAMS", [0, 1, 3]), ("SHOW TABLES", [0, 1, 2])] {
            guard case .table(_, let ra) = try a.run(what), case .table(_, let rb) = try b.run(what) else { return XCTFail(what) }
            XCTAssertEqual(ra.map { r in cols.map { r[$0].description } }, rb.map { r in cols.map { r[$0].description } }, what)
        }
        guard case .table(_, let qa) = try a.run("SHOW QUERIES"), case .table(_, let qb) = try b.run("SHOW QUERIES") else { return XCTFail() }
        let named = { (rows: [[Value]]) in rows.filter { !$0[0].description.hasPrefix("q") }.map { [$0[0], $0[1], $0.last!].map(\.description) } }
        XCTAssertEqual(named(qa), named(qb))
        XCTAssertTrue(script.contains("STOP QUERY paused;"), "\(script)")
        XCTAssertTrue(script.contains { $0.contains("r.temp > 2") } && !script.contains { $0.contains("r.temp > 1") }, "the replaced version is saved")
        // The rebuilt engine computes the same rows.
        for e in [a, b] {
            let q = try XCTUnwrap(e.queries.first { $0.name == "hot" })
            let c = Collected()
            q.addSink(c.add)
            e.emitSync(["id": "d1", "temp": 5], to: "readings")
            XCTAssertEqual(c.all.first?["t"], .double(11))
            XCTAssertEqual(c.all.first?["site"], .string("north"))
        }
    }
}
