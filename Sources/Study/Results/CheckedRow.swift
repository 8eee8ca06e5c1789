import GRDB

/// A results row read column by column with checked conversions: a value of the wrong type (text
/// in a REAL column, a number where JSON text belongs) is an error naming the experiment and the
/// column, never a crash (GRDB's `row["column"]` subscripts trap on a failed conversion).
struct CheckedRow {
    let row: Row
    /// The row's table and id, for messages.
    let table: String
    let id: String

    init(_ row: Row, table: String = "experiment") throws {
        let id: String = try CheckedRow(row: row, table: table, id: "?").required("id")
        self.init(row: row, table: table, id: id)
    }

    private init(row: Row, table: String, id: String) {
        self.row = row
        self.table = table
        self.id = id
    }

    /// The column's value, nil when it is NULL or the column does not exist (older schemas).
    func optional<T: DatabaseValueConvertible>(_ column: String, as type: T.Type = T.self) throws -> T? {
        guard row.hasColumn(column) else { return nil }
        let value: DatabaseValue = row[column]
        if value.isNull { return nil }
        guard let converted = T.fromDatabaseValue(value) else {
            throw StudyError("\(table) \(id): column \(column): \(Self.describe(value)) is not \(Self.kind(T.self))")
        }
        return converted
    }

    /// The column's value; NULL or a missing column is an error.
    func required<T: DatabaseValueConvertible>(_ column: String, as type: T.Type = T.self) throws -> T {
        guard let value: T = try optional(column) else {
            throw StudyError("\(table) \(id): column \(column): missing (NULL), expected \(Self.kind(T.self))")
        }
        return value
    }

    static func describe(_ value: DatabaseValue) -> String {
        switch value.storage {
        case .null: return "NULL"
        case .int64(let v): return "the integer \(v)"
        case .double(let v): return "the number \(v)"
        case .string(let s): return "the text '\(s.count > 40 ? String(s.prefix(40)) + "…" : s)'"
        case .blob(let d): return "a blob of \(d.count) bytes"
        }
    }

    static func kind<T>(_ type: T.Type) -> String {
        switch type {
        case is Double.Type: return "a number"
        case is Int.Type, is Int64.Type: return "an integer"
        case is Bool.Type: return "a boolean"
        case is String.Type: return "text"
        default: return "a \(type)"
        }
    }
}
