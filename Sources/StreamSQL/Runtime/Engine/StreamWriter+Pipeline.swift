import DequeModule
import Foundation

/// Two cores for one file: a thread of its own reads and decodes the lines into batches of rows while the
/// calling thread runs the batches through the stream's query, in file order.
extension StreamWriter {
    /// Feeds every record of a JSON Lines `file` into the stream, reading and decoding on a second thread
    /// (`batchSize` lines a batch, at most `depth` batches ahead) while this thread runs the query: the same
    /// rows in the same order, so the same results and rejections as `feed` line by line. A CSV file, a
    /// typed stream or a stream with other than one query is fed line by line on this thread instead.
    ///
    /// `rejected` hears each rejected line's number and reason on this thread, in file order; `stop` is
    /// asked after each batch (a query that reached its LIMIT). Returns the number of records read.
    /// The stream's layout is read once at the start: start the query before feeding.
    @discardableResult
    public func feedPipelined(_ file: EventFile, depth: Int = 3, rejected: (Int, String) -> Void,
                              stop: () -> Bool = { false }) -> Int {
        view.refresh(engine)
        flush()
        let size = max(batchSize, 64)
        guard file.format == .jsonLines, !view.isTyped, view.queries.count == 1 else {
            var n = 0
            let saved = batchSize
            batchSize = size
            defer { batchSize = saved; flush() }
            while let r = file.next() {
                n += 1
                if let why = feed(r, sync: true, file: file.name) { rejected(r.line, why) }
                if n % size == 0 && stop() { break }
            }
            return n
        }
        let pipe = DecodePipe(file: file, layout: view.layout, state: view.state, queries: view.queries,
                              engine: engine, batchSize: size, depth: max(depth, 2))
        pipe.start()
        defer { pipe.cancel() }
        var records = 0
        while let b = pipe.take() {
            records += b.records
            // Rejected lines are kept (for the inspector and `stream.rejected`) on this thread, in file order.
            for l in b.diverted { view.state.counters.reject(l) }
            for (line, why) in b.rejected { rejected(line, why) }
            if b.count > 0 {
                view.state.counters.eventsIn.add(b.count, ordering: .relaxed)
                for q in view.queries { q.run(b.rows[0..<b.count]) }
            }
            pipe.give(b)
            if stop() { break }
        }
        return records
    }
}

/// Batches of decoded rows between the reading thread and the one running the query; a batch's rows are
/// reused when it comes back.
final class DecodePipe: @unchecked Sendable {
    final class Batch {
        var rows: [Row] = []
        var count = 0
        var records = 0
        var rejected: [(Int, String)] = []
        var diverted: [RejectedLine] = []
    }

    private let file: EventFile
    private let layout: FieldLayout
    private let state: StreamState
    private let queries: [Query]
    private let engine: Engine
    private let batchSize: Int
    private let cond = NSCondition()
    private var full = Deque<Batch>()
    private var free: [Batch]
    private var ended = false
    private var cancelled = false
    private var running = false
    private var keyMemo = JSONReader.KeyMemo()   // the reading thread's

    init(file: EventFile, layout: FieldLayout, state: StreamState, queries: [Query], engine: Engine, batchSize: Int, depth: Int) {
        self.file = file
        self.layout = layout
        self.state = state
        self.queries = queries
        self.engine = engine
        self.batchSize = batchSize
        free = (0..<depth).map { _ in Batch() }
    }

    func start() {
        running = true
        let t = Thread { [self] in
            self.readLoop()
        }
        t.name = "streamsql.decode"
        t.start()
    }

    /// The next full batch in file order, or nil at the end of the file.
    func take() -> Batch? {
        cond.lock()
        defer { cond.unlock() }
        while full.isEmpty && !ended { cond.wait() }
        return full.popFirst()
    }

    /// Hands a processed batch back for reuse.
    func give(_ b: Batch) {
        cond.lock()
        free.append(b)
        cond.signal()
        cond.unlock()
    }

    /// Stops the reader (if it still runs) and waits for it, so that the file is no longer touched.
    func cancel() {
        cond.lock()
        cancelled = true
        cond.broadcast()
        while running { cond.wait() }
        cond.unlock()
    }

    private func readLoop() {
        cond.lock()
        defer {
            ended = true
            running = false
            cond.broadcast()
            cond.unlock()
        }
        while true {
            while free.isEmpty && !cancelled { cond.wait() }
            if cancelled { return }
            let b = free.removeLast()
            cond.unlock()
            b.count = 0
            b.records = 0
            b.rejected.removeAll(keepingCapacity: true)
            b.diverted.removeAll(keepingCapacity: true)
            var atEnd = true
            while let r = file.next() {
                b.records += 1
                fill(b, r)
                if b.records >= batchSize { atEnd = false; break }
            }
            cond.lock()
            full.append(b)
            cond.broadcast()
            if atEnd { return }
        }
    }

    /// Decodes one record into the batch's next row, or notes it as rejected (counted as `feed` counts it).
    private func fill(_ b: Batch, _ r: EventFile.Record) {
        switch r {
        case .json(let line):
            if b.count == b.rows.count { b.rows.append(Row(width: layout.count)) } else { b.rows[b.count].reset(width: layout.count) }
            do throws(JSONError) {
                try JSONReader.decodeEvent(bytes: line.bytes, layout: layout, into: &b.rows[b.count], memo: &keyMemo)
            } catch {
                b.diverted.append(RejectedLine(text: String(decoding: line.bytes, as: UTF8.self), file: file.name, line: line.number,
                                               reason: error.message))
                for q in queries { q.counters.reject("invalid JSON: \(error.message)") }
                b.rejected.append((line.number, error.description))
                return
            }
            engine.remember(json: line.bytes, in: state)
            b.count += 1
        case .rejected(let line, let reason):
            b.diverted.append(RejectedLine(text: nil, file: file.name, line: line, reason: reason))
            for q in queries { q.counters.reject(reason) }
            b.rejected.append((line, reason))
        case .row(_, let line):
            // CSV files never reach the pipe (see `feedPipelined`).
            b.rejected.append((line, "not a JSON line"))
        }
    }
}
