import ArgumentParser
import Foundation
import Study

/// `ptqlab audit RESULTS.db [--study S] [--against REF.db]`: checks a results database the way the
/// crash tests do — SQLite's integrity check, every experiment of the study exactly once and
/// nothing else, no lease left behind, and (with a reference) every row's measurements equal to
/// the reference run's, timings and machine excluded. For a merged cluster run: did the shards
/// together produce exactly what one process would have?
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Check a results database: integrity, each experiment of the study exactly once, no stale lease, same measurements as a reference database.")

    @Argument(help: "The results database to check.")
    var database: String

    @Option(help: "The study the database must hold completely (YAML path or bundled name); default: the reference's experiments, else the database's own.")
    var study: String?

    @Option(help: "With --study: only shard i/n of it, as `study --shard` ran it.")
    var shard: String?

    @Option(help: "A reference results database (e.g. an unsharded run): same ids, measurements equal within --tolerance.")
    var against: String?

    @Option(help: "Largest relative difference allowed between a measured number and the reference's.")
    var tolerance: Double = 1e-9

    func run() throws {
        try runReportingErrors {
            for path in [database] + (against.map { [$0] } ?? []) where !FileManager.default.fileExists(atPath: path) {
                throw ValidationError("\(path): no such results database")
            }
            guard shard == nil || study != nil else { throw ValidationError("--shard needs --study") }
            let reference = try against.map { try ResultsStore(readingFrom: $0).records() } ?? []
            let expected: [String]
            let source: String
            if let study {
                let (path, file) = try StudySource.load(study)
                let (grid, _) = try StudySource.expand(file, path: path, progress: nil)
                let experiments = try shard.map { let (i, n) = try StudySource.parseShard($0); return grid.shard(i, of: n) } ?? grid.experiments
                expected = experiments.map(\.id)
                source = "study \(file.name)" + (shard.map { " shard \($0)" } ?? "")
            } else if let against {
                expected = reference.map(\.id)
                source = against
            } else {
                expected = try ResultsStore(readingFrom: database).records().map(\.id)
                source = "its own rows"
            }
            let audit = try StoreAudit.check(path: database, expectedIDs: expected, reference: reference, tolerance: tolerance)
            var line = "audit \(database): \(audit.rows) rows, \(expected.count) expected (\(source)), integrity \(audit.integrity), "
                + "\(audit.leases.count) leases"
            if let against {
                line += String(format: ", largest relative difference from %@: %.3g", against, audit.largestDifference)
            }
            print(line)
            for problem in audit.problems { print("  " + problem) }
            print(audit.passed ? "audit passed" : "audit FAILED: \(audit.problems.count) problems")
            if !audit.passed { throw ExitCode.failure }
        }
    }
}
