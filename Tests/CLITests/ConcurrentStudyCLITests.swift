import Foundation
import Study
import Testing

/// Two `ptqlab study` processes on one database at the same time: they split the grid through
/// the lease table; every experiment runs once, and each process says what the other did.
@Suite("study command: two processes on one database", .serialized)
struct ConcurrentStudyCLITests {
    /// `study tiny: 6 run, 0 already done, 4 done by another process, 0 running in another process, 0 failed …`
    static func counts(_ output: String) -> (ran: Int, skipped: Int, elsewhere: Int)? {
        guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("study tiny: ") && $0.contains(" run, ") }) else {
            return nil
        }
        // The number before `phrase`; 0 when the phrase is absent (the parts about other processes are omitted when 0).
        func number(before phrase: String) -> Int? {
            guard let range = line.range(of: phrase) else { return 0 }
            return line[..<range.lowerBound].split(separator: " ").last.flatMap { Int($0) }
        }
        guard let ran = number(before: " run,"), let skipped = number(before: " already done"),
              let done = number(before: " done by another process"), let running = number(before: " running in another process") else {
            return nil
        }
        return (ran, skipped, done + running)
    }

    @Test func twoProcessesRunEachExperimentOnce() throws {
        let (dir, file) = try TinyStudyFile.make()
        let db = dir.appendingPathComponent("shared.db").path
        let logs = [dir.appendingPathComponent("a.log").path, dir.appendingPathComponent("b.log").path]
        let processes = try logs.enumerated().map { i, log in
            try TinyStudyFile.start(["study", file, "--db", db, "--out", dir.appendingPathComponent("out\(i)").path, "--no-report"],
                                    output: log)
        }
        for p in processes { p.waitUntilExit() }
        var ran = 0
        for (p, log) in zip(processes, logs) {
            let output = try String(contentsOfFile: log, encoding: .utf8)
            #expect(p.terminationStatus == 0, "\(output)")
            let c = try #require(Self.counts(output), "\(output)")
            ran += c.ran
            #expect(c.ran + c.skipped + c.elsewhere == TinyStudyFile.experiments, "\(output)")
        }
        // Each experiment ran in exactly one of the two processes.
        #expect(ran == TinyStudyFile.experiments)
        let audit = try StoreAudit.check(path: db, expectedIDs: try ResultsStore(readingFrom: db).records().map(\.id))
        #expect(audit.passed && audit.rows == TinyStudyFile.experiments, "\(audit.problems)")
        // A third run finds everything done.
        let again = try CLI.run(["study", file, "--db", db, "--no-report", "--quiet"])
        #expect(again.stdout.contains("0 run, \(TinyStudyFile.experiments) already done"), "\(again.stdout)")
    }
}
