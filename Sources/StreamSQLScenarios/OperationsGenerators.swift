import Foundation
import OrderedCollections
import StreamSQL

/// The agents of the routing scenario, shared with `demos/agents.jsonl`.
public enum AgentRoster {
    public struct Agent: Sendable {
        public let id: String
        public let name: String
        public let skills: [String]
        public let capacity: Int
        public let avgHandleMinutes: Int
    }
    public static let categories = ["shipping", "billing", "returns", "technical", "account"]
    static let names = ["Sarah Johnson", "Li Wei", "Maria Garcia", "James Smith", "Aisha Khan", "Tom Becker", "Yuki Tanaka",
                        "Omar Farouk", "Elena Petrova", "Lucas Silva", "Priya Nair", "Daniel Kim"]

    public static let agents: [Agent] = {
        var r = Rand(seed: 11)
        return names.enumerated().map { i, n in
            let a = i % categories.count
            let b = (a + 1 + r.int(categories.count - 1)) % categories.count
            return Agent(id: ident("A", i + 1), name: n, skills: [categories[a], categories[b]], capacity: 5 + r.int(4),
                         avgHandleMinutes: 6 + r.int(8))
        }
    }()

    public static var jsonl: String {
        agents.map { a in
            JSONWriter.string(object: ["agent_id": .string(a.id), "name": .string(a.name),
                                       "skills": .array(a.skills.map(Value.string)), "capacity": .int(Int64(a.capacity)),
                                       "avg_handle_minutes": .int(Int64(a.avgHandleMinutes))])
        }.joined(separator: "\n") + "\n"
    }
}

/// `tickets` and `agent_status`: customers open tickets; agents' loads rise and fall and each change is
/// reported; agents go offline and come back. Now and then a shift handover leaves nobody online: every
/// agent logs off (one status event each), 60–149 tickets arrive with no agent online, then every agent
/// logs back on as they were. The first handover starts after 400–1599 events, the next 1500–2999 events
/// after the previous one ended; when is drawn from the seed, so a seed always gives the same stretches.
final class RoutingGenerator: ScenarioGenerator {
    private var r: Rand
    private var clock: SimClock
    private var load: [Int]
    private var online: [Bool]
    private var ticket = 0
    private var announced = 0
    /// Draws the handovers, apart from `r` so that their schedule depends on the seed alone.
    private var handovers: Rand
    private var emitted = 0
    private var nextHandover: Int
    private enum Phase { case normal, loggingOff(next: Int), away(ticketsLeft: Int), loggingOn(next: Int) }
    private var phase = Phase.normal
    /// Who was online when the current handover started.
    private var before: [Bool] = []

    func begin(_ incident: IncidentTrigger) -> Bool {
        guard incident.name == "skill_shortage" else { return false }
        if case .normal = phase { nextHandover = emitted }
        return true
    }
    static let questions: [String: [String]] = [
        "shipping": ["My order hasn't arrived yet", "Can I change the delivery address?", "Tracking number does not work"],
        "billing": ["I was charged twice", "How do I get an invoice?", "My card was declined"],
        "returns": ["How do I return this item?", "The refund has not arrived", "Item arrived damaged"],
        "technical": ["The app crashes on login", "I cannot reset my password", "Page shows an error"],
        "account": ["Please close my account", "How do I change my email?", "My account is locked"],
    ]

    init(_ c: GeneratorConfig) {
        r = Rand(seed: c.seed)
        clock = SimClock(startMs: c.startMs ?? 0, stepMs: c.stepMs ?? 2000)
        load = AgentRoster.agents.map { _ in 0 }
        online = AgentRoster.agents.map { _ in true }
        for i in load.indices { load[i] = r.int(AgentRoster.agents[i].capacity) }
        handovers = Rand(seed: c.seed &+ 0x68616E646F766572)
        nextHandover = 400 + handovers.int(1200)
    }

    private func status(_ i: Int, _ t: Int64) -> GeneratedEvent {
        var f = OrderedDictionary<String, Value>()
        f["agent_id"] = .string(AgentRoster.agents[i].id)
        f["current_load"] = .int(Int64(load[i]))
        f["online"] = .bool(online[i])
        f["timestamp"] = .string(SimClock.iso(t))
        return GeneratedEvent(stream: "agent_status", fields: f, eventTimeMs: t)
    }

    func next() -> GeneratedEvent {
        emitted += 1
        let t = clock.tick()
        // First, every agent's status once, so the routing table starts full.
        if announced < load.count {
            announced += 1
            return status(announced - 1, t)
        }
        if let e = handover(t) { return e }
        if r.chance(0.35) {
            let i = r.int(load.count)
            if r.chance(0.04) {
                online[i].toggle()
            } else {
                // Busy hours push loads up; finished tickets bring them down.
                let hour = SimClock.hourOfDay(t)
                let up = hour > 10 && hour < 16 ? 0.55 : 0.45
                load[i] = max(0, min(AgentRoster.agents[i].capacity + 3, load[i] + (r.chance(up) ? 1 : -1)))
            }
            return status(i, t)
        }
        return ticketEvent(t)
    }

    private func ticketEvent(_ t: Int64) -> GeneratedEvent {
        ticket += 1
        let cat = r.weighted([("shipping", 0.3), ("billing", 0.2), ("returns", 0.2), ("technical", 0.2), ("account", 0.1)])
        var f = OrderedDictionary<String, Value>()
        f["ticket_id"] = .string(ident("T", ticket, width: 5))
        f["customer_id"] = .string(ident("C", 1 + r.int(3000), width: 4))
        f["question"] = .string(r.pick(Self.questions[cat] ?? ["Help"]))
        f["category"] = .string(cat)
        f["priority"] = .string(r.weighted([("low", 0.3), ("medium", 0.4), ("high", 0.2), ("urgent", 0.1)]))
        f["customer_tier"] = .string(r.weighted([("basic", 0.6), ("premium", 0.3), ("vip", 0.1)]))
        f["timestamp"] = .string(SimClock.iso(t))
        return GeneratedEvent(stream: "tickets", fields: f, eventTimeMs: t)
    }

    /// The next event of a shift handover (nil outside one).
    private func handover(_ t: Int64) -> GeneratedEvent? {
        switch phase {
        case .normal:
            guard emitted > nextHandover else { return nil }
            before = online
            phase = .loggingOff(next: 0)
            return handover(t)
        case .loggingOff(let i):
            online[i] = false
            phase = i + 1 < online.count ? .loggingOff(next: i + 1) : .away(ticketsLeft: 60 + handovers.int(90))
            return status(i, t)
        case .away(let left):
            phase = left > 1 ? .away(ticketsLeft: left - 1) : .loggingOn(next: 0)
            return ticketEvent(t)
        case .loggingOn(let i):
            online[i] = before.indices.contains(i) ? before[i] : true
            if i + 1 < online.count {
                phase = .loggingOn(next: i + 1)
            } else {
                phase = .normal
                nextHandover = emitted + 1500 + handovers.int(1500)
            }
            return status(i, t)
        }
    }
}

/// `traffic`: 20 intersections with rush-hour peaks and weather that changes slowly.
final class TrafficGenerator: ScenarioGenerator {
    private var r: Rand
    private var clock: SimClock
    private var scale: [Double] = []
    private var nsBias: [Double] = []
    private var weather = "clear"
    private var nextIndex = 0
    /// Incidents: the intersection a snowstorm hits hardest, and rush-hour events left.
    private var stormAt: Int?
    private var rushLeft = 0

    func begin(_ incident: IncidentTrigger) -> Bool {
        switch incident.name {
        case "snowstorm":
            weather = "snowy"
            stormAt = incident.text("intersection").flatMap { Int($0.uppercased().drop { !$0.isNumber }) }.map { min(20, max(1, $0)) - 1 } ?? 0
        case "rush_hour":
            rushLeft = incident.int("count", 200, in: 1...5000)
        default: return false
        }
        return true
    }

    init(_ c: GeneratorConfig) {
        r = Rand(seed: c.seed)
        clock = SimClock(startMs: c.startMs ?? 0, stepMs: c.stepMs ?? 750)
        for _ in 0..<20 {
            scale.append(r.range(0.5, 1.2))
            nsBias.append(r.range(0.7, 1.4))
        }
    }

    static func timeOfDay(_ hour: Double) -> String {
        if (7..<9.5).contains(hour) || (17..<19.5).contains(hour) { return "rush_hour" }
        if hour >= 22 || hour < 6 { return "night" }
        return "daytime"
    }

    func next() -> GeneratedEvent {
        let t = clock.tick()
        let i = nextIndex
        nextIndex = (nextIndex + 1) % scale.count
        if i == 0 && r.chance(0.03) {
            weather = r.weighted([("clear", 0.55), ("rainy", 0.25), ("foggy", 0.1), ("snowy", 0.1)])
            if weather != "snowy" { stormAt = nil }
        }
        let hour = SimClock.hourOfDay(t)
        var tod = Self.timeOfDay(hour)
        if rushLeft > 0 { rushLeft -= 1; tod = "rush_hour" }
        var base = tod == "rush_hour" ? 42.0 : tod == "night" ? 8.0 : 24.0
        if stormAt == i { base *= 2 }
        func flow(_ bias: Double) -> Value {
            .int(Int64(max(0, (base * scale[i] * bias * r.range(0.75, 1.25)).rounded())))
        }
        var f = OrderedDictionary<String, Value>()
        f["intersection_id"] = .string(ident("INT", i + 1))
        f["traffic_flow"] = .object(["north": flow(nsBias[i]), "south": flow(nsBias[i] * 0.8), "east": flow(1 / nsBias[i]),
                                     "west": flow(0.9 / nsBias[i])])
        f["weather"] = .string(weather)
        f["time_of_day"] = .string(tod)
        f["timestamp"] = .string(SimClock.iso(t))
        return GeneratedEvent(stream: "traffic", fields: f, eventTimeMs: t)
    }

    /// Three routes per intersection with their congestion, for `demos/routes.csv`.
    static var routesCSV: String {
        var r = Rand(seed: 5)
        var lines = ["intersection_id,route,congestion"]
        let letters = ["A", "B", "C"]
        for i in 1...20 {
            for l in letters { lines.append("\(ident("INT", i)),Route_\(l)\(i),\(round(r.range(0.1, 0.9), 2))") }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// `posts`: ordinary posts, some toxic ones, and spam waves (one account posting links many times a minute).
final class ModerationGenerator: ScenarioGenerator {
    private var r: Rand
    private var clock: SimClock
    private var post = 0
    private var wave: (user: String, left: Int)?
    private var toxicLeft = 0

    func begin(_ incident: IncidentTrigger) -> Bool {
        switch incident.name {
        case "spam_wave": wave = (incident.text("user") ?? ident("U", 1 + r.int(2000), width: 4), incident.int("count", 20, in: 1...200))
        case "toxic_thread": toxicLeft = incident.int("count", 15, in: 1...200)
        default: return false
        }
        return true
    }
    static let ordinary = ["Check out this amazing product!", "Lovely morning run by the river", "Our team shipped the new release today",
                           "What a great match last night", "Trying a new recipe for dinner", "Reading a fascinating book on history",
                           "The concert was unforgettable", "Sunset from the balcony, no filter", "Weekend hike with friends was great",
                           "Just finished a long project, time to rest"]
    static let spam = ["Buy now and get free money", "Click here for a limited offer", "Earn cash fast, click here",
                       "Free gift card, buy now", "Limited offer: cheap pills, click here"]
    static let toxic = ["You are an idiot and your work is trash", "I hate this stupid app", "What a stupid idea, total trash",
                        "Only an idiot would buy this"]
    static let hashtags = ["#product", "#amazing", "#travel", "#food", "#tech", "#sports", "#music", "#news", "#fitness",
                           "#deal", "#free", "#love", "#photo", "#books"]

    init(_ c: GeneratorConfig) {
        r = Rand(seed: c.seed)
        clock = SimClock(startMs: c.startMs ?? 0, stepMs: c.stepMs ?? 500)
    }

    func next() -> GeneratedEvent {
        let t = clock.tick()
        post += 1
        var user = ident("U", 1 + r.int(2000), width: 4)
        var content: String
        var tags: [String]
        if var w = wave {
            user = w.user
            content = r.pick(Self.spam) + " http://spam.example/\(r.int(1000))"
            tags = (0..<(5 + r.int(4))).map { _ in r.pick(Self.hashtags) }
            w.left -= 1
            wave = w.left > 0 ? w : nil
        } else if r.chance(0.005) {
            wave = (user, 12 + r.int(8))
            content = r.pick(Self.spam) + " http://spam.example/\(r.int(1000))"
            tags = ["#deal", "#free"]
        } else if toxicLeft > 0 || r.chance(0.06) {
            toxicLeft = max(0, toxicLeft - 1)
            content = r.pick(Self.toxic)
            tags = r.chance(0.5) ? [r.pick(Self.hashtags)] : []
        } else if r.chance(0.04) {
            content = r.pick(Self.spam)
            tags = (0..<(1 + r.int(3))).map { _ in r.pick(Self.hashtags) }
        } else {
            content = r.pick(Self.ordinary)
            if r.chance(0.5) { content += " " + r.pick(Self.ordinary).lowercased() }
            tags = (0..<r.int(4)).map { _ in r.pick(Self.hashtags) }
        }
        let media = (0..<r.weighted([(0, 0.4), (1, 0.4), (2, 0.15), (3, 0.05)])).map { k in
            Value.string("https://cdn.example.com/\(post)/\(k).jpg")
        }
        var f = OrderedDictionary<String, Value>()
        f["post_id"] = .string(ident("POST", post, width: 6))
        f["user_id"] = .string(user)
        f["content"] = .string(content)
        f["media_urls"] = .array(media)
        f["hashtags"] = .array(tags.map(Value.string))
        f["timestamp"] = .string(SimClock.iso(t))
        return GeneratedEvent(stream: "posts", fields: f, eventTimeMs: t)
    }
}

/// `energy`: 30 buildings, one reading each per simulated minute, with daily consumption and occupancy
/// curves, drifting indoor temperature, occasional spikes and HVAC faults (the room drifts towards the
/// outdoor temperature for one to three hours).
final class EnergyGenerator: ScenarioGenerator {
    private var r: Rand
    private var clock: SimClock
    private var size: [Double] = []
    private var temp: [Double] = []
    private var faultLeft: [Int] = []
    private var nextIndex = 0
    private var forecast = "sunny"
    private var day: Int64 = -1
    private var spikeLeft: [Int] = []

    func begin(_ incident: IncidentTrigger) -> Bool {
        let b = incident.text("building").flatMap { Int($0.uppercased().drop { !$0.isNumber }) }.map { min(size.count, max(1, $0)) - 1 } ?? 0
        switch incident.name {
        case "hvac_fault": faultLeft[b] = incident.int("count", 150, in: 1...2000)
        case "consumption_spike": spikeLeft[b] = incident.int("count", 60, in: 1...2000)
        default: return false
        }
        return true
    }

    init(_ c: GeneratorConfig) {
        r = Rand(seed: c.seed)
        clock = SimClock(startMs: c.startMs ?? 0, stepMs: c.stepMs ?? 2000)
        for _ in 0..<30 {
            size.append(r.range(60, 220))
            temp.append(r.range(19, 24))
            faultLeft.append(0)
            spikeLeft.append(0)
        }
    }

    static func timeOfDay(_ hour: Double) -> String {
        if (6..<12).contains(hour) { return "morning" }
        if (12..<18).contains(hour) { return "afternoon" }
        if (18..<22).contains(hour) { return "evening" }
        return "night"
    }

    func next() -> GeneratedEvent {
        let t = clock.tick()
        let i = nextIndex
        nextIndex = (nextIndex + 1) % size.count
        let d = t / 86_400_000
        if d != day {
            day = d
            forecast = r.weighted([("sunny", 0.35), ("cloudy", 0.25), ("rainy", 0.15), ("hot", 0.15), ("cold", 0.1)])
        }
        let hour = SimClock.hourOfDay(t)
        // Offices: occupied 8–18 with a midday peak.
        let occ = hour >= 7 && hour < 19 ? max(0, 95 * sin(.pi * (hour - 7) / 12)) : 3
        let occupancy = max(0, min(100, (occ + r.range(-5, 5)).rounded()))
        // The HVAC pulls the indoor temperature towards its set point; hot and cold days push it away.
        var setPoint = occupancy > 30 ? 22.3 : 19.5
        if forecast == "hot" { setPoint += 3.5 } else if forecast == "cold" { setPoint -= 2.5 }
        if faultLeft[i] == 0 && r.chance(0.0003) { faultLeft[i] = 60 + r.int(120) }
        if faultLeft[i] > 0 {
            faultLeft[i] -= 1
            let outdoor = ["hot": 31.0, "sunny": 28.0, "cold": 13.0, "rainy": 16.0][forecast] ?? 17.0
            temp[i] = 0.95 * temp[i] + 0.05 * outdoor + r.range(-0.12, 0.12)
        } else {
            temp[i] = 0.97 * temp[i] + 0.03 * setPoint + r.range(-0.12, 0.12)
        }
        var kw = size[i] * (0.35 + 0.65 * occupancy / 100) * r.range(0.92, 1.08)
        if forecast == "hot" || forecast == "cold" { kw *= 1.15 }
        if r.chance(0.002) { kw *= 2.2 }      // equipment fault
        if spikeLeft[i] > 0 { spikeLeft[i] -= 1; kw *= 3 }
        var f = OrderedDictionary<String, Value>()
        f["building_id"] = .string(ident("B", i + 1))
        f["current_consumption"] = .double(round(kw, 1))
        f["temperature"] = .double(round(temp[i], 1))
        f["occupancy"] = .int(Int64(occupancy))
        f["weather_forecast"] = .string(forecast)
        f["time_of_day"] = .string(Self.timeOfDay(hour))
        f["timestamp"] = .string(SimClock.iso(t))
        return GeneratedEvent(stream: "energy", fields: f, eventTimeMs: t)
    }
}

/// `readings`: the classic StreamSQL IoT example (devices of `demos/devices.csv`), with hot runs.
final class SensorGenerator: ScenarioGenerator {
    private var r: Rand
    private var clock: SimClock
    private var temp: [Double] = []
    private var hot: [Int] = []

    init(_ c: GeneratorConfig) {
        r = Rand(seed: c.seed)
        clock = SimClock(startMs: c.startMs ?? 0, stepMs: c.stepMs ?? 250)
        for _ in 0..<8 { temp.append(r.range(18, 30)); hot.append(0) }
    }

    func next() -> GeneratedEvent {
        let t = clock.tick()
        let i = r.int(temp.count)
        if hot[i] == 0 && r.chance(0.01) { hot[i] = 4 + r.int(6) }
        if hot[i] > 0 {
            hot[i] -= 1
            temp[i] = r.range(41, 48)
        } else {
            temp[i] = min(39, max(10, temp[i] * 0.9 + 24 * 0.1 + r.normal()))
        }
        var f = OrderedDictionary<String, Value>()
        f["deviceId"] = .string("dev-" + ident("", i, width: 2))
        f["temperature"] = .double(round(temp[i], 1))
        f["humidity"] = .double(round(r.range(35, 75), 1))
        f["ts"] = .int(t)
        return GeneratedEvent(stream: "readings", fields: f, eventTimeMs: t)
    }
}
