import Foundation
import XCTest
import StreamSQLShell

/// The built `streamsql` binary, run through pipes: what the non-interactive tests drive.
enum StreamsqlBinary {
    static let path = InteractiveShellTests.root.appendingPathComponent(".build/debug/streamsql").path
    static var exists: Bool { FileManager.default.isExecutableFile(atPath: path) }

    /// Runs it with `args` (and `stdin`, closed after writing); returns the exit status, stdout and stderr.
    /// Standard error is read on another thread so that neither pipe can fill up and stall the process.
    static func run(_ args: [String], stdin: String? = nil, environment: [String: String]? = nil) throws -> (status: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        if let environment { p.environment = environment }
        let out = Pipe(), err = Pipe(), inp = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = inp
        try p.run()
        if let stdin { inp.fileHandleForWriting.write(Data(stdin.utf8)) }
        try inp.fileHandleForWriting.close()
        let errData = Locked(Data())
        let reading = DispatchGroup()
        DispatchQueue.global().async(group: reading) { errData.mutate { $0 = err.fileHandleForReading.readDataToEndOfFile() } }
        let o = out.fileHandleForReading.readDataToEndOfFile()
        reading.wait()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: errData.value, as: UTF8.self))
    }
}

/// A test case with a scratch folder of its own (made before each test, removed after), and the
/// `streamsql` binary required unless `needsBinary` says otherwise.
class ScratchFolderTestCase: XCTestCase {
    var dir: URL!
    /// Whether the tests run the built binary (they are skipped when it is not built).
    var needsBinary: Bool { true }

    override func setUpWithError() throws {
        if needsBinary { guard StreamsqlBinary.exists else { throw XCTSkip("build the streamsql binary first") } }
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("streamsql-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDown() { if let dir { try? FileManager.default.removeItem(at: dir) } }

    /// Writes `text` to `name` in the scratch folder; returns its path.
    func file(_ name: String, _ text: String) throws -> String {
        let url = dir.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }
}
