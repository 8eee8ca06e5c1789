import Foundation
import ModelFormats
import Testing
import Tokenizers
@testable import Evaluation

/// SmolLM2's tokenizer (built from the pinned GGUF's metadata) tokenizes every part of every
/// corpus exactly as PyPI `tokenizers` does with SmolLM2's tokenizer.json
/// (Fixtures/reference/smollm2_corpus_tokens.json, from scripts/fixtures/make_corpus_token_fixture.py):
/// same count, same first 64 ids, same SHA-256 of all ids. Exact: there is no tolerance in tokenization.
@Suite struct CorpusTokenizationTests {
    struct Entry: Decodable { let count: Int; let sha256: String; let head: [Int32] }

    @Test(arguments: Corpora.builtInNames)
    func matchesHuggingFaceTokenizers(_ name: String) throws {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        let ref = try JSONDecoder().decode([String: Entry].self, from: Data(contentsOf: url.appendingPathComponent("Fixtures/reference/smollm2_corpus_tokens.json")))
        let assets = AssetLocator()
        let tokenizer = try Tokenizer.fromGGUF(GGUFFile(path: try assets.defaultModel))
        let corpus = try Corpora.load(name, assets: assets)
        for (part, text) in [("evaluation", corpus.evaluation), ("calibration", corpus.calibration)] {
            let key = "\(name).\(part)"
            let expected = try #require(ref[key])
            let ids = tokenizer.encode(text, addSpecial: false)
            #expect(ids.count == expected.count, "\(key): \(ids.count) tokens, tokenizers gives \(expected.count)")
            #expect(Array(ids.prefix(64)) == expected.head, "\(key): first tokens differ")
            let bytes = ids.withUnsafeBufferPointer { Array(UnsafeRawBufferPointer($0)) } // little-endian int32
            #expect(SHA256.hex(bytes: bytes) == expected.sha256, "\(key): token ids differ from tokenizers'")
        }
    }
}
