import Foundation
import ModelFormats
import Models
import Quantization
import TensorCore
import Testing
@testable import Calibration

/// Every family runs through the one `Linear` path: RTN (4-bit, group 32) and GPTQ via the
/// sequential block-by-block pipeline visit every block linear exactly once, in order, change its
/// weights, and leave logits that moved but stay finite.
@Suite struct FamilyQuantizationTests {
    static let fixtures: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path + "/Fixtures/models"
    }()

    static func logits(_ model: any CausalLanguageModel, _ windows: [[Int32]]) throws -> [Float] {
        var out: [Float] = []
        try model.forward(windows: windows, observer: nil) { _, rows, v in
            out.append(contentsOf: UnsafeBufferPointer(start: v, count: rows * model.vocabularySize))
        }
        return out
    }

    @Test(arguments: ["tiny-opt", "tiny-bloom", "tiny-gpt2", "tiny-gpt-neox", "tiny-gpt-neox-sequential", "tiny-opt-post-ln"])
    func sequentialQuantizationVisitsEveryLinear(_ name: String) throws {
        let scheme = try QuantSpec.parse("w4a16-g32-asym").weight
        let windows = (0..<2).map { SequentialQuantizationTests.randomTokens(24, seed: 300 + UInt64($0)) }
        for (method, calibrate) in [(RTNQuantizer() as any WeightQuantizer, false), (GPTQQuantizer(), true)] {
            let model = try ModelLoader.load(path: Self.fixtures + "/" + name).model
            let base = try Self.logits(model, windows)
            let before = model.linearLayers.map(\.weight.array)
            let calibration = calibrate
                ? try CalibrationSet(tokens: SequentialQuantizationTests.randomTokens(2000, seed: 6), count: 8, length: 24) : nil
            let summary = try SequentialQuantization(method: method, scheme: scheme, needsCalibration: calibrate)
                .run(model: model, calibration: calibration)
            #expect(summary.layers.map(\.name) == model.linearLayers.map(\.name), "\(name) \(method.name)")
            #expect(zip(before, model.linearLayers).allSatisfy { $0 != $1.weight.array }, "\(name) \(method.name)")
            let quantized = try Self.logits(model, windows)
            #expect(quantized.allSatisfy(\.isFinite) && quantized != base, "\(name) \(method.name)")
        }
    }
}
