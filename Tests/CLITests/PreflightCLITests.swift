import Foundation
import Study
import Testing

/// A study whose database or report directory cannot be written stops before any experiment runs,
/// with the path named, exit code 1, and the database unchanged. Permissions do not stop root:
/// as root the study runs as `nobody` (setpriv), and the test is skipped, saying why, without it.
@Suite("study command: preflight of the database and the output", .serialized)
struct PreflightCLITests {
    /// How to run ptqlab so that file permissions apply, or nil (with the reason printed).
    static func unprivileged() -> [String]? {
        if geteuid() != 0 { return [] }
        for setpriv in ["/usr/bin/setpriv", "/bin/setpriv"] where FileManager.default.isExecutableFile(atPath: setpriv) {
            return [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", "--"]
        }
        print("PreflightCLITests: skipped: running as root and setpriv (util-linux) is missing, so permissions cannot be tested")
        return nil
    }

    static func run(_ args: [String], as launcher: [String]) throws -> CLI.Result {
        try (launcher.isEmpty ? CLI.run(args) : TinyStudyFile.run(args, launcher: launcher))
    }

    static func chmod(_ path: String, _ mode: Int) throws {
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
    }

    /// A results database holding one row.
    static func database(at path: String) throws -> Data {
        let store = try ResultsStore(path: path)
        try store.insert(ExperimentRecord(
            id: "00000000000000aa", study: "tiny", model: "m", architecture: "llama", method: "base", spec: nil, weightBits: nil,
            groupSize: nil, symmetric: nil, activationBits: 16, lorcRank: nil, actOrder: false, seed: nil, effectiveBits: 16,
            bytes: 1, gridAligned: false, perplexity: ["wiki": 10], meanPerplexity: 10, zeroShot: [:], klDivergence: nil,
            top1Agreement: nil, quantizeSeconds: 0, evaluateSeconds: 1, configJSON: "{}", metricsJSON: "{}", machine: "m",
            programVersion: "v", finishedAt: "2026-12-03T00:00:00.000Z"))
        return try Data(contentsOf: URL(fileURLWithPath: path))
    }

    static func expectStoppedBeforeRunning(_ r: CLI.Result, naming message: String) {
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stderr.contains("ptqlab: error: \(message)"), "\(r.stderr)")
        #expect(!r.stderr.contains("checking"), "models were loaded before the check: \(r.stderr)")
        #expect(!r.stderr.contains(" experiments → "), "\(r.stderr)")
    }

    @Test func readOnlyDatabaseFile() throws {
        guard let launcher = Self.unprivileged() else { return }
        let (dir, file) = try TinyStudyFile.make()
        try Self.chmod(dir.path, 0o777)
        let db = dir.appendingPathComponent("results.db").path
        let before = try Self.database(at: db)
        try Self.chmod(db, 0o444)
        let r = try Self.run(["study", file, "--db", db, "--out", dir.appendingPathComponent("out").path], as: launcher)
        Self.expectStoppedBeforeRunning(r, naming: "\(db): cannot write the results database (")
        #expect(try Data(contentsOf: URL(fileURLWithPath: db)) == before)
        #expect(!FileManager.default.fileExists(atPath: db + "-journal"))
    }

    /// A new database in a directory that cannot be written, and an existing writable database
    /// in such a directory (SQLite cannot create its journal there).
    @Test func readOnlyDatabaseDirectory() throws {
        guard let launcher = Self.unprivileged() else { return }
        let (dir, file) = try TinyStudyFile.make()
        let out = dir.appendingPathComponent("out").path
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try Self.chmod(out, 0o777)
        let locked = dir.appendingPathComponent("locked")
        try FileManager.default.createDirectory(at: locked, withIntermediateDirectories: true)
        let existing = locked.appendingPathComponent("existing.db").path
        let before = try Self.database(at: existing)
        try Self.chmod(existing, 0o666)
        try Self.chmod(locked.path, 0o555)
        defer { try? Self.chmod(locked.path, 0o755) }
        let fresh = locked.appendingPathComponent("new.db").path
        let r1 = try Self.run(["study", file, "--db", fresh, "--out", out], as: launcher)
        Self.expectStoppedBeforeRunning(r1, naming: "\(fresh): cannot write the results database (")
        #expect(!FileManager.default.fileExists(atPath: fresh))
        let r2 = try Self.run(["study", file, "--db", existing, "--out", out], as: launcher)
        Self.expectStoppedBeforeRunning(r2, naming: "\(existing): cannot write the results database (")
        #expect(try Data(contentsOf: URL(fileURLWithPath: existing)) == before)
    }

    @Test func readOnlyReportDirectory() throws {
        guard let launcher = Self.unprivileged() else { return }
        let (dir, file) = try TinyStudyFile.make()
        let dbDir = dir.appendingPathComponent("db")
        try FileManager.default.createDirectory(at: dbDir, withIntermediateDirectories: true)
        try Self.chmod(dbDir.path, 0o777)
        let db = dbDir.appendingPathComponent("results.db").path
        let locked = dir.appendingPathComponent("locked")
        try FileManager.default.createDirectory(at: locked, withIntermediateDirectories: true)
        try Self.chmod(locked.path, 0o555)
        defer { try? Self.chmod(locked.path, 0o755) }
        let out = locked.appendingPathComponent("out").path
        let r = try Self.run(["study", file, "--db", db, "--out", out], as: launcher)
        Self.expectStoppedBeforeRunning(r, naming: "\(out)/report: cannot create the report directory (")
        #expect(!FileManager.default.fileExists(atPath: db))
    }
}
