import Foundation
import XCTest

/// `.tables` and `.schema [NAME]` in a script, as the DuckDB CLI has them.
final class CatalogCommandsTests: ScratchFolderTestCase {
    func testTablesAndSchema() throws {
        let script = try file("cat.sql", """
            CREATE STREAM s;
            CREATE STREAM t (a int);
            INSERT INTO s JSON '{"x": 1, "y": "a"}';
            CREATE QUERY big AS SELECT x FROM s;
            .tables
            .schema s
            .schema
            .schema bg

            """)
        let r = try StreamsqlBinary.run(["-f", script])
        XCTAssertTrue(r.out.contains("streams  big  s  stream  t\nqueries  big\n"), r.out)
        // .schema s: its statement, and the fields its events held (it declares none).
        XCTAssertTrue(r.out.contains("CREATE STREAM s;\n-- fields seen: x int, y string\nCREATE STREAM s;"), r.out)
        XCTAssertTrue(r.out.contains("CREATE STREAM t (a int);\nCREATE QUERY big AS SELECT x FROM s;"), r.out)
        XCTAssertTrue(r.err.contains("cat.sql:8: nothing named bg in the catalog (did you mean big?)"), r.err)
    }
}
