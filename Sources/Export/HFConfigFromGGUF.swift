import Foundation
import ModelFormats
import Models

/// A transformers config.json for a Llama-family GGUF: hyperparameters from `<arch>.*` metadata
/// (rope_theta from `rope.freq_base`, bos/eos from `tokenizer.ggml.*`). The result is checked by
/// decoding it back into `LlamaHyperparameters` and comparing with the GGUF's: a GGUF whose RoPE
/// cannot be written as a config (precomputed `rope_freqs.weight`) is rejected.
public enum HFConfigFromGGUF {
    static let architectureClass = ["llama": "LlamaForCausalLM", "mistral": "MistralForCausalLM", "qwen2": "Qwen2ForCausalLM"]

    public static func config(of file: GGUFFile) throws -> LlamaConfig {
        let h = try LlamaGGUF.hyperparameters(file)
        let arch = h.architecture, md = file.metadata
        if file.contains("rope_freqs.weight") {
            throw ExportError("\(file.path): per-frequency RoPE factors (rope_freqs.weight) cannot be written as a config.json rope_scaling")
        }
        var json: [String: Any] = [
            "model_type": arch, "architectures": [architectureClass[arch] ?? "LlamaForCausalLM"],
            "hidden_size": h.hiddenSize, "intermediate_size": h.intermediateSize, "num_hidden_layers": h.layers,
            "num_attention_heads": h.heads, "num_key_value_heads": h.kvHeads, "head_dim": h.headDim,
            "rms_norm_eps": Double(h.rmsNormEps), "rope_theta": Double(md["\(arch).rope.freq_base"]?.asFloat ?? 10000),
            "max_position_embeddings": h.maxContext, "vocab_size": h.vocabSize, "tie_word_embeddings": h.tiedEmbeddings,
            "hidden_act": "silu",
        ]
        if arch == "llama" { json["attention_bias"] = h.attentionBias }
        if let window = h.slidingWindow { json["sliding_window"] = window }
        if let factor = md["\(arch).rope.scaling.factor"]?.asFloat, md["\(arch).rope.scaling.type"]?.asString == "linear" {
            json["rope_scaling"] = ["rope_type": "linear", "factor": Double(factor)]
        }
        if let bos = md["tokenizer.ggml.bos_token_id"]?.asInt { json["bos_token_id"] = bos }
        if let eos = md["tokenizer.ggml.eos_token_id"]?.asInt { json["eos_token_id"] = eos }
        let data = try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys])
        let config = try LlamaConfig(jsonData: data, file: file.path + " (derived config.json)")
        let back = try LlamaHyperparameters(config: config, file: file.path)
        guard back == h else {
            throw ExportError("\(file.path): the derived config.json does not reproduce the GGUF's hyperparameters")
        }
        return config
    }
}
