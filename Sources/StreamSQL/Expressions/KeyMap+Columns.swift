extension KeyMap {
    /// The position of the key that `columns` compute from `row` (a single value is looked up without
    /// building a key); when the key is missing, `add` adds it and returns its position.
    @inline(__always) func position(of columns: [Column], in row: Row, ifMissing add: (GroupKey) -> Int) -> Int {
        if columns.count == 1 {
            let v = columns[0](row)
            return position(ofOne: v) ?? add(.one(v))
        }
        let key: GroupKey = columns.isEmpty ? .none : .many(columns.map { $0(row) })
        return position(of: key) ?? add(key)
    }
}
