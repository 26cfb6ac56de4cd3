import Foundation
import StreamSQL

/// The shell's settings (`.set NAME VALUE`, `.show`), and the engine options `.set` changes for the
/// queries started after it.
public struct ShellSettings: Sendable {
    public enum ColorChoice: String, Sendable, CaseIterable { case auto, on, off }
    public var mode: OutputMode = .table
    public var timer = false
    public var color: ColorChoice = .auto
    /// The dashboard's look (`.set theme contrast` for projectors).
    public var theme = DashboardTheme.default
    /// Widest a table column gets before values are cut with an ellipsis.
    public var width = 30
    /// Where results go (`.output FILE`); nil for the terminal.
    public var output: String?
    /// Statement results longer than the terminal go through `$PAGER` (`.pager on|off`).
    public var pager = true
    /// The line being typed is coloured (`.highlight on|off`; never with NO_COLOR or off a terminal).
    public var highlight = true

    public init() {}

    /// The names `.set` knows, with what each means (shown by `.help set` and `.show`).
    static let help: [(String, String)] = [
        ("mode", "how attached queries print rows: table, changelog, vertical, csv, jsonl, live"),
        ("timer", "on or off: print how long each statement took"),
        ("color", "auto (a terminal without NO_COLOR), on or off"),
        ("theme", "the dashboard's look: default, or contrast for projectors (NO_COLOR still wins)"),
        ("width", "widest table column before values are cut with an ellipsis (3-500)"),
        ("replay_rows", "rows a named query's results keep, shown first by SELECT * FROM that query (0-10000; 0: only new rows)"),
        ("history", "events every input stream keeps for what-if: a number, a duration (30m: what arrived in it), default (100000) or off"),
        ("queue_capacity", "engine: events buffered per query (new queries)"),
        ("back_pressure", "engine: block, drop-oldest or drop-newest when a query's buffer is full (new queries)"),
        ("distinct_capacity", "engine: rows DISTINCT remembers (new queries)"),
        ("max_groups", "engine: groups a window query keeps (new queries)"),
        ("max_partitions", "engine: partitions an analytic function or pattern keeps (new queries)"),
    ]

    /// Applies `.set NAME VALUE`; returns the confirmation, or throws the reason it was refused.
    mutating func set(_ name: String, _ text: String, engine: Engine) throws(ShellError) -> String {
        let value = text
        func int(_ range: ClosedRange<Int>) throws(ShellError) -> Int {
            guard let n = Int(value.replacingOccurrences(of: "_", with: "")), range.contains(n) else {
                throw ShellError("\(name) takes a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            return n
        }
        func bool() throws(ShellError) -> Bool {
            switch value.lowercased() {
            case "on", "true", "1", "yes": return true
            case "off", "false", "0", "no": return false
            default: throw ShellError("\(name) takes on or off")
            }
        }
        switch name.lowercased() {
        case "mode":
            guard let m = OutputMode(name: value) else { throw ShellError("mode takes \(OutputMode.allCases.map(\.rawValue).joined(separator: ", "))") }
            mode = m
        case "timer": timer = try bool()
        case "color", "colour":
            guard let c = ColorChoice(rawValue: value.lowercased()) else { throw ShellError("color takes auto, on or off") }
            color = c
        case "theme":
            guard let t = DashboardTheme(name: value) else { throw ShellError("theme takes \(DashboardTheme.names)") }
            theme = t
        case "width": width = try int(3...500)
        case "replay_rows":
            let n = try int(0...10_000)
            engine.updateOptions { $0.replayRows = n }
        case "history":
            engine.setHistoryLimits(try ShellSettings.historyLimits(value))
        case "queue_capacity":
            let n = try int(1...100_000_000)
            engine.updateOptions { $0.queueCapacity = n }
        case "back_pressure":
            guard let b = BackPressure(rawValue: value.lowercased()) else { throw ShellError("back_pressure takes block, drop-oldest or drop-newest") }
            engine.updateOptions { $0.backPressure = b }
        case "distinct_capacity":
            let n = try int(1...100_000_000)
            engine.updateOptions { $0.distinctCapacity = n }
        case "max_groups":
            let n = try int(1...100_000_000)
            engine.updateOptions { $0.maxGroups = n }
        case "max_partitions":
            let n = try int(1...100_000_000)
            engine.updateOptions { $0.maxPartitions = n }
        default:
            let names = ShellSettings.help.map(\.0)
            let close = names.min { a, b in editDistance(a, name.lowercased()) < editDistance(b, name.lowercased()) }
            throw ShellError("unknown setting '\(name)'" + (close.map { editDistance($0, name.lowercased()) <= 3 ? "; did you mean '\($0)'?" : "" } ?? "")
                             + " (.show lists them)")
        }
        return "\(name.lowercased()) = \(self.value(of: name.lowercased(), engine: engine))"
    }

    func value(of name: String, engine: Engine) -> String {
        let o = engine.options
        switch name {
        case "mode": return mode.rawValue
        case "timer": return timer ? "on" : "off"
        case "color", "colour": return color.rawValue
        case "theme": return theme.rawValue
        case "width": return String(width)
        case "replay_rows": return String(o.replayRows)
        case "history": return ShellSettings.describe(o.history)
        case "queue_capacity": return String(o.queueCapacity)
        case "back_pressure": return o.backPressure.rawValue
        case "distinct_capacity": return String(o.distinctCapacity)
        case "max_groups": return String(o.maxGroups)
        case "max_partitions": return String(o.maxPartitions)
        default: return ""
        }
    }

    /// Rows for `.show`: every setting, its value and what it means; then the output.
    func rows(engine: Engine) -> [[Value]] {
        ShellSettings.help.map { [.string($0.0), .string(value(of: $0.0, engine: engine)), .string($0.1)] }
            + [[.string("output"), .string(output ?? "terminal"), .string("where results go (.output FILE, .output to return)")]]
            + engine.parameters.map { [.string("@" + $0.name), .string($0.value.sqlLiteral), .string("parameter (.set @\($0.name) VALUE; SHOW PARAMETERS)")] }
    }
}

extension ShellSettings {
    /// The values a setting takes, for completion (empty for numbers).
    static func values(of name: String) -> [String] {
        switch name.lowercased() {
        case "mode": return OutputMode.allCases.map(\.rawValue)
        case "timer": return ["on", "off"]
        case "color", "colour": return ColorChoice.allCases.map(\.rawValue)
        case "back_pressure": return ["block", "drop-oldest", "drop-newest"]
        default: return []
        }
    }
}

public struct ShellError: Error, CustomStringConvertible {
    public let description: String
    init(_ d: String) { description = d }
}

/// The terminal's size (rows, columns), or 24×80 when standard output is not one.
func terminalSize() -> (rows: Int, columns: Int) {
    var w = winsize()
    if ioctl(1, UInt(TIOCGWINSZ), &w) == 0, w.ws_row > 0, w.ws_col > 0 { return (Int(w.ws_row), Int(w.ws_col)) }
    return (24, 80)
}

extension ShellSettings {
    /// `.set history VALUE`: a number of events, a duration (events that arrived within it, at most the
    /// default number), `default` or `off`.
    static func historyLimits(_ value: String) throws(ShellError) -> StreamHistory.Limits {
        let v = value.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "' "))
        switch v {
        case "off", "0": return .off
        case "default", "on": return .default
        default:
            if let n = Int(v.replacingOccurrences(of: "_", with: "")), n > 0, n <= 100_000_000 { return StreamHistory.Limits(events: n) }
            if let ns = Durations.parse(v), ns > 0 { return StreamHistory.Limits(age: ns) }
            throw ShellError("history takes a number of events (1-100000000), a duration such as 30m, default or off")
        }
    }

    /// The setting as `.set history` takes it back (`.save` writes it): off, default, a number, or a duration.
    static func describe(_ l: StreamHistory.Limits) -> String {
        guard l.events > 0 else { return "off" }
        if let ns = l.age {
            for (unit, size) in [("h", Int64(3_600_000_000_000)), ("m", 60_000_000_000), ("s", 1_000_000_000)] where ns % size == 0 {
                return "\(ns / size)\(unit)"
            }
            return "\(max(1, ns / 1_000_000))ms"
        }
        return l == .default ? "default" : String(l.events)
    }
}
