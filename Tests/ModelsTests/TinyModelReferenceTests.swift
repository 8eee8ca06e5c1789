import Foundation
import ModelFormats
import Models
import TensorCore
import Testing

/// Tiny random checkpoints written by PyPI transformers (scripts/fixtures/make_tiny_models.py):
/// tiny-llama (GQA, tied embeddings, llama3 RoPE scaling, non-trivial norms) and tiny-qwen2
/// (q/k/v biases, one KV head, untied head, θ = 1e6). Our logits must match transformers' to
/// 1e-4 relative to the largest logit: both are f32, summation order differs.
@Suite struct TinyModelReferenceTests {
    struct Reference: Decodable {
        let tokens: [[Int32]]
        let logits: [[[Double]]]
    }

    static let fixtures: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path + "/Fixtures/models"
    }()

    static func load(_ name: String) throws -> (LlamaModel, Reference) {
        let dir = try HFModelDirectory(path: fixtures + "/" + name)
        let config = try LlamaConfig(contentsOf: dir.configPath)
        let h = try LlamaHyperparameters(config: config, file: dir.configPath)
        let model = try LlamaModel(hyper: h, weights: DirectWeights(try dir.openTensors()))
        let ref = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: URL(fileURLWithPath: fixtures + "/" + name + "/reference.json")))
        return (model, ref)
    }

    @Test(arguments: ["tiny-llama", "tiny-qwen2"])
    func logitsMatchTransformers(_ name: String) throws {
        let (model, ref) = try Self.load(name)
        let t = ref.tokens[0].count
        let scale = ref.logits.flatMap { $0.flatMap { $0 } }.map(abs).max() ?? 1
        var worst = 0.0
        // All windows in one batch: also checks that windows do not see each other.
        try model.forward(windows: ref.tokens, observer: nil) { first, rows, logits in
            for r in 0..<rows {
                let row = first + r
                for j in 0..<model.vocabularySize {
                    worst = max(worst, abs(Double(logits[r * model.vocabularySize + j]) - ref.logits[row / t][row % t][j]))
                }
            }
        }
        #expect(worst / scale < 1e-4, "\(name): worst |Δlogit| \(worst) (max |logit| \(scale))")
    }

    @Test func observerSeesEveryLinearOnceInOrder() throws {
        final class Recorder: LinearInputObserver {
            var seen: [(String, Int, Int)] = []
            func observe(layer: String, input: UnsafePointer<Float>, rows: Int, columns: Int) {
                seen.append((layer, rows, columns))
            }
        }
        let (model, ref) = try Self.load("tiny-qwen2")
        let rec = Recorder()
        try model.forward(windows: ref.tokens, observer: rec) { _, _, _ in }
        #expect(rec.seen.map(\.0) == model.linearLayers.map(\.name))
        #expect(rec.seen.allSatisfy { $0.1 == ref.tokens.count * ref.tokens[0].count })
        #expect(zip(rec.seen, model.linearLayers).allSatisfy { $0.0.2 == $0.1.inFeatures })
        #expect(model.linearLayers.count == 7 * 2)
    }
}

/// Running the blocks one at a time (as sequential calibration does) gives the same hidden states
/// as the whole forward pass, bit for bit (same kernels, same order).
@Suite struct BlockwiseRunTests {
    @Test func blockByBlockEqualsWholeModel() throws {
        let (model, ref) = try TinyModelReferenceTests.load("tiny-qwen2")
        let whole = try model.hiddenStates(windows: ref.tokens, observer: nil)
        let x = try model.embed(windows: ref.tokens)
        for i in 0..<model.blockCount {
            model.runBlock(i, hidden: x, windows: ref.tokens.count, tokens: ref.tokens[0].count, observer: nil)
        }
        #expect(model.linears(ofBlock: 1).map(\.name).first == "model.layers.1.self_attn.q_proj")
        // hiddenStates also applies the final norm; compare before it by re-running without it
        let normed = Tensor(zeros: x.shape)
        RMSNorm.apply(x.pointer, rows: x.shape[0], n: x.shape[1], weight: model.finalNorm.pointer,
                      eps: model.hyper.rmsNormEps, out: normed.pointer)
        #expect(normed.array == whole.array)
    }
}
