import Foundation
import ModelFormats
import Models
import Quantization
import TensorCore
import Testing
@testable import Calibration

/// Folding per-channel scales (`ChannelScaleGroup.fold`) leaves every family's function unchanged:
/// random scales in [0.25, 4] on every foldable group of every block move the logits of the tiny
/// fixtures by no more than f32 rounding (1e-4 of the largest logit; the scaled weights and norms
/// are rounded once more). AWQ on them changes the weights (clipping), and a weight snapshot puts
/// the norms back exactly.
@Suite struct ChannelScalingTests {
    static let families = ["tiny-llama", "tiny-qwen2", "tiny-gemma3/model.gguf", "tiny-opt", "tiny-opt-post-ln", "tiny-bloom",
                           "tiny-gpt2", "tiny-gpt-neox", "tiny-gpt-neox-sequential"]

    static func logits(_ model: any CausalLanguageModel, _ windows: [[Int32]]) throws -> [Float] {
        try FamilyQuantizationTests.logits(model, windows)
    }

    @Test(arguments: families)
    func foldingScalesKeepsTheFunction(_ name: String) throws {
        let model = try AWQReferenceTests.load(FamilyQuantizationTests.fixtures + "/" + name)
        let windows = (0..<2).map { SequentialQuantizationTests.randomTokens(16, seed: 40 + UInt64($0)) }
            .map { $0.map { $0 % Int32(model.vocabularySize) } }
        let before = try Self.logits(model, windows)
        var rng = SplitMix64(seed: 7)
        var folded = 0
        for b in 0..<model.blockCount {
            for group in model.channelScaleGroups(ofBlock: b) where group.source != nil {
                group.fold((0..<group.channels).map { _ in Float(pow(4.0, 2 * Double(rng.next() >> 11) / Double(1 << 53) - 1)) })
                folded += 1
            }
        }
        #expect(folded >= model.blockCount, "\(name): \(folded) groups folded")
        let after = try Self.logits(model, windows)
        let scale = before.map(abs).max() ?? 1
        let worst = zip(before, after).map { abs($0 - $1) }.max() ?? 0
        #expect(worst <= 1e-4 * scale, "\(name): logits moved by \(worst) (max |logit| \(scale))")
    }

    /// The attention and MLP measured alone (`subModuleInput`, Llama and Gemma 3) give the search
    /// the same errors as running the whole block and reading the output projection's input: the
    /// same exponents, scales within f32 rounding, and the same clipping.
    @Test(arguments: ["tiny-llama", "tiny-gemma3/model.gguf"])
    func subModulesAloneMatchTheWholeBlock(_ name: String) throws {
        let scheme = try QuantSpec.parse("w3a16-g32-asym").weight
        let windows = (0..<4).map { SequentialQuantizationTests.randomTokens(32, seed: 90 + UInt64($0)) }
        var results: [ActivationAwareScaling.Result] = []
        for alone in [true, false] {
            let model = try AWQReferenceTests.load(FamilyQuantizationTests.fixtures + "/" + name)
            var awq = ActivationAwareScaling(settings: AWQSettings(), scheme: scheme)
            awq.measuresSubModulesAlone = alone
            awq.recordsClipSteps = true
            results.append(try awq.run(model: model, windows: windows.map { $0.map { $0 % Int32(model.vocabularySize) } }))
        }
        let (alone, whole) = (results[0], results[1])
        #expect(alone.groups.contains { $0.ratio != nil && $0.role == .attentionInput })
        for (a, w) in zip(alone.groups, whole.groups) {
            #expect(a.linears == w.linears && a.ratio == w.ratio, "\(name) \(a.linears): α \(a.ratio ?? -1) vs \(w.ratio ?? -1)")
            if let la = a.loss, let lw = w.loss { #expect(abs(la - lw) <= 1e-4 * max(lw, 1e-12), "\(name) \(a.linears): loss \(la) vs \(lw)") }
        }
        #expect(alone.clipSteps == whole.clipSteps, "\(name): clipping differs")
    }
}
