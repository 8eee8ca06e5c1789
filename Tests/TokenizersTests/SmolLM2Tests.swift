import Foundation
import ModelFormats
import Testing
import Tokenizers

/// SmolLM2 (GGUF pre "smollm") against ids from HF tokenizers (scripts/fixtures/make_tokenizer_fixtures.py),
/// through both loaders.
struct SmolLM2Tests {
    static let ggufTokenizer = Result { try Tokenizer.fromGGUF(GGUFFile(path: TestPaths.smolLM2GGUF)) }
    static let jsonTokenizer = Result {
        try Tokenizer.fromTokenizerJSON(path: TestPaths.fixtures + "/smollm2/tokenizer.json")
    }

    @Test func ggufLoaderDescribesTheVocabulary() throws {
        let tokenizer = try Self.ggufTokenizer.get()
        #expect(tokenizer.kind == "byte-level BPE, pre=smollm, 49152 tokens")
        #expect(tokenizer.vocabularySize == 49152)
        #expect(tokenizer.bosTokenId == 1 && tokenizer.eosTokenId == 2)
        #expect(!tokenizer.addsBos && !tokenizer.addsEos)
    }

    @Test(arguments: ["gguf", "tokenizer.json"])
    func idsMatchHuggingFace(_ loader: String) throws {
        let tokenizer = try (loader == "gguf" ? Self.ggufTokenizer : Self.jsonTokenizer).get()
        let fixture = try Fixtures.load(IdCases.self, "smollm2_cases.json")
        #expect(fixture.cases.count >= 30)
        for (index, testCase) in fixture.cases.enumerated() {
            let parsed = tokenizer.encode(testCase.text, addSpecial: true, parseSpecial: true)
            #expect(parsed == testCase.ids, "\(loader) case \(index) (specials parsed): \(testCase.text.debugDescription)")
            let plain = tokenizer.encode(testCase.text, addSpecial: true, parseSpecial: false)
            #expect(plain == testCase.ids_plain, "\(loader) case \(index) (specials as text): \(testCase.text.debugDescription)")
            #expect(tokenizer.decode(plain) == testCase.text, "\(loader) case \(index) round trip")
            #expect(tokenizer.decode(parsed) == testCase.text, "\(loader) case \(index) round trip with specials")
        }
    }

    @Test func bothLoadersAgree() throws {
        let gguf = try Self.ggufTokenizer.get()
        let json = try Self.jsonTokenizer.get()
        #expect(json.kind == gguf.kind)
        #expect(json.bosTokenId == gguf.bosTokenId && json.eosTokenId == gguf.eosTokenId)
        #expect(json.addsBos == gguf.addsBos && json.addsEos == gguf.addsEos)
        for id in Int32(0)..<Int32(gguf.vocabularySize) {
            #expect(json.tokenString(id) == gguf.tokenString(id) && json.tokenKind(id) == gguf.tokenKind(id),
                    "token \(id)")
        }
        let text = try String(contentsOfFile: TestPaths.leeCorpus, encoding: .utf8)
        let sample = String(text.prefix(50_000))
        #expect(json.encode(sample) == gguf.encode(sample))
    }

    @Test func chatMarkupDecodesWithAndWithoutSpecials() throws {
        let tokenizer = try Self.ggufTokenizer.get()
        let ids = tokenizer.encode("<|im_start|>user\nHi<|im_end|>", parseSpecial: true)
        #expect(ids.first == 1 && ids.last == 2)
        #expect(tokenizer.decode(ids) == "<|im_start|>user\nHi<|im_end|>")
        #expect(tokenizer.decode(ids, skipSpecial: true) == "user\nHi")
    }
}
