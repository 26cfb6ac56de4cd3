/// Values of the analytic calls for the row being processed; compiled expressions read them.
final class AnalyticValues {
    var values: [Value]
    init(count: Int) { values = Array(repeating: .null, count: count) }
}
