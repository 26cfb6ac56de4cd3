import ArgumentParser
import Foundation
import StreamSQLShell

/// `streamsql play FILE.cast`: plays an asciicast v2 recording (`present --record`) in the terminal.
struct PlayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "play",
        abstract: "Play an asciicast v2 recording (from `streamsql present --record FILE.cast`) in the terminal.")

    @Argument(help: "The .cast file.")
    var file: String

    @Option(help: "How much faster than recorded: x2, 4, x0.5.")
    var speed: String = "x1"

    func run() throws {
        guard let x = Double(speed.lowercased().drop { $0 == "x" }), x > 0, x.isFinite else {
            warn("--speed must be xN with N > 0 (x2, x0.5), got '\(speed)'")
            throw ExitCode(2)
        }
        guard let data = FileManager.default.contents(atPath: file) else { warn("cannot read \(file)"); throw ExitCode(2) }
        let cast: Cast
        do { cast = try Cast(text: String(decoding: data, as: UTF8.self)) } catch {
            warn("\(file): \(error.description)")
            throw ExitCode(2)
        }
        cast.play(speed: x) { text in FileHandle.standardOutput.write(Data(text.utf8)) }
        FileHandle.standardOutput.write(Data("\r\n".utf8))
    }
}
