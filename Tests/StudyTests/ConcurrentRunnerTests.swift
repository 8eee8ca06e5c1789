import Foundation
import Testing
@testable import Study

/// Several runners on one results database (as several `ptqlab study` processes on one machine):
/// they split the grid through the lease table, and every experiment runs exactly once.
@Suite("Concurrent runners on one database", .serialized)
struct ConcurrentRunnerTests {
    final class Outcomes: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var summaries: [StudyRunner.Summary] = []
        private(set) var errors: [String] = []
        func add(_ s: StudyRunner.Summary) { lock.withLock { summaries.append(s) } }
        func add(_ e: Error) { lock.withLock { errors.append("\(e)") } }
    }

    @Test func twoRunnersSplitTheGridAndRunEachExperimentOnce() throws {
        let grid = try TinyStudy.grid()
        let experiments = grid.experiments
        #expect(experiments.count == 10)
        let path = try Scratch.directory().appendingPathComponent("shared.db").path
        _ = try ResultsStore(path: path)
        let outcomes = Outcomes()
        DispatchQueue.concurrentPerform(iterations: 2) { _ in
            do {
                // Each runner its own connection, as two processes would have.
                let runner = StudyRunner(study: "tiny", store: try ResultsStore(path: path), showProgress: false)
                outcomes.add(try runner.run(experiments, estimate: { _ in 1 }))
            } catch {
                outcomes.add(error)
            }
        }
        #expect(outcomes.errors.isEmpty, "\(outcomes.errors)")
        let summaries = outcomes.summaries
        #expect(summaries.count == 2)
        for s in summaries {
            #expect(s.failed.isEmpty, "\(s.failed)")
            // Every experiment is accounted for by each runner: run here, or found done or running there.
            #expect(s.ran + s.skipped + s.doneElsewhere + s.runningElsewhere.count == experiments.count)
        }
        // No experiment ran twice, none was left out.
        #expect(summaries.map(\.ran).reduce(0, +) == experiments.count, "\(summaries.map(\.ran))")
        let audit = try StoreAudit.check(path: path, expectedIDs: experiments.map(\.id))
        #expect(audit.passed, "\(audit.problems)")
        #expect(audit.rows == experiments.count && audit.integrity == "ok")
    }

    /// Several connections (as several processes) create and migrate one new database at the same
    /// moment: every one opens it, and the schema is migrated exactly once. Before migrations were
    /// retried, the later opener failed with "duplicate column name: plan_id" now and then (CI, stop 21).
    @Test func newDatabaseOpenedByManyAtOnce() throws {
        let directory = try Scratch.directory()
        for round in 0..<40 {
            let path = directory.appendingPathComponent("new-\(round).db").path
            let outcomes = Outcomes()
            let group = DispatchGroup()
            for _ in 0..<4 {
                group.enter()
                Thread.detachNewThread {
                    do { _ = try ResultsStore(path: path) } catch { outcomes.add(error) }
                    group.leave()
                }
            }
            group.wait()
            #expect(outcomes.errors.isEmpty, "round \(round): \(outcomes.errors)")
            let store = try ResultsStore(readingFrom: path)
            #expect(try store.count() == 0)
        }
    }

    /// Leases left by runners that died (a dead process of this host; a silent one elsewhere whose
    /// heartbeat is older than the timeout) are taken over; a live one elsewhere is respected.
    @Test func staleLeasesAreTakenOver() throws {
        let grid = try TinyStudy.grid()
        let experiments = Array(grid.experiments.prefix(5))
        let path = try Scratch.directory().appendingPathComponent("stale.db").path
        let store = try ResultsStore(path: path)
        let policy = LeasePolicy(timeout: 120, heartbeatInterval: 1)
        let now = Date().timeIntervalSince1970
        let dead = LeaseOwner(host: LeaseOwner.hostName, pid: try LeaseTests.deadPID(), token: "dead")
        let silent = LeaseOwner(host: "node-17", pid: 1234, token: "silent")
        let busy = LeaseOwner(host: "node-18", pid: 1234, token: "busy")
        #expect(try store.claim(experiments[0].id, owner: dead, policy: policy, now: now) == .claimed)
        #expect(try store.claim(experiments[1].id, owner: silent, policy: policy, now: now - 600) == .claimed)
        #expect(try store.claim(experiments[2].id, owner: busy, policy: policy, now: now) == .claimed)
        let summary = try StudyRunner(study: "tiny", store: store, showProgress: false, leases: policy)
            .run(experiments, estimate: { _ in 1 })
        #expect(summary.ran == 4 && summary.failed.isEmpty)
        #expect(summary.runningElsewhere == [experiments[2].label])
        #expect(try store.finishedIDs() == Set(experiments.map(\.id)).subtracting([experiments[2].id]))
        #expect(try store.leases().map(\.owner) == [busy.description])
    }
}
