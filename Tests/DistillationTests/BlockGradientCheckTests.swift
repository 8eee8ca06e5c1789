import Foundation
import Distillation
import ModelFormats
import Models
import TensorCore
import Testing

/// Every gradient of the Llama training block (all seven linear weights and the input) against
/// central finite differences of the loss L = Σ y ∘ R, in double precision, on a tiny random block
/// with grouped-query heads, q/k/v biases, and with and without a sliding window.
///
/// Tolerance: central differences with h = 1e-5 have truncation error O(h²·|f'''|) ≈ 1e-10 and
/// rounding error ≈ 1e-16·|L|/h ≈ 1e-10 here; a wrong term in a backward pass (a missing
/// transpose, scale or mask) is O(|g|). We require |analytic − numeric| ≤ 1e-6 · max|g| per tensor.
@Suite struct BlockGradientCheckTests {
    static func hyper(bias: Bool, slidingWindow: Int?) -> LlamaHyperparameters {
        LlamaHyperparameters(architecture: "llama", vocabSize: 10, hiddenSize: 8, intermediateSize: 12, layers: 1,
                             heads: 4, kvHeads: 2, headDim: 4, rmsNormEps: 1e-5, ropeInverseFrequencies: [1, 0.1],
                             maxContext: 16, tiedEmbeddings: true, attentionBias: bias, slidingWindow: slidingWindow)
    }

    struct Setup {
        let block: LlamaTrainingBlock<Double>
        let weights: [GradBuffer<Double>]
        let x: GradBuffer<Double>, r: GradBuffer<Double>
        let windows: Int, tokens: Int
    }

    static func setup(bias: Bool, slidingWindow: Int?) -> Setup {
        var rng = TestRandom(seed: 7)
        let h = hyper(bias: bias, slidingWindow: slidingWindow)
        let d = h.hiddenSize, qd = h.heads * h.headDim, kvd = h.kvHeads * h.headDim
        let windows = 2, tokens = 6
        let block = LlamaTrainingBlock<Double>(
            hyper: h, index: 0, inputNorm: (0..<d).map { _ in Float(1 + 0.3 * rng.normal()) },
            postAttentionNorm: (0..<d).map { _ in Float(1 + 0.3 * rng.normal()) },
            biases: bias ? [qd, kvd, kvd].map { n in (0..<n).map { _ in Float(0.2 * rng.normal()) } } : [nil, nil, nil],
            tokens: tokens)
        let weights = block.linearShapes.map { s in
            GradBuffer<Double>((0..<s.count).map { _ in 0.5 * rng.normal() })
        }
        let x = GradBuffer<Double>((0..<windows * tokens * d).map { _ in rng.normal() })
        let r = GradBuffer<Double>((0..<windows * tokens * d).map { _ in rng.normal() })
        return Setup(block: block, weights: weights, x: x, r: r, windows: windows, tokens: tokens)
    }

    static func loss(_ s: Setup) -> Double {
        let n = s.windows * s.tokens * s.block.hiddenSize
        let y = GradBuffer<Double>(count: n)
        s.block.forward(s.x.pointer, windows: s.windows, tokens: s.tokens, weights: s.weights.map { UnsafePointer($0.pointer) },
                        cache: s.block.makeCache(windows: s.windows, tokens: s.tokens), inputTransform: nil, into: y.pointer)
        var total = 0.0
        for i in 0..<n { total += y[i] * s.r[i] }
        return total
    }

    static func numeric(_ s: Setup, _ buffer: GradBuffer<Double>, _ i: Int) -> Double {
        let h = 1e-5, saved = buffer[i]
        buffer[i] = saved + h
        let plus = loss(s)
        buffer[i] = saved - h
        let minus = loss(s)
        buffer[i] = saved
        return (plus - minus) / (2 * h)
    }

    @Test(arguments: [(false, nil), (true, nil), (true, 3)] as [(Bool, Int?)])
    func everyGradientMatchesFiniteDifferences(bias: Bool, slidingWindow: Int?) {
        let s = Self.setup(bias: bias, slidingWindow: slidingWindow)
        let cache = s.block.makeCache(windows: s.windows, tokens: s.tokens)
        let y = GradBuffer<Double>(count: s.x.count)
        let w = s.weights.map { UnsafePointer($0.pointer) }
        s.block.forward(s.x.pointer, windows: s.windows, tokens: s.tokens, weights: w, cache: cache, inputTransform: nil, into: y.pointer)
        let grads = s.block.linearShapes.map { GradBuffer<Double>(count: $0.count) }
        let dx = GradBuffer<Double>(count: s.x.count)
        s.block.backward(s.r.pointer, cache: cache, weights: w, weightGradients: grads.map(\.pointer), dx: dx.pointer)
        for (index, shape) in s.block.linearShapes.enumerated() {
            let scale = grads[index].array.map(abs).max() ?? 0
            #expect(scale > 1e-3, "\(shape.name): gradient vanishes, the check would be vacuous")
            var worst = 0.0
            for i in 0..<shape.count { worst = max(worst, abs(grads[index][i] - Self.numeric(s, s.weights[index], i))) }
            #expect(worst <= 1e-6 * scale, "\(shape.name): max |analytic − numeric| \(worst), max |g| \(scale)")
        }
        let scale = dx.array.map(abs).max() ?? 0
        var worst = 0.0
        for i in 0..<s.x.count { worst = max(worst, abs(dx[i] - Self.numeric(s, s.x, i))) }
        #expect(worst <= 1e-6 * scale, "input: max |analytic − numeric| \(worst), max |g| \(scale)")
    }
}

/// The Gemma 3 block (QK-norm, sandwich norms with 1 + w, GeGLU, local and global layers) on
/// tiny-gemma3's blocks 4 (local, sliding window 4 < 6 tokens) and 5 (global), in double, against
/// finite differences; same tolerance as above.
@Suite struct Gemma3BlockGradientCheckTests {
    @Test(arguments: [4, 5])
    func everyGradientMatchesFiniteDifferences(index: Int) throws {
        let file = try GGUFFile(path: BlockAutogradReferenceTests.root + "/models/tiny-gemma3/model.gguf")
        let model = try Gemma3Model(hyper: try Gemma3GGUF.hyperparameters(file), weights: GGUFGemma3Weights(file: file))
        let windows = 2, tokens = 6
        let block = Gemma3TrainingBlock<Double>(model.blocks[index], hyper: model.hyper, tokens: tokens)
        KernelGradientCheckTests.checkBlock(block, weights: model.linears(ofBlock: index), windows: windows, tokens: tokens, seed: 17,
                                            name: "tiny-gemma3 block \(index)")
    }
}

/// The LayerNorm blocks in double against finite differences: OPT pre- and post-LN, GPT-2 (fused
/// c_attn), BLOOM (ALiBi, per-head fused qkv), GPT-NeoX parallel and sequential (partial rotary),
/// with the tiny checkpoints' weights; 500 evenly spaced entries of each weight and the whole input.
/// Same tolerance as above.
@Suite struct LayerNormBlockGradientCheckTests {
    @Test(arguments: ["tiny-opt", "tiny-opt-post-ln", "tiny-gpt2", "tiny-bloom", "tiny-gpt-neox", "tiny-gpt-neox-sequential"])
    func everyGradientMatchesFiniteDifferences(_ name: String) throws {
        let loaded = try ModelLoader.load(path: BlockAutogradReferenceTests.root + "/models/" + name)
        let windows = 2, tokens = 5
        let block: LayerNormTrainingBlock<Double>
        switch loaded.model {
        case let m as OPTModel: block = LayerNormTrainingBlock<Double>(m.blocks[0], model: m)
        case let m as GPT2Model: block = LayerNormTrainingBlock<Double>(m.blocks[0], model: m)
        case let m as BloomModel: block = LayerNormTrainingBlock<Double>(m.blocks[0], model: m)
        case let m as GPTNeoXModel: block = LayerNormTrainingBlock<Double>(m.blocks[0], model: m, tokens: tokens)
        default: Issue.record("\(name): not a LayerNorm family"); return
        }
        KernelGradientCheckTests.checkBlock(block, weights: loaded.model.linears(ofBlock: 0), windows: windows, tokens: tokens,
                                            seed: 23, name: "\(name) block 0", samples: 500)
    }
}

extension KernelGradientCheckTests {
    /// `block` with the model's `weights` (in double) on a seeded random input x and loss L = Σ y ∘ R:
    /// every weight gradient, then the input's, against finite differences (`samples` entries of each).
    static func checkBlock<B: DistillableBlock>(_ block: B, weights linears: [Linear], windows: Int, tokens: Int, seed: UInt64,
                                                name: String, samples: Int = .max) where B.Scalar == Double {
        let weights = linears.map { GradBuffer<Double>(converting: $0.weight.pointer, count: $0.weight.count) }
        var rng = TestRandom(seed: seed)
        let n = windows * tokens * block.hiddenSize
        let x = GradBuffer<Double>((0..<n).map { _ in rng.normal() })
        let r = GradBuffer<Double>((0..<n).map { _ in rng.normal() })
        let w = weights.map { UnsafePointer($0.pointer) }
        func loss() -> Double {
            let y = GradBuffer<Double>(count: n)
            block.forward(x.pointer, windows: windows, tokens: tokens, weights: w, cache: block.makeCache(windows: windows, tokens: tokens),
                          inputTransform: nil, into: y.pointer)
            return (0..<n).reduce(0) { $0 + y[$1] * r[$1] }
        }
        let cache = block.makeCache(windows: windows, tokens: tokens)
        let y = GradBuffer<Double>(count: n)
        block.forward(x.pointer, windows: windows, tokens: tokens, weights: w, cache: cache, inputTransform: nil, into: y.pointer)
        let grads = block.linearShapes.map { GradBuffer<Double>(count: $0.count) }
        let dx = GradBuffer<Double>(count: n)
        block.backward(r.pointer, cache: cache, weights: w, weightGradients: grads.map(\.pointer), dx: dx.pointer)
        KernelGradientCheckTests.check("\(name) (weights in order, then the input)", inputs: weights + [x],
                                       loss: loss, analytic: grads + [dx], samples: samples)
    }
}

/// A small deterministic normal generator (Box–Muller on SplitMix64) for test data.
struct TestRandom {
    var generator: SplitMix64
    init(seed: UInt64) { generator = SplitMix64(seed: seed) }
    mutating func next() -> UInt64 { generator.next() }
    mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }
    mutating func normal() -> Double {
        let u = max(uniform(), 1e-300), v = uniform()
        return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
    }
}
