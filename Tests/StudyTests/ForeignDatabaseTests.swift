import Foundation
import GRDB
import Testing
@testable import Study

/// SQLite files that are not ours, and ours with damaged values: refused or reported with the
/// file, experiment and column named, never written to, never a crash.
@Suite("Foreign and damaged results databases")
struct ForeignDatabaseTests {
    /// Another program's SQLite database (no `experiment` table).
    static func foreignDatabase() throws -> String {
        let path = try Scratch.directory().appendingPathComponent("app.db").path
        try DatabaseQueue(path: path).write { db in
            try db.execute(sql: "CREATE TABLE bookmark (url TEXT PRIMARY KEY, title TEXT)")
            try db.execute(sql: "INSERT INTO bookmark VALUES ('https://example.org', 'Example')")
        }
        return path
    }

    @Test func aForeignDatabaseIsRefusedAndLeftUnchanged() throws {
        let path = try Self.foreignDatabase()
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let openings: [() throws -> Void] = [{ _ = try ResultsStore(path: path) }, { _ = try ResultsStore(readingFrom: path) }]
        for opening in openings {
            #expect { try opening() } throws: {
                "\($0)".contains(path) && "\($0)".contains("not a PTQLab results database") && "\($0)".contains("bookmark")
            }
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        let tables = try DatabaseQueue(path: path).read { try String.fetchAll($0, sql: "SELECT name FROM sqlite_master WHERE type = 'table'") }
        #expect(tables == ["bookmark"])
        // Merging it into a results database is refused too, and the output gains nothing.
        let out = try ResultsStore(path: try Scratch.directory().appendingPathComponent("out.db").path)
        #expect(throws: StudyError.self) { try out.merge(from: [path]) }
        #expect(try out.count() == 0)
    }

    /// Reading never creates a file, and an empty SQLite file holds no results.
    @Test func readingDoesNotCreateOrAdoptFiles() throws {
        let dir = try Scratch.directory()
        let missing = dir.appendingPathComponent("missing.db").path
        #expect { try ResultsStore(readingFrom: missing) } throws: { "\($0)".contains("\(missing): no such results database") }
        #expect(!FileManager.default.fileExists(atPath: missing))
        let empty = dir.appendingPathComponent("empty.db").path
        #expect(FileManager.default.createFile(atPath: empty, contents: Data()))
        #expect { try ResultsStore(readingFrom: empty) } throws: { "\($0)".contains("not a PTQLab results database") }
        #expect(try Data(contentsOf: URL(fileURLWithPath: empty)).isEmpty)
    }

    /// Text in a REAL column, a string where a number belongs, NULL in a required column: an
    /// error naming the experiment and the column.
    @Test(arguments: [
        ("effective_bits = 'abc'", "column effective_bits: the text 'abc' is not a number"),
        ("kl_divergence = 'n/a'", "column kl_divergence: the text 'n/a' is not a number"),
        ("weight_bits = 'four'", "column weight_bits: the text 'four' is not an integer"),
        ("act_order = 'yes'", "column act_order: the text 'yes' is not a boolean"),
        ("perplexity = '{\"wiki\": '", "column perplexity: malformed JSON"),
    ])
    func damagedValuesAreNamed(update: String, expected: String) throws {
        let path = try Scratch.directory().appendingPathComponent("r.db").path
        let store = try ResultsStore(path: path)
        try store.insert(ResultsStoreTests.record("00000000000000f1"))
        try store.insert(ResultsStoreTests.record("00000000000000f2"))
        try DatabaseQueue(path: path).write { try $0.execute(sql: "UPDATE experiment SET \(update) WHERE id = '00000000000000f2'") }
        for reader in [store, try ResultsStore(readingFrom: path)] {
            #expect { try reader.records() } throws: {
                "\($0)".contains("experiment 00000000000000f2: \(expected)")
            }
        }
        let out = try ResultsStore(path: try Scratch.directory().appendingPathComponent("out.db").path)
        #expect { try out.merge(from: [path]) } throws: { "\($0)".contains("00000000000000f2") }
    }

    /// A value SQLite converts exactly (an integer in a REAL column) is read, not refused.
    @Test func exactConversionsAreAccepted() throws {
        let path = try Scratch.directory().appendingPathComponent("r.db").path
        let store = try ResultsStore(path: path)
        try store.insert(ResultsStoreTests.record("00000000000000f3"))
        try DatabaseQueue(path: path).write { try $0.execute(sql: "UPDATE experiment SET effective_bits = 4 WHERE id = '00000000000000f3'") }
        #expect(try store.records().first?.effectiveBits == 4)
    }
}
