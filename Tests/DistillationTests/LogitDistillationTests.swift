import Distillation
import Foundation
import Models
import Quantization
import TensorCore
import Testing

/// ZeroQuant-Global's optional whole-model logit pass: the KL head's and the whole chain's
/// gradients against central finite differences in double (tolerance 1e-6 · max|g|, the argument
/// of BlockGradientCheckTests), and the pass itself on tiny-llama.
@Suite struct LogitDistillationTests {
    static func head(norm: String, softCap: Float?, d: Int, vocab: Int, rng: inout TestRandom) -> OutputHeadWeights {
        let w = (0..<d).map { _ in Float(1 + 0.3 * rng.normal()) }, b = (0..<d).map { _ in Float(0.3 * rng.normal()) }
        let n: OutputHeadWeights.Norm? = switch norm {
        case "rms": .rms(weight: w, offset: 0, eps: 1e-5)
        case "gemma": .rms(weight: w.map { $0 - 1 }, offset: 1, eps: 1e-6)
        case "layer": .layer(weight: w, bias: b, eps: 1e-5)
        default: nil
        }
        let h = Tensor(shape: [vocab, d], values: (0..<vocab * d).map { _ in Float(rng.normal()) })
        return OutputHeadWeights(norm: n, head: h, softCap: softCap)
    }

    /// ∂L/∂x of the head for every norm kind, with and without Gemma's soft-cap (a cap of 2 on
    /// logits of magnitude ~3 puts most of them in tanh's curved part), chunked (5 rows, chunks of 2).
    @Test(arguments: [("rms", nil), ("gemma", 2), ("layer", nil), ("none", 2)] as [(String, Float?)])
    func headGradientMatchesFiniteDifferences(norm: String, softCap: Float?) {
        var rng = TestRandom(seed: 31)
        let rows = 5, d = 6, vocab = 11
        let head = LogitKLGrad<Double>(Self.head(norm: norm, softCap: softCap, d: d, vocab: vocab, rng: &rng), chunkRows: 2)
        let scratch = head.makeScratch(rows: rows)
        let x = GradBuffer<Double>((0..<rows * d).map { _ in rng.normal() })
        let teacherRaw = GradBuffer<Double>((0..<rows * d).map { _ in rng.normal() })
        let teacher = GradBuffer<Double>(count: rows * d)
        head.normalize(teacherRaw.pointer, rows: rows, into: teacher.pointer, scratch: scratch)
        func loss() -> Double { head.loss(student: x.pointer, teacher: teacher.pointer, rows: rows, scale: 0.5, scratch: scratch, dx: nil) }
        let dx = GradBuffer<Double>(count: rows * d)
        let l = head.loss(student: x.pointer, teacher: teacher.pointer, rows: rows, scale: 0.5, scratch: scratch, dx: dx.pointer)
        #expect(l > 0 && abs(l - loss()) < 1e-12)
        KernelGradientCheckTests.check("head \(norm) cap \(softCap.map { "\($0)" } ?? "none")", inputs: [x], loss: loss,
                                       analytic: [dx])
        // The KL of the teacher against itself is 0 (and so is its gradient).
        let self_ = head.loss(student: teacherRaw.pointer, teacher: teacher.pointer, rows: rows, scale: 1, scratch: scratch, dx: nil)
        #expect(abs(self_) < 1e-12)
    }

    /// Every linear of both tiny-llama blocks through the whole chain (embeddings → 2 blocks →
    /// final norm → tied head → KL), 40 evenly spaced entries per weight.
    @Test func chainGradientMatchesFiniteDifferences() throws {
        let (model, _) = try BlockAutogradReferenceTests.load("tiny-llama")
        let tokens = 7
        let blocks: [any DistillableBlock<Double>] = model.blocks.map { LlamaTrainingBlock<Double>($0, hyper: model.hyper, tokens: tokens) }
        let head = LogitKLGrad<Double>(try model.outputHead(), chunkRows: 4)
        let chain = ModelChainGrad(blocks: blocks, head: head, tokens: tokens)
        var rng = TestRandom(seed: 5)
        let embedded = try model.embed(windows: [(0..<tokens).map { _ in Int32(rng.next() % 160) }])
        let embeddings = GradBuffer<Double>(converting: embedded.pointer, count: embedded.count)
        let teacher = GradBuffer<Double>((0..<embedded.count).map { _ in rng.normal() })
        head.normalize(teacher.pointer, rows: tokens, into: teacher.pointer, scratch: head.makeScratch(rows: tokens))
        // Weights: the model's, perturbed so the student differs from any teacher it could match.
        let weights = model.blocks.indices.map { b in
            model.linears(ofBlock: b).map { linear in
                GradBuffer<Double>((0..<linear.weight.count).map { Double(linear.weight.pointer[$0]) + 0.02 * rng.normal() })
            }
        }
        let pointers = weights.map { $0.map { UnsafePointer($0.pointer) } }
        func loss() -> Double {
            chain.loss(embeddings: embeddings.pointer, teacher: teacher.pointer, weights: pointers, scale: 1,
                       inputTransform: nil, gradients: nil)
        }
        let gradients = weights.map { $0.map { GradBuffer<Double>(count: $0.count) } }
        _ = chain.loss(embeddings: embeddings.pointer, teacher: teacher.pointer, weights: pointers, scale: 1, inputTransform: nil,
                       gradients: gradients.map { $0.map(\.pointer) })
        for b in weights.indices {
            KernelGradientCheckTests.check("chain block \(b)", inputs: weights[b], loss: loss, analytic: gradients[b], samples: 40)
        }
        // Gradients accumulate: a second call doubles them.
        let first = gradients[0][0].array
        _ = chain.loss(embeddings: embeddings.pointer, teacher: teacher.pointer, weights: pointers, scale: 1, inputTransform: nil,
                       gradients: gradients.map { $0.map(\.pointer) })
        let worst = zip(first, gradients[0][0].array).map { abs(2 * $0 - $1) }.max() ?? 0
        let scale = first.map(abs).max() ?? 0
        #expect(worst <= 1e-12 * scale, "accumulation: max |2·g₁ − (g₁ + g₂)| \(worst), max |g| \(scale)")
        withExtendedLifetime(weights) {}   // `pointers` point into them
    }

    /// The pass on tiny-llama, W3 g16, fitting one 32-token window (with a single calibration
    /// window, that window is also the held-out one: this checks that the pass optimizes its
    /// objective; random tokens through a random model do not generalise, see ZeroQuantGlobalTests):
    /// the KL falls, and the weights in place are the returned codes.
    @Test func logitPassLowersTheKL() throws {
        let (model, _) = try BlockAutogradReferenceTests.load("tiny-llama")
        let spec = try QuantSpec.parse("w3a16-g16-asym")
        let settings = ZeroQuantGlobalSettings(steps: 10, batch: 1, logitSteps: 40, logitLearningRate: 0.02)
        let results = try ZeroQuantGlobal(settings: settings, scheme: spec.weight)
            .run(model: model, windows: ZeroQuantGlobalTests.windows(1, tokens: 32, seed: 9))
        let stats = results[0].weight.stats
        let before = try #require(stats["zqg.logit_kl_before"]), after = try #require(stats["zqg.logit_kl_final"])
        #expect(before > 0 && after < 0.8 * before, "KL \(before) → \(after), best step \(stats["zqg.logit_best_step"] ?? -1)")
        #expect(results.allSatisfy { $0.weight.stats["zqg.logit_kl_final"] == after && $0.weight.stats["zqg.logit_steps"] == 40 })
        for (linear, result) in zip(model.linearLayers, results) {
            #expect(linear.name == result.name)
            let values = result.weight.codes!.dequantized()
            #expect((0..<values.count).allSatisfy { values.pointer[$0] == linear.weight.pointer[$0] }, "\(linear.name)")
        }
    }

    /// Settings without the pass encode exactly as before it existed (experiment ids hash them).
    @Test func settingsWithoutThePassEncodeAsBefore() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let plain = String(decoding: try encoder.encode(ZeroQuantGlobalSettings()), as: UTF8.self)
        #expect(plain == #"{"batch":4,"learnScales":false,"learningRate":0.05,"scaleLearningRate":0.001,"seed":0,"steps":100}"#)
        let with = ZeroQuantGlobalSettings(logitSteps: 25, logitLearningRate: 0.01)
        let decoded = try JSONDecoder().decode(ZeroQuantGlobalSettings.self, from: encoder.encode(with))
        #expect(decoded == with)
        #expect(try JSONDecoder().decode(ZeroQuantGlobalSettings.self, from: Data(plain.utf8)) == ZeroQuantGlobalSettings())
        #expect(ZeroQuantGlobalSettings(logitSteps: -1).problem != nil)
    }
}
