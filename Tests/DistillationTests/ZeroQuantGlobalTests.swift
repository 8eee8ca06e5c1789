import Distillation
import Foundation
import ModelFormats
import Models
import Quantization
import TensorCore
import Testing

/// ZeroQuant-Global on tiny-llama (2 blocks) with 8 random-token calibration windows.
@Suite struct ZeroQuantGlobalTests {
    static func windows(_ count: Int, tokens: Int, seed: UInt64) -> [[Int32]] {
        var rng = TestRandom(seed: seed)
        return (0..<count).map { _ in (0..<tokens).map { _ in Int32(rng.next() % 160) } }
    }

    static func run(_ scheme: String, settings: ZeroQuantGlobalSettings) throws -> (LlamaModel, [ZeroQuantGlobal.Result]) {
        let (model, _) = try BlockAutogradReferenceTests.load("tiny-llama")
        let spec = try QuantSpec.parse(scheme)
        let results = try ZeroQuantGlobal(settings: settings, scheme: spec.weight, activation: spec.activation)
            .run(model: model, windows: windows(8, tokens: 16, seed: 3))
        return (model, results)
    }

    /// Training lowers every block's loss well below RTN's (the loss of W3 g16 RTN on this random
    /// model is far from zero, so a working optimiser must cut it), the weights put in place are
    /// the returned codes' values, and the result is on the scheme's grid.
    @Test func trainingLowersEveryBlockLossBelowRTN() throws {
        let (model, results) = try Self.run("w3a16-g16-asym", settings: ZeroQuantGlobalSettings(steps: 40, learningRate: 0.05, batch: 4))
        #expect(results.count == 14)
        for block in 0..<2 {
            let stats = results[block * 7].weight.stats
            let rtn = try #require(stats["zqg.loss_rtn"]), final = try #require(stats["zqg.loss_final"])
            #expect(stats["zqg.kept"] == 1)
            #expect(final < 0.8 * rtn, "block \(block): loss \(final) vs RTN \(rtn)")
        }
        for (linear, result) in zip(model.linearLayers, results) {
            #expect(linear.name == result.name)
            let codes = result.weight.codes
            #expect(codes.codes.allSatisfy { $0 <= 7 })
            let values = codes.dequantized()
            for i in 0..<values.count { #expect(values.pointer[i] == linear.weight.pointer[i]) }
        }
    }

    /// Zero steps is RTN; the same seed gives the same codes; learned scales run and stay positive.
    @Test func zeroStepsIsRTNAndRunsAreReproducible() throws {
        let (_, none) = try Self.run("w4a16-g32-sym", settings: ZeroQuantGlobalSettings(steps: 0))
        let (reference, _) = try BlockAutogradReferenceTests.load("tiny-llama")
        let scheme = try QuantSpec.parse("w4a16-g32-sym").weight
        for (linear, result) in zip(reference.linearLayers, none) {
            let (_, rtn) = try MatrixQuantizer.quantize(linear.weight, scheme: scheme)
            #expect(result.weight.codes.codes == rtn.codes, "\(linear.name)")
        }
        let settings = ZeroQuantGlobalSettings(steps: 10, batch: 3, learnScales: true, seed: 5)
        let (_, a) = try Self.run("w4a16-g32-sym", settings: settings)
        let (_, b) = try Self.run("w4a16-g32-sym", settings: settings)
        for (x, y) in zip(a, b) {
            #expect(x.weight.codes.codes == y.weight.codes.codes)
            #expect(x.weight.codes.scales == y.weight.codes.scales)
            #expect(x.weight.codes.scales.allSatisfy { $0 > 0 && $0.isFinite })
        }
    }

    /// Gemma 3 (tiny-gemma3: 7 blocks, local and global layers): every block keeps a trained result
    /// below its RTN loss.
    @Test func gemma3BlocksTrainBelowRTN() throws {
        let file = try GGUFFile(path: BlockAutogradReferenceTests.root + "/models/tiny-gemma3/model.gguf")
        let model = try Gemma3Model(hyper: try Gemma3GGUF.hyperparameters(file), weights: GGUFGemma3Weights(file: file))
        let spec = try QuantSpec.parse("w3a16-g16-asym")
        var rng = TestRandom(seed: 9)
        let windows = (0..<8).map { _ in (0..<12).map { _ in Int32(rng.next() % 96) } }
        let results = try ZeroQuantGlobal(settings: ZeroQuantGlobalSettings(steps: 40), scheme: spec.weight).run(model: model, windows: windows)
        #expect(results.count == 7 * 7)
        for block in 0..<7 {
            let stats = results[block * 7].weight.stats
            let rtn = try #require(stats["zqg.loss_rtn"]), final = try #require(stats["zqg.loss_final"])
            #expect(final < 0.9 * rtn, "block \(block): loss \(final) vs RTN \(rtn)")
        }
    }

    @Test func settingsOutOfRangeAreRefused() throws {
        #expect(ZeroQuantGlobalSettings(steps: -1).problem != nil)
        #expect(ZeroQuantGlobalSettings(learningRate: 0).problem != nil)
        #expect(ZeroQuantGlobalSettings(batch: 0).problem != nil)
        #expect(ZeroQuantGlobalSettings(scaleLearningRate: 1).problem != nil)
        #expect(ZeroQuantGlobalSettings().problem == nil)
        #expect(throws: ZeroQuantGlobal.Failure.self) { try Self.run("w4a16-g32-sym", settings: ZeroQuantGlobalSettings(batch: 0)) }
    }
}
