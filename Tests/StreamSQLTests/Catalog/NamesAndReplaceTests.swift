import Foundation
import OrderedCollections
import XCTest
@testable import StreamSQL

/// Mistakes in names are errors with a suggestion, not silent successes; CREATE OR REPLACE replaces a
/// definition in place.
final class NamesAndReplaceTests: XCTestCase {
    func error(_ e: Engine, _ sql: String, file: StaticString = #filePath, line: UInt = #line) -> StreamSQLError? {
        do {
            try e.run(sql)
            XCTFail("expected an error for \(sql)", file: file, line: line)
            return nil
        } catch {
            return error
        }
    }

    func testAQueryOverAStreamNobodyCreatedIsAnErrorWithASuggestion() throws {
        let e = Engine()
        try e.run("CREATE STREAM readings")
        let err = try XCTUnwrap(error(e, "SELECT * FROM readngs"))
        XCTAssertTrue(err.message.contains("unknown stream 'readngs'"), err.message)
        XCTAssertEqual(err.suggestions, ["readings"])
        XCTAssertEqual(err.location?.column, 15)
        XCTAssertEqual(e.streamNames.sorted(), ["readings", "stream"], "the misspelt name created nothing")
        // The reference's accept-any-FROM behaviour is an option.
        var o = EngineOptions()
        o.autoCreateStreams = true
        XCTAssertNoThrow(try Engine(options: o).run("SELECT * FROM readngs"))
    }

    func testATypedStreamsMissingColumnIsAnErrorWithASuggestion() throws {
        let e = Engine()
        try e.run("CREATE STREAM readings (device string, temperature float)")
        let err = try XCTUnwrap(error(e, "SELECT device, temprature FROM readings WHERE temperature > 1"))
        XCTAssertTrue(err.message.contains("stream readings has no column 'temprature'"), err.message)
        XCTAssertEqual(err.suggestions, ["temperature"])
        XCTAssertEqual(err.location?.column, 16)
        XCTAssertNotNil(error(e, "SELECT device FROM readings WHERE temp > 1"))
        XCTAssertNotNil(error(e, "SELECT device, COUNT(*) AS n FROM readings GROUP BY device, TumblingWindow('1s') WITH (TIMESTAMP='ts')"),
                        "the event-time field is checked too")
        XCTAssertNoThrow(try e.run("SELECT device, temperature FROM readings"))
    }

    func testStrictStreamsRejectUndeclaredFieldsOthersIgnoreThem() throws {
        let e = Engine()
        try e.run("CREATE STREAM loose (id string)")
        try e.run("CREATE STREAM tight (id string) WITH (STRICT = true)")
        let loose = try e.execute("SELECT * FROM loose")
        let tight = try e.execute("SELECT * FROM tight")
        XCTAssertNil(e.emit(jsonLine: #"{"id": "a", "extra": 1}"#, to: "loose", sync: true))
        let why = e.emit(jsonLine: #"{"id": "a", "extra": 1}"#, to: "tight", sync: true)
        XCTAssertEqual(why?.description, "field extra: stream tight is STRICT and does not declare it")
        XCTAssertEqual(loose.metrics.rowsOut, 1)
        XCTAssertEqual(tight.metrics.rowsOut, 0)
        XCTAssertEqual(tight.metrics.rejected, 1)
        XCTAssertNotNil(error(e, "CREATE STREAM t2 (id string) WITH (STRICTLY = true)"), "an unknown option is an error")
    }

    func testCreateOrReplaceQueryKeepsTheNameAndTheOldVersionOnAMistake() throws {
        let e = Engine()
        guard case .started(let v1, _) = try e.run("CREATE QUERY alerts AS SELECT v FROM stream WHERE v > 10") else { return XCTFail() }
        XCTAssertNotNil(error(e, "CREATE QUERY alerts AS SELECT v FROM stream"), "without OR REPLACE the name is taken")
        // A mistake in the new version leaves the old one running.
        XCTAssertNotNil(error(e, "CREATE OR REPLACE QUERY alerts AS SELECT nosuch(v) FROM stream"))
        XCTAssertFalse(v1.isFinished)
        guard case .started(let v2, let message) = try e.run("CREATE OR REPLACE QUERY alerts AS SELECT v FROM stream WHERE v > 1") else { return XCTFail() }
        XCTAssertTrue(message.contains("replaced"), message)
        XCTAssertTrue(v1.isFinished)
        XCTAssertEqual(v2.name, "alerts")
        // A reader of the query's results keeps reading the new version.
        let reader = try e.execute("SELECT v FROM alerts")
        let c = Collected()
        reader.addSink(c.add)
        e.emitSync(["v": 5])
        XCTAssertEqual(c.all.map { $0["v"] }, [.int(5)])
        guard case .table(_, let rows) = try e.run("SHOW QUERIES") else { return XCTFail() }
        XCTAssertTrue(rows.contains { $0[0] == "alerts" && ($0.last?.description.contains("v > 1") ?? false) })
    }

    func testCreateOrReplaceStreamAndTable() throws {
        let e = Engine()
        try e.run("CREATE STREAM hot AS SELECT v FROM stream WHERE v > 10")
        let reader = try e.execute("SELECT v FROM hot")
        let c = Collected()
        reader.addSink(c.add)
        e.emitSync(["v": 5])
        try e.run("CREATE OR REPLACE STREAM hot AS SELECT v FROM stream WHERE v > 1")
        e.emitSync(["v": 5])
        XCTAssertEqual(c.all.map { $0["v"] }, [.int(5)], "the reader of the replaced stream sees the new definition's rows")
        XCTAssertNotNil(error(e, "CREATE STREAM hot (v int)"))

        try e.run("CREATE STREAM stock_in")
        try e.run("CREATE TABLE stock PRIMARY KEY (sku) AS SELECT sku, qty FROM stock_in")
        e.emitSync(["sku": "a", "qty": 1], to: "stock_in")
        try e.run("CREATE OR REPLACE TABLE stock PRIMARY KEY (sku) AS SELECT sku, qty * 10 AS qty FROM stock_in")
        e.emitSync(["sku": "b", "qty": 2], to: "stock_in")
        XCTAssertEqual(e.table("stock")?.snapshot.rows.map { $0["qty"] }, [.int(20)])
        XCTAssertNotNil(error(e, "CREATE OR REPLACE TABLE stock PRIMARY KEY (qty) AS SELECT sku, qty FROM stock_in"),
                        "the key cannot change while the table exists")
    }
}
