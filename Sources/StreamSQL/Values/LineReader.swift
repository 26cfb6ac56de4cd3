import Foundation

/// The one way the product reads a text file line by line (event files, tables, replays, standard input).
///
/// It reads in chunks, so memory stays bounded whatever the file holds, and it decides the things every
/// reader of a file must agree on:
/// - a line ends at LF; a CR before the LF is dropped (CRLF files read as LF files);
/// - a UTF-8 byte-order mark at the start of the file is skipped;
/// - a line longer than `maxLineBytes` (default 16 MB) is not kept: the rest of it is skipped and it
///   comes out as one `.tooLong` item, so an endless line costs no memory;
/// - a NUL byte means the file is not text (a sparse or binary file): reading stops there and `failure`
///   says where, instead of scanning gigabytes of zeros for lines.
/// The bytes of a line are not checked as UTF-8 here; the JSON and CSV readers check them and say where.
public final class LineReader {
    /// One line: its number (from 1), the byte offset of its start in the file, and its bytes without
    /// the line end. The bytes are valid until the next call of `next()`.
    public struct Line {
        public let number: Int
        public let offset: Int
        public let bytes: UnsafeBufferPointer<UInt8>

        public var text: String { String(decoding: bytes, as: UTF8.self) }
        /// Whether the line holds only spaces and tabs.
        public var isBlank: Bool { bytes.allSatisfy { $0 == 32 || $0 == 9 } }
    }

    public enum Item {
        case line(Line)
        /// A line over the limit, skipped: its number, offset and full length in bytes.
        case tooLong(number: Int, offset: Int, length: Int)
    }

    public static let defaultMaxLineBytes = 16 * 1024 * 1024
    static let chunkBytes = 1 << 20

    public let name: String
    public let maxLineBytes: Int
    /// Why reading stopped before the end of the file (a read error or binary data), if it did.
    public private(set) var failure: String?
    /// Bytes consumed so far (for progress displays).
    public private(set) var bytesRead = 0

    private let fd: Int32
    private let ownsDescriptor: Bool
    private var buffer: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var start = 0, end = 0
    private var eof = false
    private var lineNumber = 0
    /// File offset of `buffer[0]`.
    private var base = 0
    private var atFileStart = true

    /// Opens a file; throws a readable message when it cannot be opened or is a directory.
    public convenience init(path: String, maxLineBytes: Int = LineReader.defaultMaxLineBytes) throws(StreamSQLError) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw StreamSQLError(.io, "cannot read '\(path)': \(String(cString: strerror(errno)))")
        }
        var st = stat()
        if fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw StreamSQLError(.io, "'\(path)' is a directory, not a file")
        }
        self.init(fd: fd, owned: true, name: path, maxLineBytes: maxLineBytes)
    }

    /// Reads an open descriptor (standard input: `fileDescriptor: 0`); it is not closed.
    public convenience init(fileDescriptor: Int32, name: String, maxLineBytes: Int = LineReader.defaultMaxLineBytes) {
        self.init(fd: fileDescriptor, owned: false, name: name, maxLineBytes: maxLineBytes)
    }

    private init(fd: Int32, owned: Bool, name: String, maxLineBytes: Int) {
        self.fd = fd
        ownsDescriptor = owned
        self.name = name
        self.maxLineBytes = max(1, maxLineBytes)
        capacity = LineReader.chunkBytes * 2
        buffer = .allocate(capacity: capacity)
    }

    /// Reads a string's lines (tests, `-e` input); the same rules as for a file.
    public static func text(_ s: String, name: String = "text", maxLineBytes: Int = LineReader.defaultMaxLineBytes) -> LineReader {
        bytes(Array(s.utf8), name: name, maxLineBytes: maxLineBytes)
    }

    /// Reads bytes held in memory (which, unlike a `String`, may be invalid UTF-8); the same rules as for a file.
    public static func bytes(_ b: [UInt8], name: String = "bytes", maxLineBytes: Int = LineReader.defaultMaxLineBytes) -> LineReader {
        let r = LineReader(fileDescriptor: -1, name: name, maxLineBytes: maxLineBytes)
        r.load(b)
        return r
    }

    deinit {
        buffer.deallocate()
        if ownsDescriptor { close(fd) }
    }

    /// The next line, or nil at the end of the file (or when `failure` is set).
    public func next() -> Item? {
        while true {
            if start < end, let nl = memchr(buffer + start, 10, end - start) {
                let stop = buffer.distance(to: nl.assumingMemoryBound(to: UInt8.self))
                return emitLine(upTo: stop, consumed: stop + 1)
            }
            if eof {
                guard start < end else { return nil }
                return emitLine(upTo: end, consumed: end)
            }
            // One byte more than the limit may be the CR of a CRLF whose LF is not read yet.
            if end - start > maxLineBytes + 1 { return skipLongLine() }
            fill()
        }
    }

    private func emitLine(upTo stop: Int, consumed: Int) -> Item {
        lineNumber += 1
        let from = start
        var to = stop
        if to > from, buffer[to - 1] == 13 { to -= 1 }
        start = consumed
        bytesRead = base + consumed
        if to - from > maxLineBytes { return .tooLong(number: lineNumber, offset: base + from, length: stop - from) }
        return .line(Line(number: lineNumber, offset: base + from, bytes: UnsafeBufferPointer(start: buffer + from, count: to - from)))
    }

    /// The pending bytes are already over the limit: drop them and everything up to the next line end.
    @inline(never)
    private func skipLongLine() -> Item {
        lineNumber += 1
        let offset = base + start
        var length = end - start
        while true {
            base += end
            start = 0; end = 0
            if !read() { break }
            if let nl = memchr(buffer, 10, end) {
                let stop = buffer.distance(to: nl.assumingMemoryBound(to: UInt8.self))
                length += stop
                start = stop + 1
                break
            }
            length += end
        }
        bytesRead = base + start
        return .tooLong(number: lineNumber, offset: offset, length: length)
    }

    /// Moves the pending bytes to the front and reads more after them.
    private func fill() {
        if start > 0 {
            if end > start { memmove(buffer, buffer + start, end - start) }
            base += start
            end -= start
            start = 0
        }
        if capacity - end < LineReader.chunkBytes {
            let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity * 2)
            grown.update(from: buffer, count: end)
            buffer.deallocate()
            buffer = grown
            capacity *= 2
        }
        _ = read()
    }

    /// Reads one chunk after `end`; false at the end of the file or on failure.
    private func read() -> Bool {
        guard fd >= 0 else { eof = true; return false }
        var n: Int
        repeat { n = Foundation.read(fd, buffer + end, min(LineReader.chunkBytes, capacity - end)) } while n < 0 && errno == EINTR
        if n < 0 {
            failure = "\(name): read error at byte \(base + end): \(String(cString: strerror(errno)))"
            eof = true
            return false
        }
        if n == 0 { eof = true; return false }
        let from = end
        end += n
        check(from: from, count: n)
        return failure == nil
    }

    /// The checks on newly read bytes: the byte-order mark at the start, and NUL bytes.
    private func check(from: Int, count: Int) {
        var from = from, count = count
        if atFileStart {
            atFileStart = false
            if count >= 3, buffer[from] == 0xEF, buffer[from + 1] == 0xBB, buffer[from + 2] == 0xBF {
                // Skipped by counting it as consumed.
                start += 3
                from += 3; count -= 3
            }
        }
        if count > 0, let z = memchr(buffer + from, 0, count) {
            let at = buffer.distance(to: z.assumingMemoryBound(to: UInt8.self))
            failure = "\(name): binary data (a NUL byte) at byte \(base + at + 1): not a text file; stopped reading there"
            // The complete lines before it are still read; the line holding the NUL and the rest are not.
            var cut = at
            while cut > start, buffer[cut - 1] != 10 { cut -= 1 }
            end = cut
            eof = true
        }
    }

    private func load(_ bytes: [UInt8]) {
        if bytes.count > capacity {
            buffer.deallocate()
            capacity = bytes.count
            buffer = .allocate(capacity: capacity)
        }
        bytes.withUnsafeBufferPointer { p in
            if let b = p.baseAddress { buffer.update(from: b, count: p.count) }
        }
        end = bytes.count
        eof = true
        check(from: 0, count: end)
    }
}
