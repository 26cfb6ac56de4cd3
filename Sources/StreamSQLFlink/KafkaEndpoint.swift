import Foundation

/// A Kafka topic a Flink job reads or writes: `kafka:BROKERS/TOPIC[?OPTION=VALUE&…]`, from `--source` and `--sink`
/// on `streamsql flink export`.
///
/// `BROKERS` is Kafka's `bootstrap.servers` list (`host:port,host:port`); in a sink's topic `{query}` stands for
/// the query's name, so each query writes to a topic of its own. Options: `group.id` (a source's consumer group;
/// default `streamsql-<query>`) and `scan.startup.mode` (`earliest-offset`, the default, `latest-offset`,
/// `group-offsets`). Rows are JSON, as in the file variant.
public struct KafkaEndpoint: Sendable, Equatable {
    public var brokers: String
    public var topic: String
    public var groupID: String?
    public var startupMode = "earliest-offset"

    public static let startupModes = ["earliest-offset", "latest-offset", "group-offsets"]

    /// Reads `kafka:BROKERS/TOPIC[?…]`; the reason on failure, for a usage message.
    public static func parse(_ text: String) -> Result<KafkaEndpoint, KafkaEndpointError> {
        func bad(_ why: String) -> Result<KafkaEndpoint, KafkaEndpointError> { .failure(KafkaEndpointError(message: why)) }
        guard text.lowercased().hasPrefix("kafka:") else { return bad("expected kafka:BROKERS/TOPIC, got '\(text)'") }
        var rest = Substring(text.dropFirst("kafka:".count))
        var options: [(String, String)] = []
        if let q = rest.firstIndex(of: "?") {
            for pair in rest[rest.index(after: q)...].split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1)
                guard kv.count == 2, !kv[1].isEmpty else { return bad("expected OPTION=VALUE after '?', got '\(pair)'") }
                options.append((String(kv[0]), String(kv[1])))
            }
            rest = rest[..<q]
        }
        guard let slash = rest.lastIndex(of: "/") else { return bad("expected kafka:BROKERS/TOPIC (a '/' before the topic), got '\(text)'") }
        let brokers = String(rest[..<slash]), topic = String(rest[rest.index(after: slash)...])
        guard !brokers.isEmpty, !topic.isEmpty else { return bad("expected kafka:BROKERS/TOPIC with both parts, got '\(text)'") }
        // Kafka's own rule for topic names ({query} is filled in later).
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-{}")
        guard topic.allSatisfy(allowed.contains) else {
            return bad("a Kafka topic name has only letters, digits, '.', '_' and '-', got '\(topic)'")
        }
        guard brokers.allSatisfy({ !$0.isWhitespace && $0 != "'" }) else { return bad("brokers '\(brokers)' hold a space or a quote") }
        var e = KafkaEndpoint(brokers: brokers, topic: topic)
        for (k, v) in options {
            guard !v.contains("'") else { return bad("option \(k)'s value holds a quote") }
            switch k {
            case "group.id", "group": e.groupID = v
            case "scan.startup.mode", "startup":
                guard startupModes.contains(v) else { return bad("scan.startup.mode takes \(startupModes.joined(separator: ", ")), got '\(v)'") }
                e.startupMode = v
            default: return bad("unknown option '\(k)' (group.id, scan.startup.mode)")
            }
        }
        return .success(e)
    }

    public init(brokers: String, topic: String, groupID: String? = nil, startupMode: String = "earliest-offset") {
        self.brokers = brokers
        self.topic = topic
        self.groupID = groupID
        self.startupMode = startupMode
    }

    /// The WITH options of a source table read by `query`.
    func sourceOptions(query: String) -> String {
        "  'connector' = 'kafka',\n  'topic' = '\(topic)',\n  'properties.bootstrap.servers' = '\(brokers)',\n"
            + "  'properties.group.id' = '\(groupID ?? "streamsql-\(query)")',\n  'scan.startup.mode' = '\(startupMode)',\n"
            + "  'format' = 'json',\n  'json.ignore-parse-errors' = 'true'"
    }

    /// The WITH options of the sink of `query`.
    func sinkOptions(query: String) -> String {
        "  'connector' = 'kafka',\n  'topic' = '\(sinkTopic(query))',\n  'properties.bootstrap.servers' = '\(brokers)',\n"
            + "  'format' = 'json'"
    }

    func sinkTopic(_ query: String) -> String { topic.replacingOccurrences(of: "{query}", with: query) }
}

public struct KafkaEndpointError: Error, Sendable {
    public let message: String
}
