import Foundation
import OrderedCollections
import XCTest
@testable import StreamSQL

/// Queries planned at the same time on one stream each get slots of their own: binding reads the
/// stream's field layout and starting widens it, both under the planning lock. Before, two concurrent
/// `execute` calls could hand one slot to two different fields, and a query read another's field.
final class ConcurrentPlanTests: XCTestCase {
    func testConcurrentExecuteAndEmitGiveEveryQueryItsOwnFields() throws {
        let queriesPerRound = 8
        let event: OrderedDictionary<String, Value> = OrderedDictionary(
            uniqueKeysWithValues: (0..<queriesPerRound).map { ("f\($0)", Value.int(Int64($0))) })
        for round in 0..<1_000 {
            let engine = Engine()
            engine.createStream("s")
            let results = Locked<[Int: [Value]]>([:])
            let failures = Locked<[String]>([])
            // Half the workers start a query on a field no query has read yet; the other half emit meanwhile.
            DispatchQueue.concurrentPerform(iterations: queriesPerRound * 2) { i in
                if i % 2 == 1 {
                    for _ in 0..<5 { engine.emitSync(event, to: "s") }
                    return
                }
                let k = i / 2
                do {
                    let q = try engine.execute("SELECT f\(k) AS v FROM s")
                    q.addSink { batch in
                        let vs = batch.objects.map { $0["v"] ?? .null }
                        results.withLock { $0[k, default: []] += vs }
                    }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }
            engine.emitSync(event, to: "s")
            XCTAssertEqual(failures.value, [], "round \(round)")
            for k in 0..<queriesPerRound {
                let got = results.value[k] ?? []
                XCTAssertFalse(got.isEmpty, "round \(round): query on f\(k) saw the last event")
                XCTAssertEqual(Set(got.map(\.description)), ["\(k)"], "round \(round): query on f\(k) read another field")
            }
            if testRun?.failureCount ?? 0 > 0 { return }
        }
    }
}

/// A value behind a lock, for test workers.
final class Locked<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T
    init(_ value: T) { stored = value }
    func withLock<R>(_ body: (inout T) -> R) -> R { lock.withLock { body(&stored) } }
    var value: T { lock.withLock { stored } }
}
