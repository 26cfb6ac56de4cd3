/// The key of a group: no key, one value, or several. Hashed once per row.
enum GroupKey: Hashable {
    case none
    case one(Value)
    case many([Value])

    func value(_ i: Int) -> Value {
        switch self {
        case .none: return .null
        case .one(let v): return v
        case .many(let vs): return vs[i]
        }
    }
}
