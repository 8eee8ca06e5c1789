import ArgumentParser
import Evaluation
import Foundation
import Models
import Study

/// `ptqlab study [STUDY.yaml]`: expand a study grid, run its experiments into a results database
/// (resuming), then write the report.
struct StudyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "study",
        abstract: "Run a grid of quantization experiments into a results database (SQLite), then write the report.",
        discussion: """
            With no file, runs the bundled quick study on the default model. A bundled study can be named \
            instead of a path (\(BundledStudies.names.joined(separator: ", "))). Finished experiments are \
            kept: rerunning resumes where a killed run stopped. --shard i/n runs every n-th experiment \
            (for Slurm job arrays or Kubernetes indexed Jobs); `ptqlab merge` joins the shards' databases.
            """)

    @Argument(help: "A study YAML file or a bundled study name (default: quick).")
    var study: String?

    @Option(help: "Output directory (default: study-out/<study name>); holds results.db and report/.")
    var out: String?

    @Option(help: "Results database (default: <out>/results.db).")
    var db: String?

    @Option(help: "Cache of the base model's logits for KL, shared by every experiment and every shard that names it (default: <out>/cache).")
    var cache: String?

    @Option(help: "Run only shard i of n (0-based), e.g. 0/4.")
    var shard: String?

    @Flag(help: "List the experiments, which are already done, and an estimate of the time; run nothing.")
    var dryRun = false

    @Flag(help: "Do not write the report after running.")
    var noReport = false

    @Flag(help: "No other process writes this database (a cluster shard's own file): leases left in it by a killed run are taken over at once, wherever that run was.")
    var soleWriter = false

    @OptionGroup var residency: WeightsOption

    @Flag(help: "No progress on stderr.")
    var quiet = false

    func run() throws {
        try runReportingErrors {
            try residency.apply()
            let (path, file) = try StudySource.load(study)
            let shardRange = try parseShard()
            let outDir = out ?? "study-out/\(file.name)"
            let dbPath = db ?? (outDir as NSString).appendingPathComponent("results.db")
            let reportDir = (outDir as NSString).appendingPathComponent("report")
            // Preflight: the report directory and the database can be written, before any model is loaded.
            var store: ResultsStore? = nil
            if !dryRun {
                if !noReport { try OutputPreflight.requireWritableDirectory(reportDir, purpose: "report") }
                store = try ResultsStore(path: dbPath)
            }

            // Preflight: every model once, for the checks that depend on its shape and for estimates.
            let (grid, shapes) = try StudySource.expand(file, path: path, progress: quiet ? nil : { printStderr($0) })
            for r in grid.rejected { printStderr("study \(file.name): rejected \(r)") }
            let experiments = shardRange.map { grid.shard($0.0, of: $0.1) } ?? grid.experiments
            let estimate = try Self.timeEstimate(for: file)
            let seconds: (ExperimentConfig) -> Double = { estimate.seconds($0, shape: shapes[$0.model]) }

            if dryRun {
                let done = FileManager.default.fileExists(atPath: dbPath) ? try ResultsStore(readingFrom: dbPath).finishedIDs() : []
                print(Self.dryRunListing(experiments, grid: grid, done: done, seconds: seconds, dbPath: dbPath, shard: shard))
                return
            }
            guard let store else { return }
            if !quiet { printStderr("study \(file.name): \(experiments.count) experiments\(shard.map { " (shard \($0))" } ?? "") → \(dbPath)") }
            let summary = try StudyRunner(study: file.name, store: store, showProgress: !quiet, leases: soleWriter ? .soleWriter : LeasePolicy(),
                                          cacheDirectory: cache ?? (outDir as NSString).appendingPathComponent("cache"))
                .run(experiments, estimate: seconds)
            var others = ""
            if summary.doneElsewhere > 0 || !summary.runningElsewhere.isEmpty {
                others = ", \(summary.doneElsewhere) done by another process, \(summary.runningElsewhere.count) running in another process"
            }
            print(String(format: "study %@: %d run, %d already done%@, %d failed in %@ (database %@)", file.name, summary.ran,
                         summary.skipped, others, summary.failed.count, ProgressLine.clock(summary.seconds), dbPath))
            for f in summary.failed { print("  failed: \(f.label): \(f.error)") }
            if !noReport {
                // The report covers this study's rows (a shared --db may hold others: `ptqlab report` shows all).
                try ReportCommand.writeReport(records: try store.records(study: file.name), title: "PTQLab study \(file.name)",
                                              directory: reportDir, printSummary: true)
            }
            if !summary.failed.isEmpty { throw ExitCode(1) }
        }
    }

    func parseShard() throws -> (Int, Int)? {
        try shard.map(StudySource.parseShard)
    }

    static func timeEstimate(for file: StudyFile) throws -> TimeEstimate {
        var estimate = TimeEstimate()
        let corpora = Set((file.evaluation.perplexity?.corpora.values ?? []) + (file.evaluation.kl?.corpora.values ?? []))
        let assets = AssetLocator()
        for corpus in corpora {
            estimate.corpusTokens[corpus] = (try Corpora.load(corpus, assets: assets)).evaluation.utf8.count / 4
        }
        return estimate
    }

    static func dryRunListing(_ experiments: [ExperimentConfig], grid: StudyGrid, done: Set<String>,
                              seconds: (ExperimentConfig) -> Double, dbPath: String, shard: String?) -> String {
        var lines = ["study \(grid.name)\(shard.map { ", shard \($0)" } ?? ""): \(experiments.count) experiments "
                     + "(\(grid.experiments.count) in the grid, \(grid.rejected.count) combinations rejected); database \(dbPath)"]
        func pad(_ s: String, _ n: Int, left: Bool = false) -> String {
            let fill = String(repeating: " ", count: max(0, n - s.count))
            return left ? fill + s : s + fill
        }
        lines.append([pad("#", 4, left: true), pad("id", 16), pad("status", 7), pad("estimate", 8, left: true), "experiment"]
            .joined(separator: "  "))
        var pending = 0.0
        for (i, e) in experiments.enumerated() {
            let s = seconds(e)
            let isDone = done.contains(e.id)
            if !isDone { pending += s }
            lines.append([pad("\(i + 1)", 4, left: true), pad(e.id, 16), pad(isDone ? "done" : "pending", 7),
                          pad(ProgressLine.clock(s), 8, left: true), e.label].joined(separator: "  "))
        }
        for r in grid.rejected { lines.append("rejected: \(r)") }
        lines.append("estimated time for the \(experiments.filter { !done.contains($0.id) }.count) pending experiments: "
                     + "\(ProgressLine.clock(pending)) (a rough model of this 2-core machine; the run refines it as it goes)")
        return lines.joined(separator: "\n")
    }
}
