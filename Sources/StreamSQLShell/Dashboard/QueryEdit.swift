import CNcurses
import Foundation
import OrderedCollections
import StreamSQL

/// `e` on a pane: edit its query and see what would change before it does. The query's SELECT opens in a
/// one-line editor (in `$EDITOR` when it is longer than the line); Enter runs the edited version next to
/// the running one over the events their sources kept (`WhatIf.diff`) and splits the screen into old | new,
/// the differing rows marked (`-` gone, `+` new, `~` changed); `a` adopts it — a `CREATE OR REPLACE` of the
/// same name, so the pane stays and follows the new query — and Esc discards it.
struct QueryEdit {
    enum Stage {
        case editing
        case comparing(ResultDiff)
    }
    let pane: Pane
    /// The query's name, and the SELECT it runs now.
    let name: String
    let original: String
    var text: [Character]
    var cursor: Int
    var stage = Stage.editing
    /// Why the last Enter or `a` failed (shown under the text).
    var error: String?
    /// First diff line shown in the split view, and lines per page at the last frame.
    var top = 0
    var page = 10

    init?(pane: Pane) {
        guard let select = pane.query.select else { return nil }
        let sql = Array(pane.query.sql.utf8)
        let r = select.range
        guard r.start >= 0, r.start <= r.end, r.end <= sql.count else { return nil }
        self.pane = pane
        name = pane.query.name
        original = String(decoding: sql[r.start..<r.end], as: UTF8.self)
        text = Array(original)
        cursor = text.count
    }

    /// The statement that adopts `select` under the query's name: a `CREATE OR REPLACE` of the kind its
    /// definition made (a query, a derived stream, a query-kept table); an ad hoc query becomes a named one.
    static func adoptStatement(_ query: Query, _ select: String) -> String {
        var kind = "QUERY"
        if let statement = try? Parser.parse(query.sql) {
            switch statement {
            case .createStream: kind = "STREAM"
            case .createTable: kind = "TABLE"
            default: break
            }
        }
        return "CREATE OR REPLACE \(kind) \(query.name) AS \(select)"
    }

    /// A row as one line: `name=value` pairs.
    static func line(_ r: ResultDiff.Row) -> String {
        r.map { "\($0.key)=\(OutputFormat.cell($0.value))" }.joined(separator: "  ")
    }

    /// The split view's lines: (marker, old side, new side), changed rows first, then gone, then new.
    static func lines(_ d: ResultDiff) -> [(String, String?, String?)] {
        d.changed.map { ("~", line($0.old), line($0.new)) } + d.gone.map { ("-", line($0), nil) } + d.added.map { ("+", nil, line($0)) }
    }
}

extension Dashboard {
    /// `e`: opens the focused pane's query for editing (in `$EDITOR` when it is longer than the line).
    func beginEdit() {
        guard let p = focusedPane, var e = QueryEdit(pane: p) else { return }
        detail = nil
        let room = (lastFrame?.width ?? 80) - 6
        if e.original.count > room, let editor = ProcessInfo.processInfo.environment["EDITOR"], !editor.isEmpty {
            if let edited = externalEdit(e.original, editor: editor) {
                e.text = Array(edited)
                e.cursor = e.text.count
                edit = e
                compare()
                return
            }
            e.error = "\(editor) failed; edit the query here"
        }
        edit = e
    }

    /// Runs `$EDITOR` on the text with the screen given back to it; nil when the editor fails.
    func externalEdit(_ text: String, editor: String) -> String? {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("streamsql-edit-\(getpid()).sql").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        guard (try? text.write(toFile: path, atomically: true, encoding: .utf8)) != nil else { return nil }
        ss_stop()
        let status = system("\(editor) '\(path)'")
        let noColor = ProcessInfo.processInfo.environment["NO_COLOR"].map { !$0.isEmpty } ?? false
        _ = ss_start(noColor ? 0 : 1, theme.cValue)
        if mouse { _ = ss_mouse(1) }
        guard status == 0, let edited = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        // One statement: lines joined, a trailing ';' dropped.
        var s = edited.split(whereSeparator: \.isNewline).joined(separator: " ").trimmingCharacters(in: .whitespaces)
        while s.hasSuffix(";") { s = String(s.dropLast()).trimmingCharacters(in: .whitespaces) }
        return s
    }

    /// Runs the what-if of the edited text; on success the view splits, otherwise the error shows.
    func compare() {
        guard var e = edit else { return }
        do throws(ShellError) {
            e.stage = .comparing(try WhatIf.diff(engine, query: e.name, select: String(e.text)))
            e.error = nil
            e.top = 0
        } catch {
            e.stage = .editing
            e.error = error.description
        }
        edit = e
    }

    /// Adopts the edited version: the pane stays and follows the query that replaces the old one.
    func adoptEdit() {
        guard var e = edit else { return }
        do throws(StreamSQLError) {
            try engine.run(QueryEdit.adoptStatement(e.pane.query, String(e.text)))
            _ = e.pane.followQuery(in: engine)
            edit = nil
        } catch {
            e.stage = .editing
            e.error = error.message
            edit = e
        }
    }

    /// A key while editing or comparing.
    func handleEdit(_ key: Int32) {
        guard var e = edit else { return }
        if case .comparing = e.stage {
            switch key {
            case 27: edit = nil
            case Int32(UInt8(ascii: "a")): adoptEdit()
            case Int32(UInt8(ascii: "e")): e.stage = .editing; edit = e
            default:
                if let delta = cursorMove(key, page: e.page) {
                    e.top = max(0, delta >= Pane.far ? Int.max / 2 : e.top + delta)
                    edit = e
                }
            }
            return
        }
        switch key {
        case 27: edit = nil
        case 10, 13, ss_key_enter(): compare()
        case 127, 8, ss_key_backspace():
            if e.cursor > 0 { e.text.remove(at: e.cursor - 1); e.cursor -= 1 }
            edit = e
        case ss_key_left(): e.cursor = max(0, e.cursor - 1); edit = e
        case ss_key_right(): e.cursor = min(e.text.count, e.cursor + 1); edit = e
        case ss_key_home(), 1: e.cursor = 0; edit = e
        case ss_key_end(), 5: e.cursor = e.text.count; edit = e
        default:
            if key >= 32 && key < 127, let u = UnicodeScalar(UInt32(key)) {
                e.text.insert(Character(u), at: e.cursor)
                e.cursor += 1
                e.error = nil
                edit = e
            }
        }
    }

    /// Draws the editor line, or the old | new split, over the body and the footer.
    func drawEdit(_ f: inout Frame) {
        guard var e = edit else { return }
        let top = groups.count > 1 ? 2 : 1
        switch e.stage {
        case .editing:
            let h = 4, y = f.height - 1 - h
            guard y >= top, f.width >= 12 else { return }
            for r in y..<(y + h) { f.put(0, r, String(repeating: " ", count: f.width)) }
            f.box(0, y, f.width, h, title: "edit \(e.name)", focused: true)
            // The line scrolls so that the cursor stays on screen.
            let room = f.width - 4
            let start = max(0, e.cursor - room + 1)
            let shown = String(e.text[start..<min(e.text.count, start + room)])
            f.put(2, y + 1, shown, .normal, limit: room)
            let under = e.cursor < e.text.count ? String(e.text[e.cursor]) : " "
            f.put(2 + e.cursor - start, y + 1, under, .highlight)
            if let error = e.error {
                f.put(2, y + 2, error.split(separator: "\n").joined(separator: " · "), .red, limit: room)
            } else {
                f.put(2, y + 2, "running: " + e.original, .dim, limit: room)
            }
            f.put(0, f.height - 1, Frame.pad(" type to edit  ←→ Home End move  Enter compare with the running version  Esc cancel", f.width), .dim)
        case .comparing(let d):
            let area = Rect(x: 0, y: top, w: f.width, h: f.height - top - 1)
            guard area.h >= 5, area.w >= 20 else { return }
            for r in area.y..<(area.y + area.h) { f.put(0, r, String(repeating: " ", count: f.width)) }
            let half = area.w / 2
            f.box(0, area.y, half, area.h, title: "old · \(e.name) running · \(d.oldCount) rows", focused: false)
            f.box(half, area.y, area.w - half, area.h, title: "new · edited · \(d.newCount) rows", focused: true)
            let lw = half - 4, rw = area.w - half - 4
            f.put(2, area.y + 1, d.summary, .bold, limit: area.w - 4)
            let all = QueryEdit.lines(d)
            let rows = area.h - 3
            e.page = rows
            e.top = max(0, min(e.top, all.count - rows))
            if all.isEmpty { f.put(2, area.y + 2, "no row differs", .dim, limit: lw) }
            for (i, l) in all.dropFirst(e.top).prefix(rows).enumerated() {
                let y = area.y + 2 + i
                let style: CellStyle = l.0 == "~" ? .amber : l.0 == "-" ? .red : .green
                if let old = l.1 { f.put(2, y, "\(l.0) \(old)", style, limit: lw) }
                if let new = l.2 { f.put(half + 2, y, "\(l.0) \(new)", style, limit: rw) }
            }
            edit = e
            f.put(0, f.height - 1, Frame.pad(" a adopt (CREATE OR REPLACE; the pane stays)  e edit again  ↑↓ scroll  Esc discard", f.width), .dim)
        }
    }
}
