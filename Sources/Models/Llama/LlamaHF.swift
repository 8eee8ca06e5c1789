import Foundation
import ModelFormats

/// A transformers config.json for a Llama-family GGUF: hyperparameters from `<arch>.*` metadata
/// (rope_theta from `rope.freq_base`, bos/eos from `tokenizer.ggml.*`). The config is checked by
/// decoding what would be written back into `LlamaHyperparameters` and comparing with the GGUF's:
/// a GGUF whose RoPE cannot be written as a config (precomputed `rope_freqs.weight`) is rejected.
public enum LlamaHF {
    /// The config of `file`, whose model transformers names `hfClass` (e.g. "Qwen2ForCausalLM").
    public static func config(fromGGUF file: GGUFFile, hfClass: String) throws -> LlamaConfig {
        let h = try LlamaGGUF.hyperparameters(file)
        let arch = h.architecture, md = file.metadata
        if file.contains("rope_freqs.weight") {
            throw FormatError(file: file.path, field: "rope_freqs.weight",
                              "per-frequency RoPE factors cannot be written as a config.json rope_scaling")
        }
        var json: [String: Any] = [
            "model_type": arch, "architectures": [hfClass],
            "hidden_size": h.hiddenSize, "intermediate_size": h.intermediateSize, "num_hidden_layers": h.layers,
            "num_attention_heads": h.heads, "num_key_value_heads": h.kvHeads, "head_dim": h.headDim,
            "rms_norm_eps": Double(h.rmsNormEps), "rope_theta": Double(md["\(arch).rope.freq_base"]?.asFloat ?? 10000),
            "max_position_embeddings": h.maxContext, "vocab_size": h.vocabSize, "tie_word_embeddings": h.tiedEmbeddings,
            "hidden_act": "silu", "attention_bias": h.attentionBias,
        ]
        if let window = h.slidingWindow { json["sliding_window"] = window }
        if let factor = md["\(arch).rope.scaling.factor"]?.asFloat, md["\(arch).rope.scaling.type"]?.asString == "linear" {
            json["rope_scaling"] = ["rope_type": "linear", "factor": Double(factor)]
        }
        if let bos = md["tokenizer.ggml.bos_token_id"]?.asInt { json["bos_token_id"] = bos }
        if let eos = md["tokenizer.ggml.eos_token_id"]?.asInt { json["eos_token_id"] = eos }
        let derived = file.path + " (derived config.json)"
        let config = try LlamaConfig(jsonData: try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]),
                                     file: derived)
        // What is written (the config's encoding) must read back as the GGUF's hyperparameters.
        let written = try LlamaConfig(jsonData: try JSONEncoder().encode(config), file: derived)
        guard try LlamaHyperparameters(config: written, file: file.path) == h else {
            throw FormatError(file: file.path, field: "config.json", "the derived config.json does not reproduce the GGUF's hyperparameters")
        }
        return config
    }
}
