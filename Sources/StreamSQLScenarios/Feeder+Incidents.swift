import Foundation

extension Feeder {
    /// The scenarios whose generators this feeder drives (set by whoever builds it), for their incidents.
    public var incidents: [(scenario: String, incident: Incident)] {
        scenarioNames.flatMap { n in Incidents.of(n).map { (n, $0) } }
    }

    /// Causes an incident before the next event, in whichever of the generators declares it.
    public func trigger(_ t: IncidentTrigger) {
        for s in sources { (s.generator as? ScheduledGenerator)?.trigger(t) }
    }

    /// The incidents applied so far (per source, at the event index of that source's generator).
    public var appliedIncidents: [IncidentSchedule] {
        sources.map { ($0.generator as? ScheduledGenerator)?.applied ?? IncidentSchedule() }
    }

    /// Parses `NAME key=value …` against the incidents of this feeder's scenarios.
    public func parseIncident(_ args: [String]) throws(IncidentError) -> IncidentTrigger {
        guard let name = args.first?.lowercased() else { throw IncidentError("usage: .incident NAME [key=value …]") }
        let owner = incidents.first { $0.incident.name == name }?.scenario
        guard let scenario = owner ?? scenarioNames.first else { throw IncidentError("this generator has no incidents") }
        return try Incidents.parse(args, scenario: scenario)
    }
}
