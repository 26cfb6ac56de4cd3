/// One output column of a query.
public struct ResultColumn: Sendable, Equatable {
    public let name: String
    /// The column holds an object whose fields become the row's fields (`SELECT *`, `changed_cols`).
    public let spread: Bool
    /// A NULL value leaves the key out of the row (`changed_col`), and a row whose every column is
    /// left out is not emitted, as the reference does.
    public let omitNull: Bool
    /// An object value spreads its fields into the row; other values stay under the name (`unnest`
    /// of an array of objects, as the reference expands them into columns).
    public let spreadsObjects: Bool

    public init(name: String, spread: Bool, omitNull: Bool = false, spreadsObjects: Bool = false) {
        self.name = name
        self.spread = spread
        self.omitNull = omitNull
        self.spreadsObjects = spreadsObjects
    }
}

public struct ResultSchema: Sendable, Equatable {
    public let columns: [ResultColumn]
    /// Every column leaves out empty values (changed_col / changed_cols only): a row with nothing
    /// left is not emitted.
    public var suppressesEmptyRows: Bool { !columns.isEmpty && columns.allSatisfy(\.omitNull) }
    public var width: Int { columns.count }
    public var names: [String] { columns.map(\.name) }
}
