import Foundation
import Study
import Testing

/// `report` and `merge` on SQLite files that are not PTQLab results, or whose values are damaged:
/// one error line naming the file (and the experiment and column), exit code 1, file unchanged.
@Suite("report and merge: foreign and damaged databases")
struct ForeignDatabaseCLITests {
    /// Runs a line of Python's sqlite3 on `path` (python3 is what the other CLI tests use for SQL).
    static func sql(_ path: String, _ statements: String) throws -> Bool {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.executescript(sys.argv[2]); c.commit()",
                       path, statements]
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        return p.terminationStatus == 0
    }

    @Test func reportAndMergeRefuseAForeignDatabase() throws {
        let dir = try CLI.temporaryDirectory()
        let foreign = dir.appendingPathComponent("app.db").path
        guard try Self.sql(foreign, "CREATE TABLE bookmark (url TEXT PRIMARY KEY); INSERT INTO bookmark VALUES ('x');") else {
            print("ForeignDatabaseCLITests: skipped: python3 with sqlite3 is not available to write a foreign database")
            return
        }
        let before = try Data(contentsOf: URL(fileURLWithPath: foreign))
        for args in [["report", foreign, "-o", dir.appendingPathComponent("r").path],
                     ["merge", foreign, "-o", dir.appendingPathComponent("m.db").path],
                     ["merge", dir.appendingPathComponent("none.db").path, "-o", foreign]] {
            let r = try CLI.run(args)
            #expect(r.status == 1, "\(args): \(r.stderr)")
            #expect(r.stderr.contains("not a PTQLab results database") || r.stderr.contains("no such results database"), "\(r.stderr)")
        }
        // Merging into it: refused (the inputs exist this time).
        let results = dir.appendingPathComponent("results.db").path
        _ = try ResultsStore(path: results)
        let into = try CLI.run(["merge", results, "-o", foreign])
        #expect(into.status == 1 && into.stderr.contains("\(foreign): not a PTQLab results database"), "\(into.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: foreign)) == before)
    }

    @Test func reportNamesADamagedValueInsteadOfCrashing() throws {
        let dir = try CLI.temporaryDirectory()
        let db = dir.appendingPathComponent("results.db").path
        let store = try ResultsStore(path: db)
        try store.insert(ExperimentRecord(
            id: "00000000000000bb", study: "tiny", model: "m", architecture: "llama", method: "base", spec: nil, weightBits: nil,
            groupSize: nil, symmetric: nil, activationBits: 16, lorcRank: nil, actOrder: false, seed: nil, effectiveBits: 16,
            bytes: 1, gridAligned: false, perplexity: ["wiki": 10], meanPerplexity: 10, zeroShot: [:], klDivergence: nil,
            top1Agreement: nil, quantizeSeconds: 0, evaluateSeconds: 1, configJSON: "{}", metricsJSON: "{}", machine: "m",
            programVersion: "v", finishedAt: "2026-12-03T00:00:00.000Z"))
        guard try Self.sql(db, "UPDATE experiment SET effective_bits = 'abc';") else {
            print("ForeignDatabaseCLITests: skipped: python3 with sqlite3 is not available to damage a value")
            return
        }
        let before = try Data(contentsOf: URL(fileURLWithPath: db))
        for args in [["report", db, "-o", dir.appendingPathComponent("r").path], ["merge", db, "-o", dir.appendingPathComponent("m.db").path]] {
            let r = try CLI.run(args)
            #expect(r.status == 1, "\(args): \(r.stderr)")
            #expect(r.stderr.contains("ptqlab: error: \(db): experiment 00000000000000bb: column effective_bits: the text 'abc' is not a number"),
                    "\(r.stderr)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: db)) == before)
    }
}
