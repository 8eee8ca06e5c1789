import Foundation
import ModelFormats
import Models
import TensorCore
import Testing

/// A tiny random Gemma 3 written as llama.cpp writes Gemma 3 GGUFs (scripts/fixtures/make_tiny_gemma3.py),
/// against transformers running the HF model it came from: sliding window 4 on 12-token windows,
/// local and global layers with their RoPE bases, QK-norm, sandwich norms, GeGLU, √d embedding
/// scale and final soft-capping (2.0). Logits must match to 1e-4 relative to the largest logit
/// (f32 on both sides, different summation order).
@Suite struct TinyGemma3Tests {
    struct Reference: Decodable {
        let tokens: [[Int32]]
        let logits: [[[Double]]]
    }

    static let directory: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path + "/Fixtures/models/tiny-gemma3"
    }()

    static func load() throws -> (Gemma3Model, Reference) {
        let file = try GGUFFile(path: directory + "/model.gguf")
        let model = try Gemma3Model(hyper: try Gemma3GGUF.hyperparameters(file), weights: GGUFGemma3Weights(file: file))
        let ref = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: URL(fileURLWithPath: directory + "/reference.json")))
        return (model, ref)
    }

    @Test func hyperparameters() throws {
        let (model, _) = try Self.load()
        let h = model.hyper
        #expect(h.layers == 7 && h.hiddenSize == 32 && h.heads == 2 && h.kvHeads == 1 && h.headDim == 16)
        #expect(h.slidingWindow == 4 && h.slidingWindowPattern == 6 && model.blocks.map(\.isGlobal) == [false, false, false, false, false, true, false])
        #expect(h.finalLogitSoftcap == 2 && h.queryPreAttentionScalar == 16)
    }

    @Test func logitsMatchTransformers() throws {
        let (model, ref) = try Self.load()
        let t = ref.tokens[0].count
        let scale = ref.logits.flatMap { $0.flatMap { $0 } }.map(abs).max() ?? 1
        var worst = 0.0
        // Both windows in one batch: also checks that windows do not see each other.
        try model.forward(windows: ref.tokens, observer: nil) { first, rows, logits in
            for r in 0..<rows {
                let row = first + r
                for j in 0..<model.vocabularySize {
                    worst = max(worst, abs(Double(logits[r * model.vocabularySize + j]) - ref.logits[row / t][row % t][j]))
                }
            }
        }
        #expect(worst / scale < 1e-4, "worst |Δlogit| \(worst) (max |logit| \(scale))")
    }

    @Test func loaderDispatchesOnArchitecture() throws {
        let loaded = try ModelLoader.load(path: Self.directory + "/model.gguf")
        #expect(loaded.model is Gemma3Model && loaded.model.architecture == "gemma3")
        #expect(loaded.tokenizer.addsBos && loaded.tokenizer.encode("ab", addSpecial: true).first == 2)
        #expect(loaded.blockWeightStorage == ["F32"])
    }

    @Test func observerSeesEveryLinearOnceInOrder() throws {
        final class Recorder: LinearInputObserver {
            var seen: [String] = []
            func observe(layer: String, input: UnsafePointer<Float>, rows: Int, columns: Int) { seen.append(layer) }
        }
        let (model, ref) = try Self.load()
        let recorder = Recorder()
        try model.forward(windows: ref.tokens, observer: recorder) { _, _, _ in }
        #expect(recorder.seen == model.linearLayers.map(\.name))
        #expect(model.linearLayers.count == 7 * 7)
        #expect(model.linears(ofBlock: 5).map(\.name) == ["q_proj", "k_proj", "v_proj", "o_proj"].map { "model.layers.5.self_attn.\($0)" }
                + ["gate_proj", "up_proj", "down_proj"].map { "model.layers.5.mlp.\($0)" })
    }

    /// Running the blocks one at a time (as sequential calibration does) gives the same hidden
    /// states as the whole forward pass.
    @Test func blockByBlockEqualsWholeModel() throws {
        let (model, ref) = try Self.load()
        let whole = try model.hiddenStates(windows: ref.tokens, observer: nil)
        let x = try model.embed(windows: ref.tokens)
        for i in 0..<model.blockCount {
            model.runBlock(i, hidden: x, windows: ref.tokens.count, tokens: ref.tokens[0].count, observer: nil)
        }
        RMSNorm.apply(x.pointer, rows: x.shape[0], n: x.shape[1], weight: model.finalNorm.pointer,
                      eps: model.hyper.rmsNormEps, weightOffset: 1, out: x.pointer)
        #expect(x.array == whole.array)
    }
}
