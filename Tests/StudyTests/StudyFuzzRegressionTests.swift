import Foundation
import Testing
@testable import Study

/// Inputs that crashed or hung the study-file parser (Fixtures/fuzz-regressions/study-yaml; found
/// by fuzzing or reported in issue 12), each now refused with the field at fault, or expanded in bounded time.
@Suite("Study files: fuzz regressions")
struct StudyFuzzRegressionTests {
    static let directory: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path + "/Fixtures/fuzz-regressions/study-yaml"
    }()

    /// The file as the fuzz harness reads it: invalid UTF-8 becomes U+FFFD.
    static func text(_ name: String) throws -> String {
        String(decoding: try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name)), as: UTF8.self)
    }

    /// `bits: "2..9223372036854775807"` built a 2^63-element array (SIGSEGV); `"-9223372036854775808..2"`
    /// overflowed counting it (SIGILL).
    @Test(arguments: ["bits-range-to-int-max.yaml", "bits-range-from-int-min.yaml"])
    func hugeIntegerRangesAreRefused(file: String) throws {
        let text = try Self.text(file)
        let error = #expect(throws: StudyError.self) { try StudyFile.parse(text, source: file) }
        let message = error?.message ?? ""
        #expect(message.hasPrefix("\(file): schemes[0].bits: "), "\(message)")
        #expect(message.contains("has more than \(IntegerAxis.maximumRangeLength) values"), "\(message)")
    }

    @Test func longestIntegerRangeIsKept() throws {
        let last = IntegerAxis.maximumRangeLength - 1
        let axis = try IntegerAxis.IntegerOrRange.parseRange("0..\(last)", codingPath: [])
        #expect(axis.count == IntegerAxis.maximumRangeLength && axis.last == last)
        #expect(throws: DecodingError.self) { try IntegerAxis.IntegerOrRange.parseRange("0..\(last + 1)", codingPath: []) }
        #expect(try IntegerAxis.IntegerOrRange.parseRange("9223372036854775807..9223372036854775806", codingPath: [])
            == [Int.max, Int.max - 1])
    }

    /// `granularity: "g32..g9223372036854775807"`: doubling overflowed before passing the end, so the
    /// loop never ended. The range now stops at the last power that fits.
    @Test func doublingRangeToIntMaxEnds() throws {
        let study = try StudyFile.parse(try Self.text("granularity-doubling-to-int-max.yaml"), source: "g.yaml")
        let values = try #require(study.schemes[0].granularity?.values)
        #expect(values.count == 58)
        #expect(values.first == "g32" && values.last == "g\(1 << 62)")
    }

    /// Yams quotes the lines around a syntax error; with long lines of invalid bytes (U+FFFD, three
    /// bytes each) a message reached 1.3 KB. The quote is now cut to 200 characters.
    @Test(arguments: ["yams-error-quotes-context.yaml", "yams-error-quotes-invalid-bytes.yaml"])
    func yamlErrorsQuoteAShortContext(file: String) throws {
        let text = try Self.text(file)
        let error = #expect(throws: StudyError.self) { try StudyFile.parse(text, source: file) }
        let message = error?.message ?? ""
        #expect(message.hasPrefix("\(file): not valid YAML: "), "\(message)")
        #expect(message.hasSuffix(" bytes)"), "\(message)")
        #expect(message.utf8.count < 1024, "\(message.utf8.count) bytes")
    }

    /// Every committed input parses or fails with a short message naming the file.
    @Test func everyRegressionInputEndsWithABoundedMessage() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.directory).sorted()
        #expect(!files.isEmpty)
        for file in files {
            do {
                _ = try StudyFile.parse(try Self.text(file), source: file)
            } catch {
                #expect("\(error)".hasPrefix(file + ": "), "\(error)")
                #expect("\(error)".utf8.count < 1024, "\(file): message of \("\(error)".utf8.count) bytes")
            }
        }
    }
}
