import Foundation
import Testing
@testable import ModelFormats

/// Vocab-only GGUFs from llama.cpp: metadata without tensors.
struct GGUFVocabMetadataTests {
    static let llamaSPM = GGUFTestSupport.vocabPath("llama-spm")

    @Test(.enabled(if: FileManager.default.fileExists(atPath: llamaSPM)))
    func llamaSPMVocabulary() throws {
        let file = try GGUFFile(path: Self.llamaSPM)
        #expect(file.tensors.isEmpty)
        #expect(file["tokenizer.ggml.model"]?.asString == "llama")
        let tokens = try #require(file["tokenizer.ggml.tokens"]?.asStringArray)
        let scores = try #require(file["tokenizer.ggml.scores"]?.asFloatArray)
        let types = try #require(file["tokenizer.ggml.token_type"]?.asIntArray)
        #expect(tokens.count == 32000)
        #expect(scores.count == tokens.count && types.count == tokens.count)
        #expect(tokens[0] == "<unk>" && tokens[1] == "<s>" && tokens[2] == "</s>")
    }

    @Test func allVocabFilesParse() throws {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: GGUFTestSupport.vocabDirectory.path)) ?? []
        for name in names where name.hasPrefix("ggml-vocab-") && name.hasSuffix(".gguf") {
            let file = try GGUFFile(path: GGUFTestSupport.vocabDirectory.appendingPathComponent(name).path)
            #expect(file["tokenizer.ggml.tokens"]?.asStringArray?.isEmpty == false, "\(name)")
        }
    }
}
