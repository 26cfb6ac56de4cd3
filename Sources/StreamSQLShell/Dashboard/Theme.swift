import CNcurses

/// The dashboard's look: `default` (the terminal's own background, grey for secondary text) or `contrast`
/// for projectors (white on black, bright colours, no grey, every cell bold). `NO_COLOR` wins over either:
/// no colour at all, the header bar and highlighted rows in reverse video.
public enum DashboardTheme: String, Sendable, CaseIterable {
    case `default`, contrast

    /// The theme a name chooses (`--theme`, `.set theme`), or nil.
    public init?(name: String) { self.init(rawValue: name.lowercased()) }

    /// The names, for help and error messages.
    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// How a cell style is drawn: its colour pair (the shim's `SS_*`), bold, reverse.
    /// - Complexity: O(1).
    func look(_ style: CellStyle) -> (pair: Int32, bold: Bool, reverse: Bool) {
        let base: (Int32, Bool, Bool) = switch style {
        case .normal: (0, false, false)
        case .green: (Int32(SS_GREEN), false, false)
        case .amber: (Int32(SS_AMBER), true, false)
        case .red: (Int32(SS_RED), true, false)
        case .accent: (Int32(SS_ACCENT), false, false)
        case .dim: (Int32(SS_DIM), false, false)
        case .header: (Int32(SS_HEADER), true, true)
        case .highlight: (Int32(SS_HIGHLIGHT), true, true)
        case .bold: (0, true, false)
        case .focus: (Int32(SS_ACCENT), true, false)
        }
        // On a projector thin strokes wash out: everything bold.
        return self == .contrast ? (base.0, true, base.2) : base
    }

    /// The shim's theme number.
    var cValue: Int32 { self == .contrast ? 1 : 0 }
}
