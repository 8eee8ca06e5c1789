import Foundation
import GRDB

/// Work claiming, so that several processes can run one study into one database and every
/// experiment runs once: claim (a write transaction: no row, no live lease of another runner →
/// lease it), heartbeat while it runs, finish (the row and the end of the lease in one
/// transaction) or release (it failed).
extension ResultsStore {
    /// Claims experiment `id` for `owner`, taking over a stale lease.
    public func claim(_ id: String, owner: LeaseOwner, policy: LeasePolicy, now: Double = Date().timeIntervalSince1970) throws -> ClaimOutcome {
        try writing { db in
            if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM experiment WHERE id = ?)", arguments: [id]) == true {
                return .finished
            }
            if let lease = try Self.lease(id, db), lease.owner != owner.description, !lease.isStale(now: now, policy: policy) {
                return .heldBy(lease.owner)
            }
            try db.execute(sql: "INSERT OR REPLACE INTO lease (id, owner, host, pid, started_at, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [id, owner.description, owner.host, owner.pid, now, now])
            return .claimed
        }
    }

    /// Renews `owner`'s lease on `id`; false when it no longer holds it (taken over as stale).
    @discardableResult
    public func heartbeat(_ id: String, owner: LeaseOwner, now: Double = Date().timeIntervalSince1970) throws -> Bool {
        try writing { db in
            try db.execute(sql: "UPDATE lease SET heartbeat_at = ? WHERE id = ? AND owner = ?", arguments: [now, id, owner.description])
            return db.changesCount > 0
        }
    }

    /// Inserts the finished experiment's row and ends `owner`'s lease, in one transaction. False
    /// when the row was already present (another runner finished it first).
    @discardableResult
    public func finish(_ record: ExperimentRecord, owner: LeaseOwner) throws -> Bool {
        try writing { db in
            let inserted = try Self.insertRow(record, db)
            try db.execute(sql: "DELETE FROM lease WHERE id = ? AND owner = ?", arguments: [record.id, owner.description])
            return inserted
        }
    }

    /// Ends `owner`'s lease on `id` without a row (the experiment failed).
    public func release(_ id: String, owner: LeaseOwner) throws {
        try writing { db in
            try db.execute(sql: "DELETE FROM lease WHERE id = ? AND owner = ?", arguments: [id, owner.description])
        }
    }

    /// Every lease in the database (experiments claimed and not finished, or left by a killed runner).
    public func leases() throws -> [ExperimentLease] {
        try reading { db in
            guard try db.tableExists("lease") else { return [] }
            return try Row.fetchAll(db, sql: "SELECT * FROM lease ORDER BY id").map { try Self.decodeLease($0) }
        }
    }

    static func lease(_ id: String, _ db: Database) throws -> ExperimentLease? {
        try Row.fetchOne(db, sql: "SELECT * FROM lease WHERE id = ?", arguments: [id]).map { try Self.decodeLease($0) }
    }

    static func decodeLease(_ row: Row) throws -> ExperimentLease {
        let r = try CheckedRow(row, table: "lease")
        return ExperimentLease(id: r.id, owner: try r.required("owner"), host: try r.required("host"), pid: try r.required("pid"),
                               startedAt: try r.required("started_at"), heartbeatAt: try r.required("heartbeat_at"))
    }
}
