import Foundation
import XCTest

/// NO_COLOR turns every colour off in the dashboard, as in the shell: the screen tmux keeps has
/// attributes (bold, reverse) but no foreground or background colour.
final class DashboardColorTests: XCTestCase {
    let terminal = Tmux(socket: "streamsql-color-test")

    /// The SGR parameters tmux writes for colours: 30–38, 40–48, 90–97, 100–107.
    static func colourCodes(in screen: String) -> [String] {
        var found: [String] = []
        var rest = Substring(screen)
        while let start = rest.range(of: "\u{1B}[") {
            rest = rest[start.upperBound...]
            guard let end = rest.firstIndex(of: "m") else { break }
            let params = rest[..<end].split(separator: ";").compactMap { Int($0) }
            if params.contains(where: { (30...38).contains($0) || (40...48).contains($0) || (90...97).contains($0) || (100...107).contains($0) }) {
                found.append(String(rest[..<end]))
            }
            rest = rest[end...]
        }
        return found
    }

    func run(noColor: Bool) throws -> String {
        let binary = InteractiveShellTests.root.appendingPathComponent(".build/debug/streamsql").path
        guard FileManager.default.isExecutableFile(atPath: binary) else { throw XCTSkip("build the streamsql binary first") }
        guard !terminal(["-V"]).isEmpty else { throw XCTSkip("tmux is not installed") }
        _ = terminal(["kill-server"])
        let env = noColor ? "NO_COLOR=1 " : ""
        _ = terminal(["new-session", "-d", "-s", "sh", "-x", "100", "-y", "30",
                      "cd '\(InteractiveShellTests.root.path)' && \(env)TERM=xterm-256color NCURSES_NO_UTF8_ACS=1 \(binary) demo fraud --seed 4"])
        XCTAssertTrue(terminal.waitFor("TXN0"), terminal.visible())
        let screen = terminal(["capture-pane", "-e", "-p", "-t", "sh"])
        _ = terminal(["send-keys", "-t", "sh", "q"])
        _ = terminal(["kill-server"])
        return screen
    }

    func testNoColorLeavesNoColourOnTheScreen() throws {
        let plain = try run(noColor: true)
        XCTAssertTrue(plain.contains("Financial risk control"), plain)
        XCTAssertEqual(Self.colourCodes(in: plain), [], "colour codes with NO_COLOR set")
        // The header bar keeps its look by reverse video (SGR 7) instead of a background colour.
        XCTAssertTrue(plain.contains("\u{1B}[7m") || plain.contains(";7m") || plain.contains("[7;"), plain.prefix(300).debugDescription)
    }
}
