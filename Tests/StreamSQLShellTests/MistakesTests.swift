import Foundation
import XCTest

/// The mistakes a newcomer makes, in a script file: each is an error naming the file, line and column,
/// with a suggestion where one exists, and the batch mode exits non-zero.
final class MistakesTests: ScratchFolderTestCase {
    func testAMisspeltStreamIsAnErrorNotAQueryThatWaitsForever() throws {
        let script = try file("misspelt.sql", "-- readings from the sensors\nCREATE STREAM readings;\n\nSELECT * FROM readngs;\n")
        let r = try StreamsqlBinary.run(["-f", script])
        XCTAssertEqual(r.status, 1, r.err)
        XCTAssertTrue(r.err.contains("misspelt.sql:4:15: catalog error: unknown stream 'readngs'"), r.err)
        XCTAssertTrue(r.err.contains("did you mean 'readings'"), r.err)
    }

    func testATypedStreamsMissingColumnPointsIntoTheFile() throws {
        let script = try file("typed.sql", "CREATE STREAM readings (device string, temperature float);\nSELECT device,\n       temprature\nFROM readings;\n")
        let r = try StreamsqlBinary.run(["run", script])
        XCTAssertEqual(r.status, 1, r.err)
        XCTAssertTrue(r.err.contains("typed.sql:3:8: plan error: stream readings has no column 'temprature'"), r.err)
        XCTAssertTrue(r.err.contains("did you mean 'temperature'"), r.err)
    }

    func testAnInputNoQueryReadsIsAnError() throws {
        let events = try file("ev.jsonl", #"{"t": 1}"# + "\n")
        let r = try StreamsqlBinary.run(["-e", "CREATE STREAM readings; SELECT t FROM readings;", "--input", "readngs=\(events)"])
        XCTAssertEqual(r.status, 1, r.err)
        XCTAssertTrue(r.err.contains("--input readngs=\(events): no query reads stream 'readngs' (did you mean 'readings'?)"), r.err)
    }

    func testAValidLineThatDoesNotFitATypedStreamSaysWhyInTermsOfTheRow() throws {
        let events = try file("ev.jsonl", #"{"device": "d1", "temperature": "warm"}"# + "\n" + #"{"device": "d2", "temperature": 21.5, "extra": true}"# + "\n")
        let r = try StreamsqlBinary.run(["-e", "CREATE STREAM readings (device string, temperature float); SELECT device FROM readings;",
                                         "--input", "readings=\(events)"])
        XCTAssertTrue(r.err.contains(#"line 1: field temperature: "warm" is not a float"#), r.err)
        XCTAssertFalse(r.err.contains("invalid JSON"), r.err)
        XCTAssertEqual(r.out, #"{"device":"d2"}"# + "\n", "an undeclared field is ignored")
    }
}
