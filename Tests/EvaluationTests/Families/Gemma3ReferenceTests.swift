import Foundation
import ModelFormats
import Models
import Testing
import Tokenizers
@testable import Evaluation

/// Gemma 3 270M (the chunked GGUF, joined on first use, dequantized to f32) against PyTorch
/// transformers loading the same GGUF (Fixtures/reference/gemma3-270m.json, from
/// scripts/reference/family_reference.py). Skipped when the model is not installed (`make setup`).
///
/// Tolerances: tokenization (our SentencePiece implementation vs llama.cpp's, on every held-out
/// corpus) is exact. Logits: f32 on both sides with different summation orders over 18 layers;
/// probe logits and log-sum-exp within 1e-3 (measured: ≤ 5.2e-5), argmax identical, including
/// positions past the 512-token sliding window of the local layers. Perplexity: each window's NLL
/// sum within 1e-4 relative (measured: ≤ 6.3e-6).
@Suite(.enabled(if: FamilyReference.isInstalled(.gemma3), "Gemma 3 270M not installed: run `make setup`"))
struct Gemma3ReferenceTests {
    static let reference = Result { try FamilyReference.load("gemma3-270m") }
    static let loaded = Result { try ModelLoader.load(path: try AssetLocator().model(NamedModel.gemma3.name)) }

    @Test func hyperparametersFromMetadata() throws {
        let file = try GGUFFile(path: try AssetLocator().model(NamedModel.gemma3.name))
        let h = try Gemma3GGUF.hyperparameters(file)
        #expect(h.layers == 18 && h.hiddenSize == 640 && h.intermediateSize == 2048 && h.vocabSize == 262_144)
        #expect(h.heads == 4 && h.kvHeads == 1 && h.headDim == 256 && h.queryPreAttentionScalar == 256)
        #expect(h.slidingWindow == 512 && (0..<18).filter(h.isGlobal(layer:)) == [5, 11, 17])
        #expect(h.finalLogitSoftcap == nil && h.maxContext == 32768)
        #expect(h.embeddingScale == Float(Double(640).squareRoot()))
        // global base 1e6 (metadata), local base 10000 (llama.cpp's and HF's default)
        #expect(abs(h.globalRopeInverseFrequencies[1] - Float(Foundation.pow(1e6, -2.0 / 256))) < 1e-9)
        #expect(abs(h.localRopeInverseFrequencies[1] - Float(Foundation.pow(1e4, -2.0 / 256))) < 1e-9)
    }

    /// llama.cpp's converter stores Gemma norm weights as 1 + w; we hand the model w, as transformers.
    @Test func normWeightsAreShiftedBack() throws {
        let file = try GGUFFile(path: try AssetLocator().model(NamedModel.gemma3.name))
        let stored = try file.loadFloat32("blk.0.attn_q_norm.weight")
        let canonical = try GGUFGemma3Weights(file: file).tensor("model.layers.0.self_attn.q_norm.weight", shape: [256])
        for i in 0..<256 { #expect(canonical.pointer[i] == stored.pointer[i] - 1) }
    }

    @Test func tokenizerMatchesTransformers() throws {
        let ref = try Self.reference.get()
        let tokenizer = try Self.loaded.get().tokenizer
        #expect(tokenizer.addsBos && ref.adds_bos && tokenizer.bosTokenId == 2)
        #expect(tokenizer.kind.hasPrefix("SentencePiece") && !tokenizer.kind.contains("space prefix"))
        try ref.checkCorpusTokens(tokenizer, label: "Gemma 3")
        // transformers' GGUF Gemma tokenizer agrees on wiki and news, and on books up to the first
        // long run of spaces: 40 spaces are 31 + 9 for llama.cpp (and SentencePiece: the longest
        // whitespace token first), 16 + 24 for transformers (BPE merge order).
        for name in ["wiki", "news"] {
            let corpus = try #require(ref.tokenizer[name])
            #expect(corpus.transformers.sha256 == corpus.sha256, "\(name)")
        }
        let books = try #require(ref.tokenizer["books"])
        #expect(books.transformers.count == books.count + 2 && books.transformers.agreeing_prefix == 57051)
        let spaces = try #require(ref.prompts.last)
        #expect(spaces.text.contains(String(repeating: " ", count: 40)))
        #expect(spaces.ids != spaces.ids_transformers)
        #expect(spaces.ids.map { tokenizer.tokenString($0) ?? "?" }.contains(String(repeating: " ", count: 31)))
        // Round trip of the prompts (BOS skipped as a special token).
        for prompt in ref.prompts {
            #expect(tokenizer.decode(prompt.ids, skipSpecial: true) == prompt.text)
        }
    }

    @Test func logitsMatchPyTorch() throws {
        let ref = try Self.reference.get()
        let loaded = try Self.loaded.get()
        let model = loaded.model
        #expect(model.architecture == "gemma3" && model.vocabularySize == ref.vocab)
        var errors = FamilyReference.LogitErrors()
        for prompt in ref.prompts {
            try ref.compareLogits(model, ids: prompt.ids, positions: prompt.positions, into: &errors)
        }
        // A long window from the books corpus: positions past 512 see only the last 512 tokens in
        // the local layers.
        let books = loaded.tokenizer.encode(try Corpora.load(ref.long_prompt.corpus, assets: AssetLocator()).evaluation)
        try ref.compareLogits(model, ids: Array(books.prefix(ref.long_prompt.tokens)), positions: ref.long_prompt.positions,
                              into: &errors)
        print("Gemma 3 vs PyTorch: \(errors)")
        #expect(errors.positions == ref.prompts.map(\.positions.count).reduce(0, +) + ref.long_prompt.positions.count)
        #expect(errors.argmaxMismatches == 0, "\(errors)")
        #expect(errors.probe < 1e-3 && errors.next < 1e-3, "\(errors)")
        #expect(errors.lse < 1e-3, "\(errors)")
    }

    @Test func perplexityMatchesPyTorch() throws {
        let ref = try Self.reference.get()
        let worst = try ref.comparePerplexity(try Self.loaded.get(), windows: FamilyReference.perplexityWindows, label: "Gemma 3")
        #expect(worst < 1e-4, "worst relative difference of a window's NLL: \(worst)")
    }
}
