import Foundation

/// Writes a text frame of the presented screen every `interval` seconds (`--snapshot-every 5s DIR`):
/// `DIR/frame-0001.txt`, `frame-0002.txt`, … — the screen as plain text, one file a frame, for slides or a
/// written record of a demo. Times are the caller's (wall time live, the story's own time without a screen),
/// so a recording without a screen gives the same files for the same seed.
public final class SnapshotWriter: @unchecked Sendable {
    public let directory: String
    public let interval: Double
    private var next = 0.0
    private var count = 0
    private var started: UInt64?
    private let lock = NSLock()

    /// - Throws: `CastError` when the folder cannot be made or the interval is not positive.
    public init(every interval: Double, into directory: String) throws(CastError) {
        guard interval > 0, interval.isFinite else { throw CastError("--snapshot-every needs a positive duration such as 5s") }
        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw CastError("cannot make the snapshot folder \(directory)")
        }
        self.interval = interval
        self.directory = directory
    }

    /// The number of frames written.
    public var written: Int { lock.withLock { count } }

    /// Writes `f` if `interval` has passed since the last frame written (the first frame is always written);
    /// `time` is seconds since the first frame (default: wall time).
    func offer(_ f: Frame, at time: Double? = nil) {
        lock.lock()
        defer { lock.unlock() }
        let now = DispatchTime.now().uptimeNanoseconds
        let t = time ?? Double(now &- (started ?? now)) / 1e9
        if started == nil { started = now }
        guard t >= next else { return }
        count += 1
        next = t + interval
        let path = (directory as NSString).appendingPathComponent(String(format: "frame-%04d.txt", count))
        _ = FileManager.default.createFile(atPath: path, contents: Data(f.text.utf8))
    }
}
