import Foundation
import OrderedCollections
import XCTest
@testable import StreamSQL

final class CatalogTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("streamsql-catalog-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try "deviceId,site,limit\nd1,north,50\nd2,south,40\n".write(to: dir.appendingPathComponent("meta.csv"), atomically: true, encoding: .utf8)
        try #"[{"agent": "a1", "skills": ["billing"], "load": 3}, {"agent": "a2", "skills": ["network"], "load": 1}, {"agent": "a3", "skills": ["billing", "network"], "load": 0}]"#
            .write(to: dir.appendingPathComponent("agents.json"), atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func engine() -> Engine {
        let e = Engine()
        e.baseDirectory = dir.path
        return e
    }

    func query(_ e: Engine, _ sql: String) throws -> (Query, Collected) {
        guard case .query(let q) = try e.run(sql) else { throw StreamSQLError(.plan, "not a query") }
        let c = Collected()
        q.addSink(c.add)
        return (q, c)
    }

    func testInnerJoinEnrichesEvents() throws {
        let e = engine()
        try e.run("CREATE TABLE meta PRIMARY KEY (deviceId) FROM FILE 'meta.csv'")
        let (q, c) = try query(e, "SELECT deviceId, temperature, m.site AS site, m.limit AS lim FROM stream JOIN meta m ON deviceId = m.deviceId WHERE temperature > m.limit")
        for (d, t) in [("d1", 60), ("d1", 10), ("d2", 45), ("d9", 99)] { e.emitSync(["deviceId": .string(d), "temperature": .int(Int64(t))]) }
        XCTAssertEqual(c.all.map { $0["site"]! }, ["north", "south"])
        XCTAssertEqual(c.all.map { $0["lim"]! }, [50, 40])
        XCTAssertTrue(q.explain.contains("hash on deviceId"), q.explain)
    }

    func testAnalyticFunctionsAdvanceOncePerEventWhateverTheJoinMatches() throws {
        let e = Engine()
        e.createTable("tags", key: ["tag"], rows: [["tag": "a", "w": 1], ["tag": "b", "w": 2], ["tag": "c", "w": 3]])
        let (_, c) = try query(e, """
            SELECT s.id AS id, t.tag AS tag, acc_count(s.id) OVER (PARTITION BY s.u) AS n
            FROM stream s JOIN tags t ON array_contains(s.tags, t.tag) WHERE t.w > 1
            """)
        for (id, tags) in [(1, ["a", "b", "c"]), (2, ["a"]), (3, ["c", "b"])] {
            e.emitSync(["id": .int(Int64(id)), "u": "x", "tags": .array(tags.map(Value.string))])
        }
        // Event 1 matches b and c (a fails WHERE); event 2 matches nothing that passes; event 3 matches b and c.
        XCTAssertEqual(c.all.map { $0["id"]! }, [1, 1, 3, 3])
        XCTAssertEqual(c.all.map { $0["n"]! }, [1, 1, 2, 2], "one count per event, not per matched row")
    }

    private func entries(_ m: KeyMap<[Int]>) -> [GroupKey: [Int]] {
        Dictionary(uniqueKeysWithValues: zip(m.keys, m.values))
    }

    func testIncrementalUpsertsEqualARebuild() {
        var rng = SplitMix64(seed: 3)
        var snap = TableSnapshot(rows: [], key: ["k"], version: 1)
        for _ in 0..<500 {
            var row = OrderedDictionary<String, Value>()
            row["k"] = .int(Int64(rng.next() % 40))
            // Rows carry different column sets, so columns appear late and go missing.
            for c in ["a", "b", "c", "d"] where rng.next() % 3 != 0 { row[c] = .int(Int64(rng.next() % 100)) }
            let before = snap, beforeIndex = entries(snap.index)
            snap = snap.upserting(row)
            // A version, once made, never changes: readers of the old one see its rows only.
            XCTAssertEqual(entries(before.index), beforeIndex)
        }
        let rebuilt = TableSnapshot(rows: snap.rows, key: ["k"], version: snap.version)
        XCTAssertEqual(snap.rows.count, 40)
        XCTAssertEqual(snap.values, rebuilt.values)
        XCTAssertEqual(entries(snap.index), entries(rebuilt.index))
        for name in rebuilt.columnNames {
            XCTAssertEqual(snap.columnValues[snap.columnIndex[name]!], rebuilt.columnValues[rebuilt.columnIndex[name]!], name)
        }
        XCTAssertEqual(Set(snap.columnNames), Set(rebuilt.columnNames))
    }

    func testLeftJoinFillsNulls() throws {
        let e = engine()
        try e.run("CREATE TABLE meta PRIMARY KEY (deviceId) FROM FILE 'meta.csv'")
        let (_, c) = try query(e, "SELECT s.deviceId AS d, m.site AS site FROM stream s LEFT JOIN meta m ON s.deviceId = m.deviceId")
        e.emitSync(["deviceId": "d2"]); e.emitSync(["deviceId": "zz"])
        XCTAssertEqual(c.all.map { $0["site"] ?? .null }, ["south", nil])
        XCTAssertEqual(c.all.count, 2)
    }

    func testMultiMatchOrderedAndLimitedPerEvent() throws {
        let e = engine()
        try e.run("CREATE TABLE agents FROM FILE 'agents.json'")
        let (_, c) = try query(e, """
            SELECT t.id AS ticket, a.agent AS agent FROM stream t
            JOIN agents a ON array_contains(a.skills, t.category) ORDER BY a.load LIMIT 1
            """)
        e.emitSync(["id": 1, "category": "billing"])
        e.emitSync(["id": 2, "category": "network"])
        e.emitSync(["id": 3, "category": "legal"])
        XCTAssertEqual(c.all.map { $0["agent"]! }, ["a3", "a3"], "the least-loaded skilled agent, one per ticket")
        let (_, all) = try query(e, "SELECT a.agent AS agent FROM stream t JOIN agents a ON array_contains(a.skills, t.category) ORDER BY a.load DESC")
        e.emitSync(["id": 4, "category": "billing"])
        XCTAssertEqual(all.all.map { $0["agent"]! }, ["a1", "a3"])
    }

    /// What the routing scenario relies on: LEFT JOIN with a non-key ON, ORDER BY and LIMIT still gives one
    /// row per event, with NULL table columns when no table row matches.
    func testLeftJoinOrderedAndLimitedKeepsUnmatchedEvents() throws {
        let e = engine()
        try e.run("CREATE TABLE agents FROM FILE 'agents.json'")
        let (_, c) = try query(e, """
            SELECT t.id AS ticket, a.agent AS agent, a.agent IS NULL AS queued FROM stream t
            LEFT JOIN agents a ON array_contains(a.skills, t.category) ORDER BY a.load LIMIT 1
            """)
        e.emitSync(["id": 1, "category": "billing"])
        e.emitSync(["id": 2, "category": "legal"])
        XCTAssertEqual(c.all.map { $0["ticket"]! }, [1, 2])
        XCTAssertEqual(c.all.map { $0["agent"]! }, ["a3", .null])
        XCTAssertEqual(c.all.map { $0["queued"]! }, [false, true])
    }

    func testJoinThenAggregateByTableColumn() throws {
        let e = engine()
        try e.run("CREATE TABLE meta PRIMARY KEY (deviceId) FROM FILE 'meta.csv'")
        let (_, c) = try query(e, "SELECT m.site AS site, COUNT(*) AS n, AVG(t) AS avg_t FROM stream JOIN meta m ON deviceId = m.deviceId GROUP BY m.site, CountingWindow(2)")
        for (d, t) in [("d1", 10), ("d2", 1), ("d1", 20), ("d2", 3)] { e.emitSync(["deviceId": .string(d), "t": .int(Int64(t))]) }
        XCTAssertEqual(c.all.map { $0["site"]! }, ["north", "south"])
        XCTAssertEqual(c.all.map { $0["avg_t"]! }, [15.0, 2.0])
    }

    func testTableKeptByAQueryAndReplacedWhileRunning() throws {
        let e = engine()
        try e.run("CREATE STREAM inventory")
        try e.run("CREATE STREAM orders")
        try e.run("CREATE TABLE stock PRIMARY KEY (sku) AS SELECT sku, qty FROM inventory")
        let (_, c) = try query(e, "SELECT o.sku AS sku, s.qty AS qty FROM orders o JOIN stock s ON o.sku = s.sku")
        e.emitSync(["sku": "x", "qty": 5], to: "inventory")
        e.emitSync(["sku": "x"], to: "orders")
        e.emitSync(["sku": "x", "qty": 2], to: "inventory")    // latest row per key replaces the old one
        e.emitSync(["sku": "x"], to: "orders")
        XCTAssertEqual(c.all.map { $0["qty"]! }, [5, 2])
        XCTAssertEqual(e.table("stock")?.snapshot.rows.count, 1)
    }

    func testThreeDerivedStreamsChain() throws {
        let e = engine()
        try e.run("CREATE STREAM hot AS SELECT deviceId, temperature FROM stream WHERE temperature > 30")
        try e.run("CREATE STREAM hotter AS SELECT deviceId, temperature * 2 AS t2 FROM hot WHERE temperature > 40")
        try e.run("CREATE STREAM labelled AS SELECT deviceId, t2, CASE WHEN t2 > 100 THEN 'alarm' ELSE 'warn' END AS level FROM hotter")
        let (_, c) = try query(e, "SELECT * FROM labelled")
        for t in [20, 35, 45, 60] { e.emitSync(["deviceId": "d", "temperature": .int(Int64(t))]) }
        XCTAssertEqual(c.all.map { $0["level"]! }, ["warn", "alarm"])
        guard case .table(_, let rows) = try e.run("SHOW STREAMS") else { return XCTFail() }
        XCTAssertTrue(rows.contains { $0[0] == "hotter" && $0[3] == "query hotter" })
    }

    func testTypedStreamsConvertAndReject() throws {
        let e = engine()
        try e.run("CREATE STREAM readings (id string, temp float, ok bool)")
        let (q, c) = try query(e, "SELECT id, temp + 1 AS t FROM readings")
        e.emitSync(["id": "a", "temp": "20.5", "ok": "true"], to: "readings")
        e.emitSync(["id": "b", "temp": "hot"], to: "readings")
        e.emitSync(["id": "c", "color": "red"], to: "readings")   // an undeclared field is ignored
        XCTAssertNil(e.emit(jsonLine: #"{"id": "d", "temp": 1}"#, to: "readings", sync: true), "a valid line of a typed stream is accepted")
        XCTAssertEqual(c.all.map { $0["t"]! }, [21.5, .null, 2.0])
        XCTAssertEqual(q.metrics.rejected, 1)
        XCTAssertEqual(Array(q.metrics.rejectionReasons.keys), [#"field temp: "hot" is not a float"#])
        // A valid JSON line whose value does not fit says so in terms of the row, not "invalid JSON".
        let why = e.emit(jsonLine: #"{"id": "e", "temp": "warm"}"#, to: "readings", sync: true)
        XCTAssertEqual(why?.description, #"field temp: "warm" is not a float"#)
        guard case .message(let m) = try e.run("INSERT INTO readings VALUES ('e', 3.5, false), ('f', 'x', true)") else { return XCTFail() }
        XCTAssertTrue(m.contains("1 event inserted") && m.contains("1 rejected"), m)
        XCTAssertNoThrow(try e.run(#"INSERT INTO readings JSON '{"id": "g", "temp": 9}'"#))
        XCTAssertEqual(c.all.count, 5)
        guard case .table(_, let cols) = try e.run("DESCRIBE readings") else { return XCTFail() }
        XCTAssertEqual(cols.map { $0[1] }, ["string", "float", "bool"])
    }

    func testNamedQueriesStopStartDrop() throws {
        let e = engine()
        guard case .started(let q, _) = try e.run("CREATE QUERY alerts AS SELECT v FROM stream WHERE v > 1") else { return XCTFail() }
        let c = Collected(); q.addSink(c.add)
        e.emitSync(["v": 5])
        try e.run("STOP QUERY alerts")
        e.emitSync(["v": 6])
        XCTAssertEqual(c.all.count, 1)
        guard case .table(_, let rows) = try e.run("SHOW QUERIES") else { return XCTFail() }
        XCTAssertTrue(rows.contains { $0[0] == "alerts" && $0[1] == "(stopped)" })
        guard case .started(let q2, _) = try e.run("START QUERY alerts") else { return XCTFail() }
        let c2 = Collected(); q2.addSink(c2.add)
        e.emitSync(["v": 7])
        XCTAssertEqual(c2.all.count, 1)
        XCTAssertThrowsError(try e.run("CREATE QUERY alerts AS SELECT v FROM stream"), "names are unique")
        XCTAssertThrowsError(try e.run("DROP STREAM stream"), "a stream with readers cannot be dropped")
        try e.run("DROP QUERY alerts")
        XCTAssertNoThrow(try e.run("DROP STREAM stream"))
        XCTAssertThrowsError(try e.run("STOP QUERY nope"))
    }

    func testCatalogErrors() throws {
        let e = engine()
        func err(_ sql: String) -> String { do { try e.run(sql); return "" } catch { return error.description } }
        XCTAssertTrue(err("CREATE TABLE t FROM FILE 'missing.csv'").contains("cannot read"))
        XCTAssertTrue(err("SELECT a FROM stream JOIN nosuch n ON a = n.a").contains("unknown table"))
        try "a,b\n1,2\n3\n".write(to: dir.appendingPathComponent("bad.csv"), atomically: true, encoding: .utf8)
        XCTAssertTrue(err("CREATE TABLE bad FROM FILE 'bad.csv'").contains("line 3"))
        XCTAssertTrue(err("CREATE STREAM s (a widget)").contains("unknown type"))
        XCTAssertTrue(err("INSERT INTO stream VALUES (1)").contains("name the columns"))
        XCTAssertTrue(err("INSERT INTO nowhere JSON '{}'").contains("unknown stream"))
        try e.run("CREATE STREAM s1")
        XCTAssertTrue(err("CREATE STREAM s1").contains("already exists"))
        XCTAssertTrue(err("DESCRIBE nothing").contains("no stream, table or query"))
    }

    func testTwentyQueriesOnOneStream() throws {
        let e = engine()
        var cs: [(Int64, Collected)] = []
        for k in 1...20 {
            let (_, c) = try query(e, "SELECT i FROM stream WHERE i % \(k) = 0")
            cs.append((Int64(k), c))
        }
        for i in 0..<2000 { e.emit(["i": .int(Int64(i))]) }
        e.drain()
        for (k, c) in cs { XCTAssertEqual(c.all.count, (0..<2000).filter { Int64($0) % k == 0 }.count, "query \(k)") }
    }
}

/// Found by the fuzzer (Tests/StreamSQLTests/Fuzz/Repros/stream-derived-from-itself.txt): a stream derived from
/// itself fed its query's results back into the same query while that query's lock was held, so the first
/// event hung the engine.
final class SelfDerivedStreamTests: XCTestCase {
    func testAStreamCannotBeDerivedFromItself() throws {
        let engine = Engine()
        XCTAssertThrowsError(try engine.run("CREATE STREAM s2 AS SELECT a FROM S2")) { e in
            XCTAssertTrue("\(e)".contains("stream s2 cannot be derived from itself"), "\(e)")
        }
        XCTAssertFalse(engine.streamNames.contains("s2"), "the refused stream is not left in the catalog")
        // Events into the name still go nowhere odd, and return.
        XCTAssertEqual(engine.emitSync(["a": 1], to: "s2").count, 0)
        // Derived from another stream is fine, and events flow.
        _ = try engine.run("CREATE STREAM s2")
        _ = try engine.run("CREATE STREAM s3 AS SELECT a FROM s2")
        // Nor through another derived stream (s2 replaced to read s3, which reads s2).
        XCTAssertThrowsError(try engine.run("CREATE OR REPLACE STREAM s2 AS SELECT a FROM s3"))
        let q = try engine.execute("SELECT a FROM s3")
        let out = engine.emitSync(["a": 7], to: "s2")
        XCTAssertEqual(out.count, 1)
        XCTAssertEqual(q.metrics.rowsOut, 1)
    }
}
