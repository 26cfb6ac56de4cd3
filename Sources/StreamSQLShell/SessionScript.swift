import Foundation
import StreamSQL

/// `.save FILE`: the live session written as a script that `-f`, `--init` or `.read` turns back into the
/// same session — the engine's catalog (streams, tables, functions, named queries, in an order that
/// runs), then the shell's settings, panes and layout. Generators and replays are running feeds, not
/// definitions, so they are named in a comment rather than restarted.
enum SessionScript {
    static func text(of host: any CommandHost) -> String {
        var lines = ["-- StreamSQL session saved \(ISO8601DateFormatter().string(from: Date()))", ""]
        lines += host.engine.catalogScript()
        lines.append("")
        lines.append(".mode \(host.settings.mode.rawValue)")
        lines.append(".timer \(host.settings.timer ? "on" : "off")")
        for name in ShellSettings.help.map(\.0) where !["mode", "timer"].contains(name) {
            lines.append(".set \(name) \(host.settings.value(of: name, engine: host.engine))")
        }
        for p in host.panes { lines.append(paneLine(p)) }
        if let n = host.layoutColumns { lines.append(".layout columns \(n)") }
        if let repl = host as? Repl, !repl.generators.isEmpty {
            lines.append("-- running generators (not restarted by this script): " + repl.generators.map(\.0).joined(separator: ", "))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `.pane add …` as `PaneSpec.parse` reads it back (values with spaces or quotes in single quotes).
    static func paneLine(_ p: PaneSpec) -> String {
        let options = p.options.sorted { $0.key < $1.key }.map { k, v -> String in
            let plain = !v.isEmpty && v.allSatisfy { !$0.isWhitespace && $0 != "'" && $0 != "\"" }
            return "\(k)=" + (plain ? v : "'" + v.replacingOccurrences(of: "'", with: "''") + "'")
        }
        return ([".pane add", p.name, p.widget.rawValue, p.query] + options).joined(separator: " ")
    }

    /// Writes the session to `path` and says what was saved.
    static func save(_ host: any CommandHost, to path: String) throws(ShellError) -> String {
        let text = text(of: host)
        do {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw ShellError("cannot write \(path): \(error.localizedDescription)")
        }
        let statements = host.engine.catalogScript().filter { !$0.hasPrefix("--") }.count
        return "session saved to \(path): \(statements) statement\(statements == 1 ? "" : "s"), \(host.panes.count) pane\(host.panes.count == 1 ? "" : "s"); .read \(path) or --init \(path) restores it"
    }
}
