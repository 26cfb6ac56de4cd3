import Foundation
import OrderedCollections
import StreamSQL
import XCTest
@testable import StreamSQLShell

/// Every widget kind drawn into a text frame from fixed rows, compared with a stored snapshot (characters
/// and a style letter per cell), so that refactoring the widgets cannot change what they draw.
/// `STREAMSQL_UPDATE_SNAPSHOTS=1 swift test --filter WidgetSnapshotTests` rewrites the file.
final class WidgetSnapshotTests: XCTestCase {
    static let snapshots = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")

    /// Panes of every kind (several option sets each) over one stream of 12 rows, drawn in a 120×66 frame.
    func frame() throws -> Frame {
        let engine = Engine()
        engine.createStream("s")
        _ = try engine.run("CREATE QUERY r AS SELECT k, v, n, sev, a, b, obj FROM s")
        _ = try engine.run("CREATE QUERY w AS SELECT k, SUM(n) AS total FROM s GROUP BY k, CountingWindow(3)")
        let specs: [(WidgetKind, String, [String: String])] = [
            (.table, "r", [:]),
            (.table, "r", ["columns": "k,v,obj.x", "key": "k", "sort": "v", "title": "Keyed table"]),
            (.sparkline, "r", ["value": "v"]),
            (.sparkline, "r", ["value": "v", "key": "k", "min": "0", "max": "10"]),
            (.gauge, "r", ["value": "v", "label": "k", "max": "10", "warn": "4", "alert": "8"]),
            (.gauge, "r", ["value": "n"]),
            (.bars, "r", ["key": "k", "value": "v", "warn": "3", "alert": "6"]),
            (.bars, "r", ["key": "k", "value": "v", "max": "20", "sort": "key", "low": "bad", "warn": "5", "alert": "2"]),
            (.timeline, "r", ["key": "k", "segments": "a,b"]),
            (.log, "r", ["columns": "sev,k,v", "severity": "sev"]),
            (.log, "w", [:]),
            (.counter, "r", ["value": "n", "unit": "things"]),
            (.counter, "w", [:]),
            (.table, "w", ["title": "Windowed table"]),
        ]
        let queries = engine.queries
        var panes: [Pane] = []
        for (i, (kind, query, options)) in specs.enumerated() {
            let q = try XCTUnwrap(queries.first { $0.name == query })
            panes.append(Pane(spec: PaneSpec(name: "p\(i)", widget: kind, query: query, options: options), query: q))
        }
        let keys = ["north", "south", "east", "west"], sevs = ["critical", "warning", "info"]
        for i in 0..<12 {
            let row: OrderedDictionary<String, Value> = [
                "k": .string(keys[i % 4]), "v": .double(Double(i * 7 % 11) + 0.25), "n": .int(Int64(i * 3)),
                "sev": .string(sevs[i % 3]), "a": .int(Int64(i % 5 + 1)), "b": .double(Double(i % 3) * 1.5),
                "obj": .object(["x": .int(Int64(100 + i))]),
            ]
            engine.emitSync(row, to: "s")
        }
        var f = Frame(width: 120, height: 66)
        for (i, p) in panes.enumerated() {
            let rect = Rect(x: (i % 2) * 60, y: (i / 2) * 9 + (i >= 12 ? 2 : 0), w: 60, h: i >= 12 ? 5 : 9)
            Widgets.draw(p, in: &f, rect, focused: i == 0)
        }
        return f
    }

    static func styleLetter(_ s: CellStyle) -> Character {
        switch s {
        case .normal: "."
        case .green: "g"
        case .amber: "a"
        case .red: "r"
        case .accent: "c"
        case .dim: "d"
        case .header: "H"
        case .highlight: "h"
        case .bold: "b"
        case .focus: "f"
        }
    }

    /// The frame's text, then its styles, a letter per cell.
    static func render(_ f: Frame) -> String {
        var styles = ""
        for y in 0..<f.height {
            var line = String((0..<f.width).map { styleLetter(f.styles[y * f.width + $0]) })
            while line.hasSuffix(".") { line.removeLast() }
            styles += line + "\n"
        }
        return f.text + "--- styles\n" + styles
    }

    func testEveryWidgetDrawsAsTheSnapshot() throws {
        let got = Self.render(try frame())
        let file = Self.snapshots.appendingPathComponent("widgets.txt")
        if ProcessInfo.processInfo.environment["STREAMSQL_UPDATE_SNAPSHOTS"] != nil {
            try got.write(to: file, atomically: true, encoding: .utf8)
        }
        let want = try String(contentsOf: file, encoding: .utf8)
        if got != want {
            let g = got.split(separator: "\n", omittingEmptySubsequences: false), w = want.split(separator: "\n", omittingEmptySubsequences: false)
            let line = zip(g, w).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(g.count, w.count)
            XCTFail("the widgets draw differently from Snapshots/widgets.txt from line \(line + 1):\n\(got)")
        }
    }
}
