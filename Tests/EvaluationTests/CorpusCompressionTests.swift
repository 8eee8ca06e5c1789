import Foundation
import Testing
@testable import Evaluation

/// bzip2 and zlib/gzip decompression, including damaged data.
@Suite struct CorpusCompressionTests {
    /// bzip2 of "hello\n" (Python's bz2.compress).
    static let helloBZ2: [UInt8] = [
        0x42, 0x5A, 0x68, 0x39, 0x31, 0x41, 0x59, 0x26, 0x53, 0x59, 0xC1, 0xC0, 0x80, 0xE2, 0x00, 0x00, 0x01, 0x41,
        0x00, 0x00, 0x10, 0x02, 0x44, 0xA0, 0x00, 0x30, 0xCD, 0x00, 0xC3, 0x46, 0x29, 0x97, 0x17, 0x72, 0x45, 0x38,
        0x50, 0x90, 0xC1, 0xC0, 0x80, 0xE2,
    ]
    /// zlib of "hello, zlib" and gzip of "hello, gzip".
    static let helloZlib: [UInt8] = [
        0x78, 0x9C, 0xCB, 0x48, 0xCD, 0xC9, 0xC9, 0xD7, 0x51, 0xA8, 0xCA, 0xC9, 0x4C, 0x02, 0x00, 0x18, 0xB2, 0x04, 0x12,
    ]
    static let helloGzip: [UInt8] = [
        0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0xCB, 0x48, 0xCD, 0xC9, 0xC9, 0xD7, 0x51, 0x48,
        0xAF, 0xCA, 0x2C, 0x00, 0x00, 0x4A, 0x9B, 0xB1, 0x5C, 0x0B, 0x00, 0x00, 0x00,
    ]

    private func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test func bzip2StreamsAndConcatenations() throws {
        #expect(text(try Bzip2.decompress(Self.helloBZ2, file: "t.bz2")) == "hello\n")
        #expect(text(try Bzip2.decompress(Self.helloBZ2 + Self.helloBZ2, file: "t.bz2")) == "hello\nhello\n")
    }

    @Test func bzip2Errors() {
        func error(_ bytes: [UInt8]) -> String { CorpusFixtures.errorText { _ = try Bzip2.decompress(bytes, file: "t.bz2") } }
        #expect(error([]).contains("t.bz2: bzip2: file is empty"))
        #expect(error(Array("plain text".utf8)).contains("not bzip2 data"))
        #expect(error(Array(Self.helloBZ2.dropLast(6))).contains("truncated"))
        #expect(error(Self.helloBZ2 + Array("junk".utf8)).contains("trailing bytes"))
        var damaged = Self.helloBZ2
        damaged[20] ^= 0xFF
        #expect(error(damaged).contains("corrupt"))
    }

    @Test func truncatedWikiDumpIsAnError() throws {
        let dump = try CorpusFixtures.readBytes(CorpusFixtures.assets.wikiDump)
        let directory = try CorpusFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let truncated = directory + "/truncated.xml.bz2"
        try CorpusFixtures.write(Array(dump.prefix(dump.count / 2)), to: truncated)
        let error = CorpusFixtures.errorText { _ = try WikiCorpus.documents(dumpPath: truncated) }
        #expect(error.hasPrefix(truncated + ": bzip2: compressed data is truncated"), "\(error)")

        let damaged = directory + "/damaged.xml.bz2"
        var bytes = dump
        for i in stride(from: 500_000, to: 500_400, by: 3) { bytes[i] ^= 0xA5 }
        try CorpusFixtures.write(bytes, to: damaged)
        let damagedError = CorpusFixtures.errorText { _ = try WikiCorpus.documents(dumpPath: damaged) }
        #expect(damagedError.hasPrefix(damaged + ": bzip2: corrupt compressed data"), "\(damagedError)")
    }

    @Test func zlibAndGzip() throws {
        #expect(text(try Zlib.inflate(Self.helloZlib[...], file: "t", what: "z")) == "hello, zlib")
        #expect(text(try Zlib.inflate(Self.helloGzip[...], expectedSize: 11, file: "t", what: "z")) == "hello, gzip")
    }

    @Test func zlibErrors() {
        func error(_ bytes: [UInt8], size: Int? = nil) -> String {
            CorpusFixtures.errorText { _ = try Zlib.inflate(bytes[...], expectedSize: size, file: "t.rdb", what: "block") }
        }
        #expect(error([]).contains("t.rdb: block: compressed data is truncated"))
        #expect(error(Array(Self.helloZlib.dropLast(5))).contains("truncated"))
        #expect(error(Array("not zlib".utf8)).contains("corrupt"))
        #expect(error(Self.helloZlib, size: 12).contains("inflated to 11 bytes, expected 12"))
        var damaged = Self.helloZlib
        damaged[damaged.count - 1] ^= 0xFF  // checksum
        #expect(error(damaged).contains("corrupt"))
    }
}
