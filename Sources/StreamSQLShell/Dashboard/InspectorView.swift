import StreamSQL

/// The inspector over a windowed pane (`i`): why its query has not fired — the open windows per key with
/// their bounds, rows and time left, the source's watermark and idle time, the next firing, and the last
/// late and rejected rows with their reasons. It reads `Engine.inspect` (what `SHOW WINDOWS` prints) at
/// every frame, so it stays live; ↑ ↓ PgUp PgDn Home End scroll it, Esc closes it.
struct InspectorView {
    let paneTitle: String
    /// The pane's query now (a replaced or restarted query is a new object the pane follows).
    let pane: Pane
    var query: Query { pane.query }
    var top = 0
    /// Lines shown at the last frame (a page).
    var page = 10

    /// The inspection as styled text lines at most `width` columns wide (longer ones are cut with `…`
    /// when drawn, except the "why" sentence, which wraps).
    /// - Complexity: O(rows of the report).
    static func lines(_ i: QueryInspection, width: Int) -> [(String, CellStyle)] {
        var out: [(String, CellStyle)] = []
        let rows = i.report()
        let windows = rows.filter { $0[0] == "window" && $0[1] != "" }
        let keyW = min(28, windows.map { Frame.width(text($0[1])) }.max() ?? 0)
        let boundsW = windows.map { Frame.width(text($0[2])) }.max() ?? 0
        var last = ""
        for r in rows {
            let section = text(r[0]), key = text(r[1]), window = text(r[2]), count = r[3].isNull ? "" : text(r[3])
            let firesIn = text(r[4]), detail = text(r[5])
            if section != last && !out.isEmpty && ["window", "late", "rejected"].contains(section) { out.append(("", .normal)) }
            defer { last = section }
            switch section {
            case "why":
                for (n, piece) in wrap("Why nothing fired: " + detail, width - 2).enumerated() { out.append(((n == 0 ? "" : "  ") + piece, .amber)) }
            case "source":
                out.append(("Source \(key): \(count) events · \(detail)", .normal))
            case "plan":
                out.append(("Plan: \(detail)", .dim))
            case "next firing":
                out.append(("Next firing: \(key) \(window), \(count) row\(count == "1" ? "" : "s"), in \(firesIn) (\(detail))", .bold))
            case "window":
                if last != "window" { out.append(("Open windows (\(windows.count) listed)", .bold)) }
                if key.isEmpty { out.append(("  " + detail, .dim)); continue }
                let k = Frame.width(key) > keyW ? String(key.prefix(max(1, keyW - 1))) + "…" : key
                out.append(("  " + Frame.pad(k, keyW) + "  " + Frame.pad(window, boundsW) + "  " + Frame.pad(count, 6, right: true)
                            + " rows  fires in " + firesIn, .normal))
            case "late", "rejected":
                if !count.isEmpty { out.append(("\(section == "late" ? "Late rows" : "Rejected"): \(count) · \(detail)", .bold)); continue }
                out.append(("  " + (window.isEmpty ? "" : window + "  ") + detail, section == "late" ? .amber : .red))
            default:
                out.append(("\(section): \(detail)", .normal))
            }
        }
        return out
    }

    static func text(_ v: Value) -> String {
        if case .string(let s) = v { return s }
        return v.isNull ? "" : OutputFormat.cell(v)
    }

    /// `s` cut into pieces of at most `width` columns, at spaces where it can (a longer word is cut).
    static func wrap(_ s: String, _ width: Int) -> [String] {
        let room = max(8, width)
        var out: [String] = [], line = ""
        for word in s.split(separator: " ", omittingEmptySubsequences: false).map(String.init) {
            let joined = line.isEmpty ? word : line + " " + word
            if Frame.width(joined) <= room { line = joined; continue }
            if !line.isEmpty { out.append(line) }
            line = word
            while Frame.width(line) > room {
                // The longest prefix that fits (at least one character, so that the loop always moves on).
                var head = "", w = 0
                for c in line {
                    if w + Frame.columns(c) > room && !head.isEmpty { break }
                    head.append(c); w += Frame.columns(c)
                }
                out.append(head)
                line = String(line.dropFirst(head.count))
            }
        }
        if !line.isEmpty || out.isEmpty { out.append(line) }
        return out
    }

    /// Draws the view over `area`, from the inspection of its query now.
    mutating func draw(in f: inout Frame, _ area: Rect, engine: Engine) {
        for y in area.y..<(area.y + area.h) { f.put(area.x, y, String(repeating: " ", count: area.w)) }
        f.box(area.x, area.y, area.w, area.h, title: "\(paneTitle) › inspector (\(query.name))", focused: true)
        let inner = Rect(x: area.x + 2, y: area.y + 1, w: area.w - 4, h: area.h - 2)
        guard inner.w > 4, inner.h > 0 else { return }
        let all = InspectorView.lines(engine.inspect(query), width: inner.w)
        page = inner.h
        top = max(0, min(top, all.count - inner.h))
        for (i, l) in all.dropFirst(top).prefix(inner.h).enumerated() { f.put(inner.x, inner.y + i, Frame.fit(l.0, inner.w), l.1, limit: inner.w) }
        if all.count > inner.h {
            let where_ = " \(top + 1)-\(min(all.count, top + inner.h)) of \(all.count) lines "
            f.put(area.x + area.w - 2 - Frame.width(where_), area.y + area.h - 1, where_, .dim)
        }
    }
}
