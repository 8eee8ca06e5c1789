import Foundation
import Study
import Testing

/// The results database under SIGKILL at random moments (model load, quantization, a row's commit,
/// the report) and on a full disk. `scripts/crash/kill-loop.sh` runs the long version:
/// PTQLAB_CRASH_KILLS (default 4 here) kills, PTQLAB_CRASH_SEED (default 20261203) for the delays.
@Suite("Results database under SIGKILL and a full disk", .serialized)
struct CrashLoopTests {
    /// SplitMix64: a seeded, portable sequence of delays.
    struct SeededDelays {
        var state: UInt64
        mutating func next() -> Double {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
        }
    }

    static func environment(_ name: String) -> String? { ProcessInfo.processInfo.environment[name] }

    /// Runs the tiny study uninterrupted into `db` and returns its rows and wall time.
    static func reference(_ file: String, dir: URL) throws -> (rows: [ExperimentRecord], seconds: Double, db: String) {
        let db = dir.appendingPathComponent("reference.db").path
        let start = Date()
        let r = try CLI.run(["study", file, "--db", db, "--out", dir.appendingPathComponent("reference").path, "--quiet"])
        let seconds = Date().timeIntervalSince(start)
        #expect(r.status == 0, "\(r.stderr)")
        let rows = try ResultsStore(readingFrom: db).records()
        #expect(rows.count == TinyStudyFile.experiments)
        return (rows, seconds, db)
    }

    @Test func killedAtRandomMomentsEveryExperimentEndsUpOnceAndUnchanged() throws {
        let kills = Int(Self.environment("PTQLAB_CRASH_KILLS") ?? "") ?? 4
        let seed = UInt64(Self.environment("PTQLAB_CRASH_SEED") ?? "") ?? 20_261_203
        let (dir, file) = try TinyStudyFile.make()
        let reference = try Self.reference(file, dir: dir)
        let ids = reference.rows.map(\.id)
        let db = dir.appendingPathComponent("crash.db").path
        let out = dir.appendingPathComponent("crash").path
        var delays = SeededDelays(state: seed)
        var killed = 0, rounds = 0, starts = 0
        var killedWithRows: [Int] = []
        var largest = 0.0
        while true {
            starts += 1
            #expect(starts < 40 * max(kills, 1), "no progress")
            if starts >= 40 * max(kills, 1) { break }
            let p = try TinyStudyFile.start(["study", file, "--db", db, "--out", out, "--quiet"], output: dir.appendingPathComponent("run.log").path)
            // Spread over the whole run: startup and model checks, loads, quantization, commits, the report.
            let delay = delays.next() * reference.seconds * 0.8
            let deadline = Date().addingTimeInterval(delay)
            while p.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.005) }
            if p.isRunning && killed < kills {
                kill(p.processIdentifier, SIGKILL)
                p.waitUntilExit()
                killed += 1
                killedWithRows.append((try? ResultsStore(readingFrom: db).count()) ?? -1)
                continue
            }
            p.waitUntilExit()
            let log = (try? String(contentsOf: dir.appendingPathComponent("run.log"), encoding: .utf8)) ?? ""
            #expect(p.terminationStatus == 0, "\(log)")
            rounds += 1
            let audit = try StoreAudit.check(path: db, expectedIDs: ids, reference: reference.rows, tolerance: 1e-9)
            #expect(audit.passed, "round \(rounds): \(audit.problems)")
            #expect(audit.integrity == "ok" && audit.leases.isEmpty && audit.rows == ids.count)
            largest = max(largest, audit.largestDifference)
            #expect(FileManager.default.fileExists(atPath: out + "/report/report.html"))
            if killed >= kills { break }
            // Another round from an empty database, to place more kills early in a run.
            for suffix in ["", "-journal"] { try? FileManager.default.removeItem(atPath: db + suffix) }
        }
        print("crash loop: seed \(seed), \(killed) SIGKILLs over \(rounds) complete rounds (\(starts) starts; rows present at each kill: "
              + "\(killedWithRows)); every round: \(ids.count) ids exactly once, integrity ok, no leases left, largest relative "
              + "difference from the uninterrupted run \(largest)")
        #expect(killed == kills)
    }

    /// Runs a system command quietly; its exit status (-1 when it cannot be started).
    static func system(_ args: [String]) -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: args[0])
        p.arguments = Array(args.dropFirst())
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return -1 }
        p.waitUntilExit()
        return p.terminationStatus
    }

    /// The database's file system fills up mid-study, two ways: a small tmpfs (a real ENOSPC; needs
    /// root and permission to mount) and RLIMIT_FSIZE (`ulimit -f` with SIGXFSZ ignored, so writes
    /// past the limit fail with EFBIG; works anywhere), with room for part of the finished
    /// database. The study stops with the database named; the rows finished before are intact and
    /// equal to an uninterrupted run's; the file passes SQLite's integrity check; a rerun with
    /// space completes it. Skipped, saying why, when the mechanism is unavailable.
    @Test(arguments: ["tmpfs", "file-size limit"])
    func aFullDiskStopsTheStudyWithTheDatabaseIntact(mechanism: String) throws {
        let (dir, file) = try TinyStudyFile.make()
        let reference = try Self.reference(file, dir: dir)
        let full = try FileManager.default.attributesOfItem(atPath: reference.db)[.size] as? Int ?? 0
        // Room for the schema and some rows: on tmpfs the journal (and the file's growth during a
        // commit) takes pages of the same space, so a tmpfs the size of the finished file fills up part-way.
        let room = max(mechanism == "tmpfs" ? full : full / 2, 8192)
        var db = dir.appendingPathComponent("full.db").path
        var launcher: [String] = []
        var mountPoint: String? = nil
        defer { if let mountPoint { _ = Self.system(["/bin/umount", mountPoint]) } }
        switch mechanism {
        case "tmpfs":
            let fs = dir.appendingPathComponent("fs").path
            try FileManager.default.createDirectory(atPath: fs, withIntermediateDirectories: true)
            guard geteuid() == 0, Self.system(["/bin/mount", "-t", "tmpfs", "-o", "size=\((room + 4095) / 4096 * 4096)", "tmpfs", fs]) == 0 else {
                print("CrashLoopTests: full disk on tmpfs skipped: mounting a tmpfs needs root and mount permission here")
                return
            }
            mountPoint = fs
            db = fs + "/results.db"
        default:
            guard FileManager.default.isExecutableFile(atPath: "/bin/sh") else {
                print("CrashLoopTests: full disk by file-size limit skipped: no /bin/sh to set RLIMIT_FSIZE for the study")
                return
            }
            // POSIX sh counts `ulimit -f` in 512-byte blocks.
            launcher = ["/bin/sh", "-c", "trap '' XFSZ; ulimit -f \(room / 512) || exit 99; exec \"$0\" \"$@\""]
        }
        let args = ["study", file, "--db", db, "--no-report", "--quiet"]
        let r = try (launcher.isEmpty ? CLI.run(args) : TinyStudyFile.run(args, launcher: launcher))
        if r.status == 99 {
            print("CrashLoopTests: full disk by file-size limit skipped: this shell cannot set one (ulimit -f)")
            return
        }
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stderr.contains("ptqlab: error: \(db): cannot write the results database ("), "\(r.stderr)")
        let audit = try StoreAudit.check(path: db, expectedIDs: try ResultsStore(readingFrom: db).records().map(\.id),
                                         reference: reference.rows, tolerance: 1e-9)
        #expect(audit.integrity == "ok")
        #expect(audit.rows > 0 && audit.rows < TinyStudyFile.experiments, "room \(room) bytes of \(full): \(audit.rows) rows")
        #expect(audit.problems.filter { !$0.hasPrefix("lease left behind") }.isEmpty, "\(audit.problems)")
        // With space again, the rerun completes the study.
        if let mountPoint { #expect(Self.system(["/bin/mount", "-o", "remount,size=16m", mountPoint]) == 0) }
        let resumed = try CLI.run(args)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let after = try StoreAudit.check(path: db, expectedIDs: reference.rows.map(\.id), reference: reference.rows, tolerance: 1e-9)
        #expect(after.passed, "\(after.problems)")
        print("full disk (\(mechanism), room for \(room) of \(full) bytes): stopped after \(audit.rows) rows with "
              + "'\(r.stderr.split(separator: "\n").first { $0.contains("ptqlab: error:") } ?? "")', integrity \(audit.integrity), "
              + "\(audit.leases.count) leases left; resumed to \(after.rows) rows, audit \(after.passed ? "passed" : "failed")")
    }
}
