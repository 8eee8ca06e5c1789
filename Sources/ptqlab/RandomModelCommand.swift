import ArgumentParser
import Evaluation
import Foundation
import ModelFormats
import TensorCore

/// `ptqlab random-model --shape llama-2-7b --out DIR`: a Hugging Face Llama checkpoint with a real
/// model's shapes and random weights (uniform, std 0.02; norms 1), written shard by shard (one
/// block at a time in memory) in bf16 by our own safetensors writer, with Llama's 32,000-token
/// SentencePiece vocabulary (llama.cpp's ggml-vocab-llama-spm.gguf, from the pinned
/// llama-cpp-python asset) as tokenizer.gguf. For measuring memory and time at sizes people
/// deploy (scripts/bench/llama7b-shape.sh) without downloading one: its outputs are meaningless.
struct RandomModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "random-model",
        abstract: "Write a random-weight Llama checkpoint with a real model's shapes (bf16 safetensors, sharded per block) for memory and speed measurements.")

    struct Shape {
        let hidden: Int, intermediate: Int, layers: Int, heads: Int, kvHeads: Int, vocab: Int, context: Int
    }

    static let shapes: [String: Shape] = [
        "llama-2-7b": Shape(hidden: 4096, intermediate: 11008, layers: 32, heads: 32, kvHeads: 32, vocab: 32000, context: 4096),
        "llama-2-13b": Shape(hidden: 5120, intermediate: 13824, layers: 40, heads: 40, kvHeads: 40, vocab: 32000, context: 4096),
        // Small enough for a test: the same code path, seconds to write.
        "llama-tiny": Shape(hidden: 256, intermediate: 688, layers: 2, heads: 4, kvHeads: 4, vocab: 32000, context: 4096),
    ]

    @Option(help: "Shape: llama-2-7b (6.7 B parameters, 13.5 GB in bf16), llama-2-13b, llama-tiny.")
    var shape = "llama-2-7b"

    @Option(help: "Layers (default: the shape's).")
    var layers: Int?

    @Option(help: "Output directory (created).")
    var out: String

    @Option(help: "Seed of the weights.")
    var seed: UInt64 = 0

    func run() throws {
        try runReportingErrors {
            guard var s = Self.shapes[shape] else {
                throw ValidationError("--shape must be one of \(Self.shapes.keys.sorted().joined(separator: ", ")); got '\(shape)'")
            }
            if let layers {
                guard layers > 0 else { throw ValidationError("--layers must be positive") }
                s = Shape(hidden: s.hidden, intermediate: s.intermediate, layers: layers, heads: s.heads, kvHeads: s.kvHeads,
                          vocab: s.vocab, context: s.context)
            }
            let vocabulary = try AssetLocator().path(.llamaCppVocabDirectory) + "/ggml-vocab-llama-spm.gguf"
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            let start = Date()
            var rng = SplitMix64(seed: seed)
            let shards = s.layers + 2
            var weightMap: [String: String] = [:]
            var totalBytes = 0, parameters = 0
            func shardName(_ i: Int) -> String { String(format: "model-%05d-of-%05d.safetensors", i + 1, shards) }
            func writeShard(_ i: Int, _ tensors: [(String, Tensor)]) throws {
                var writer = SafetensorsWriter()
                for (name, t) in tensors {
                    writer.add(name, t, as: .bf16)
                    weightMap[name] = shardName(i)
                    totalBytes += t.count * 2
                    parameters += t.count
                }
                try writer.write(to: (out as NSString).appendingPathComponent(shardName(i)))
                let seconds = Date().timeIntervalSince(start)
                printStderr(String(format: "random-model: shard %d/%d written, %.1f GB, %.0f s", i + 1, shards, Double(totalBytes) / 1e9, seconds))
            }
            let d = s.hidden, hd = d / s.heads
            try writeShard(0, [("model.embed_tokens.weight", Self.uniform([s.vocab, d], &rng))])
            for b in 0..<s.layers {
                let p = "model.layers.\(b)."
                try writeShard(b + 1, [
                    (p + "input_layernorm.weight", Tensor(shape: [d], values: [Float](repeating: 1, count: d))),
                    (p + "post_attention_layernorm.weight", Tensor(shape: [d], values: [Float](repeating: 1, count: d))),
                    (p + "self_attn.q_proj.weight", Self.uniform([s.heads * hd, d], &rng)),
                    (p + "self_attn.k_proj.weight", Self.uniform([s.kvHeads * hd, d], &rng)),
                    (p + "self_attn.v_proj.weight", Self.uniform([s.kvHeads * hd, d], &rng)),
                    (p + "self_attn.o_proj.weight", Self.uniform([d, s.heads * hd], &rng)),
                    (p + "mlp.gate_proj.weight", Self.uniform([s.intermediate, d], &rng)),
                    (p + "mlp.up_proj.weight", Self.uniform([s.intermediate, d], &rng)),
                    (p + "mlp.down_proj.weight", Self.uniform([d, s.intermediate], &rng)),
                ])
            }
            try writeShard(shards - 1, [("model.norm.weight", Tensor(shape: [d], values: [Float](repeating: 1, count: d))),
                                        ("lm_head.weight", Self.uniform([s.vocab, d], &rng))])
            let index: [String: Any] = ["metadata": ["total_size": totalBytes, "total_parameters": parameters], "weight_map": weightMap]
            try JSONSerialization.data(withJSONObject: index, options: [.prettyPrinted, .sortedKeys])
                .write(to: URL(fileURLWithPath: (out as NSString).appendingPathComponent(ShardIndex.fileName)))
            let config: [String: Any] = [
                "architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": d, "intermediate_size": s.intermediate,
                "num_hidden_layers": s.layers, "num_attention_heads": s.heads, "num_key_value_heads": s.kvHeads, "head_dim": hd,
                "vocab_size": s.vocab, "max_position_embeddings": s.context, "rms_norm_eps": 1e-5, "rope_theta": 10000.0,
                "hidden_act": "silu", "tie_word_embeddings": false, "attention_bias": false, "mlp_bias": false,
                "bos_token_id": 1, "eos_token_id": 2, "torch_dtype": "bfloat16",
            ]
            try JSONSerialization.data(withJSONObject: config, options: [.prettyPrinted, .sortedKeys])
                .write(to: URL(fileURLWithPath: (out as NSString).appendingPathComponent("config.json")))
            let tokenizer = (out as NSString).appendingPathComponent(HFModelDirectory.vocabularyGGUFFileName)
            try? FileManager.default.removeItem(atPath: tokenizer)
            try FileManager.default.copyItem(atPath: vocabulary, toPath: tokenizer)
            print(String(format: "random-model %@: %@ parameters, %.2f GB of bf16 in %d shards, in %@ (%.0f s)", shape, "\(parameters)",
                         Double(totalBytes) / 1e9, shards, out, Date().timeIntervalSince(start)))
        }
    }

    /// Uniform in ±0.02·√3 (std 0.02, the usual initializer scale), both cores.
    static func uniform(_ shape: [Int], _ rng: inout SplitMix64) -> Tensor {
        let t = Tensor(zeros: shape)
        let n = t.count, parts = 64
        let seeds = (0..<parts).map { _ in rng.next() }
        let p = UncheckedSendable(t.pointer)
        let a = Float(0.02 * 3.0.squareRoot())
        Parallel.forEach(parts) { part in
            var local = SplitMix64(seed: seeds[part])
            for i in (n * part / parts)..<(n * (part + 1) / parts) {
                p.value[i] = (Float(local.next() >> 40) / Float(1 << 24) * 2 - 1) * a
            }
        }
        return t
    }
}
