import ArgumentParser
import Foundation
import Study
import StudyReport

/// `ptqlab report RESULTS.db -o DIR`: the analysis (ΔPPL, sensitivity classes, Pareto frontier,
/// the two verdicts, recommendations) as Markdown and one self-contained HTML page with SVG charts,
/// plus the rows as CSV and JSON.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write the report of a results database: report.md, report.html (self-contained, SVG charts), results.csv, results.json.")

    @Argument(help: "A results database written by `ptqlab study` or `ptqlab merge`.")
    var database: String

    @Option(name: [.customShort("o"), .customLong("out")], help: "Output directory (default: report/ beside the database).")
    var out: String?

    @Option(help: "Only the rows of this study.")
    var study: String?

    func run() throws {
        try runReportingErrors {
            guard FileManager.default.fileExists(atPath: database) else {
                throw ValidationError("\(database): no such results database")
            }
            let records = try ResultsStore(path: database).records(study: study)
            let directory = out ?? ((database as NSString).deletingLastPathComponent as NSString).appendingPathComponent("report")
            let title = study.map { "PTQLab study \($0)" } ?? "PTQLab results: \((database as NSString).lastPathComponent)"
            try Self.writeReport(records: records, title: title, directory: directory, printSummary: true)
        }
    }

    /// Writes the report files into `directory` and prints where they are (and the summary).
    static func writeReport(records: [ExperimentRecord], title: String, directory: String, printSummary: Bool) throws {
        let url = URL(fileURLWithPath: directory)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        let writer = StudyReportWriter(records: records, title: title)
        let (markdown, html) = try writer.write(to: url)
        let csv = url.appendingPathComponent("results.csv"), json = url.appendingPathComponent("results.json")
        try ResultsExport.csv(records).write(to: csv, atomically: true, encoding: .utf8)
        try ResultsExport.json(records).write(to: json, atomically: true, encoding: .utf8)
        if printSummary { print(writer.summary()) }
        print("report: \(html.path)\n        \(markdown.path)\nresults: \(csv.path)\n         \(json.path)")
    }
}
