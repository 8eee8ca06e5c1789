import Foundation
import ModelFormats
import Models
import TensorCore
import Testing
@testable import Export

/// Any loaded model written as a Hugging Face directory (f32 safetensors + config.json +
/// tokenizer.json) and read back with `ModelLoader` gives bit-identical logits: f32 tensors are
/// copied byte for byte and the same kernels run on the same values, so the tolerance is zero.
@Suite struct HFDirectoryRoundTripTests {
    static let fixtures = ExportTestSupport.packageRoot.appendingPathComponent("Fixtures/models").path

    static func logits(_ model: any CausalLanguageModel, _ windows: [[Int32]]) throws -> [Float] {
        var out: [Float] = []
        try model.forward(windows: windows, observer: nil) { _, rows, v in
            out.append(contentsOf: UnsafeBufferPointer(start: v, count: rows * model.vocabularySize))
        }
        return out
    }

    static func temporaryDirectory(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("ptqlab-hf-\(name)-\(getpid())").path
    }

    /// Writes `loaded`, reads it back, and checks architecture, tokenizer and logits on `windows`.
    static func roundTrip(_ loaded: LoadedModel, windows: [[Int32]], name: String) throws {
        let dir = temporaryDirectory(name)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let result = try HFDirectoryExporter.export(loaded, to: dir)
        #expect(result.files.contains("model.safetensors") && result.files.contains("config.json"))
        let back = try ModelLoader.load(path: dir)
        #expect(back.model.architecture == loaded.model.architecture)
        #expect(back.blockWeightStorage == ["F32"])
        let text = "Round trips keep every token: 12 apples, 3 pears."
        #expect(back.tokenizer.encode(text) == loaded.tokenizer.encode(text), "\(name): tokenizer differs")
        let before = try logits(loaded.model, windows), after = try logits(back.model, windows)
        #expect(before == after, "\(name): logits differ after the round trip")
    }

    @Test(arguments: ["tiny-opt", "tiny-bloom", "tiny-gpt2", "tiny-gpt-neox", "tiny-gpt-neox-sequential", "tiny-opt-post-ln", "tiny-llama", "tiny-qwen2"])
    func tinyHFModelRoundTrips(_ name: String) throws {
        let source = Self.fixtures + "/" + name
        let tokenizerMissing = !FileManager.default.fileExists(atPath: source + "/tokenizer.json")
        if tokenizerMissing {
            // tiny-llama / tiny-qwen2 have no tokenizer: build the model directly
            let model = try HFArchitecture.build(configPath: source + "/config.json",
                                                 weights: DirectWeights(try HFModelDirectory(path: source).openTensors()))
            let dir = Self.temporaryDirectory(name)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            var writer = SafetensorsWriter()
            for (n, t) in (model as! any HFCheckpointTensors).hfTensors() { writer.add(n, t) }
            try writer.writeCheckpoint(to: dir)
            try FileManager.default.copyItem(atPath: source + "/config.json", toPath: dir + "/config.json")
            let back = try HFArchitecture.build(configPath: dir + "/config.json",
                                                weights: DirectWeights(try HFModelDirectory(path: dir).openTensors()))
            let windows = [ExportTestSupport.tokens(12, vocab: model.vocabularySize, seed: 5)]
            #expect(try Self.logits(model, windows) == Self.logits(back, windows))
            return
        }
        let loaded = try ModelLoader.load(path: source)
        let windows = [ExportTestSupport.tokens(24, vocab: loaded.model.vocabularySize, seed: 9),
                       ExportTestSupport.tokens(24, vocab: loaded.model.vocabularySize, seed: 10)]
        try Self.roundTrip(loaded, windows: windows, name: name)
    }

    /// The default model: Q4_1 GGUF, dequantized, written as an HF Llama directory (config from
    /// the GGUF metadata, tokenizer.json from its byte-level BPE vocabulary), on its first 128 tokens
    /// of text.
    @Test func smolLM2GGUFRoundTrips() throws {
        let loaded = try ModelLoader.load(path: "smollm2-135m")
        let text = String(repeating: "The quick brown fox jumps over the lazy dog, twice in 2024. ", count: 10)
        let window = Array(loaded.tokenizer.encode(text).prefix(128))
        try Self.roundTrip(loaded, windows: [window], name: "smollm2")
    }

    /// tiny-gemma3 GGUF → `gemma3_text` directory (config.json from the GGUF metadata, norms as w
    /// rather than 1 + w; its SentencePiece vocabulary as a vocab-only tokenizer.gguf).
    @Test func tinyGemma3GGUFRoundTrips() throws {
        let loaded = try ModelLoader.load(path: Self.fixtures + "/tiny-gemma3/model.gguf")
        let windows = [ExportTestSupport.tokens(12, vocab: 96, seed: 11), ExportTestSupport.tokens(12, vocab: 96, seed: 12)]
        try Self.roundTrip(loaded, windows: windows, name: "gemma3")
        let dir = Self.temporaryDirectory("gemma3-config")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let result = try HFDirectoryExporter.export(loaded, to: dir)
        #expect(result.files.contains("tokenizer.gguf") && result.notes.contains { $0.contains("SentencePiece") })
        // transformers 5 validates float fields strictly: 2.0 must not be written as 2
        let config = try String(contentsOfFile: dir + "/config.json", encoding: .utf8)
        #expect(config.contains("\"final_logit_softcapping\": 2.0") && config.contains("\"rms_norm_eps\": 1e-06"))
    }

    @Test func halfPrecisionExportDecodesToRoundedWeights() throws {
        let loaded = try ModelLoader.load(path: Self.fixtures + "/tiny-gpt2")
        let dir = Self.temporaryDirectory("gpt2-bf16")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try HFDirectoryExporter.export(loaded, to: dir, dtype: .bf16)
        let back = try ModelLoader.load(path: dir)
        #expect(back.blockWeightStorage == ["BF16"])
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/config.json"))) as? [String: Any]
        #expect(config?["dtype"] as? String == "bfloat16")
        // every weight is the bf16 rounding of the source weight
        let source = loaded.model.linearLayers[0].weight.array, written = back.model.linearLayers[0].weight.array
        #expect(zip(source, written).allSatisfy { abs($0 - $1) <= abs($0) / 128 })
    }
}
