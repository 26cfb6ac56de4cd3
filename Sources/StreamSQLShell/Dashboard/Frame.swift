import Foundation

/// How a cell is drawn. Curses maps these to colour pairs and attributes; a text snapshot ignores them.
public enum CellStyle: UInt8, Sendable {
    case normal, green, amber, red, accent, dim, header, highlight, bold, focus
}

/// One frame of the dashboard as a grid of cells: the widgets draw here, then the screen copies it to
/// curses, or `text` turns it into plain lines for snapshots and tests. Nothing here touches curses.
public struct Frame: Sendable {
    public let width: Int
    public let height: Int
    /// One grapheme per cell ("" for the second half of a wide character).
    var chars: [String]
    var styles: [CellStyle]

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        chars = Array(repeating: " ", count: self.width * self.height)
        styles = Array(repeating: .normal, count: self.width * self.height)
    }

    /// Terminal columns a character takes: 2 for East Asian wide and emoji, 0 for combining marks.
    static func columns(_ c: Character) -> Int {
        guard let s = c.unicodeScalars.first else { return 0 }
        let v = s.value
        if v < 0x300 { return 1 }
        if (0x300...0x36F).contains(v) { return 0 }
        if (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v) || (0xAC00...0xD7A3).contains(v)
            || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v) || (0xFF00...0xFF60).contains(v)
            || (0xFFE0...0xFFE6).contains(v) || (0x1F300...0x1FAFF).contains(v) || (0x20000...0x3FFFD).contains(v)
        {
            return 2
        }
        return 1
    }

    /// Display width of a string.
    public static func width(_ s: String) -> Int { s.reduce(0) { $0 + columns($1) } }

    /// Cuts `s` to `max` columns, ending with an ellipsis when cut.
    public static func fit(_ s: String, _ max: Int) -> String {
        guard max > 0 else { return "" }
        if width(s) <= max { return s }
        var out = ""
        var w = 0
        for c in s {
            let cw = columns(c)
            if w + cw > max - 1 { break }
            out.append(c)
            w += cw
        }
        return out + "…"
    }

    /// Pads or cuts `s` to exactly `n` columns.
    public static func pad(_ s: String, _ n: Int, right: Bool = false) -> String {
        let f = fit(s, n)
        let gap = String(repeating: " ", count: max(0, n - width(f)))
        return right ? gap + f : f + gap
    }

    /// Writes `text` at (x, y), clipped to the frame and to `limit` columns.
    public mutating func put(_ x: Int, _ y: Int, _ text: String, _ style: CellStyle = .normal, limit: Int? = nil) {
        guard y >= 0, y < height else { return }
        var cx = x
        let end = min(width, limit.map { x + $0 } ?? width)
        for c in text {
            let w = Frame.columns(c)
            if w == 0 { continue }
            if cx + w > end { break }
            if cx >= 0 {
                chars[y * width + cx] = String(c)
                styles[y * width + cx] = style
                if w == 2 {
                    chars[y * width + cx + 1] = ""
                    styles[y * width + cx + 1] = style
                }
            }
            cx += w
        }
    }

    /// Fills a rectangle's style (text unchanged).
    public mutating func style(_ x: Int, _ y: Int, _ w: Int, _ style: CellStyle) {
        guard y >= 0, y < height else { return }
        for cx in max(0, x)..<min(width, x + w) { styles[y * width + cx] = style }
    }

    /// A box with a title.
    public mutating func box(_ x: Int, _ y: Int, _ w: Int, _ h: Int, title: String, focused: Bool) {
        guard w >= 2, h >= 2 else { return }
        let st: CellStyle = focused ? .focus : .dim
        put(x, y, "┌" + String(repeating: "─", count: w - 2) + "┐", st)
        for r in 1..<(h - 1) {
            put(x, y + r, "│", st)
            put(x + w - 1, y + r, "│", st)
        }
        put(x, y + h - 1, "└" + String(repeating: "─", count: w - 2) + "┘", st)
        if w > 6 { put(x + 2, y, " " + Frame.fit(title, w - 6) + " ", focused ? .focus : .accent) }
    }

    /// The frame as plain text lines, trailing spaces removed.
    public var text: String {
        var lines: [String] = []
        for y in 0..<height {
            var line = ""
            for x in 0..<width { line += chars[y * width + x] }
            while line.hasSuffix(" ") { line.removeLast() }
            lines.append(line)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Runs of equal style on one line, for the screen to draw.
    func runs(line y: Int) -> [(x: Int, text: String, style: CellStyle)] {
        var out: [(Int, String, CellStyle)] = []
        var x = 0
        while x < width {
            let st = styles[y * width + x]
            var s = ""
            let start = x
            while x < width, styles[y * width + x] == st {
                s += chars[y * width + x]
                x += 1
            }
            out.append((start, s, st))
        }
        return out
    }
}
