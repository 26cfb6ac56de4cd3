import Foundation
import StreamSQL
import StreamSQLScenarios

/// A story: a scenario, a title, and steps, each a caption and what happens during it. Written as a script:
///
///     .story fraud 'Catching an account takeover'
///     .step 'Normal traffic: nearly every payment is approved'
///     .speed x600
///     .wait 60m
///     .step 'An account takeover: eight large purchases from new cities and devices'
///     .incident burst user=U0042 count=8
///     .wait 1m
///
/// `.wait` is event time (the generator's simulated clock), so a story gives the same screens on every run.
public struct Story: Sendable {
    public var scenario: Scenario
    public var title: String
    public var steps: [Step] = []

    public struct Step: Sendable {
        public var caption: String
        public var actions: [Action] = []
        /// The line of its `.step` in the file.
        public var line: Int
    }

    public enum Action: Sendable, Equatable {
        case incident(IncidentTrigger)
        /// Events of event time to generate (the scenario's cadence turns a duration into a count).
        case wait(events: Int)
        /// Wall-clock seconds to hold before the step's next action (`.wait 5s wall`); no events, so the
        /// screens stay a function of the seed. Going back skips them.
        case hold(seconds: Double)
        /// How many times faster than wall time event time runs while waiting (nil: as fast as possible).
        case speed(Double?)
        case focus(String)
        case zoom(String)
        /// Filters a pane to its matching rows (`decision=decline`), as `/` does.
        case highlight(pane: String, filter: String)
    }

    public struct ParseError: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// Splits a command line into words, keeping 'quoted text' together.
    static func words(_ line: String) -> [String] {
        var out: [String] = [], cur = "", quote: Character? = nil, had = false
        let chars = Array(line)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            i += 1
            if let q = quote {
                // A doubled quote inside quotes is the quote itself ('payment''s'), as in SQL.
                if c == q, i < chars.count, chars[i] == q { cur.append(c); i += 1 } else if c == q { quote = nil } else { cur.append(c) }
            } else if c == "'" || c == "\"" {
                quote = c
                had = true
            } else if c == " " || c == "\t" {
                if !cur.isEmpty || had { out.append(cur) }
                cur = ""
                had = false
            } else {
                cur.append(c)
            }
        }
        if !cur.isEmpty || had { out.append(cur) }
        return out
    }

    /// Parses a story script; every mistake names its line.
    public static func parse(_ text: String) throws(ParseError) -> Story {
        var story: Story?
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let n = i + 1
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("--") { continue }
            func fail(_ m: String) -> ParseError { ParseError(description: "line \(n): \(m)") }
            let w = words(line)
            guard let cmd = w.first?.lowercased(), cmd.hasPrefix(".") else {
                throw fail("a story holds only story commands (.story, .step, .incident, .wait, .speed, .focus, .zoom, .highlight); the SQL lives in the scenario's script")
            }
            let args = Array(w.dropFirst())
            if cmd == ".story" {
                guard story == nil else { throw fail(".story may appear once") }
                guard let name = args.first, let s = Scenarios.named(name) else {
                    throw fail("usage: .story SCENARIO 'title'   (scenarios: \(Scenarios.names.joined(separator: ", ")))")
                }
                story = Story(scenario: s, title: args.count > 1 ? args[1] : s.title)
                continue
            }
            guard var st = story else { throw fail("a story starts with .story SCENARIO 'title'") }
            if cmd == ".step" {
                guard args.count == 1 else { throw fail("usage: .step 'caption' (quote the caption)") }
                st.steps.append(Step(caption: args[0], line: n))
                story = st
                continue
            }
            guard !st.steps.isEmpty else { throw fail("\(cmd) belongs to a step: put a .step 'caption' first") }
            let action: Action
            switch cmd {
            case ".incident":
                do throws(IncidentError) { action = .incident(try Incidents.parse(args, scenario: st.scenario.name)) } catch { throw fail(error.description) }
            case ".wait":
                guard (1...2).contains(args.count), let ms = durationMs(args[0]), args.count == 1 || args[1].lowercased() == "wall" else {
                    throw fail("usage: .wait DURATION of event time (30s, 10m, 2h), or .wait DURATION wall")
                }
                action = args.count == 2 ? .hold(seconds: min(Double(ms) / 1000, 3600))
                    : .wait(events: Int(min(Double(ms) / st.scenario.stepMs, 10_000_000).rounded()))
            case ".speed":
                guard args.count == 1 else { throw fail("usage: .speed xN (event time N times faster than wall time) or .speed max") }
                if args[0].lowercased() == "max" { action = .speed(nil) } else {
                    guard let x = Double(args[0].lowercased().drop { $0 == "x" }), x > 0, x.isFinite else { throw fail("usage: .speed xN with N > 0, or .speed max") }
                    action = .speed(x)
                }
            case ".focus", ".zoom":
                guard args.count == 1 else { throw fail("usage: \(cmd) PANE") }
                action = cmd == ".focus" ? .focus(args[0]) : .zoom(args[0])
            case ".highlight":
                guard args.count >= 2 else { throw fail("usage: .highlight PANE key=value (or any filter / takes)") }
                action = .highlight(pane: args[0], filter: args.dropFirst().joined(separator: " "))
            default:
                throw fail("unknown story command \(cmd) (.step, .incident, .wait, .speed, .focus, .zoom, .highlight)")
            }
            st.steps[st.steps.count - 1].actions.append(action)
            story = st
        }
        guard let s = story else { throw ParseError(description: "empty story: start with .story SCENARIO 'title'") }
        guard !s.steps.isEmpty else { throw ParseError(description: "the story has no steps: add .step 'caption' lines") }
        return s
    }

    /// Wall-clock seconds the story's waits take when played at their `.speed`s (no pauses, no hurrying).
    public var playSeconds: Double {
        var speed: Double? = nil, total = 0.0
        for step in steps {
            for a in step.actions {
                switch a {
                case .speed(let s): speed = s
                case .wait(let n): if let s = speed { total += Double(n) * scenario.stepMs / 1000 / s }
                case .hold(let seconds): total += seconds
                default: break
                }
            }
        }
        return total
    }

    /// `500ms`, `30s`, `10m`, `2h` in milliseconds.
    static func durationMs(_ s: String) -> Int64? {
        let t = s.lowercased()
        for (unit, f) in [("ms", 1.0), ("s", 1000.0), ("m", 60_000.0), ("h", 3_600_000.0)] where t.hasSuffix(unit) {
            guard let v = Double(t.dropLast(unit.count)), v >= 0, v <= 1e9 else { return nil }
            return Int64(v * f)
        }
        return nil
    }
}
