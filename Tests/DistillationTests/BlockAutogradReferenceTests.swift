import Distillation
import Foundation
import ModelFormats
import Models
import TensorCore
import Testing

/// The f32 training block against PyTorch autograd running transformers' own decoder layer in
/// float64 (scripts/fixtures/make_block_grad_fixture.py) on block 0 of tiny-llama (GQA, llama3
/// RoPE scaling) and tiny-qwen2 (q/k/v biases, one kv head): the output, every linear's weight
/// gradient and the input gradient of L = Σ y ∘ R. Also: the training block's forward pass equals
/// the inference block's (`LlamaModel.runBlock`). Gemma 3: blocks 4 (local: sliding window 4 <
/// 12 tokens, local RoPE base) and 5 (global) of tiny-gemma3 against `Gemma3DecoderLayer`
/// (QK-norm, sandwich norms, GeGLU).
///
/// Tolerance: ours is f32 end to end (≈ 1e-7 relative per operation, sums of ≤ 96 terms through
/// ~10 operations); we require max |ours − torch| ≤ 1e-4 · max |torch| per tensor, which a wrong
/// term (O(1) relative) cannot meet.
@Suite struct BlockAutogradReferenceTests {
    struct Fixture: Decodable {
        let windows: Int, tokens: Int, hidden: Int
        let x: [[Double]], r: [[Double]], y: [[Double]]
        let weight_grads: [String: [[Double]]]
        let input_grad: [[Double]]
    }

    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path + "/Fixtures"
    }()

    static func load(_ name: String) throws -> (LlamaModel, Fixture) {
        let dir = try HFModelDirectory(path: root + "/models/" + name)
        let config = try LlamaConfig(contentsOf: dir.configPath)
        let h = try LlamaHyperparameters(config: config, file: dir.configPath)
        let model = try LlamaModel(hyper: h, weights: DirectWeights(try dir.openTensors()))
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: URL(fileURLWithPath: root + "/distillation/\(name)-block0-grad.json")))
        return (model, fixture)
    }

    static func expectClose(_ ours: UnsafePointer<Float>, _ reference: [Double], _ what: String) {
        let scale = reference.map(abs).max() ?? 0
        var worst = 0.0
        for (i, r) in reference.enumerated() { worst = max(worst, abs(Double(ours[i]) - r)) }
        #expect(scale > 0 && worst <= 1e-4 * scale, "\(what): max |ours − torch| \(worst), max |torch| \(scale)")
    }

    @Test(arguments: ["tiny-llama", "tiny-qwen2"])
    func gradientsMatchTorchAutograd(_ name: String) throws {
        let (model, f) = try Self.load(name)
        try Self.compare(model: model, block: LlamaTrainingBlock<Float>(model.blocks[0], hyper: model.hyper, tokens: f.tokens),
                         index: 0, fixture: f, name: name)
    }

    @Test(arguments: [4, 5])
    func gemma3GradientsMatchTorchAutograd(_ index: Int) throws {
        let file = try GGUFFile(path: Self.root + "/models/tiny-gemma3/model.gguf")
        let model = try Gemma3Model(hyper: try Gemma3GGUF.hyperparameters(file), weights: GGUFGemma3Weights(file: file))
        let f = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: URL(fileURLWithPath: Self.root + "/distillation/tiny-gemma3-block\(index)-grad.json")))
        #expect(model.blocks[index].isGlobal == (index == 5))
        try Self.compare(model: model, block: Gemma3TrainingBlock<Float>(model.blocks[index], hyper: model.hyper, tokens: f.tokens),
                         index: index, fixture: f, name: "tiny-gemma3 block \(index)")
    }

    /// OPT (pre-LN: tiny-opt; post-LN: tiny-opt-post-ln, ReLU), GPT-2 (fused c_attn, gelu_new), BLOOM
    /// (ALiBi, per-head fused query_key_value, gelu_tanh) and GPT-NeoX (partial rotary, parallel
    /// residual: tiny-gpt-neox; sequential: tiny-gpt-neox-sequential) against `OPTDecoderLayer`,
    /// `GPT2Block`, `BloomBlock` and `GPTNeoXLayer`.
    @Test(arguments: ["tiny-opt", "tiny-opt-post-ln", "tiny-gpt2", "tiny-bloom", "tiny-gpt-neox", "tiny-gpt-neox-sequential"])
    func layerNormFamiliesMatchTorchAutograd(_ name: String) throws {
        let loaded = try ModelLoader.load(path: Self.root + "/models/" + name)
        let f = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: URL(fileURLWithPath: Self.root + "/distillation/\(name)-block0-grad.json")))
        let model = try #require(loaded.model as? any DistillableModel, "\(name) has no trainable blocks")
        switch model {
        case let opt as OPTModel: #expect(opt.config.doLayerNormBefore == (name == "tiny-opt"))
        case let neox as GPTNeoXModel: #expect(neox.config.useParallelResidual == (name == "tiny-gpt-neox"))
        default: break
        }
        try Self.compare(model: model, block: model.distillableBlock(0, tokens: f.tokens), index: 0, fixture: f, name: name)
    }

    static func compare<B: DistillableBlock>(model: any BlockwiseLanguageModel, block: B, index: Int, fixture f: Fixture,
                                             name: String) throws where B.Scalar == Float {
        let linears = model.linears(ofBlock: index)
        #expect(block.linearShapes.map(\.name) == linears.map(\.name))
        let weights = linears.map { UnsafePointer($0.weight.pointer) }
        let x = GradBuffer<Float>(f.x.flatMap { $0 }.map { Float($0) })
        let r = GradBuffer<Float>(f.r.flatMap { $0 }.map { Float($0) })
        let y = GradBuffer<Float>(count: x.count)
        let cache = block.makeCache(windows: f.windows, tokens: f.tokens)
        block.forward(x.pointer, windows: f.windows, tokens: f.tokens, weights: weights, cache: cache, inputTransform: nil, into: y.pointer)
        Self.expectClose(y.pointer, f.y.flatMap { $0 }, "\(name) output")
        let grads = block.linearShapes.map { GradBuffer<Float>(count: $0.count) }
        let dx = GradBuffer<Float>(count: x.count)
        block.backward(r.pointer, cache: cache, weights: weights, weightGradients: grads.map(\.pointer), dx: dx.pointer)
        for (shape, grad) in zip(block.linearShapes, grads) {
            let reference = try #require(f.weight_grads[shape.name], "fixture has no gradient for \(shape.name)")
            Self.expectClose(grad.pointer, reference.flatMap { $0 }, "\(name) ∂L/∂\(shape.name)")
        }
        Self.expectClose(dx.pointer, f.input_grad.flatMap { $0 }, "\(name) ∂L/∂x")

        // The inference block on the same input gives the same output.
        let hidden = Tensor(zeros: [x.count / f.hidden, f.hidden])
        hidden.pointer.update(from: x.pointer, count: x.count)
        model.runBlock(index, hidden: hidden, windows: f.windows, tokens: f.tokens, observer: nil)
        var worst: Float = 0, scale: Float = 0
        for i in 0..<x.count { worst = max(worst, abs(hidden.pointer[i] - y[i])); scale = max(scale, abs(y[i])) }
        #expect(worst <= 1e-5 * scale, "\(name): training forward vs inference forward differ by \(worst) (max |y| \(scale))")
    }
}
