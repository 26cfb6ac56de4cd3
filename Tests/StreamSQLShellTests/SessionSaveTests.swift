import Foundation
import XCTest

/// `.save FILE` writes the session as a script; running that script and saving again gives the same file.
final class SessionSaveTests: XCTestCase {
    func testASessionWithEveryStatementKindRoundTrips() throws {
        guard StreamsqlBinary.exists else { throw XCTSkip("build the streamsql binary first") }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("streamsql-save-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "id,site\nd1,north\n".write(to: dir.appendingPathComponent("meta.csv"), atomically: true, encoding: .utf8)
        let first = dir.appendingPathComponent("first.sql").path, second = dir.appendingPathComponent("second.sql").path
        let session = """
            CREATE STREAM readings (id string, temp float) WITH (STRICT = true);
            CREATE STREAM raw;
            CREATE TABLE meta PRIMARY KEY (id) FROM FILE '\(dir.path)/meta.csv';
            CREATE FUNCTION f(x) AS x * 2;
            CREATE FUNCTION g(x) AS f(x) + 1 COMMENT 'twice plus one';
            CREATE QUERY hot AS SELECT r.id AS id, g(r.temp) AS t, m.site AS site FROM readings r JOIN meta m ON r.id = m.id WHERE r.temp > 1;
            CREATE STREAM warm AS SELECT * FROM raw WHERE v > 0;
            CREATE TABLE latest PRIMARY KEY (id) AS SELECT id, temp FROM readings;
            CREATE QUERY per_site AS SELECT site, COUNT(*) AS n FROM hot GROUP BY site, TumblingWindow('10s');
            CREATE QUERY paused AS SELECT id FROM readings;
            STOP QUERY paused;
            .mode csv
            .timer on
            .set max_groups 5000
            .pane add h table hot columns=id,t title='Hot readings'
            .pane add n bars per_site key=site value=n
            .layout columns 2
            .save \(first)
            """
        let a = try StreamsqlBinary.run(["-e", session])
        XCTAssertEqual(a.status, 0, a.err)
        XCTAssertTrue(a.err.contains("session saved to \(first)"), a.err)
        let saved = try String(contentsOfFile: first, encoding: .utf8)
        let b = try StreamsqlBinary.run(["-e", ".read \(first)\n.save \(second)"])
        XCTAssertEqual(b.status, 0, b.err)
        let again = try String(contentsOfFile: second, encoding: .utf8)
        func body(_ s: String) -> [String] { s.split(separator: "\n").dropFirst().map(String.init) }   // the first line is the time
        XCTAssertEqual(body(again), body(saved))
        for expected in ["CREATE STREAM readings (id string, temp float) WITH (STRICT = true);", "STOP QUERY paused;",
                         "CREATE FUNCTION g(x) AS f(x) + 1 COMMENT 'twice plus one';", ".set max_groups 5000", ".mode csv",
                         ".pane add h table hot columns=id,t title='Hot readings'", ".layout columns 2"] {
            XCTAssertTrue(saved.contains(expected), "missing \(expected) in\n\(saved)")
        }
        XCTAssertLessThan(saved.range(of: "CREATE FUNCTION f")!.lowerBound, saved.range(of: "CREATE FUNCTION g")!.lowerBound)
    }
}
