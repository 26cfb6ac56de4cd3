import CNcurses
import StreamSQLScenarios

/// The incident menu (`!`): the current scenario's incidents, numbered; a digit or Enter on the selected
/// one causes it now in the generator feeding the dashboard, Esc closes.
struct IncidentMenu {
    var items: [(scenario: String, incident: Incident)]
    var selected = 0

    func draw(in f: inout Frame) {
        let w = min(f.width - 4, max(40, items.map { Frame.width($0.incident.summary) + 8 }.max() ?? 40))
        let h = min(f.height - 4, items.count * 2 + 3)
        guard w >= 20, h >= 4 else { return }
        let x = (f.width - w) / 2, y = max(2, (f.height - h) / 2)
        for row in y..<(y + h) { f.put(x, row, String(repeating: " ", count: w)) }
        f.box(x, y, w, h, title: "Incidents — 1-9 or Enter to cause, Esc to close", focused: true)
        var line = y + 1
        for (i, item) in items.enumerated() where line + 1 < y + h - 1 {
            f.put(x + 2, line, "\(i + 1) \(item.incident.summary)", i == selected ? .focus : .normal, limit: w - 4)
            f.put(x + 4, line + 1, item.incident.changes, .dim, limit: w - 6)
            line += 2
        }
    }
}

extension Dashboard {
    /// The incidents the `!` menu offers: those of the scenario shown, else of every generator feeding it.
    var incidentChoices: [(scenario: String, incident: Incident)] {
        let feeders = ([feeder] + heldSources).compactMap { $0 as? Feeder }
        let all = feeders.flatMap(\.incidents)
        let shown = groups[min(group, groups.count - 1)].name
        let own = all.filter { $0.scenario == shown }
        return own.isEmpty ? all : own
    }

    func openIncidentMenu() {
        let items = incidentChoices
        if items.isEmpty {
            notice = "no incidents here: they come with a scenario's generator (streamsql demo NAME, .gen NAME)"
        } else {
            incidentMenu = IncidentMenu(items: items)
        }
    }

    /// Causes `trigger` in the feeders of this dashboard and says so in the footer.
    func cause(_ trigger: IncidentTrigger) {
        for f in ([feeder] + heldSources).compactMap({ $0 as? Feeder }) { f.trigger(trigger) }
        notice = "incident \(trigger.name) caused"
    }

    /// A key while the menu is open.
    func handleIncidentMenu(_ key: Int32) {
        guard var m = incidentMenu else { return }
        switch key {
        case 27, Int32(UInt8(ascii: "!")): incidentMenu = nil; return
        case ss_key_up(), Int32(UInt8(ascii: "k")): m.selected = max(0, m.selected - 1)
        case ss_key_down(), Int32(UInt8(ascii: "j")): m.selected = min(m.items.count - 1, m.selected + 1)
        case 49...57, 10, 13, ss_key_enter():
            let i = (49...57).contains(key) ? Int(key - 49) : m.selected
            if i < m.items.count {
                incidentMenu = nil
                cause(IncidentTrigger(name: m.items[i].incident.name))
            }
            return
        default: break
        }
        incidentMenu = m
    }
}
