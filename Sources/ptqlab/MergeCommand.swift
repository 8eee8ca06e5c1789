import ArgumentParser
import Foundation
import Study

/// `ptqlab merge a.db b.db … -o all.db`: joins shard databases; an experiment present in several
/// (same id) is kept once.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge", abstract: "Merge results databases (e.g. of study shards) into one, without duplicates.")

    @Argument(help: "Results databases to merge.")
    var inputs: [String]

    @Option(name: .shortAndLong, help: "The merged database (created, or added to).")
    var output: String

    func run() throws {
        try runReportingErrors {
            guard !inputs.isEmpty else { throw ValidationError("give at least one database to merge") }
            for input in inputs where !FileManager.default.fileExists(atPath: input) {
                throw ValidationError("\(input): no such results database")
            }
            let store = try ResultsStore(path: output)
            let (added, duplicates) = try store.merge(from: inputs)
            print("merged \(inputs.count) databases into \(output): \(added) experiments added, \(duplicates) already present, \(try store.count()) in all")
        }
    }
}
