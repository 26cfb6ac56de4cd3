import XCTest
import StreamSQL

/// The engine holds no Flink code: `EXPLAIN FLINK` goes through the hook the executable installs.
/// (The translator itself is tested in StreamSQLFlinkTests.)
final class FlinkExplainerHookTests: XCTestCase {
    private var saved: FlinkExplainer?

    override func setUp() { saved = Engine.flinkExplainer }
    override func tearDown() { Engine.flinkExplainer = saved }

    func testWithoutTheHookExplainFlinkSaysWhatIsMissing() {
        Engine.flinkExplainer = nil
        let sql = "EXPLAIN FLINK SELECT a FROM stream"
        XCTAssertThrowsError(try Engine().run(sql)) { e in
            guard let e = e as? StreamSQLError else { return XCTFail("\(e)") }
            XCTAssertEqual(e.message, "EXPLAIN FLINK needs the Flink translator (the streamsql executable installs it)")
            XCTAssertEqual(e.phase, .flink)
            XCTAssertNotNil(e.location, "the error points into the statement")
        }
    }

    func testTheHookReceivesTheQueryInputsAndDeclaredColumns() throws {
        let seen = Seen()
        Engine.flinkExplainer = { request in
            seen.set(request)
            return "flink text"
        }
        let engine = Engine()
        engine.flinkInputs = ["events": "/data/events.jsonl"]
        try engine.run("CREATE STREAM typed (id string, v double)")
        let sql = "EXPLAIN FLINK SELECT id FROM typed WHERE v > 1"
        guard case .message(let text) = try engine.run(sql) else { return XCTFail("EXPLAIN FLINK gives text") }
        XCTAssertEqual(text, "flink text")
        let request = try XCTUnwrap(seen.request)
        XCTAssertEqual(request.sql, sql)
        XCTAssertEqual(request.select.from.source, "typed")
        XCTAssertEqual(request.inputs, ["events": "/data/events.jsonl"])
        XCTAssertEqual(request.declaredColumns["typed"]?.map(\.name), ["id", "v"])
        XCTAssertEqual(request.declaredColumns["typed"]?.map(\.typeName), ["string", "double"])
        XCTAssertNil(request.declaredColumns["stream"], "untyped streams are left out")

        Engine.flinkExplainer = { _ throws(StreamSQLError) in throw StreamSQLError(.flink, "refused") }
        XCTAssertThrowsError(try engine.run(sql)) { e in XCTAssertEqual((e as? StreamSQLError)?.message, "refused") }
    }
}

private final class Seen: @unchecked Sendable {
    private let lock = NSLock()
    private var _request: FlinkExplainRequest?
    func set(_ r: FlinkExplainRequest) { lock.withLock { _request = r } }
    var request: FlinkExplainRequest? { lock.withLock { _request } }
}
