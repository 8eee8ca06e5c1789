import Foundation
import ModelFormats
import Models
import TensorCore
import Testing
@testable import Evaluation

/// The per-row kernel against a double-precision softmax on seeded random logits of a real
/// vocabulary's size and magnitude. Tolerance 5e-6 absolute + 1e-4 relative: the kernel works in
/// f32, and an f32 log-sum-exp of magnitude ~12–20 is only known to ~1–2e-6 (its ulp); that error
/// enters the KL one for one (Σp = 1), which matters only for the tiniest divergences.
@Suite struct KLDivergenceKernelTests {
    static func reference(_ a: [Float], _ b: [Float]) -> Double {
        func logSoftmax(_ x: [Float]) -> [Double] {
            let m = Double(x.max()!)
            let lse = m + Foundation.log(x.reduce(0.0) { $0 + Foundation.exp(Double($1) - m) })
            return x.map { Double($0) - lse }
        }
        let la = logSoftmax(a), lb = logSoftmax(b)
        return zip(la, lb).reduce(0.0) { $0 + Foundation.exp($1.0) * ($1.0 - $1.1) }
    }

    @Test(arguments: [0.01, 0.3, 2.0] as [Float])
    func rowMatchesDoublePrecision(noise: Float) {
        var rng = SplitMix(seed: UInt64(noise * 1000))
        let n = 49_152 + 7   // a ragged tail after the 16-lane loop
        let a = (0..<n).map { _ in Float.random(in: -8...12, using: &rng) }
        let b = a.map { $0 + Float.random(in: -noise...noise, using: &rng) }
        let kl = a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                KLDivergence.row(pa.baseAddress!, pb.baseAddress!, n,
                                 lseA: SIMDMath.logSumExp(pa.baseAddress!, n), lseB: SIMDMath.logSumExp(pb.baseAddress!, n))
            }
        }
        let expected = Self.reference(a, b)
        #expect(expected > 0)
        #expect(abs(kl - expected) <= 5e-6 + 1e-4 * expected, "\(kl) vs \(expected)")
    }

    /// Reproducible random numbers for the test (SplitMix64).
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E3779B97F4A7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
            z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
            return z ^ (z >> 31)
        }
    }

    @Test func identicalRowsHaveZeroDivergence() {
        let a = (0..<1000).map { Float($0 % 37) * 0.25 - 3 }
        let kl = a.withUnsafeBufferPointer { p in
            let lse = SIMDMath.logSumExp(p.baseAddress!, a.count)
            return KLDivergence.row(p.baseAddress!, p.baseAddress!, a.count, lseA: lse, lseB: lse)
        }
        #expect(abs(kl) < 1e-7)
    }

    @Test func argmaxTakesTheFirstOfTies() {
        let x: [Float] = [1, 5, 2, 5, -1]
        #expect(x.withUnsafeBufferPointer { KLDivergence.argmax($0.baseAddress!, x.count) } == 1)
    }
}

/// The evaluator on the tiny transformers Llama, its base side read from a `BaseLogits` file:
/// against itself KL is ~0 and top-1 agreement 1; against a perturbed copy it equals a
/// brute-force computation over every scored row in double precision on the f32 logits (tolerance
/// 1e-4 relative + 1e-6: the stored f16 rows of (logit − max) move each log p by at most
/// 2⁻¹¹·|logit − max|, which moves the KL far less; the f32 sum order alone gives ~1e-6), and its
/// perplexities equal PerplexityEvaluator's.
@Suite struct KLDivergenceEvaluatorTests {
    static func tinyModel() throws -> LlamaModel {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        let hd = try HFModelDirectory(path: url.path + "/Fixtures/models/tiny-llama")
        let config = try LlamaConfig(contentsOf: hd.configPath)
        return try LlamaModel(hyper: LlamaHyperparameters(config: config, file: hd.configPath),
                              weights: DirectWeights(try hd.openTensors()))
    }

    static let tokens: [Int32] = (0..<96).map { Int32(($0 * 37 + 11) % 160) }
    static let options = PerplexityOptions(context: 24, batchWindows: 3)

    static func baseLogits(_ model: LlamaModel, options: PerplexityOptions = options) throws -> BaseLogits {
        let path = NSTemporaryDirectory() + "ptqlab-kl-test-\(UInt32.random(in: 0...UInt32.max))/base.bin"
        return try BaseLogits.compute(model: model, modelIdentity: "tiny-llama", tokens: Self.tokens, options: options,
                                      path: path, showProgress: false)
    }

    @Test func selfDivergenceIsZero() throws {
        let a = try Self.tinyModel(), b = try Self.tinyModel()
        let r = try KLDivergenceEvaluator(base: try Self.baseLogits(a), quantized: b)
            .evaluate(tokens: Self.tokens, options: Self.options, showProgress: false)
        #expect(r.tokens == 4 * 23 && r.windows == 4)
        // f16 storage of (logit − max): KL of a model against itself stays at the rounding level
        #expect(abs(r.mean) < 1e-6 && r.max < 1e-5, "\(r.mean) \(r.max)")
        #expect(r.top1Agreement == 1)
        #expect(r.basePerplexity == r.quantizedPerplexity)
    }

    @Test func perturbedModelMatchesBruteForce() throws {
        let base = try Self.tinyModel(), quant = try Self.tinyModel()
        for linear in quant.linearLayers {
            let w = linear.weight
            for i in 0..<w.count { w.pointer[i] *= (i % 3 == 0 ? 1.3 : 0.8) }
            linear.invalidatePackedWeight()
        }
        let r = try KLDivergenceEvaluator(base: try Self.baseLogits(base), quantized: quant)
            .evaluate(tokens: Self.tokens, options: Self.options, showProgress: false)
        // brute force: every logit row of both models, double-precision softmax
        let windows = (0..<4).map { Array(Self.tokens[($0 * 24)..<(($0 + 1) * 24)]) }
        func allLogits(_ m: LlamaModel) throws -> [[Float]] {
            var rows: [[Float]] = []
            try m.forward(windows: windows, observer: nil) { _, n, v in
                for r in 0..<n { rows.append(Array(UnsafeBufferPointer(start: v + r * m.vocabularySize, count: m.vocabularySize))) }
            }
            return rows
        }
        let la = try allLogits(base), lb = try allLogits(quant)
        var kls: [Double] = [], same = 0
        for row in la.indices where row % 24 != 23 {
            kls.append(KLDivergenceKernelTests.reference(la[row], lb[row]))
            if la[row].firstIndex(of: la[row].max()!) == lb[row].firstIndex(of: lb[row].max()!) { same += 1 }
        }
        let mean = kls.reduce(0, +) / Double(kls.count)
        #expect(mean > 1e-3, "the perturbation should move the distributions")
        #expect(abs(r.mean - mean) <= 1e-4 * mean + 1e-6, "\(r.mean) vs \(mean)")
        #expect(abs(r.max - kls.max()!) <= 1e-4 * kls.max()! + 1e-6)
        #expect(r.top1Agreement == Double(same) / Double(kls.count))
        let ppl = try PerplexityEvaluator(model: quant).evaluate(tokens: Self.tokens, options: Self.options, showProgress: false)
        #expect(abs(r.quantizedPerplexity - ppl.perplexity) <= 1e-9 * ppl.perplexity)
    }
}

/// The stored base side: a file is reused only for the same model, text and windows; a
/// truncated file is not reused; a base file made for other windows is refused by the evaluator.
@Suite struct BaseLogitsFileTests {
    @Test func reuseOnlyForTheSameKey() throws {
        let model = try KLDivergenceEvaluatorTests.tinyModel()
        let stored = try KLDivergenceEvaluatorTests.baseLogits(model)
        let key = stored.key
        #expect(stored.rows == 4 * 23 && stored.vocab == model.vocabularySize)
        #expect(stored.bytes >= stored.rows * stored.vocab * 2)
        let reopened = try #require(BaseLogits.open(path: stored.path, expecting: key))
        #expect((0..<stored.rows).allSatisfy { reopened.top[$0] == stored.top[$0] && reopened.nll[$0] == stored.nll[$0] })
        var other = key
        other.context = 12
        #expect(BaseLogits.open(path: stored.path, expecting: other) == nil)
        other = key
        other.model = "another model"
        #expect(BaseLogits.open(path: stored.path, expecting: other) == nil)
        // a truncated copy is not reused
        let data = try Data(contentsOf: URL(fileURLWithPath: stored.path))
        let cut = stored.path + ".cut"
        try data.prefix(data.count - 8).write(to: URL(fileURLWithPath: cut))
        #expect(BaseLogits.open(path: cut, expecting: key) == nil)
        // the evaluator refuses base logits made for other windows
        let shorter = PerplexityOptions(context: 24, maxWindows: 2, batchWindows: 3)
        let few = try KLDivergenceEvaluatorTests.baseLogits(model, options: shorter)
        #expect(throws: PerplexityError.self) {
            try KLDivergenceEvaluator(base: few, quantized: model).evaluate(tokens: KLDivergenceEvaluatorTests.tokens,
                                                                             options: KLDivergenceEvaluatorTests.options,
                                                                             showProgress: false)
        }
    }

    /// Base NLL and argmax are kept from the f32 rows: the stored perplexity equals the evaluator's.
    @Test func basePerplexityIsExact() throws {
        let model = try KLDivergenceEvaluatorTests.tinyModel()
        let stored = try KLDivergenceEvaluatorTests.baseLogits(model)
        let r = try KLDivergenceEvaluator(base: stored, quantized: model)
            .evaluate(tokens: KLDivergenceEvaluatorTests.tokens, options: KLDivergenceEvaluatorTests.options, showProgress: false)
        let ppl = try PerplexityEvaluator(model: model).evaluate(tokens: KLDivergenceEvaluatorTests.tokens,
                                                                  options: KLDivergenceEvaluatorTests.options, showProgress: false)
        #expect(abs(r.basePerplexity - ppl.perplexity) <= 1e-9 * ppl.perplexity)
    }
}
