import Foundation

/// A kind of dashboard pane: what it is called, the options `.pane add` accepts for it, and how it draws
/// a pane's rows. One file per kind under `Widgets/`; option checking, `.help pane` and Tab completion
/// are all derived from these declarations, so a new option is declared once.
///
/// ```
/// enum CounterWidget: Widget {
///     static let kind = WidgetKind.counter
///     static let summary = "the latest value in big digits, with a trend arrow"
///     static let options = [WidgetOption("value", column: "the number shown", default: "the count of rows"), …]
///     static func render(_ pane: Pane, rows: [PaneFeed.Entry], total: Int, in r: Rect, into f: inout Frame) { … }
/// }
/// ```
protocol Widget {
    /// The name in `.pane add NAME WIDGET QUERY`.
    static var kind: WidgetKind { get }
    /// What it shows, in a line (for `.help pane`).
    static var summary: String { get }
    /// The options it takes besides `title`, which every widget takes.
    static var options: [WidgetOption] { get }
    /// Draws the pane's rows (oldest first, at most the last 512; `total` counts every row received) inside
    /// `r`, the box's inside. Called on the dashboard's thread only, with at least one row.
    static func render(_ pane: Pane, rows: [PaneFeed.Entry], total: Int, in r: Rect, into f: inout Frame)
}

extension Widget {
    /// Its options and `title`, in the order help lists them.
    static var allOptions: [WidgetOption] { options + [WidgetOption.title] }
}

/// One option of a widget: its name, what it means, what its value is, and what happens without it.
public struct WidgetOption: Sendable, Equatable {
    /// What the value of an option is.
    public enum Value: Sendable, Equatable {
        /// A column of the query's output (or a field inside one: `assigned_agent.agent_id`).
        case column
        /// Columns separated by commas.
        case columns
        case number
        /// One of these words.
        case choice([String])
        case text
    }

    public let name: String
    public let meaning: String
    public let value: Value
    /// What applies when the option is left out, in words; nil when the option is required.
    public let defaultValue: String?

    init(_ name: String, _ value: Value, _ meaning: String, default defaultValue: String?) {
        self.name = name
        self.value = value
        self.meaning = meaning
        self.defaultValue = defaultValue
    }

    public var isRequired: Bool { defaultValue == nil }

    /// Whether its value names columns of the query's output.
    public var namesColumns: Bool { value == .column || value == .columns }

    /// The value's form, for help: `COLUMN`, `COLUMN,…`, `N`, `asc|key`, `TEXT`.
    public var placeholder: String {
        switch value {
        case .column: "COLUMN"
        case .columns: "COLUMN,…"
        case .number: "N"
        case .choice(let words): words.joined(separator: "|")
        case .text: "TEXT"
        }
    }

    /// The pane's title instead of its name; every widget takes it.
    static let title = WidgetOption("title", .text, "the pane's title", default: "the pane's name")
}

/// The widget kinds a pane can show, each drawn by one `Widget` (the switch below is the registry).
public enum WidgetKind: String, Sendable, CaseIterable {
    case table, sparkline, gauge, bars, timeline, log, counter

    var widget: any Widget.Type {
        switch self {
        case .table: TableWidget.self
        case .sparkline: SparklineWidget.self
        case .gauge: GaugeWidget.self
        case .bars: BarsWidget.self
        case .timeline: TimelineWidget.self
        case .log: LogWidget.self
        case .counter: CounterWidget.self
        }
    }

    /// The options it takes, `title` last.
    public var options: [WidgetOption] { widget.allOptions }

    /// What it shows, in a line.
    public var summary: String { widget.summary }
}
