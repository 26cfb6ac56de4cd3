import ArgumentParser
import Foundation
import StreamSQL

/// `streamsql query SQL [--input FILE]`: runs one continuous query over JSON Lines and prints its
/// results as JSON Lines. Malformed lines are counted and reported with their line numbers.
struct QueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Run one query over JSON Lines events (a file or standard input); print results as JSON Lines.")

    @Argument(help: "The SELECT statement.")
    var sql: String

    @Option(name: .shortAndLong, help: "JSON Lines file of events (default: standard input).")
    var input: String?

    @Option(help: "Report at most this many malformed lines individually.")
    var maxErrors = 10

    func run() throws {
        let engine = Engine()
        let query: Query
        do {
            query = try engine.execute(sql)
        } catch {
            warn(error.rendered())
            throw ExitCode(2)
        }
        let out = Output()
        query.addSink { batch in
            for i in 0..<batch.count { out.line(batch.jsonLine(i)) }
        }
        let handle: FileHandle
        if let input {
            guard let h = FileHandle(forReadingAtPath: input) else {
                warn("cannot open \(input)")
                throw ExitCode(2)
            }
            handle = h
        } else {
            handle = .standardInput
        }
        var lineNo = 0
        var bad = 0
        let lines = LineReader(handle)
        while let line = lines.next() {
            lineNo += 1
            if line.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\r" }) { continue }
            if let e = engine.emit(jsonLine: line, to: query.streamName, sync: true) {
                bad += 1
                if bad <= maxErrors { warn("line \(lineNo): \(e)") }
            }
            if query.isFinished { break }
        }
        engine.finish()
        out.flush()
        if bad > 0 { warn("\(bad) malformed line\(bad == 1 ? "" : "s") rejected of \(lineNo)") }
    }
}

/// Reads lines from a file handle in large chunks.
final class LineReader {
    let handle: FileHandle
    var buffer: [UInt8] = []
    var start = 0
    var eof = false

    init(_ h: FileHandle) { handle = h }

    func next() -> String? {
        while true {
            if let nl = buffer[start...].firstIndex(of: 10) {
                let s = String(decoding: buffer[start..<nl], as: UTF8.self)
                start = nl + 1
                return s
            }
            if eof {
                if start < buffer.count {
                    let s = String(decoding: buffer[start...], as: UTF8.self)
                    start = buffer.count
                    return s
                }
                return nil
            }
            let chunk = handle.readData(ofLength: 1 << 20)
            if chunk.isEmpty { eof = true }
            buffer.removeFirst(start)
            start = 0
            buffer.append(contentsOf: chunk)
        }
    }
}
