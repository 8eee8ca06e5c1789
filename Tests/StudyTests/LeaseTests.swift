import Foundation
import GRDB
import Testing
@testable import Study

/// Work claiming in the results database: one runner per experiment, stale leases taken over.
@Suite("Experiment leases")
struct LeaseTests {
    static func store() throws -> ResultsStore {
        try ResultsStore(path: try Scratch.directory().appendingPathComponent("r.db").path)
    }

    /// The id of a process that has exited (and, a moment later, not been reused).
    static func deadPID() throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/true")
        try p.run()
        p.waitUntilExit()
        return p.processIdentifier
    }

    @Test func oneClaimantPerExperimentUntilFinished() throws {
        let store = try Self.store()
        let a = LeaseOwner.current(), b = LeaseOwner.current()
        #expect(a != b)   // same process, different tokens
        let policy = LeasePolicy()
        #expect(try store.claim("00000000000000a1", owner: a, policy: policy) == .claimed)
        #expect(try store.claim("00000000000000a1", owner: b, policy: policy) == .heldBy(a.description))
        // Claiming again by the holder is fine (idempotent).
        #expect(try store.claim("00000000000000a1", owner: a, policy: policy) == .claimed)
        #expect(try store.leases().map(\.id) == ["00000000000000a1"])
        // Finishing inserts the row and ends the lease in one transaction.
        #expect(try store.finish(ResultsStoreTests.record("00000000000000a1"), owner: a))
        #expect(try store.leases().isEmpty)
        #expect(try store.claim("00000000000000a1", owner: b, policy: policy) == .finished)
        // A failed experiment's lease is released: the next runner may take it.
        #expect(try store.claim("00000000000000a2", owner: a, policy: policy) == .claimed)
        try store.release("00000000000000a2", owner: a)
        #expect(try store.claim("00000000000000a2", owner: b, policy: policy) == .claimed)
        // Releasing someone else's lease does nothing.
        try store.release("00000000000000a2", owner: a)
        #expect(try store.leases().map(\.owner) == [b.description])
    }

    /// A lease whose heartbeat is older than the timeout is taken over; a renewed one is not.
    @Test func leaseWithOldHeartbeatIsTakenOver() throws {
        let store = try Self.store()
        let a = LeaseOwner(host: "elsewhere", pid: 4242, token: "old"), b = LeaseOwner.current()
        let policy = LeasePolicy(timeout: 60, heartbeatInterval: 5)
        let t0 = Date().timeIntervalSince1970 - 3600
        #expect(try store.claim("00000000000000b1", owner: a, policy: policy, now: t0) == .claimed)
        #expect(try store.claim("00000000000000b1", owner: b, policy: policy, now: t0 + 59) == .heldBy(a.description))
        #expect(try store.heartbeat("00000000000000b1", owner: a, now: t0 + 50))
        #expect(try store.claim("00000000000000b1", owner: b, policy: policy, now: t0 + 109) == .heldBy(a.description))
        #expect(try store.claim("00000000000000b1", owner: b, policy: policy, now: t0 + 111) == .claimed)
        let lease = try #require(try store.leases().first)
        #expect(lease.owner == b.description && lease.pid == getpid() && lease.host == LeaseOwner.hostName)
        // The old owner has lost it: its heartbeat says so, and its finish does not end b's lease.
        #expect(try store.heartbeat("00000000000000b1", owner: a) == false)
        #expect(try store.finish(ResultsStoreTests.record("00000000000000b1"), owner: a))
        #expect(try store.leases().map(\.owner) == [b.description])
    }

    /// A fresh lease of a process of this host that no longer exists is taken over at once; one
    /// of a live process (this one) is not, and neither is a dead pid's on another host.
    @Test func leaseOfADeadProcessOfThisHostIsTakenOver() throws {
        let store = try Self.store()
        let dead = try Self.deadPID()
        #expect(!LeaseOwner.processExists(dead))
        #expect(LeaseOwner.processExists(getpid()))
        let policy = LeasePolicy()
        let gone = LeaseOwner(host: LeaseOwner.hostName, pid: dead, token: "gone")
        let remote = LeaseOwner(host: "another-host", pid: dead, token: "far")
        let live = LeaseOwner(host: LeaseOwner.hostName, pid: getpid(), token: "live")
        #expect(try store.claim("00000000000000c1", owner: gone, policy: policy) == .claimed)
        #expect(try store.claim("00000000000000c2", owner: remote, policy: policy) == .claimed)
        #expect(try store.claim("00000000000000c3", owner: live, policy: policy) == .claimed)
        let me = LeaseOwner.current()
        #expect(try store.claim("00000000000000c1", owner: me, policy: policy) == .claimed)
        #expect(try store.claim("00000000000000c2", owner: me, policy: policy) == .heldBy(remote.description))
        #expect(try store.claim("00000000000000c3", owner: me, policy: policy) == .heldBy(live.description))
    }

    /// The heartbeat renews the lease on its own timer while the caller is busy.
    @Test func heartbeatRenewsWhileAnExperimentRuns() throws {
        let store = try Self.store()
        let owner = LeaseOwner.current()
        let past = Date().timeIntervalSince1970 - 1000
        #expect(try store.claim("00000000000000d1", owner: owner, policy: LeasePolicy(), now: past) == .claimed)
        let heartbeat = LeaseHeartbeat(store: store, id: "00000000000000d1", owner: owner, interval: 0.1)
        Thread.sleep(forTimeInterval: 0.6)
        heartbeat.stop()
        let renewed = try #require(try store.leases().first).heartbeatAt
        #expect(renewed > past + 900 && renewed <= Date().timeIntervalSince1970)
        Thread.sleep(forTimeInterval: 0.3)
        #expect(try #require(try store.leases().first).heartbeatAt == renewed)   // stopped means stopped
    }

    /// A database of schema v2 (written before leases) gains the lease table when opened for writing.
    @Test func migrationV3AddsTheLeaseTable() throws {
        let dir = try Scratch.directory()
        let path = dir.appendingPathComponent("v2.db").path
        // Apply v1 and v2 only, as an earlier PTQLab did.
        try ResultsStore.migrator.migrate(try DatabaseQueue(path: path), upTo: "v2")
        func hasLeaseTable() throws -> Bool { try DatabaseQueue(path: path).read { try $0.tableExists("lease") } }
        #expect(try ResultsStore(readingFrom: path).leases().isEmpty)
        #expect(try hasLeaseTable() == false)   // opened read-only: not migrated
        let store = try ResultsStore(path: path)
        #expect(try hasLeaseTable())
        #expect(try store.claim("00000000000000e1", owner: .current(), policy: LeasePolicy()) == .claimed)
    }

    /// A cluster shard's own database (`study --sole-writer`): a fresh lease of another host's
    /// process — a run of the same shard killed by scancel on another node — is taken over at once,
    /// where the default policy would wait out its 10-minute timeout.
    @Test func aSoleWriterTakesOverAFreshLeaseFromAnotherHost() throws {
        let store = try Self.store()
        let killed = LeaseOwner(host: "node-07", pid: 31337, token: "cancelled")
        let now = Date().timeIntervalSince1970
        #expect(try store.claim("00000000000000d1", owner: killed, policy: LeasePolicy(), now: now) == .claimed)
        let me = LeaseOwner.current()
        #expect(try store.claim("00000000000000d1", owner: me, policy: LeasePolicy(), now: now + 1) == .heldBy(killed.description))
        #expect(try store.claim("00000000000000d1", owner: me, policy: .soleWriter, now: now + 1) == .claimed)
        #expect(try store.leases().map(\.owner) == [me.description])
        #expect(try store.finish(ResultsStoreTests.record("00000000000000d1"), owner: me))
        #expect(try store.leases().isEmpty)
    }
}
