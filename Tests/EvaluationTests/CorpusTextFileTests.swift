import Foundation
import Testing
@testable import Evaluation

/// `--text FILE`: any UTF-8 file; precise errors for the rest.
@Suite struct CorpusTextFileTests {
    /// Writes `bytes` to a fresh temporary file and runs `body` with its path.
    private func withFile<T>(_ bytes: [UInt8], _ body: (String) throws -> T) throws -> T {
        let directory = try CorpusFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/input.txt"
        try CorpusFixtures.write(bytes, to: path)
        return try body(path)
    }

    @Test func wholeFileIsTheEvaluationPart() throws {
        let text = "First line\r\nSecond — ünïcödé 🙂\n\n  indented\n"
        let corpus = try withFile(Array(text.utf8)) { try TextFile.load(path: $0) }
        #expect(corpus.evaluation == text)  // exact: line endings and spacing kept
        #expect(corpus.calibration.isEmpty)
        #expect(corpus.documentCounts == DocumentCounts(calibration: 0, evaluation: 1))
        #expect(corpus.name.hasSuffix("/input.txt"))
    }

    @Test func byteOrderMarkIsDropped() throws {
        #expect(try withFile([0xEF, 0xBB, 0xBF] + Array("text".utf8)) { try TextFile.read(path: $0) } == "text")
    }

    /// Invalid files and the offset of their first invalid byte sequence.
    static let invalidUTF8: [(bytes: [UInt8], offset: Int)] = [
        ([0x68, 0xE9, 0x6C, 0x6C, 0x6F], 1),  // "h", Latin-1 é, "llo"
        ([0x61, 0x62, 0x63, 0xE2, 0x82], 3),  // cut-off 3-byte sequence at the end
        ([0x61, 0x62, 0xC0, 0xAF], 2),  // overlong "/"
        ([0x78, 0xED, 0xA0, 0x80], 1),  // UTF-16 surrogate
        ([0xE2, 0x82, 0xAC, 0x20, 0x6F, 0x6B, 0x20, 0x80], 7),  // stray continuation byte after "€ ok "
        ([0x6F, 0x6B, 0xF4, 0x90, 0x80, 0x80], 2),  // above U+10FFFF
    ]

    @Test(arguments: invalidUTF8)
    func invalidUTF8NamesFileAndOffset(bytes: [UInt8], offset: Int) throws {
        let error = try withFile(bytes) { path in
            (path, CorpusFixtures.errorText { _ = try TextFile.load(path: path) })
        }
        #expect(error.1.hasPrefix(error.0 + ": "), "\(error.1)")
        #expect(error.1.contains("not valid UTF-8") && error.1.contains("byte offset \(offset) "), "\(error.1)")
    }

    @Test func validatorAgreesWithTheStandardLibrary() {
        var generator = SplitMix64(seed: 42)
        let interesting: [UInt8] = [0x41, 0x7F, 0x80, 0xBF, 0xC0, 0xC2, 0xDF, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF, 0xA0, 0x9F, 0x90, 0x8F]
        for _ in 0..<5000 {
            let length = Int(generator.next() % 7)
            let bytes = (0..<length).map { _ in interesting[Int(generator.next() % UInt64(interesting.count))] }
            let valid = String(validating: bytes, as: UTF8.self) != nil
            #expect((UTF8Validation.firstInvalidOffset(bytes) == nil) == valid, "\(bytes)")
        }
    }

    @Test func emptyAndWhitespaceOnlyFilesAreErrors() throws {
        let empty = try withFile([]) { path in CorpusFixtures.errorText { _ = try TextFile.load(path: path) } }
        #expect(empty.contains("input.txt: the file is empty"), "\(empty)")
        let blank = try withFile(Array(" \n\t\r\n  ".utf8)) { path in CorpusFixtures.errorText { _ = try TextFile.load(path: path) } }
        #expect(blank.contains("input.txt: the file contains only whitespace"), "\(blank)")
    }

    @Test func missingFileAndDirectoryAreErrors() throws {
        let missing = CorpusFixtures.errorText { _ = try TextFile.load(path: "/nonexistent/wiki.test.raw") }
        #expect(missing.hasPrefix("/nonexistent/wiki.test.raw: cannot open"), "\(missing)")
        let directory = try CorpusFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let isDirectory = CorpusFixtures.errorText { _ = try TextFile.load(path: directory) }
        #expect(isDirectory.contains("is a directory"), "\(isDirectory)")
    }
}
