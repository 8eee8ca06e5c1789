import Calibration
import Export
import Foundation
import ModelFormats
import Models
import Quantization
import TensorCore
import Testing

/// HF GPTQ export of the tiny Llama fixture: the checkpoint reads back (through
/// `HFModelDirectory.openWeights`, as `ModelLoader` does) to exactly the fake-quantized weights,
/// so the logits agree to float rounding (in fact bit for bit).
@Suite struct GPTQExportTests {
    func roundTrip(spec: String, method: any WeightQuantizer, calibrate: Bool) throws -> (QuantizationSummary, String) {
        let (model, config, source) = try ExportTestSupport.tinyLlama()
        let scheme = try QuantSpec.parse(spec).weight
        let calibration = calibrate
            ? try CalibrationSet(tokens: ExportTestSupport.tokens(2000, vocab: 160, seed: 4), count: 8, length: 32, seed: 0) : nil
        let summary = try SequentialQuantization(method: method, scheme: scheme, needsCalibration: calibrate)
            .run(model: model, calibration: calibration)
        let out = try ExportTestSupport.temporaryDirectory("gptq")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let report = try GPTQExporter.export(summary, model: model, config: config, sourceDirectory: source, to: out)
        #expect(report.quantizedLayers == 14)

        let reloaded = try ExportTestSupport.reload(gptq: out)
        for (a, b) in zip(model.linearLayers, reloaded.linearLayers) {
            #expect(a.weight.array == b.weight.array, "\(spec): \(a.name) reloads to different weights")
        }
        let windows = (0..<2).map { ExportTestSupport.tokens(32, vocab: 160, seed: 50 + UInt64($0)) }
        let expected = try ExportTestSupport.logits(model, windows), got = try ExportTestSupport.logits(reloaded, windows)
        let scale = expected.map(abs).max() ?? 1
        let worst = zip(expected, got).map { abs($0 - $1) }.max() ?? 0
        #expect(worst <= 1e-6 * scale, "\(spec): logits differ by \(worst)")

        let gptq = try #require(try GPTQQuantizationConfig.read(configPath: out + "/config.json"))
        #expect(gptq.bits == scheme.bits && gptq.sym == scheme.symmetric)
        #expect(gptq.groupSize == GPTQLayerPacking.groupSize(scheme))
        return (summary, out)
    }

    @Test(arguments: ["w4a16-g32-asym", "w3a16-g32-asym", "w2a16-row-sym", "w8a16-g32-sym", "w4a16-tensor-asym",
                      "w4a16-g64-sym"])
    func rtnRoundTrips(spec: String) throws {
        _ = try roundTrip(spec: spec, method: RTNQuantizer(), calibrate: false)
    }

    /// GPTQ with act-order writes its g_idx and desc_act: true.
    @Test func gptqActOrderRoundTrips() throws {
        let (summary, _) = try roundTrip(spec: "w4a16-g32-asym", method: GPTQQuantizer(actOrder: true), calibrate: true)
        #expect(summary.layers.contains { $0.result.codes?.groupIndex != nil })
    }

    @Test func configAndFiles() throws {
        let (model, config, source) = try ExportTestSupport.tinyLlama()
        let summary = try SequentialQuantization(method: RTNQuantizer(), scheme: try QuantSpec.parse("w4a16-g32-asym").weight,
                                                 needsCalibration: false).run(model: model, calibration: nil)
        let out = try ExportTestSupport.temporaryDirectory("gptq-config")
        defer { try? FileManager.default.removeItem(atPath: out) }
        try GPTQExporter.export(summary, model: model, config: config, sourceDirectory: source, to: out)
        let written = try LlamaConfig(contentsOf: out + "/config.json")
        #expect(written.hiddenSize == config.hiddenSize && written.ropeScaling == config.ropeScaling)
        let q = try #require(try GPTQQuantizationConfig.read(configPath: out + "/config.json"))
        #expect(q == GPTQQuantizationConfig(bits: 4, groupSize: 32, descAct: false, sym: false, convention: .v1))
        let file = try SafetensorsFile(path: out + "/model.safetensors")
        let p = "model.layers.0.self_attn.q_proj"
        #expect(file.info(of: p + ".qweight")?.dtype == .i32 && file.shape(of: p + ".qweight") == [64 * 4 / 32, 64])
        #expect(file.info(of: p + ".qzeros")?.dtype == .i32 && file.shape(of: p + ".qzeros") == [2, 64 * 4 / 32])
        #expect(file.info(of: p + ".scales")?.dtype == .f16 && file.shape(of: p + ".scales") == [2, 64])
        #expect(file.info(of: p + ".g_idx")?.dtype == .i32 && file.shape(of: p + ".g_idx") == [64])
        #expect(file.info(of: "model.embed_tokens.weight")?.dtype == .f32 && !file.contains(p + ".weight"))
    }

    /// A zero-point of 0 (an all-positive group) does not fit v1 (zero − 1): the layer packs as v2.
    @Test func zeroPointZeroNeedsV2() throws {
        let scheme = try QuantSpec.parse("w4a16-g32-asym").weight
        let (dequantized, codes) = try MatrixQuantizer.quantize(ExportTestSupport.weight(rows: 32, columns: 64, seed: 2, offset: 0.2),
                                                                scheme: scheme)
        #expect(GPTQLayerPacking.needsV2(codes))
        #expect(throws: ExportError.self) { try GPTQLayerPacking.pack(codes, convention: .v1) }
        let packed = try GPTQLayerPacking.pack(codes, convention: .v2)
        #expect(packed.dequantized(convention: .v2).array == dequantized.array)
    }

    @Test func unsupportedSchemesAreRejected() throws {
        for spec in ["w5a16-g32-asym", "w6a16-row-sym", "w4a16-g128-asym-f32scale"] {
            let scheme = try QuantSpec.parse(spec).weight
            #expect(throws: ExportError.self, "\(spec)") { try GPTQLayerPacking.check(scheme: scheme, lowRank: false) }
        }
        // LoRC factors are stored beside the packed layer (SmolLM2ExportTests.lorcFactorsReachTheGPTQDirectory).
        try GPTQLayerPacking.check(scheme: try QuantSpec.parse("w4a16-g128-asym").weight, lowRank: true)
    }
}
