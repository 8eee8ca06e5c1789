import Foundation
import ModelFormats
import Models
import Testing
import Tokenizers
@testable import Evaluation

/// Qwen2.5-Coder-1.5B-Instruct, the size ladder's fourth rung (Q4_K_M GGUF in 22 chunks, joined on
/// first use, dequantized to f32: 7.1 GB), against PyTorch transformers loading the same GGUF
/// (Fixtures/reference/qwen2.5-coder-1.5b.json, from scripts/reference/family_reference.py with
/// `--windows 2`; token ids from transformers' GGUF tokenizer, which agrees with llama.cpp's for
/// Qwen2). Skipped when the model is not installed (`make setup`).
///
/// One test loads the model, checks everything and lets it go, so its 7.9 GB are not held for the
/// rest of the run. It scores the fixture's prompts and `PTQLAB_FAMILY_WINDOWS` (default 1)
/// perplexity windows per corpus: about a minute on 2 cores.
///
/// Tolerances as for the 0.5B model (f32 on both sides, different summation orders, now over 28
/// layers of width 1536): probe logits and log-sum-exp within 1e-3, argmax identical, each window's
/// NLL sum within 1e-4 relative.
@Suite(.enabled(if: FamilyReference.isInstalled(.qwen25Coder15), "Qwen2.5-Coder-1.5B not installed: run `make setup`"))
struct Qwen2LadderReferenceTests {
    @Test func matchesPyTorch() throws {
        let path = try AssetLocator().model(NamedModel.qwen25Coder15.name)
        let h = try LlamaGGUF.hyperparameters(try GGUFFile(path: path))
        #expect(h.architecture == "qwen2" && h.layers == 28 && h.hiddenSize == 1536 && h.intermediateSize == 8960)
        #expect(h.heads == 12 && h.kvHeads == 2 && h.headDim == 128 && h.vocabSize == 151_936)
        #expect(h.attentionBias && !h.tiedEmbeddings && abs(h.rmsNormEps - 1e-6) < 1e-12)

        let ref = try FamilyReference.load("qwen2.5-coder-1.5b")
        let loaded = try ModelLoader.load(path: path)
        #expect(!loaded.tokenizer.addsBos && ref.adds_bos == loaded.tokenizer.addsBos)
        try ref.checkCorpusTokens(loaded.tokenizer, label: "Qwen2.5 1.5B")

        #expect(loaded.model.architecture == "qwen2" && loaded.model.vocabularySize == ref.vocab)
        var errors = FamilyReference.LogitErrors()
        for prompt in ref.prompts {
            try ref.compareLogits(loaded.model, ids: prompt.ids, positions: prompt.positions, into: &errors)
        }
        print("Qwen2.5-Coder-1.5B vs PyTorch: \(errors)")
        #expect(errors.positions == ref.prompts.map(\.positions.count).reduce(0, +))
        #expect(errors.argmaxMismatches == 0, "\(errors)")
        #expect(errors.probe < 1e-3 && errors.next < 1e-3 && errors.lse < 1e-3, "\(errors)")

        let worst = try ref.comparePerplexity(loaded, windows: FamilyReference.perplexityWindows, label: "Qwen2.5 1.5B")
        #expect(worst < 1e-4, "worst relative difference of a window's NLL: \(worst)")
    }
}
