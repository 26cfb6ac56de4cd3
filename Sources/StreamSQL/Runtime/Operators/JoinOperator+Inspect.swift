/// A windowed query with a join: its windows are its input's.
extension JoinOperator: InspectableOperator {
    func inspect(limit: Int) -> WindowInspection? { (inner as? InspectableOperator)?.inspect(limit: limit) ?? nil }
}
