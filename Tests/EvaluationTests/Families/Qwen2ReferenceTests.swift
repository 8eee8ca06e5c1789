import Foundation
import ModelFormats
import Models
import Testing
import Tokenizers
@testable import Evaluation

/// Qwen2.5-Coder-0.5B-Instruct (the chunked GGUF, joined on first use, dequantized to f32) through
/// the Llama code path, against PyTorch transformers loading the same GGUF
/// (Fixtures/reference/qwen2.5-coder-0.5b.json, from scripts/reference/family_reference.py).
/// Skipped when the model is not installed (`make setup`).
///
/// Tolerances: tokenization is exact (llama.cpp's ids; transformers' GGUF tokenizer gives the same). Logits: f32 on both sides with different summation orders
/// over 24 layers, on logits of magnitude ~10–40 (measured: ≤ 1.6e-4): probe logits and
/// log-sum-exp within 1e-3, argmax identical. Perplexity: each window's NLL sum within 1e-4 relative (measured: ≤ 1e-5).
@Suite(.enabled(if: FamilyReference.isInstalled(.qwen25Coder), "Qwen2.5-Coder-0.5B not installed: run `make setup`"))
struct Qwen2ReferenceTests {
    static let reference = Result { try FamilyReference.load("qwen2.5-coder-0.5b") }
    static let loaded = Result { try ModelLoader.load(path: try AssetLocator().model(NamedModel.qwen25Coder.name)) }

    @Test func hyperparametersFromMetadata() throws {
        let file = try GGUFFile(path: try AssetLocator().model(NamedModel.qwen25Coder.name))
        let h = try LlamaGGUF.hyperparameters(file)
        #expect(h.architecture == "qwen2" && h.layers == 24 && h.hiddenSize == 896 && h.intermediateSize == 4864)
        #expect(h.heads == 14 && h.kvHeads == 2 && h.headDim == 64 && h.vocabSize == 151_936)
        #expect(h.attentionBias && !h.tiedEmbeddings && h.maxContext == 32768)
        #expect(!LlamaGGUF.permutesQK(architecture: h.architecture))
        // rope.freq_base = 1e6: inverse frequency i is 1e6^(-2i/64)
        #expect(abs(h.ropeInverseFrequencies[1] - Float(Foundation.pow(1e6, -2.0 / 64))) < 1e-9)
        #expect(abs(h.rmsNormEps - 1e-6) < 1e-12)
    }

    @Test func tokenizerMatchesTransformers() throws {
        let ref = try Self.reference.get()
        let tokenizer = try Self.loaded.get().tokenizer
        #expect(!tokenizer.addsBos && ref.adds_bos == tokenizer.addsBos)
        try ref.checkCorpusTokens(tokenizer, label: "Qwen2.5")
        // transformers' tokenizer built from the GGUF agrees everywhere.
        for (name, corpus) in ref.tokenizer {
            #expect(corpus.transformers.sha256 == corpus.sha256 && corpus.transformers.count == corpus.count, "\(name)")
        }
        for prompt in ref.prompts { #expect(prompt.ids_transformers == prompt.ids) }
    }

    @Test func logitsMatchPyTorch() throws {
        let ref = try Self.reference.get()
        let model = try Self.loaded.get().model
        #expect(model.architecture == "qwen2" && model.vocabularySize == ref.vocab)
        var errors = FamilyReference.LogitErrors()
        for prompt in ref.prompts {
            try ref.compareLogits(model, ids: prompt.ids, positions: prompt.positions, into: &errors)
        }
        print("Qwen2.5-Coder vs PyTorch: \(errors)")
        #expect(errors.positions == ref.prompts.map(\.positions.count).reduce(0, +))
        #expect(errors.argmaxMismatches == 0, "\(errors)")
        #expect(errors.probe < 1e-3 && errors.next < 1e-3, "\(errors)")
        #expect(errors.lse < 1e-3, "\(errors)")
    }

    @Test func perplexityMatchesPyTorch() throws {
        let ref = try Self.reference.get()
        let worst = try ref.comparePerplexity(try Self.loaded.get(), windows: FamilyReference.perplexityWindows, label: "Qwen2.5")
        #expect(worst < 1e-4, "worst relative difference of a window's NLL: \(worst)")
    }
}
