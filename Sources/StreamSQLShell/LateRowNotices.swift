import Foundation
import StreamSQL

/// Tells the user, once per burst, when a running query drops rows as late (event time behind its
/// watermark): the query's name and how many, so a jump back in event time never passes without a word.
/// A background thread reads each query's late counter once a second; a query gets at most one notice in
/// `quiet` seconds, with the count since its last one.
final class LateRowNotices: @unchecked Sendable {
    private let lock = NSLock()
    /// Late rows told about, and when, by query name.
    private var told: [String: (late: Int, at: Double)] = [:]
    private var thread: Thread?
    let quiet: Double

    init(quiet: Double = 30) { self.quiet = quiet }

    func start(engine: Engine, notify: @escaping @Sendable (String) -> Void) {
        guard thread == nil else { return }
        let t = Thread { [weak self, weak engine] in
            while let self, let engine {
                for n in self.check(engine.queries, now: Date().timeIntervalSince1970) { notify(n) }
                Thread.sleep(forTimeInterval: 1)
            }
        }
        t.name = "late-row notices"
        thread = t
        t.start()
    }

    /// The notices due now for `queries` (one per query whose late count grew, unless told within `quiet` s).
    func check(_ queries: [Query], now: Double) -> [String] {
        lock.withLock {
            var out: [String] = []
            for q in queries {
                let late = q.metrics.late
                let before = told[q.name] ?? (0, -Double.infinity)
                guard late > before.late, now - before.at >= quiet else { continue }
                let n = late - before.late
                out.append("(notice: \(q.name) dropped \(n) late row\(n == 1 ? "" : "s"): their event time was behind its watermark; "
                           + "DESCRIBE EXTENDED \(q.streamName) shows the event-time range)")
                told[q.name] = (late, now)
            }
            return out
        }
    }
}
