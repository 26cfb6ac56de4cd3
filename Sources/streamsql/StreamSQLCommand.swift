import ArgumentParser
import Foundation
import StreamSQL

@main
struct StreamSQLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "streamsql",
        abstract: "A fast, embeddable stream-SQL engine.",
        subcommands: [QueryCommand.self, ConformanceCommand.self, BenchCommand.self]
    )
}

/// Standard error, unbuffered.
func warn(_ s: String) {
    FileHandle.standardError.write(Data((s + "\n").utf8))
}

/// Buffered standard output for result lines.
final class Output: @unchecked Sendable {
    private let lock = NSLock()
    private var buffer: [UInt8] = []
    func line(_ s: String) {
        lock.lock()
        defer { lock.unlock() }
        buffer.append(contentsOf: s.utf8)
        buffer.append(10)
        if buffer.count > 64 * 1024 { flushLocked() }
    }
    func flush() {
        lock.lock()
        defer { lock.unlock() }
        flushLocked()
    }
    private func flushLocked() {
        guard !buffer.isEmpty else { return }
        buffer.withUnsafeBufferPointer { p in
            var off = 0
            while off < p.count {
                let n = Foundation.write(1, p.baseAddress! + off, p.count - off)
                if n <= 0 { break }
                off += n
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
