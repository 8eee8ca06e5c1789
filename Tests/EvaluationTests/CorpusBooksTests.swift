import Foundation
import Testing
@testable import Evaluation

/// The books corpus: the R lazy-load database read without R, checked against numbers R gives
/// (`Rscript -e 'library(janeaustenr); length(emma)'` etc., pinned once), and chapter splitting.
@Suite struct CorpusBooksTests {
    /// Per novel, from R: length(x), sum(x == ""), sum(nchar(x)), and the chapter headings
    /// (lines matching ^(CHAPTER|Chapter) ).
    static let fromR: [(name: String, lines: Int, empty: Int, characters: Int, chapters: Int)] = [
        ("sensesensibility", 12624, 2028, 661_064, 50),
        ("prideprejudice", 13030, 2309, 671_738, 61),
        ("mansfieldpark", 15349, 1939, 867_930, 48),
        ("emma", 16235, 2552, 866_793, 55),
        ("northangerabbey", 7856, 1197, 425_555, 31),
        ("persuasion", 8328, 1118, 458_526, 24),
    ]

    @Test func novelsMatchWhatRReads() throws {
        let novels = try BooksCorpus.novelLines(dataDirectory: CorpusFixtures.assets.janeaustenrData)
        #expect(novels.map(\.name) == Self.fromR.map(\.name))
        for (novel, expected) in zip(novels, Self.fromR) {
            #expect(novel.lines.count == expected.lines, "\(novel.name)")
            #expect(novel.lines.filter(\.isEmpty).count == expected.empty, "\(novel.name)")
            #expect(novel.lines.reduce(0) { $0 + $1.unicodeScalars.count } == expected.characters, "\(novel.name)")
            #expect(BooksCorpus.chapters(of: novel.lines).count == expected.chapters, "\(novel.name)")
        }
        let pride = try #require(novels.first { $0.name == "prideprejudice" })
        #expect(pride.lines.prefix(3) == ["PRIDE AND PREJUDICE", "", "By Jane Austen"])
        #expect(pride.lines[9] == "It is a truth universally acknowledged, that a single man in possession")
        let mansfield = try #require(novels.first { $0.name == "mansfieldpark" })
        #expect(mansfield.lines[15221] == "the command of her beauty, and her £20,000, any one who could satisfy the")
    }

    @Test func chaptersSplitAtHeadingsWithFrontMatterAndVolumes() {
        let lines = ["TITLE", "", "by Someone", "", "", "VOLUME I", "", "CHAPTER I", "", "One.", "", "",
                     "VOLUME II", "", "", "CHAPTER II", "Two.", "not a CHAPTER 3 heading", "CHAPTER 3", "", "Three.", "", "THE END", ""]
        #expect(BooksCorpus.chapters(of: lines) == [
            "TITLE\n\nby Someone\n\n\nVOLUME I\n\nCHAPTER I\n\nOne.",
            "VOLUME II\n\n\nCHAPTER II\nTwo.\nnot a CHAPTER 3 heading",
            "CHAPTER 3\n\nThree.\n\nTHE END",
        ])
        #expect(BooksCorpus.chapters(of: ["", "No headings at all.", ""]) == ["No headings at all."])
        #expect(BooksCorpus.chapters(of: ["", ""]).isEmpty)
    }

    @Test func chapterHeadings() {
        for heading in ["CHAPTER 1", "Chapter 12", "CHAPTER XLVIII", "CHAPTER IV."] {
            #expect(BooksCorpus.isHeading(heading, words: ["CHAPTER", "Chapter"]), "\(heading)")
        }
        for other in ["CHAPTER", "CHAPTER ", "chapter 1", "CHAPTER 1 of the story", "CHAPTERS 1", "Chapter one"] {
            #expect(!BooksCorpus.isHeading(other, words: ["CHAPTER", "Chapter"]), "\(other)")
        }
    }

    // MARK: - Corrupt databases

    /// A copy of the janeaustenr data directory in a temporary directory, with `edit` applied to
    /// the .rdb (or .rdx) bytes.
    private func corruptedCopy(rdb editRDB: (inout [UInt8]) -> Void = { _ in },
                               rdx editRDX: (inout [UInt8]) -> Void = { _ in }) throws -> String {
        let source = try CorpusFixtures.assets.janeaustenrData
        let directory = try CorpusFixtures.temporaryDirectory()
        var rdb = try CorpusFixtures.readBytes(source + "/Rdata.rdb"), rdx = try CorpusFixtures.readBytes(source + "/Rdata.rdx")
        editRDB(&rdb)
        editRDX(&rdx)
        try CorpusFixtures.write(rdb, to: directory + "/Rdata.rdb")
        try CorpusFixtures.write(rdx, to: directory + "/Rdata.rdx")
        return directory
    }

    @Test func truncatedDatabaseIsAnError() throws {
        let directory = try corruptedCopy(rdb: { $0.removeLast($0.count - 1000) })
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let error = CorpusFixtures.errorText { _ = try BooksCorpus.documents(dataDirectory: directory) }
        #expect(error.contains("Rdata.rdx") && error.contains("offset"), "\(error)")
    }

    @Test func corruptCompressedBlockIsAnError() throws {
        // emma's block starts at 0; damage its zlib data.
        let directory = try corruptedCopy(rdb: { bytes in
            for i in stride(from: 100, to: 2100, by: 7) { bytes[i] ^= 0x5A }
        })
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let error = CorpusFixtures.errorText { _ = try BooksCorpus.documents(dataDirectory: directory) }
        #expect(error.contains("Rdata.rdb") && error.contains("emma") && error.contains("corrupt"), "\(error)")
    }

    @Test func garbageIndexIsAnError() throws {
        let directory = try corruptedCopy(rdx: { $0 = Array("this is not an R index\n".utf8) })
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let error = CorpusFixtures.errorText { _ = try BooksCorpus.documents(dataDirectory: directory) }
        #expect(error.contains("Rdata.rdx") && error.contains("not an R serialization"), "\(error)")
    }

    @Test func missingDatabaseFileIsAnError() throws {
        let directory = try CorpusFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let error = CorpusFixtures.errorText { _ = try BooksCorpus.documents(dataDirectory: directory) }
        #expect(error.contains(directory + "/Rdata.rdx"), "\(error)")
    }

    @Test func mutatedRealSerializationNeverCrashes() throws {
        let database = try RLazyLoadDatabase(directory: CorpusFixtures.assets.janeaustenrData)
        let original = try database.serialization(named: "persuasion").bytes
        var generator = SplitMix64(seed: 7)
        var failures = 0
        for _ in 0..<40 {
            var bytes = original
            for _ in 0..<3 {
                let position = Int(generator.next() % UInt64(min(bytes.count, 4096)))
                bytes[position] = UInt8(truncatingIfNeeded: generator.next())
            }
            do { _ = try RUnserializer.unserialize(bytes, file: "mutated") } catch { failures += 1 }
        }
        for length in stride(from: 0, to: original.count, by: original.count / 50) {
            #expect(throws: CorpusError.self) { try RUnserializer.unserialize(Array(original.prefix(length)), file: "cut") }
        }
        #expect(failures >= 0)  // reaching here without a crash is the point
    }
}

/// A small deterministic random generator for the mutation tests.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
