import Foundation

/// Writes a session in the asciicast v2 format (what asciinema players read): a JSON header line with the
/// width and height, then one `[seconds, "o", text]` line per frame that differs from the one before, the
/// text clearing the screen and drawing the frame. Times are seconds since the first frame and always
/// increase.
public final class CastRecorder: @unchecked Sendable {
    private let handle: FileHandle
    private let start = DispatchTime.now().uptimeNanoseconds
    private var last = ""
    private var lastTime = -1.0
    private var headerWritten = false
    private let title: String
    private let lock = NSLock()

    public init(path: String, title: String) throws(CastError) {
        guard FileManager.default.createFile(atPath: path, contents: nil), let h = FileHandle(forWritingAtPath: path) else {
            throw CastError("cannot write the recording \(path)")
        }
        handle = h
        self.title = title
    }

    static func json(_ s: String) -> String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.withoutEscapingSlashes]
        return (try? enc.encode(s)).map { String(decoding: $0, as: UTF8.self) } ?? "\"\""
    }

    /// Records a frame if it differs from the last one, at `time` seconds (default: since the first frame).
    func record(_ f: Frame, at time: Double? = nil) {
        let text = f.text
        lock.lock()
        defer { lock.unlock() }
        guard text != last else { return }
        last = text
        if !headerWritten {
            headerWritten = true
            write("{\"version\": 2, \"width\": \(f.width), \"height\": \(f.height), \"title\": \(Self.json(title)), \"env\": {\"TERM\": \"xterm-256color\"}}")
        }
        var t = ((time ?? Double(DispatchTime.now().uptimeNanoseconds &- start) / 1e9) * 1e6).rounded() / 1e6
        if t <= lastTime { t = lastTime + 0.000001 }
        lastTime = t
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).prefix(f.height)
        let out = "\u{1B}[H\u{1B}[2J" + lines.joined(separator: "\r\n")
        write("[\(String(format: "%.6f", t)), \"o\", \(Self.json(out))]")
    }

    private func write(_ line: String) { handle.write(Data((line + "\n").utf8)) }

    public func close() { try? handle.close() }
}

public struct CastError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ d: String) { description = d }
}

/// An asciicast v2 file read back: its size and its output events, checked line by line.
public struct Cast: Sendable {
    public var width: Int
    public var height: Int
    public var events: [(time: Double, text: String)] = []

    public init(text: String) throws(CastError) {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true).makeIterator()
        guard let first = lines.next(), let header = try? JSONSerialization.jsonObject(with: Data(first.utf8)) as? [String: Any],
              header["version"] as? Int == 2, let w = header["width"] as? Int, let h = header["height"] as? Int else {
            throw CastError("line 1: not an asciicast v2 header ({\"version\": 2, \"width\": …, \"height\": …})")
        }
        width = w
        height = h
        var n = 1, last = -Double.infinity
        while let line = lines.next() {
            n += 1
            guard let a = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [Any], a.count == 3,
                  let t = (a[0] as? NSNumber)?.doubleValue, let kind = a[1] as? String, let s = a[2] as? String else {
                throw CastError("line \(n): not an event [time, \"o\", text]")
            }
            guard t >= last else { throw CastError("line \(n): time \(t) goes back (before \(last))") }
            last = t
            if kind == "o" { events.append((t, s)) }
        }
    }

    /// Plays the events to `write`, `speed` times faster than recorded.
    public func play(speed: Double, write: (String) -> Void) {
        var prev = 0.0
        for e in events {
            let wait = (e.time - prev) / max(speed, 0.001)
            if wait > 0 { usleep(UInt32(min(wait, 5) * 1e6)) }
            prev = e.time
            write(e.text)
        }
    }
}
