import Foundation
import StreamSQL

/// A pane as declared: `.pane add NAME WIDGET QUERY [option=value …]`. The options each widget takes are
/// its `Widget`'s declarations: parsing refuses others, checks numbers and choices, and asks for the
/// required ones; `validate(against:)` checks the options that name columns against the query.
public struct PaneSpec: Sendable, Equatable {
    public var name: String
    public var widget: WidgetKind
    public var query: String
    public var options: [String: String]
    /// The pane group (scenario) it belongs to.
    public var group: String

    public init(name: String, widget: WidgetKind, query: String, options: [String: String] = [:], group: String = "") {
        self.name = name
        self.widget = widget
        self.query = query
        self.options = options
        self.group = group
    }

    static var widgetNames: String { WidgetKind.allCases.map(\.rawValue).joined(separator: ", ") }

    /// Parses the words after `.pane add`. Values may be quoted with single quotes.
    public static func parse(_ text: String, group: String = "") throws(PaneError) -> PaneSpec {
        let words = try splitWords(text)
        guard words.count >= 3 else {
            throw PaneError("usage: .pane add NAME WIDGET QUERY [option=value …]; widgets: \(widgetNames)")
        }
        guard let kind = WidgetKind(rawValue: words[1].lowercased()) else {
            let hint = suggestion(words[1], in: WidgetKind.allCases.map(\.rawValue)).map { " (did you mean '\($0)'?)" } ?? ""
            throw PaneError("unknown widget '\(words[1])'\(hint); widgets: \(widgetNames)")
        }
        var opts: [String: String] = [:]
        for w in words.dropFirst(3) {
            guard let eq = w.firstIndex(of: "="), eq != w.startIndex else { throw PaneError("pane option '\(w)' must be name=value") }
            let k = w[..<eq].lowercased()
            let names = kind.options.map(\.name)
            guard let option = kind.options.first(where: { $0.name == k }) else {
                let hint = PaneSpec.suggestion(k, in: names).map { " (did you mean '\($0)'?)" } ?? ""
                throw PaneError("the \(kind.rawValue) widget has no option '\(k)'\(hint); it takes: \(names.joined(separator: ", "))")
            }
            let value = String(w[w.index(after: eq)...])
            switch option.value {
            case .number:
                if Double(value) == nil { throw PaneError("pane option \(k) must be a number, got '\(value)'") }
            case .choice(let allowed):
                if !allowed.contains(value) { throw PaneError("pane option \(k) must be \(allowed.joined(separator: " or ")), got '\(value)'") }
            case .column, .columns, .text:
                break
            }
            opts[k] = value
        }
        for option in kind.options where option.isRequired && opts[option.name] == nil {
            throw PaneError("the \(kind.rawValue) widget needs \(option.name)=\(option.placeholder): \(option.meaning)")
        }
        return PaneSpec(name: words[0], widget: kind, query: words[2], options: opts, group: group)
    }

    /// Checks that every option naming a column names one of the query's output columns, or a field inside
    /// one (`assigned_agent.agent_id`); the error suggests the closest column and lists them all. A query
    /// whose fields are only known per row (`SELECT *`, spread objects) is not checked.
    public func validate(against query: Query) throws(PaneError) {
        let columns = query.schema.columns
        guard !columns.contains(where: { $0.spread || $0.spreadsObjects }) else { return }
        let names = columns.map(\.name)
        for option in widget.options where option.namesColumns {
            guard let value = options[option.name] else { continue }
            let refs = option.value == .columns ? value.split(separator: ",").map(String.init) : [value]
            for ref in refs where !names.contains(ref) {
                let head = String(ref.prefix { $0 != "." })
                if head != ref && names.contains(head) { continue }
                let hint = PaneSpec.suggestion(head, in: names).map { "did you mean '\($0)'?" }
                let notes = [head != ref ? "in \(option.name)=\(value)" : nil, hint].compactMap { $0 }
                throw PaneError("pane \(name): query \(query.name) has no column '\(head)'"
                                + (notes.isEmpty ? "" : " (\(notes.joined(separator: "; ")))")
                                + "; its columns: \(names.joined(separator: ", "))")
            }
        }
    }

    /// "Did you mean": the engine's closest name, or one that differs by two swapped neighbours
    /// (`scroe` → `score`), the commonest slip, which edit distance counts as two.
    static func suggestion(_ name: String, in candidates: [String]) -> String? {
        if let c = closestNames(to: name, in: candidates).first { return c }
        let n = Array(name.lowercased())
        return candidates.first { c in
            let m = Array(c.lowercased())
            guard m.count == n.count else { return false }
            let diff = n.indices.filter { n[$0] != m[$0] }
            return diff.count == 2 && diff[1] == diff[0] + 1 && n[diff[0]] == m[diff[1]] && n[diff[1]] == m[diff[0]]
        }
    }

    /// `.help pane`: the forms of the command, then every widget with its options.
    public static var help: String {
        var lines = [
            "Declare a dashboard pane on a running query.",
            "COLUMN is a column of the query's output (a.b a field inside one), checked when the pane is added.",
            "DROP QUERY removes the query's panes; CREATE OR REPLACE QUERY keeps them on the new query. Widgets and their options:",
        ]
        for kind in WidgetKind.allCases {
            lines.append("\(kind.rawValue): \(kind.summary)")
            for o in kind.options {
                let form = "  \(o.name)=\(o.placeholder)"
                lines.append(form.padding(toLength: max(form.count + 1, 22), withPad: " ", startingAt: 0) + o.meaning
                             + (o.defaultValue.map { " (default: \($0))" } ?? " (required)"))
            }
        }
        return lines.joined(separator: "\n")
    }

    /// What Tab completes on a `.pane add` line: the widgets, their options as `name=`, and the output
    /// columns of `queries`.
    public static func completionWords(queries: [Query]) -> [String] {
        let kinds = WidgetKind.allCases
        return kinds.map(\.rawValue) + kinds.flatMap { $0.options.map { $0.name + "=" } } + queries.flatMap(\.schema.names).filter { $0 != "*" }
    }

    /// `columns N` (1…6): panes per row.
    public static func parseLayout(_ text: String) throws(PaneError) -> Int {
        let w = text.split(separator: " ").map(String.init)
        guard w.count == 2, w[0].lowercased() == "columns", let n = Int(w[1]), (1...6).contains(n) else {
            throw PaneError("usage: .layout columns N (N from 1 to 6 panes per row)")
        }
        return n
    }

    /// The widget for a query with no declared pane, from the result's shape: a windowed query with one
    /// column is a counter, with a key and a value bars; anything else a table.
    public static func automatic(for q: Query, group: String) -> PaneSpec {
        let cols = q.schema.columns.filter { !$0.spread && !$0.spreadsObjects }.map(\.name)
        if q.windowed && cols.count == 1 && q.schema.columns.count == 1 {
            return PaneSpec(name: q.name, widget: .counter, query: q.name, options: ["value": cols[0]], group: group)
        }
        if q.windowed && cols.count == 2 && q.schema.columns.count == 2 {
            return PaneSpec(name: q.name, widget: .bars, query: q.name, options: ["key": cols[0], "value": cols[1]], group: group)
        }
        return PaneSpec(name: q.name, widget: .table, query: q.name, group: group)
    }

    static func splitWords(_ text: String) throws(PaneError) -> [String] {
        var out: [String] = []
        var cur = ""
        var quoted = false
        var has = false
        for c in text {
            if quoted {
                if c == "'" { quoted = false } else { cur.append(c) }
            } else if c == "'" {
                quoted = true
                has = true
            } else if c == " " || c == "\t" {
                if has || !cur.isEmpty { out.append(cur); cur = ""; has = false }
            } else {
                cur.append(c)
            }
        }
        if quoted { throw PaneError("unterminated quote in pane options") }
        if has || !cur.isEmpty { out.append(cur) }
        return out
    }
}

public struct PaneError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ d: String) { description = d }
}
