import Foundation
import StreamSQL

/// What a dot-command acts on: the interactive shell (`Repl`) or a script run without a terminal
/// (`ScriptRunner`).
protocol CommandHost: AnyObject {
    var engine: Engine { get }
    var settings: ShellSettings { get set }
    /// Panes declared with `.pane add`, and panes per row from `.layout`.
    var panes: [PaneSpec] { get set }
    var layoutColumns: Int? { get set }
    /// The dashboard group the panes declared here belong to.
    var paneGroup: String { get }
    /// The queries a pane may show.
    var paneQueries: [Query] { get }
    /// A confirmation or notice.
    func say(_ s: String)
    /// Result text the user asked for (`.show`, `.help`): where results go.
    func emit(_ s: String)
    /// `.output FILE` (nil: back to standard output); returns the confirmation.
    func setOutput(_ path: String?) throws(ShellError) -> String
    /// `.read FILE`: the file's statements and commands, errors pointing into the file.
    func readFile(_ path: String) throws(ShellError) -> DotCommand.Outcome
    /// Asks a yes/no question; false unless the user says yes. Hosts without a user answer yes.
    func confirm(_ question: String) -> Bool
    /// Whether `confirm` asks someone (the interactive shell at its prompt).
    var asksUser: Bool { get }
}

/// One dot-command: its name, usage and help (whence `.help` and completion), whether a script may hold it,
/// and what it does.
struct DotCommand: Sendable {
    enum Outcome: Sendable { case proceed, quit }
    typealias Handler = @Sendable (_ host: any CommandHost, _ args: [String], _ line: String) throws(ShellError) -> Outcome

    let name: String
    var aliases: [String] = []
    let usage: String
    /// The first line is the summary `.help` lists; `.help NAME` shows all of it.
    let help: String
    /// Nil when scripts may hold the command; otherwise why they may not.
    var notInScripts: String? = nil
    let run: Handler

    var summary: String { help.split(separator: "\n").first.map(String.init) ?? "" }
}

/// The one table of dot-commands, for the shell and for scripts.
enum DotCommands {
    static let all: [DotCommand] = [
        DotCommand(name: ".mode", usage: ".mode table|changelog|vertical|csv|jsonl|live",
                   help: "How attached queries print rows.\ntable: aligned columns sized from the first rows, long values cut with …, the header repeated every screenful.\nchangelog: table lines marked + (new) and - (a window's earlier result that the next firing replaces).\nvertical: one 'column | value' line per field. csv: a header, then rows. jsonl (or json): one JSON object per row.\nlive: a full-screen table updated in place, one row per key (window and group keys), changed cells highlighted; 1-9 sort by a column (again: reverse), PgUp/PgDn page, q or Ctrl-C returns.") { host, args, _ throws(ShellError) in
            guard args.count == 1, let m = OutputMode(name: args[0]) else {
                throw ShellError("usage: .mode \(OutputMode.allCases.map(\.rawValue).joined(separator: "|"))   (now \(host.settings.mode.rawValue))")
            }
            host.settings.mode = m
            host.say("mode \(m.rawValue)")
            return .proceed
        },
        onOff("timer", help: "Print how long each statement took.", \.timer),
        onOff("pager", help: "Statement results longer than the terminal (SHOW, DESCRIBE, EXPLAIN …) go through $PAGER, else less -SRFX; off prints them as they are.", \.pager),
        onOff("highlight", help: "Colour the line being typed: keywords, strings, numbers, comments, and names the catalog does not know in red. Never with NO_COLOR.", \.highlight),
        DotCommand(name: ".tables", usage: ".tables", help: "List the streams, tables and running queries by name.") { host, _, _ throws(ShellError) in
            let lines = CatalogCommands.tables(host.engine)
            host.emit(lines.isEmpty ? "(no streams, tables or queries)" : lines.joined(separator: "\n"))
            return .proceed
        },
        DotCommand(name: ".schema", usage: ".schema [NAME]",
                   help: "The statements that make the catalog (or NAME): streams, tables, functions and named queries; an untyped stream with the fields its events held.") { host, args, _ throws(ShellError) in
            let lines = try CatalogCommands.schema(host.engine, name: args.first)
            host.emit(lines.isEmpty ? "(nothing declared yet)" : lines.joined(separator: "\n"))
            return .proceed
        },
        DotCommand(name: ".read", usage: ".read FILE", help: "Run the statements (and shell commands) in FILE.") { host, args, _ throws(ShellError) in
            guard !args.isEmpty else { throw ShellError("usage: .read FILE") }
            return try host.readFile(args.joined(separator: " "))
        },
        DotCommand(name: ".output", usage: ".output [FILE]",
                   help: "Send results to FILE; .output alone sends them to standard output again. Messages stay where they were.") { host, args, _ throws(ShellError) in
            host.say(try host.setOutput(args.isEmpty ? nil : args.joined(separator: " ")))
            return .proceed
        },
        DotCommand(name: ".replay", usage: ".replay FILE [INTO STREAM] [max|N/s|xN] [BY FIELD]",
                   help: "Feed a JSON Lines or CSV file into a stream in the background.\nmax (the default) is as fast as possible, N/s paces N events a second, xN runs N times faster than the events' own timestamps (the FIELD column, default timestamp).\nMalformed lines are reported with their line numbers and counted; .replay status shows progress, .replay stop ends it.",
                   notInScripts: "a script replays its input with --input STREAM=FILE") { host, args, _ throws(ShellError) in
            try shell(host).replayCommand(args)
            return .proceed
        },
        DotCommand(name: ".gen", usage: ".gen SCENARIO [RATE] [SEED] | .gen stop",
                   help: "Start a built-in generator into its streams (created if needed): recommend, routing, supply, fraud, traffic, moderation, energy, sensors. .gen alone lists the running ones.",
                   notInScripts: "a generator runs until stopped; use the interactive shell or streamsql gen") { host, args, _ throws(ShellError) in
            try shell(host).genCommand(args)
            return .proceed
        },
        DotCommand(name: ".incident", usage: ".incident [NAME [key=value …]]",
                   help: "Cause one of the running scenarios' incidents now (a fraud burst, a spam wave, a stock-out…); .incident alone lists them with their settings.\nThe generators stay deterministic: the same seed and the same incidents at the same events give the same events. On the dashboard, ! opens the menu.") { host, args, _ throws(ShellError) in
            guard let h = host as? IncidentHost else {
                throw ShellError("no generator runs here: .incident works in the shell after .gen, on the dashboard (!) and in stories (streamsql present)")
            }
            try h.incidentCommand(args)
            return .proceed
        },
        DotCommand(name: ".pane", usage: ".pane add NAME WIDGET QUERY [option=value …] | .pane drop NAME | .pane",
                   help: PaneSpec.help) { host, _, line throws(ShellError) in
            try paneCommand(host, line)
            return .proceed
        },
        DotCommand(name: ".layout", usage: ".layout columns N", help: "Panes per row on the dashboard (1-6).") { host, args, _ throws(ShellError) in
            do throws(PaneError) { host.layoutColumns = try PaneSpec.parseLayout(args.joined(separator: " ")) } catch { throw ShellError(error.description) }
            host.say("\(host.layoutColumns ?? 0) pane\(host.layoutColumns == 1 ? "" : "s") per row")
            return .proceed
        },
        DotCommand(name: ".dashboard", usage: ".dashboard",
                   help: "The panes live, full screen (a widget per running query when none are declared). q returns to the shell with every query still running.",
                   notInScripts: "the dashboard needs a terminal; streamsql dashboard SCRIPT shows a script's panes") { host, _, _ throws(ShellError) in
            try shell(host).dashboardCommand()
            return .proceed
        },
        DotCommand(name: ".whatif", usage: ".whatif QUERY AS SELECT …",
                   help: "Run an edited SELECT in place of running query QUERY over the events its sources kept, next to the running version, and show the difference.\nThe summary comes first (old N rows · new N · N gone · N new · N changed), then the differing rows marked gone, new, or was/now, in the output mode. Rows are matched by group key and window bounds for windowed queries, whole otherwise. Nothing running changes.") { host, _, line throws(ShellError) in
            let rest = line.drop { $0 != " " && $0 != "\t" }
            let (name, select) = try WhatIf.split(String(rest))
            let diff = try WhatIf.diff(host.engine, query: name, select: select)
            for l in WhatIf.lines(diff, mode: host.settings.mode) { host.emit(l) }
            return .proceed
        },
        DotCommand(name: ".why", usage: ".why QUERY [N]",
                   help: "Why did this row come out: the inputs of query QUERY's N-th latest result (1, the default, is the latest), as EXPLAIN ROW QUERY N prints them.\nThe rows of its window for its group, the rows a MATCH_RECOGNIZE matched with their pattern variable, the event and the table row of a join; an input of a derived stream is followed back to its own inputs (2.1, 2.2, …), file rows show file:line. 'decided' marks the values the plan knows decided the result (the DEFINE that matched, the MIN/MAX row, the join key).\nOnly queries started after SET lineage = on (or in the dashboard) keep this: their latest 200 results, at most 1,000 inputs each.") { host, args, _ throws(ShellError) in
            guard (1...2).contains(args.count), args.count == 1 || Int(args[1]).map({ $0 >= 1 }) == true else {
                throw ShellError("usage: .why QUERY [N]   (N counts from 1, the latest result)")
            }
            let result: StatementResult
            do throws(StreamSQLError) { result = try host.engine.run("EXPLAIN ROW \(args[0]) \(args.count == 2 ? args[1] : "1")") } catch { throw ShellError(error.message) }
            switch result {
            case .table(let columns, let rows):
                for l in OutputFormat.statementLines(columns: columns, rows: rows, mode: host.settings.mode, maxWidth: max(host.settings.width, 40)) { host.emit(l) }
            case .message(let m): host.say(m)
            case .query, .started: break
            }
            return .proceed
        },
        DotCommand(name: ".set", usage: ".set NAME VALUE | .set @PARAMETER VALUE",
                   help: "Change a setting: " + ShellSettings.help.map(\.0).joined(separator: ", ") + ". Engine options apply to queries started afterwards.\n.set @name VALUE changes a parameter (SET @name = VALUE): the running queries that use it are run with the new value over their sources' history first, and the difference shown; the shell asks before adopting it (scripts adopt it and print the summary).") { host, args, _ throws(ShellError) in
            guard args.count >= 2 else { throw ShellError("usage: .set NAME VALUE   (.show lists the settings)") }
            if args[0].hasPrefix("@") {
                try ParameterCommand.set(host, args[0], args.dropFirst().joined(separator: " "))
                return .proceed
            }
            host.say(try host.settings.set(args[0], args.dropFirst().joined(separator: " "), engine: host.engine))
            return .proceed
        },
        DotCommand(name: ".show", usage: ".show", help: "List the settings and their values.") { host, _, _ throws(ShellError) in
            host.emit(OutputFormat.table(columns: ["setting", "value", "meaning"], rows: host.settings.rows(engine: host.engine), maxWidth: 90))
            return .proceed
        },
        DotCommand(name: ".save", usage: ".save FILE",
                   help: "Write the session as a script: streams, tables, functions and named queries, then the settings, panes and layout. .read FILE or --init FILE brings it back.") { host, args, _ throws(ShellError) in
            guard !args.isEmpty else { throw ShellError("usage: .save FILE") }
            host.say(try SessionScript.save(host, to: args.joined(separator: " ")))
            return .proceed
        },
        DotCommand(name: ".help", usage: ".help [NAME]", help: "List the commands, or explain one.") { host, args, _ throws(ShellError) in
            host.emit(try helpText(args.first))
            return .proceed
        },
        DotCommand(name: ".quit", aliases: [".exit"], usage: ".quit",
                   help: "Leave the shell (also Ctrl-D, or Ctrl-C twice within a second at the prompt); in a script, stop running it.") { _, _, _ throws(ShellError) in
            .quit
        },
    ]

    /// Command names for Tab completion.
    /// `.NAME on|off` for a shell switch, saying what it is now when used wrongly.
    static func onOff(_ name: String, help: String, _ setting: any WritableKeyPath<ShellSettings, Bool> & Sendable) -> DotCommand {
        DotCommand(name: "." + name, usage: ".\(name) on|off", help: help) { host, args, _ throws(ShellError) in
            guard args.count == 1, ["on", "off"].contains(args[0].lowercased()) else {
                throw ShellError("usage: .\(name) on|off   (now \(host.settings[keyPath: setting] ? "on" : "off"))")
            }
            host.settings[keyPath: setting] = args[0].lowercased() == "on"
            host.say("\(name) \(args[0].lowercased())")
            return .proceed
        }
    }

    static var names: [String] { all.flatMap { [$0.name] + $0.aliases } }

    static func named(_ name: String) -> DotCommand? {
        let n = name.lowercased()
        return all.first { $0.name == n || $0.aliases.contains(n) }
    }

    /// Runs one command line. In a script (`inScript`), commands that need a terminal are refused.
    static func run(_ line: String, on host: any CommandHost, inScript: Bool) throws(ShellError) -> DotCommand.Outcome {
        let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard let first = parts.first else { return .proceed }
        guard let command = named(first) else {
            let close = closestNames(to: first, in: names, max: 1)
            throw ShellError("unknown command \(first)" + (close.isEmpty ? "" : " (did you mean \(close[0])?)") + "; .help lists the commands")
        }
        if inScript, let why = command.notInScripts {
            throw ShellError("\(command.name) cannot run in a script: \(why)")
        }
        return try command.run(host, Array(parts.dropFirst()), line)
    }

    /// `.help` (every command's usage and summary) or `.help NAME` (one command in full).
    static func helpText(_ name: String?) throws(ShellError) -> String {
        if let name {
            let n = name.hasPrefix(".") ? name : "." + name
            guard let c = named(n) else { throw ShellError("no command \(n); .help lists them") }
            return "\(c.usage)\n\(c.help)" + (c.notInScripts.map { "\n(Not in scripts: \($0).)" } ?? "")
        }
        var text = "SQL statements end with ';' and may span lines. Commands (.help NAME explains one):\n"
        for c in all {
            text += "  " + c.usage.padding(toLength: max(c.usage.count, 44), withPad: " ", startingAt: 0) + "  " + c.summary + "\n"
        }
        return String(text.dropLast())
    }

    private static func shell(_ host: any CommandHost) throws(ShellError) -> Repl {
        guard let repl = host as? Repl else { throw ShellError("this command needs the interactive shell") }
        return repl
    }

    /// `.pane add NAME WIDGET QUERY [option=value …]`, `.pane drop NAME`, `.pane` (list).
    static func paneCommand(_ host: any CommandHost, _ line: String) throws(ShellError) {
        let words = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true).map(String.init)
        guard words.count >= 2 else {
            if host.panes.isEmpty { host.say("no panes; .pane add NAME WIDGET QUERY [option=value …] (widgets: \(WidgetKind.allCases.map(\.rawValue).joined(separator: ", ")))") }
            for p in host.panes {
                let opts = p.options.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
                host.say("\(p.name): \(p.widget.rawValue) on \(p.query) \(opts)")
            }
            return
        }
        switch words[1].lowercased() {
        case "add":
            guard words.count == 3 else { throw ShellError("usage: .pane add NAME WIDGET QUERY [option=value …]") }
            let spec: PaneSpec
            do throws(PaneError) { spec = try PaneSpec.parse(words[2], group: host.paneGroup) } catch { throw ShellError(error.description) }
            let queries = host.paneQueries
            guard let query = queries.last(where: { $0.name.lowercased() == spec.query.lowercased() }) else {
                let names = queries.map(\.name)
                throw ShellError(".pane \(spec.name): no query named '\(spec.query)'"
                                 + (names.isEmpty ? "; start one with CREATE QUERY name AS SELECT …" : " (queries: \(names.joined(separator: ", ")))"))
            }
            do throws(PaneError) { try spec.validate(against: query) } catch { throw ShellError(error.description) }
            host.panes.removeAll { $0.name.lowercased() == spec.name.lowercased() }
            host.panes.append(spec)
            host.say("pane \(spec.name): \(spec.widget.rawValue) on \(spec.query); .dashboard shows it")
        case "drop":
            guard words.count == 3 else { throw ShellError("usage: .pane drop NAME") }
            let before = host.panes.count
            host.panes.removeAll { $0.name.lowercased() == words[2].lowercased() }
            guard host.panes.count < before else { throw ShellError("no pane named \(words[2])") }
            host.say("pane \(words[2]) dropped")
        default:
            throw ShellError("usage: .pane add NAME WIDGET QUERY [option=value …] | .pane drop NAME | .pane")
        }
    }
}
