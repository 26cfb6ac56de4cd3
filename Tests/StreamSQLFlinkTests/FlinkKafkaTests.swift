import Foundation
import XCTest
import StreamSQL
import StreamSQLFlink

/// `--source` / `--sink kafka:BROKERS/TOPIC`: the endpoint syntax and the connector DDL it generates.
/// (FlinkExportCheckTests, gated, parses such an export with Flink's own parser.)
final class FlinkKafkaTests: XCTestCase {
    func endpoint(_ s: String) -> KafkaEndpoint? { try? KafkaEndpoint.parse(s).get() }

    func failure(_ s: String) -> String? {
        if case .failure(let e) = KafkaEndpoint.parse(s) { return e.message }
        return nil
    }

    func testEndpointSyntax() {
        XCTAssertEqual(endpoint("kafka:b1:9092,b2:9092/events"), KafkaEndpoint(brokers: "b1:9092,b2:9092", topic: "events"))
        XCTAssertEqual(endpoint("kafka:b:9092/t?group.id=g&scan.startup.mode=latest-offset"),
                       KafkaEndpoint(brokers: "b:9092", topic: "t", groupID: "g", startupMode: "latest-offset"))
        XCTAssertEqual(failure("kafka:b:9092"), "expected kafka:BROKERS/TOPIC (a '/' before the topic), got 'kafka:b:9092'")
        XCTAssertEqual(failure("b:9092/t"), "expected kafka:BROKERS/TOPIC, got 'b:9092/t'")
        XCTAssertEqual(failure("kafka:b/t?startup=now"), "scan.startup.mode takes earliest-offset, latest-offset, group-offsets, got 'now'")
        XCTAssertEqual(failure("kafka:b/t?acks=all"), "unknown option 'acks' (group.id, scan.startup.mode)")
        XCTAssertEqual(failure("kafka:b/my topic"), "a Kafka topic name has only letters, digits, '.', '_' and '-', got 'my topic'")
        XCTAssertEqual(failure("kafka:b/t?group.id=it's"), "option group.id's value holds a quote")
    }

    func translate(_ sql: String, source: KafkaEndpoint?, sink: KafkaEndpoint?) throws(StreamSQLError) -> String {
        var t = FlinkTranslator(outputDirectory: "/out")
        if let source { t.kafkaSources = ["ev": source] }
        t.kafkaSink = sink
        return try t.translate(script: sql).script
    }

    func testSourceAndSinkDDL() throws {
        let s = try translate("""
            CREATE STREAM ev (id int, ts string, v double);
            CREATE QUERY big AS SELECT id, v FROM ev WHERE v > 5;
            SELECT id, COUNT(*) AS n FROM ev GROUP BY id, TumblingWindow('10s') WITH (TIMESTAMP='ts');
            """, source: KafkaEndpoint(brokers: "b1:9092,b2:9092", topic: "events", startupMode: "latest-offset"),
            sink: KafkaEndpoint(brokers: "b3:9092", topic: "out-{query}"))
        XCTAssertTrue(s.contains("""
            CREATE TABLE `src_big_ev` (
              `id` BIGINT,
              `ts` STRING,
              `v` DOUBLE,
              pt AS PROCTIME()
            ) WITH (
              'connector' = 'kafka',
              'topic' = 'events',
              'properties.bootstrap.servers' = 'b1:9092,b2:9092',
              'properties.group.id' = 'streamsql-big',
              'scan.startup.mode' = 'latest-offset',
              'format' = 'json',
              'json.ignore-parse-errors' = 'true'
            );
            """), s)
        // The event-time source keeps its watermark; the group id is per query by default.
        XCTAssertTrue(s.contains("WATERMARK FOR rowtime AS rowtime - INTERVAL '0.001' SECOND\n) WITH (\n  'connector' = 'kafka'"), s)
        XCTAssertTrue(s.contains("'properties.group.id' = 'streamsql-q1'"), s)
        XCTAssertTrue(s.contains("""
            CREATE TABLE `sink_big` WITH (
              'connector' = 'kafka',
              'topic' = 'out-big',
              'properties.bootstrap.servers' = 'b3:9092',
              'format' = 'json'
            ) AS
            """), s)
        XCTAssertTrue(s.contains("'topic' = 'out-q1'"), s)
        XCTAssertFalse(s.contains("'connector' = 'filesystem'"), s)
    }

    func testSeveralQueriesNeedTopicsOfTheirOwn() {
        XCTAssertThrowsError(try translate("""
            CREATE STREAM ev (id int, v double);
            SELECT id FROM ev; SELECT v FROM ev;
            """, source: KafkaEndpoint(brokers: "b", topic: "in"), sink: KafkaEndpoint(brokers: "b", topic: "out"))) { e in
            XCTAssertTrue("\(e)".contains("put {query} in the topic name (kafka:b/out-{query})"), "\(e)")
        }
    }

    func testAKafkaStreamWithoutDeclaredColumnsOrSampleIsExplained() {
        XCTAssertThrowsError(try translate("SELECT id FROM ev;", source: KafkaEndpoint(brokers: "b", topic: "in"), sink: nil)) { e in
            XCTAssertTrue("\(e)".contains("for a Kafka source, a sample of its events"), "\(e)")
        }
    }
}
