import Foundation
import Study

/// Writes a study's report: `report.md` with `charts/*.svg` beside it, and a self-contained `report.html`.
public struct StudyReportWriter: Sendable {
    /// The analysis the report is written from.
    public let analysis: StudyAnalysis
    /// The report's title (first heading and HTML title).
    public let title: String

    /// Analyzes `records` (any number of models, plans and studies; base rows have method "base").
    /// `budgets` nil: 3/4/5/8-bit weights and ¼, ⅓, ½ of each model's f16 size.
    public init(records: [ExperimentRecord], title: String, budgets: [Budget]? = nil) {
        analysis = StudyAnalysis(records: records, budgets: budgets)
        self.title = title
    }

    /// The text of `analysis.json`.
    public func analysisJSON() throws -> String { try AnalysisJSON.render(analysis, title: title) }

    /// The charts, in report order.
    public func charts() -> [ReportChart] { ChartSet.charts(for: analysis) }

    /// The Markdown text of `report.md`.
    public func markdown() -> String {
        MarkdownRenderer.render(ReportDocument.blocks(analysis, title: title, charts: charts()))
    }

    /// The HTML text of `report.html`.
    public func html() -> String {
        HTMLRenderer.render(ReportDocument.blocks(analysis, title: title, charts: charts()), title: title)
    }

    /// A short plain-text summary for the terminal: per model the verdicts, one line each, and the recommendations.
    public func summary() -> String { TerminalSummary.render(analysis, title: title) }

    /// Writes `report.md`, `report.html`, `analysis.json` and `charts/*.svg` into `directory` (created if missing).
    public func write(to directory: URL) throws -> (markdown: URL, html: URL) {
        let fm = FileManager.default
        let chartDirectory = directory.appendingPathComponent("charts", isDirectory: true)
        try fm.createDirectory(at: chartDirectory, withIntermediateDirectories: true)
        let charts = charts()
        let blocks = ReportDocument.blocks(analysis, title: title, charts: charts)
        for chart in charts {
            let text = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + chart.svg
            try Data(text.utf8).write(to: chartDirectory.appendingPathComponent(chart.fileName), options: .atomic)
        }
        let md = directory.appendingPathComponent("report.md"), html = directory.appendingPathComponent("report.html")
        try Data(MarkdownRenderer.render(blocks).utf8).write(to: md, options: .atomic)
        try Data(HTMLRenderer.render(blocks, title: title).utf8).write(to: html, options: .atomic)
        try Data(try analysisJSON().utf8).write(to: directory.appendingPathComponent("analysis.json"), options: .atomic)
        return (md, html)
    }
}
