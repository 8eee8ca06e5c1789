import Calibration
import Foundation
import ModelFormats
import Models
import TensorCore
import Testing
@testable import Export

/// Gemma 3 written as GGUF: quantized linears as ggml blocks in a copy of the source GGUF (no Q/K
/// permutation), and float tensors a method changed stored as llama.cpp's converter stores them
/// (Gemma's norms as 1 + w). On the tiny Gemma 3 GGUF fixture (hidden 64 etc.: Q4_K's 256-weight
/// blocks do not fit, so the mix takes llama-quantize's fallbacks).
@Suite struct Gemma3GGUFExportTests {
    static let fixture = ExportTestSupport.packageRoot.appendingPathComponent("Fixtures/models/tiny-gemma3/model.gguf").path

    /// RTN Q4_K_M, reloaded by our GGUF loader: the same blocks decode to the same weights, so the
    /// logits equal the in-memory quantized model's exactly (tolerance zero).
    @Test func q4KMExportReloadsToTheSameLogits() throws {
        let loaded = try ModelLoader.load(path: Self.fixture)
        let summary = try QuantRecipe(spec: "q4_k_m", method: "rtn").run(on: loaded.model, calibration: nil)
        let dir = try ExportTestSupport.temporaryDirectory("gemma3-gguf")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let report = try GGUFExporter.export(summary, source: GGUFFile(path: Self.fixture), to: dir + "/model.gguf")
        #expect(report.quantizedLayers == summary.layers.count + summary.tokenTables.count)
        let file = try GGUFFile(path: dir + "/model.gguf")
        #expect(file.architecture == "gemma3")
        #expect(file.tensors.contains { [.q5_0, .q8_0, .q4_0, .q5_1, .q6_k].contains($0.type) })
        let back = try ModelLoader.load(path: dir + "/model.gguf")
        let windows = [ExportTestSupport.tokens(20, vocab: loaded.model.vocabularySize, seed: 3)]
        #expect(try ExportTestSupport.logits(back.model, windows) == ExportTestSupport.logits(loaded.model, windows))
    }

    /// A changed norm (what AWQ folds its scales into) is written as 1 + w and read back as w: the
    /// reloaded model's logits equal the in-memory model's to 1e-5 relative (w + 1 − 1 rounds in f32).
    @Test func changedNormsAreStoredAsLlamaCppStoresThem() throws {
        let loaded = try ModelLoader.load(path: Self.fixture)
        var summary = try QuantRecipe(spec: "q8_0", method: "rtn").run(on: loaded.model, calibration: nil)
        let tensors = (loaded.model as! any HFCheckpointTensors).hfTensors()
        let norm = try #require(tensors.first { $0.0 == "model.layers.0.input_layernorm.weight" })
        // change it, as a scaling method would, in the model and in the summary
        for i in 0..<norm.1.count { norm.1.pointer[i] *= 1.5 }
        summary.changedTensors = [(norm.0, norm.1)]
        let dir = try ExportTestSupport.temporaryDirectory("gemma3-norm")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try GGUFExporter.export(summary, source: GGUFFile(path: Self.fixture), to: dir + "/model.gguf")
        let file = try GGUFFile(path: dir + "/model.gguf")
        let stored = try file.loadFloat32("blk.0.attn_norm.weight")
        #expect(abs(stored.pointer[0] - (norm.1.pointer[0] + 1)) <= 1e-6 * abs(norm.1.pointer[0] + 1))
        let back = try ModelLoader.load(path: dir + "/model.gguf")
        let windows = [ExportTestSupport.tokens(20, vocab: loaded.model.vocabularySize, seed: 4)]
        let a = try ExportTestSupport.logits(loaded.model, windows), b = try ExportTestSupport.logits(back.model, windows)
        let scale = a.map { abs($0) }.max() ?? 1
        #expect(zip(a, b).allSatisfy { abs($0 - $1) <= 1e-5 * scale })
    }
}
