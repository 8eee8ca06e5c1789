import Foundation
import GRDB

/// Opening a results database: the connection, the check that the file is ours, the check that
/// it can be written, and errors that name the file and say what is wrong in words.
enum StoreOpening {
    /// A connection to `path` (`readOnly`: SQLite's read-only mode, the file is never written).
    static func open(path: String, readOnly: Bool) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.readonly = readOnly
        // Another process (a reader, `merge`, a second study) may hold the lock for a moment: wait, don't fail.
        configuration.busyMode = .timeout(30)
        configuration.prepareDatabase { db in
            // Every commit reaches the disk before the next experiment starts.
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        do {
            return try DatabaseQueue(path: path, configuration: configuration)
        } catch let error as DatabaseError {
            throw failure(path: path, error, writing: !readOnly)
        }
    }

    /// Every table PTQLab's migrations create.
    static let ourTables: Set<String> = ["experiment", "grdb_migrations", "lease"]

    /// Refuses a SQLite file that another program wrote: it has tables, but not PTQLab's
    /// (`experiment` and GRDB's `grdb_migrations`). Nothing is written before this check.
    /// `allowEmpty`: a file without tables (new, or empty) is accepted (it becomes ours).
    static func requirePTQLabSchema(_ queue: DatabaseQueue, path: String, allowEmpty: Bool) throws {
        let tables: [String]
        do {
            tables = try queue.read { db in
                try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
            }
        } catch let error as DatabaseError {
            throw failure(path: path, error, writing: false)
        }
        if tables.isEmpty {
            if allowEmpty { return }
            throw StudyError("\(path): not a PTQLab results database (an empty SQLite database, no experiment table)")
        }
        // Another process is creating this database right now: GRDB has made its table of migrations,
        // and the migration that makes `experiment` has not committed yet. Migrating finishes it.
        if allowEmpty, tables.contains("grdb_migrations"), Set(tables).isSubset(of: ourTables) { return }
        guard tables.contains("experiment"), tables.contains("grdb_migrations") else {
            let shown = tables.prefix(5).joined(separator: ", ") + (tables.count > 5 ? ", …" : "")
            throw StudyError("\(path): not a PTQLab results database (a SQLite database of another program: tables \(shown); "
                             + "no experiment table); it was left unchanged")
        }
    }

    /// Proves the database can be written (file, directory for SQLite's journal, lock) with a
    /// write that is rolled back: a study on a read-only database stops here, before any
    /// experiment runs, rather than after every experiment fails to insert.
    static func probeWrite(_ queue: DatabaseQueue) throws {
        try queue.inTransaction(.immediate) { db in
            try db.execute(sql: "INSERT OR REPLACE INTO lease (id, owner, host, pid, started_at, heartbeat_at) VALUES ('', 'write probe', '', 0, 0, 0)")
            return .rollback
        }
    }

    /// An error naming `path`, in words for the cases people meet.
    static func failure(path: String, _ error: DatabaseError, writing: Bool) -> StudyError {
        let detail = error.message ?? "\(error)"
        switch error.resultCode {
        case .SQLITE_NOTADB:
            return StudyError("\(path): not a PTQLab results database (\(detail))")
        case .SQLITE_CORRUPT:
            return StudyError("\(path): the results database is damaged (\(detail))")
        case .SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_IOERR, .SQLITE_FULL, .SQLITE_AUTH:
            if writing {
                return StudyError("\(path): cannot write the results database (\(detail))")
            }
            return StudyError("\(path): cannot read the results database (\(detail))")
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return StudyError("\(path): the results database stayed locked by another process for 30 s (\(detail))")
        default:
            return StudyError("\(path): results database error (\(detail))")
        }
    }
}
