import Foundation
import ModelFormats
import Models
import TensorCore
import Testing

/// Tiny random OPT, BLOOM, GPT-2 and GPT-NeoX checkpoints written by PyPI transformers
/// (scripts/fixtures/make_tiny_hf.py) with truncated real byte-level BPE tokenizers, against
/// transformers' f32 logits for two 24-token windows of real text. fp16/bf16 checkpoints decode
/// exactly to f32 and the reference ran in f32 on those same rounded weights, so every family is
/// held to the same bound: 1e-5 relative to the largest |logit| (f32 on both sides, different
/// summation orders over 2 layers; observed worst 2–10e-7 absolute on logits of magnitude
/// 0.5–2, i.e. ≤ 5e-7 relative, so the bound has 20× headroom).
@Suite struct TinyHFFamilyTests {
    struct Reference: Decodable {
        let text: String
        let tokens: [[Int32]]
        let logits: [[[Double]]]
        let dtype: String
    }

    static let fixtures: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path + "/Fixtures/models"
    }()

    static let families = ["tiny-opt", "tiny-bloom", "tiny-gpt2", "tiny-gpt-neox", "tiny-gpt-neox-sequential", "tiny-opt-post-ln"]

    static func load(_ name: String) throws -> (LoadedModel, Reference) {
        let loaded = try ModelLoader.load(path: fixtures + "/" + name)
        let data = try Data(contentsOf: URL(fileURLWithPath: fixtures + "/" + name + "/reference.json"))
        return (loaded, try JSONDecoder().decode(Reference.self, from: data))
    }

    static func logits(_ model: any CausalLanguageModel, _ windows: [[Int32]]) throws -> [Float] {
        var out: [Float] = []
        try model.forward(windows: windows, observer: nil) { _, rows, v in
            out.append(contentsOf: UnsafeBufferPointer(start: v, count: rows * model.vocabularySize))
        }
        return out
    }

    @Test(arguments: families)
    func logitsMatchTransformers(_ name: String) throws {
        let (loaded, ref) = try Self.load(name)
        let expected = ref.logits.flatMap { $0.flatMap { $0 } }
        let scale = expected.map(abs).max() ?? 1
        // Both windows in one batch: also checks that windows do not see each other.
        let got = try Self.logits(loaded.model, ref.tokens)
        #expect(got.count == expected.count)
        let worst = zip(got, expected).map { abs(Double($0) - $1) }.max() ?? .infinity
        #expect(worst / scale < 1e-5, "\(name) (\(ref.dtype)): worst |Δlogit| \(worst), max |logit| \(scale)")
    }

    @Test(arguments: families)
    func tokenizerReproducesReferenceTokens(_ name: String) throws {
        let (loaded, ref) = try Self.load(name)
        let ids = loaded.tokenizer.encode(ref.text, addSpecial: false)
        #expect(Array(ids.prefix(48)) == ref.tokens.flatMap { $0 })
    }

    /// A window alone gives the logits it gives inside a batch (same kernels per row; GEMM
    /// blocking may change with the row count, hence 1e-5 relative rather than bit equality).
    @Test(arguments: families)
    func batchedEqualsSingle(_ name: String) throws {
        let (loaded, ref) = try Self.load(name)
        let both = try Self.logits(loaded.model, ref.tokens)
        let second = try Self.logits(loaded.model, [ref.tokens[1]])
        let scale = both.map(abs).max() ?? 1
        let worst = zip(both.suffix(second.count), second).map { abs($0 - $1) }.max() ?? .infinity
        #expect(worst / scale < 1e-5, "\(name): worst |Δlogit| \(worst)")
    }

    @Test func architecturesAndStorage() throws {
        let expected: [String: (String, Set<String>, Int)] = [
            "tiny-opt": ("opt", ["F16"], 6), "tiny-bloom": ("bloom", ["BF16"], 4), "tiny-gpt2": ("gpt2", ["F32"], 4),
            "tiny-gpt-neox": ("gpt_neox", ["F32"], 4), "tiny-gpt-neox-sequential": ("gpt_neox", ["F16"], 4), "tiny-opt-post-ln": ("opt", ["F16"], 6),
        ]
        for (name, (arch, storage, perBlock)) in expected {
            let (loaded, _) = try Self.load(name)
            #expect(loaded.model.architecture == arch)
            #expect(loaded.blockWeightStorage == storage, "\(name)")
            #expect(loaded.model.linearLayers.count == perBlock * loaded.model.blockCount)
        }
    }

    /// Every linear layer's input reaches the observer once per forward pass, in execution order.
    @Test(arguments: families)
    func observerSeesEveryLinearOnce(_ name: String) throws {
        final class Recorder: LinearInputObserver {
            var seen: [String] = []
            func observe(layer: String, input: UnsafePointer<Float>, rows: Int, columns: Int) { seen.append(layer) }
        }
        let (loaded, ref) = try Self.load(name)
        let recorder = Recorder()
        try loaded.model.forward(windows: ref.tokens, observer: recorder) { _, _, _ in }
        #expect(Set(recorder.seen) == Set(loaded.model.linearLayers.map(\.name)))
        #expect(recorder.seen.count == loaded.model.linearLayers.count)
    }

    @Test func inspectShowsTheFamily() throws {
        let expected = ["tiny-opt": "OPT (", "tiny-bloom": "BLOOM (", "tiny-gpt2": "GPT-2 (", "tiny-gpt-neox": "GPT-NeoX / Pythia ("]
        for (name, family) in expected {
            let summary = try ModelInspector.summarize(path: Self.fixtures + "/" + name)
            #expect(summary.family.hasPrefix(family), "\(name): \(summary.family)")
            #expect(summary.hyperparameters["layers"] == "2" && summary.tokenizer.contains("BPE") || summary.tokenizer.count > 0)
        }
        let neox = try ModelInspector.summarize(path: Self.fixtures + "/tiny-gpt-neox")
        #expect(neox.architecture == "gpt_neox" && neox.hyperparameters["parallel_residual"] == "true")
    }

    @Test func alibiSlopesFollowBloomForSixHeads() {
        // 4 heads of the power-of-two sequence 2^-2, 2^-4, 2^-6, 2^-8, then 2^-1, 2^-3 from the 8-head one
        #expect(ALiBi.slopes(heads: 6) == [0.25, 0.0625, 0.015625, 0.00390625, 0.5, 0.125])
        #expect(ALiBi.slopes(heads: 8) == (1...8).map { Float(pow(2.0, -Double($0))) })
    }

    @Test func malformedConfigNamesFileAndKey() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ptqlab-bad-config-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = dir.appendingPathComponent("config.json")
        try Data(#"{"model_type": "gpt2", "n_embd": 64, "n_layer": 2, "vocab_size": 448}"#.utf8).write(to: config)
        do {
            _ = try GPT2Config(contentsOf: config.path)
            Issue.record("a config without n_head decoded")
        } catch let error as FormatError {
            #expect(error.file == config.path && error.field == "n_head")
        }
        try Data(#"{"model_type": "gpt_neox", "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 128, "max_position_embeddings": 64, "vocab_size": 448, "rotary_pct": 0.0625}"#.utf8).write(to: config)
        #expect(throws: FormatError.self) { _ = try GPTNeoXConfig(contentsOf: config.path) }
    }
}
