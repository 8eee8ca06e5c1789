import Foundation
import ModelFormats
import Testing
import Tokenizers

/// llama.cpp's tokenizer test vectors (`models/ggml-vocab-*.gguf.inp/.out`), run the way
/// `tests/test-tokenizer-0.cpp` runs them: inputs separated by "\n__ggml_vocab_test__\n",
/// one line of expected ids per input, tokenized without BOS/EOS and without parsing specials.
struct LlamaCppVocabTests {
    struct VectorCase {
        let text: String
        let expected: [Int32]
    }

    static func cases(_ base: String) throws -> [VectorCase] {
        let input = [UInt8](try Data(contentsOf: URL(fileURLWithPath: base + ".inp")))
        let output = try String(contentsOfFile: base + ".out", encoding: .utf8)

        let separator = Array("\n__ggml_vocab_test__\n".utf8)
        var texts: [String] = []
        var start = 0
        while start < input.count {
            var end = start
            while end < input.count, !input[end...].starts(with: separator) { end += 1 }
            texts.append(String(decoding: input[start..<end], as: UTF8.self))
            start = end + separator.count
        }

        var lines = output.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        #expect(lines.count == texts.count, "\(base): \(texts.count) inputs but \(lines.count) output lines")
        return zip(texts, lines).map { text, line in
            VectorCase(text: text, expected: line.split(separator: " ").compactMap { Int32($0) })
        }
    }

    @Test(arguments: ["gpt-2", "qwen2", "llama-bpe", "llama-spm", "phi-3"])
    func vocabularyVectorsMatch(_ name: String) throws {
        let base = TestPaths.llamaCppVocabs + "/ggml-vocab-\(name).gguf"
        let tokenizer = try Tokenizer.fromGGUF(GGUFFile(path: base))
        let cases = try Self.cases(base)
        #expect(cases.count >= 40)

        var matched = 0
        for (index, testCase) in cases.enumerated() {
            let ids = tokenizer.encode(testCase.text, addSpecial: false, parseSpecial: false)
            #expect(ids == testCase.expected, "\(name) case \(index): \(testCase.text.debugDescription)")
            if ids == testCase.expected { matched += 1 }
            #expect(tokenizer.decode(ids) == testCase.text, "\(name) case \(index) round trip")
        }
        print("llama.cpp vocab \(name): \(matched)/\(cases.count) vectors match (\(tokenizer.kind))")
    }

    @Test func ggufLoaderReadsSpecialTokenSettings() throws {
        let llama3 = try Tokenizer.fromGGUF(GGUFFile(path: TestPaths.llamaCppVocabs + "/ggml-vocab-llama-bpe.gguf"))
        #expect(llama3.kind == "byte-level BPE, pre=llama3, 128256 tokens")
        #expect(llama3.bosTokenId == 128000 && llama3.eosTokenId == 128001)
        #expect(llama3.addsBos)  // llama.cpp's default for the Llama 3 family
        #expect(llama3.encode("Hello") == [128000, 9906])
        #expect(llama3.encode("<|begin_of_text|>Hi", addSpecial: false, parseSpecial: true) == [128000, 13347])
        #expect(llama3.decode([128000, 9906], skipSpecial: true) == "Hello")
        #expect(llama3.decode([128000, 9906]) == "<|begin_of_text|>Hello")

        let gpt2 = try Tokenizer.fromGGUF(GGUFFile(path: TestPaths.llamaCppVocabs + "/ggml-vocab-gpt-2.gguf"))
        #expect(!gpt2.addsBos && gpt2.eosTokenId == 50256)
        #expect(gpt2.encode("<|endoftext|>", parseSpecial: true) == [50256])
        #expect(gpt2.encode("<|endoftext|>", parseSpecial: false).count > 1)
    }

    @Test func sentencePieceSettingsFollowLlamaCpp() throws {
        let spm = try Tokenizer.fromGGUF(GGUFFile(path: TestPaths.llamaCppVocabs + "/ggml-vocab-llama-spm.gguf"))
        #expect(spm.kind == "SentencePiece BPE (scores, byte fallback, space prefix), 32000 tokens")
        #expect(spm.addsBos && !spm.addsEos && spm.bosTokenId == 1 && spm.eosTokenId == 2)
        // BOS, then the space prefix: "Hello" is "▁Hello"; a special token starts a new prefixed fragment.
        #expect(spm.encode("Hello world") == [1, 15043, 3186])
        #expect(spm.tokenString(15043) == "▁Hello")
        #expect(spm.encode("</s>Hello", addSpecial: false, parseSpecial: true) == [2, 15043])
        #expect(spm.decode([1, 15043, 3186], skipSpecial: true) == "Hello world")
        // Byte fallback: a character outside the vocabulary becomes its UTF-8 bytes.
        let ids = spm.encode("𝔘", addSpecial: false)
        #expect(ids.allSatisfy { spm.tokenKind($0) == .byte || spm.tokenString($0) == "▁" })
        #expect(spm.decode(ids) == "𝔘")
    }

    @Test func ggufLoaderRejectsOtherTokenizerModels() throws {
        let path = TestPaths.llamaCppVocabs + "/ggml-vocab-bert-bge.gguf"
        #expect {
            try Tokenizer.fromGGUF(GGUFFile(path: path))
        } throws: { error in
            guard let error = error as? FormatError else { return false }
            return error.field == "tokenizer.ggml.model" && error.message.contains("'bert'")
        }
    }
}
