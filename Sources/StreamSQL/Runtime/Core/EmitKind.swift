/// What an output row of a windowed query is (`emit_kind()`).
public enum EmitKind: UInt8, Sendable {
    /// A window's result when it closes.
    case final
    /// A result of a window still open (EMIT EVERY).
    case early
    /// A group's new result (EMIT CHANGES), or a closed window's result again after a late row.
    case update
    /// Withdraws the row this group emitted before (EMIT CHANGES): same cells, marked retract.
    case retract

    public var name: String {
        switch self {
        case .final: return "final"
        case .early: return "early"
        case .update: return "update"
        case .retract: return "retract"
        }
    }
}
