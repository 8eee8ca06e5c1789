/// A table as both renderers draw it: plain-text cells, numeric columns right-aligned.
struct ReportTable: Equatable {
    var headers: [String]
    var numeric: [Bool]
    var rows: [[String]]
}

/// The report's content, independent of Markdown or HTML.
enum ReportBlock: Equatable {
    case heading(level: Int, text: String)
    case paragraph(String)
    /// A paragraph starting with an emphasised label, e.g. a verdict's question.
    case labeled(label: String, text: String)
    case bullets([String])
    case table(ReportTable)
    case chart(ReportChart)
}
