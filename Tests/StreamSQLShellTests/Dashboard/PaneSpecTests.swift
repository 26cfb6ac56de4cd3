import Foundation
import StreamSQL
import XCTest
@testable import StreamSQLShell

/// `.pane add`: the options each widget declares are the ones accepted, described by `.help pane` and
/// completed by Tab; options that name columns must name columns the query outputs.
final class PaneSpecTests: XCTestCase {
    func testPaneDeclarationErrors() {
        for (line, message) in [
            (".pane add x dial q", "unknown widget 'dial'"),
            (".pane add x sparklin q", "unknown widget 'sparklin' (did you mean 'sparkline'?)"),
            (".pane add x bars q colour=red", "the bars widget has no option 'colour'"),
            (".pane add x bars q vaule=n", "the bars widget has no option 'vaule' (did you mean 'value'?)"),
            (".pane add x gauge q max=lots", "pane option max must be a number"),
            (".pane add x bars q key=k value=n sort=up", "pane option sort must be desc or asc or key, got 'up'"),
            (".pane add x gauge q label=k", "the gauge widget needs value=COLUMN"),
            (".pane add x timeline q key=k", "the timeline widget needs segments=COLUMN,…"),
            (".pane add x table nosuch", "no query named 'nosuch'"),
            (".pane add x", "usage: .pane add"),
            (".gen fraud", ".gen cannot run in a script: a generator runs until stopped"),
            (".dashboard", ".dashboard cannot run in a script: the dashboard needs a terminal"),
            (".frobnicate", "unknown command .frobnicate"),
            (".mode fancy", "usage: .mode jsonl|csv|table"),
        ] {
            let out = Lines(), err = Lines()
            let runner = ScriptRunner(write: out.add, writeError: err.add)
            runner.showMessages = false
            XCTAssertFalse(runner.runScript("CREATE STREAM s;\nCREATE QUERY q AS SELECT * FROM s;\n\(line)\n"), line)
            XCTAssertTrue(err.all.contains { $0.contains(message) }, "\(line): \(err.all)")
        }
    }

    /// Every option a widget declares is accepted, and `.help pane` lists each with its meaning.
    func testTheWidgetsDeclarationsDriveParsingHelpAndCompletion() throws {
        let help = PaneSpec.help
        XCTAssertEqual(help.split(separator: "\n").first, "Declare a dashboard pane on a running query.")
        for kind in WidgetKind.allCases {
            XCTAssertTrue(help.contains("\(kind.rawValue): \(kind.summary)"), kind.rawValue)
            XCTAssertEqual(kind.options.last?.name, "title", kind.rawValue)
            var words = ["p", kind.rawValue, "q"]
            for o in kind.options {
                XCTAssertTrue(help.contains("  \(o.name)=\(o.placeholder)"), "\(kind.rawValue) \(o.name)")
                XCTAssertTrue(help.contains(o.meaning), "\(kind.rawValue) \(o.name)")
                let value: String = switch o.value {
                case .number: "1"
                case .choice(let c): c[0]
                case .column, .columns, .text: "x"
                }
                words.append("\(o.name)=\(value)")
            }
            let spec = try PaneSpec.parse(words.joined(separator: " "))
            XCTAssertEqual(spec.options.count, kind.options.count, kind.rawValue)
        }
        XCTAssertTrue(help.contains("  value=COLUMN") && help.contains("(required)") && help.contains("(default: "), help)
        // The gauge takes what the old table said it took, and the columns options name columns.
        XCTAssertEqual(WidgetKind.gauge.options.map(\.name), ["value", "label", "min", "max", "warn", "alert", "title"])
        XCTAssertEqual(WidgetKind.table.options.filter(\.namesColumns).map(\.name), ["columns", "key", "sort"])
        XCTAssertEqual(WidgetKind.bars.options.filter(\.namesColumns).map(\.name), ["key", "value"])

        let engine = Engine()
        engine.createStream("s")
        _ = try engine.run("CREATE QUERY scores AS SELECT id, score FROM s")
        let words = PaneSpec.completionWords(queries: engine.queries)
        for w in ["gauge", "timeline", "segments=", "severity=", "score", "id"] { XCTAssertTrue(words.contains(w), w) }
    }

    func testOptionsNamingColumnsMustNameTheQuerysColumns() {
        let script = """
            CREATE STREAM s;
            CREATE QUERY scores AS SELECT transaction_id, score, json_object('agent_id', 'a1', 'name', 'Ann') AS assigned FROM s;
            CREATE QUERY everything AS SELECT * FROM s;
            """
        for (line, message) in [
            (".pane add risk gauge scores value=scroe",
             "pane risk: query scores has no column 'scroe' (did you mean 'score'?); its columns: transaction_id, score, assigned"),
            (".pane add risk gauge scores value=score label=asigned.agent_id",
             "pane risk: query scores has no column 'asigned' (in label=asigned.agent_id; did you mean 'assigned'?); its columns: transaction_id, score, assigned"),
            (".pane add t table scores columns=transaction_id,scores", "query scores has no column 'scores' (did you mean 'score'?)"),
            (".pane add t table scores sort=Score", "query scores has no column 'Score' (did you mean 'score'?)"),
            (".pane add t log scores severity=level", "query scores has no column 'level'; its columns"),
            (".pane add t timeline scores key=transaction_id segments=score,wait", "query scores has no column 'wait'"),
        ] {
            let err = Lines()
            let runner = ScriptRunner(write: { _ in }, writeError: err.add)
            runner.showMessages = false
            runner.attachQueries = false
            XCTAssertFalse(runner.runScript(script + "\n" + line + "\n"), line)
            XCTAssertEqual(err.all.count, 1, "\(line): \(err.all)")
            XCTAssertTrue(err.all.first?.contains(message) == true, "\(line): \(err.all)")
            XCTAssertTrue(runner.panes.isEmpty, line)
        }
        // Columns it outputs, fields inside them, and any name on a query whose fields are known per row.
        let runner = ScriptRunner(write: { _ in }, writeError: { XCTFail($0) })
        runner.showMessages = false
        runner.attachQueries = false
        XCTAssertTrue(runner.runScript(script + """

            .pane add risk gauge scores value=score label=assigned.agent_id
            .pane add t table scores columns=transaction_id,assigned.name key=transaction_id sort=score
            .pane add all log everything columns=whatever,comes severity=level
            """))
        XCTAssertEqual(runner.panes.map(\.name), ["risk", "t", "all"])
    }

    /// The shell's `.pane add` checks the columns the same way: a misspelt column adds no pane.
    func testTheShellRefusesAPaneOnAColumnTheQueryDoesNotOutput() {
        let repl = Repl(engine: Engine())
        repl.execute("CREATE STREAM s;")
        repl.execute("CREATE QUERY scores AS SELECT transaction_id, score FROM s;")
        XCTAssertTrue(repl.command(".pane add risk gauge scores value=scroe"))
        XCTAssertTrue(repl.panes.isEmpty)
        XCTAssertTrue(repl.command(".pane add risk gauge scores value=score label=transaction_id"))
        XCTAssertEqual(repl.panes.map(\.name), ["risk"])
    }
}
