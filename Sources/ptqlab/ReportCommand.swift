import ArgumentParser
import Foundation
import Study
import StudyReport

/// `ptqlab report RESULTS.db -o DIR`: the analysis (per model and evaluation plan: ΔPPL with
/// intervals, sensitivity classes, Pareto frontiers, the verdicts, recommendations per budget) as
/// Markdown, one self-contained HTML page with SVG charts, and analysis.json, plus the rows as CSV
/// and JSON.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write the report of a results database: report.md, report.html (self-contained, SVG charts), analysis.json, results.csv, results.json.")

    @Argument(help: "A results database written by `ptqlab study` or `ptqlab merge`.")
    var database: String

    @Option(name: [.customShort("o"), .customLong("out")], help: "Output directory (default: report/ beside the database).")
    var out: String?

    @Option(help: "Only the rows of this study (default: every row of the database).")
    var study: String?

    @Option(help: "Budgets in weight bits, comma-separated (default 3,4,5,8): e.g. 8 admits W8 per-row at 8.05 effective bits.")
    var budgetBits: String?

    @Option(help: "Budgets as whole-model sizes in MB (10^6 bytes), comma-separated (default: ¼, ⅓ and ½ of each model's f16 size).")
    var budgetMb: String?

    func run() throws {
        try runReportingErrors {
            guard FileManager.default.fileExists(atPath: database) else {
                throw ValidationError("\(database): no such results database")
            }
            let records = try ResultsStore(readingFrom: database).records(study: study)
            if let study, records.isEmpty { throw ValidationError("\(database): no rows of study '\(study)'") }
            let directory = out ?? ((database as NSString).deletingLastPathComponent as NSString).appendingPathComponent("report")
            try Self.writeReport(records: records, title: Self.title(records: records, study: study), directory: directory,
                                 printSummary: true, budgets: try budgets())
        }
    }

    /// The budgets the options name, or nil for the defaults.
    func budgets() throws -> [Budget]? {
        guard budgetBits != nil || budgetMb != nil else { return nil }
        func list(_ text: String?, _ flag: String) throws -> [Double] {
            try (text ?? "").split(separator: ",").map {
                guard let v = Double($0.trimmingCharacters(in: .whitespaces)), v > 0, v.isFinite else {
                    throw ValidationError("\(flag): '\($0)' is not a positive number")
                }
                return v
            }
        }
        let bits = try list(budgetBits, "--budget-bits").map { v -> Budget in
            guard v == v.rounded(), v <= 32 else { throw ValidationError("--budget-bits: \(v) is not a whole number of bits") }
            return .weightBits(Int(v))
        }
        return bits + (try list(budgetMb, "--budget-mb").map(Budget.megabytes))
    }

    /// `PTQLab study quick`, or for a database of several studies `PTQLab studies a, b`.
    static func title(records: [ExperimentRecord], study: String?) -> String {
        if let study { return "PTQLab study \(study)" }
        let studies = Array(Set(records.map(\.study))).sorted()
        switch studies.count {
        case 0: return "PTQLab results"
        case 1: return "PTQLab study \(studies[0])"
        default: return "PTQLab studies " + studies.joined(separator: ", ")
        }
    }

    /// Writes the report files into `directory` and prints where they are (and the summary).
    static func writeReport(records: [ExperimentRecord], title: String, directory: String, printSummary: Bool,
                            budgets: [Budget]? = nil) throws {
        let url = URL(fileURLWithPath: directory)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        let writer = StudyReportWriter(records: records, title: title, budgets: budgets)
        let (markdown, html) = try writer.write(to: url)
        let csv = url.appendingPathComponent("results.csv"), json = url.appendingPathComponent("results.json")
        try ResultsExport.csv(records).write(to: csv, atomically: true, encoding: .utf8)
        try ResultsExport.json(records).write(to: json, atomically: true, encoding: .utf8)
        if printSummary { print(writer.summary()) }
        print("report: \(html.path)\n        \(markdown.path)\n        \(url.appendingPathComponent("analysis.json").path)\n"
              + "results: \(csv.path)\n         \(json.path)")
    }
}
