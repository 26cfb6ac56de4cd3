import Foundation
import StreamSQL
import XCTest
@testable import StreamSQLShell

/// Output that fits: numbers right-aligned and never cut, statement tables wrapped to the terminal's
/// width with nothing lost, records when a table cannot fit.
final class OutputFitTests: XCTestCase {
    func testRowPrinterNeverCutsANumber() {
        var lines: [String] = []
        let p = RowPrinter(mode: .table, windowed: false, color: false, screenRows: 40, screenColumns: 30, maxWidth: 5, write: { lines.append($0) })
        let engine = Engine()
        let q = try? engine.execute("SELECT note, big FROM stream")
        q?.addSink { p.print($0) }
        engine.emitSync(["note": .string("a long text value"), "big": .int(12_345_678_901_234)])
        engine.emitSync(["note": "b", "big": .double(-0.000123)])
        engine.emitSync(["note": "c", "big": .int(123_456_789_012_345_678)])   // wider than the first rows: pushes, not cut
        XCTAssertTrue(lines.contains { $0.hasSuffix("12345678901234") && $0.contains("a lo…") }, "\(lines)")
        XCTAssertTrue(lines.contains { $0.hasSuffix("  -0.000123") }, "right-aligned: \(lines)")
        XCTAssertTrue(lines.contains { $0.hasSuffix("123456789012345678") }, "\(lines)")
    }

    func testStatementTablesWrapToTheWidthAndLoseNothing() {
        let long = (0..<30).map { "word\($0)" }.joined(separator: " ")
        let rows: [[Value]] = [[.string("plan"), .string(long), .int(1_234_567)], [.string("x"), .string("short"), .int(5)]]
        let lines = OutputFormat.wrappedTable(columns: ["property", "value", "n"], rows: rows, width: 60)
        XCTAssertTrue(lines.allSatisfy { $0.count <= 60 }, lines.joined(separator: "\n"))
        // The value column's pieces put back together give the whole text.
        let pieces = lines.dropFirst(2).dropLast().map { $0.split(separator: "|", omittingEmptySubsequences: false)[1].trimmingCharacters(in: .whitespaces) }
        XCTAssertEqual(pieces.filter { !$0.isEmpty && $0 != "short" }.joined(separator: " "), long)
        XCTAssertTrue(lines.contains { $0.hasSuffix("| 1234567") && $0.hasPrefix("plan") }, lines.joined(separator: "\n"))
        XCTAssertTrue(lines.contains { $0.hasSuffix("|       5") }, "numbers right-aligned: \(lines.joined(separator: "\n"))")
        // Too many columns for the width: records.
        let wide = OutputFormat.wrappedTable(columns: (0..<12).map { "column\($0)" }, rows: [(0..<12).map { .string("value number \($0)") }], width: 60)
        XCTAssertEqual(wide.first, "-[ row 1 ]------------------------------")
        XCTAssertTrue(wide.contains("column11 | value number 11"), wide.joined(separator: "\n"))
        // Vertical mode shows statements as records too.
        XCTAssertEqual(OutputFormat.statementLines(columns: ["a", "bb"], rows: [[1, "x"]], mode: .vertical, screenColumns: 80),
                       ["-[ row 1 ]------------------------------", "a  | 1", "bb | x"])
    }

    func testWindowBoundsPrintAsTimesExceptInJSONL() throws {
        let engine = Engine()
        let q = try engine.execute("SELECT window_start() AS ws, window_end() AS we, COUNT(*) AS n FROM stream GROUP BY TumblingWindow('1s') WITH (TIMESTAMP='ts', TIMEUNIT='ms')")
        XCTAssertEqual(q.windowBoundColumns, ["ws", "we"])
        let lock = NSLock()
        var out: [OutputMode: [String]] = [:]
        for mode in [OutputMode.table, .csv, .vertical, .jsonl] {
            // One sink thread per query: the printer needs no lock of its own; the lines are gathered under one.
            let p = RowPrinter(mode: mode, windowed: true, color: false, timeColumns: q.windowBoundColumns,
                               write: { line in lock.withLock { out[mode, default: []].append(line) } })
            q.addSink { batch in p.print(batch) }
        }
        engine.emit(["ts": 1_700_000_000_000])
        engine.emit(["ts": 1_700_000_000_500])
        engine.finish()
        let all = lock.withLock { out }
        XCTAssertTrue(all[.table]?.contains { $0.hasPrefix("2023-11-14T22:13:20Z | 2023-11-14T22:13:21Z |") && $0.hasSuffix(" 2") } == true, "\(all)")
        XCTAssertEqual(all[.csv]?.last, "2023-11-14T22:13:20Z,2023-11-14T22:13:21Z,2")
        XCTAssertTrue(all[.vertical]?.contains("ws | 2023-11-14T22:13:20Z") == true, "\(all)")
        XCTAssertEqual(all[.jsonl], [#"{"ws":1700000000000000000,"we":1700000001000000000,"n":2}"#], "jsonl keeps the raw numbers")
    }
}
