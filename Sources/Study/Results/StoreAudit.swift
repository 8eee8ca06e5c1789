import Foundation
import GRDB

/// The checks a results database must pass after a study that was interrupted any number of
/// times and resumed: SQLite's own integrity check, every expected experiment exactly once and
/// nothing else, no lease left behind, and every row's measurements equal to a reference run's
/// (timings, finish time and machine excluded; they differ between any two runs).
public struct StoreAudit: Sendable {
    /// `PRAGMA integrity_check` (`ok` when the file is sound).
    public var integrity: String
    public var rows: Int
    public var leases: [ExperimentLease]
    /// Largest relative difference of a measured number from the reference (0 when identical).
    public var largestDifference: Double
    /// Everything that is wrong, one line each; empty when the database passes.
    public var problems: [String]

    public var passed: Bool { problems.isEmpty }

    /// Audits the database at `path` (opened read-only) against `expectedIDs` and, when given,
    /// the rows of an uninterrupted `reference` run; numbers may differ by `tolerance` relative.
    public static func check(path: String, expectedIDs: [String], reference: [ExperimentRecord] = [],
                             tolerance: Double = 0) throws -> StoreAudit {
        let store = try ResultsStore(readingFrom: path)
        let integrity = try store.reading { db in
            try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "; ")
        }
        let ids = try store.reading { db in try String.fetchAll(db, sql: "SELECT id FROM experiment") }
        let records = try store.records()
        let leases = try store.leases()
        var problems: [String] = []
        if integrity != "ok" { problems.append("integrity_check: \(integrity)") }
        let counts = Dictionary(ids.map { ($0, 1) }, uniquingKeysWith: +)
        for (id, n) in counts.sorted(by: { $0.key < $1.key }) where n > 1 { problems.append("experiment \(id): \(n) rows") }
        let expected = Set(expectedIDs)
        for id in expectedIDs.sorted() where counts[id] == nil { problems.append("experiment \(id): missing") }
        for id in counts.keys.sorted() where !expected.contains(id) { problems.append("experiment \(id): not expected") }
        for lease in leases { problems.append("lease left behind: experiment \(lease.id) by \(lease.owner)") }
        var largest = 0.0
        let byID = Dictionary(reference.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        for record in records {
            guard let other = byID[record.id] else { continue }
            var differences: [String] = []
            compare(measured(record), measured(other), at: "", tolerance: tolerance, into: &differences, largest: &largest)
            problems += differences.prefix(5).map { "experiment \(record.id): \($0)" }
        }
        return StoreAudit(integrity: integrity, rows: ids.count, leases: leases, largestDifference: largest, problems: problems)
    }

    /// The row as a JSON tree with its JSON columns expanded and every timing removed.
    static func measured(_ record: ExperimentRecord) -> Any {
        var copy = record
        copy.quantizeSeconds = 0
        copy.evaluateSeconds = 0
        copy.finishedAt = ""
        copy.machine = ""
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        guard let data = try? encoder.encode(copy),
              var tree = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else { return [:] as [String: Any] }
        for key in ["metricsJSON", "configJSON"] {
            if let text = tree[key] as? String, let parsed = try? JSONSerialization.jsonObject(with: Data(text.utf8)) {
                tree[key] = parsed
            }
        }
        return withoutTimings(tree)
    }

    /// Drops every key that holds a duration or a rate (`seconds`, `tokensPerSecond`, …).
    static func withoutTimings(_ value: Any) -> Any {
        if let dictionary = value as? [String: Any] {
            var out: [String: Any] = [:]
            for (key, v) in dictionary where !key.lowercased().contains("second") { out[key] = withoutTimings(v) }
            return out
        }
        if let array = value as? [Any] { return array.map(withoutTimings) }
        return value
    }

    static func compare(_ a: Any, _ b: Any, at path: String, tolerance: Double, into differences: inout [String], largest: inout Double) {
        switch (a, b) {
        case let (x as [String: Any], y as [String: Any]):
            for key in Set(x.keys).union(y.keys).sorted() {
                let sub = path.isEmpty ? key : path + "." + key
                guard let u = x[key], let v = y[key] else { differences.append("\(sub): present on one side only"); continue }
                compare(u, v, at: sub, tolerance: tolerance, into: &differences, largest: &largest)
            }
        case let (x as [Any], y as [Any]):
            guard x.count == y.count else { differences.append("\(path): \(x.count) values vs \(y.count)"); return }
            for (i, (u, v)) in zip(x, y).enumerated() {
                compare(u, v, at: "\(path)[\(i)]", tolerance: tolerance, into: &differences, largest: &largest)
            }
        case let (x as String, y as String):
            if x != y { differences.append("\(path): '\(x.prefix(60))' vs '\(y.prefix(60))'") }
        case let (x as NSNumber, y as NSNumber):
            let u = x.doubleValue, v = y.doubleValue
            guard u != v else { return }
            let relative = abs(u - v) / max(abs(u), abs(v))
            largest = max(largest, relative)
            if relative > tolerance { differences.append("\(path): \(u) vs \(v)") }
        case (is NSNull, is NSNull):
            return
        default:
            if "\(a)" != "\(b)" { differences.append("\(path): \(a) vs \(b)") }
        }
    }
}
