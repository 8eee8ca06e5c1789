import Calibration
import Evaluation
import Export
import Foundation
import ModelFormats
import Models
import Quantization
import TensorCore

/// Deterministic inputs, fixture paths and small helpers for the export tests.
enum ExportTestSupport {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// SplitMix64 values.
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        /// Uniform in [−1, 1).
        mutating func signed() -> Float { Float(next() >> 40) / Float(1 << 23) - 1 }
    }

    static func weight(rows: Int, columns: Int, seed: UInt64, offset: Float = 0) -> Tensor {
        var random = Random(state: seed)
        return Tensor(shape: [rows, columns], values: (0..<(rows * columns)).map { _ in 0.05 * random.signed() + offset })
    }

    static func codes(_ count: Int, bits: Int, seed: UInt64) -> [UInt8] {
        var random = Random(state: seed)
        return (0..<count).map { _ in UInt8(random.next() % UInt64(1 << bits)) }
    }

    static func tokens(_ n: Int, vocab: Int, seed: UInt64) -> [Int32] {
        var random = Random(state: seed)
        return (0..<n).map { _ in Int32(random.next() % UInt64(vocab)) }
    }

    /// A fresh copy of the tiny transformers Llama checkpoint (vocab 160, d 64, ffn 96, 2 layers).
    static func tinyLlama() throws -> (model: LlamaModel, config: LlamaConfig, directory: String) {
        let directory = packageRoot.appendingPathComponent("Fixtures/models/tiny-llama").path
        let dir = try HFModelDirectory(path: directory)
        let config = try dir.loadConfig()
        let model = try LlamaModel(hyper: LlamaHyperparameters(config: config, file: dir.configPath),
                                   weights: DirectWeights(try dir.openWeights()))
        return (model, config, directory)
    }

    /// A model read back from an exported GPTQ directory through `openWeights()`.
    static func reload(gptq directory: String) throws -> LlamaModel {
        let dir = try HFModelDirectory(path: directory)
        let config = try dir.loadConfig()
        return try LlamaModel(hyper: LlamaHyperparameters(config: config, file: dir.configPath),
                              weights: DirectWeights(try dir.openWeights()))
    }

    static func logits(_ model: any CausalLanguageModel, _ windows: [[Int32]]) throws -> [Float] {
        var out: [Float] = []
        try model.forward(windows: windows, observer: nil) { _, rows, v in
            out.append(contentsOf: UnsafeBufferPointer(start: v, count: rows * model.vocabularySize))
        }
        return out
    }

    /// A new empty directory under the system temporary directory.
    /// One directory per test process, removed when the process exits.
    static let scratchRoot: URL = {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("ptqlab-export-tests-\(ProcessInfo.processInfo.processIdentifier)")
        atexit { try? FileManager.default.removeItem(at: ExportTestSupport.scratchRoot) }
        return url
    }()

    static func temporaryDirectory(_ label: String) throws -> String {
        let url = scratchRoot.appendingPathComponent("\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }

    /// The installed SmolLM2 GGUF quantized by `--quant SPEC --method rtn` and exported as GGUF to
    /// `path` (for Q4_K_M: llama-quantize's file byte for byte, see `rtnQ4KMEqualsLlamaQuantize`).
    static func exportSmolLM2RTN(_ spec: String, to path: String) throws {
        let assets = AssetLocator()
        let memory = try ModelLoader.load(path: try assets.defaultModel)
        let summary = try QuantRecipe(spec: spec, method: "rtn").run(on: memory.model, calibration: nil)
        try GGUFExporter.export(summary, source: GGUFFile(path: try assets.defaultModel), to: path)
    }
}
