import Foundation
import Testing
@testable import ModelFormats

/// GGUF inputs that crashed, hung or misbehaved (Fixtures/fuzz-regressions/gguf; found by fuzzing,
/// Fuzz/, or reported in issue 12): each is refused with a FormatError of bounded size.
@Suite("GGUF: fuzz regressions")
struct GGUFFuzzRegressionTests {
    static let directory = GGUFTestSupport.packageRoot.appendingPathComponent("Fixtures/fuzz-regressions/gguf").path

    static func error(opening name: String) -> FormatError? {
        #expect(throws: FormatError.self) { try GGUFFile(path: directory + "/" + name) }
    }

    /// A corrupt name length made the tensor's name the next 73 KB of the file, all of it echoed
    /// into the error message; names are now quoted as their first 64 characters and their size.
    @Test func longTensorNameIsCutInTheMessage() throws {
        let error = try #require(Self.error(opening: "long-tensor-name.gguf"))
        #expect(error.field.hasPrefix("tensor blk.0.attn_q.weight !\"#$"))
        #expect(error.field.hasSuffix("… (4009 bytes)"), "\(error.field)")
        #expect(error.field.count < 100)
        #expect(error.message.contains("n_dims is 5"))
    }

    @Test func longMetadataKeyIsCutInTheMessage() throws {
        let error = try #require(Self.error(opening: "long-metadata-key.gguf"))
        #expect(error.field == "general." + String(repeating: "k", count: 56) + "… (4008 bytes)")
        #expect(error.message.contains("unknown metadata value type 99"))
    }

    @Test func excerptKeepsShortTextAndCutsLongText() {
        #expect(MessageExcerpt.of("") == "")
        let exact = String(repeating: "é", count: MessageExcerpt.maximumCharacters)
        #expect(MessageExcerpt.of(exact) == exact)
        #expect(MessageExcerpt.of(exact + "x") == exact + "… (\(exact.utf8.count + 1) bytes)")
    }

    /// Every committed input opens or fails with a short message.
    @Test func everyRegressionInputEndsWithABoundedMessage() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.directory).sorted()
        #expect(!files.isEmpty)
        for file in files {
            do {
                _ = try GGUFFile(path: Self.directory + "/" + file)
            } catch {
                #expect("\(error)".utf8.count < 1024, "\(file): message of \("\(error)".utf8.count) bytes")
            }
        }
    }
}
