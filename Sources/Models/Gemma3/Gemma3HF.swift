import Foundation
import ModelFormats

/// Gemma 3 as a Hugging Face `gemma3_text` checkpoint: hyperparameters from its config.json, and
/// the config.json transformers 5 reads for a model that came from a GGUF.
public enum Gemma3HF {
    public static func hyperparameters(_ c: Gemma3TextConfig, file: String) throws -> Gemma3Hyperparameters {
        let global = RopeFrequencies(headDim: c.headDim, ropeTheta: c.globalRopeTheta,
                                     scaling: c.globalRopeLinearFactor.map { .linear(factor: $0) },
                                     maxPositionEmbeddings: c.maxPositionEmbeddings).inverseFrequencies
        let local = RopeFrequencies(headDim: c.headDim, ropeTheta: c.localRopeTheta, scaling: nil,
                                    maxPositionEmbeddings: c.maxPositionEmbeddings).inverseFrequencies
        let h = Gemma3Hyperparameters(
            vocabSize: c.vocabSize, hiddenSize: c.hiddenSize, intermediateSize: c.intermediateSize, layers: c.numHiddenLayers,
            heads: c.numAttentionHeads, kvHeads: c.numKeyValueHeads, headDim: c.headDim, rmsNormEps: Float(c.rmsNormEps),
            globalRopeInverseFrequencies: global, localRopeInverseFrequencies: local, slidingWindow: c.slidingWindow,
            slidingWindowPattern: c.slidingWindowPattern, queryPreAttentionScalar: Float(c.queryPreAttnScalar),
            finalLogitSoftcap: c.finalLogitSoftcapping.map(Float.init), maxContext: c.maxPositionEmbeddings)
        try h.validate(file: file)
        return h
    }

    /// config.json for a Gemma 3 GGUF, naming the model `modelType` / `hfClass`: shape from the
    /// hyperparameters, RoPE bases and scaling from the `gemma3.rope.*` metadata (as `Gemma3GGUF`
    /// reads them). Checked by decoding it back.
    public static func configJSON(fromGGUF file: GGUFFile, hyper h: Gemma3Hyperparameters, modelType: String,
                                  hfClass: String) throws -> [String: Any] {
        let md = file.metadata, arch = Gemma3GGUF.architecture
        var full: [String: Any] = ["rope_type": "default", "rope_theta": md["\(arch).rope.freq_base"]?.asFloat ?? 1_000_000]
        if md["\(arch).rope.scaling.type"]?.asString == "linear" {
            full["rope_type"] = "linear"
            full["factor"] = md["\(arch).rope.scaling.factor"]?.asFloat ?? 1
        }
        let local: [String: Any] = ["rope_type": "default", "rope_theta": md["\(arch).rope.freq_base_swa"]?.asFloat ?? Float(10_000)]
        let json: [String: Any] = [
            "model_type": modelType, "architectures": [hfClass], "vocab_size": h.vocabSize,
            "hidden_size": h.hiddenSize, "intermediate_size": h.intermediateSize, "num_hidden_layers": h.layers,
            "num_attention_heads": h.heads, "num_key_value_heads": h.kvHeads, "head_dim": h.headDim,
            "rms_norm_eps": h.rmsNormEps, "max_position_embeddings": h.maxContext, "sliding_window": h.slidingWindow,
            "layer_types": (0..<h.layers).map { h.isGlobal(layer: $0) ? "full_attention" : "sliding_attention" },
            // an integer in transformers' config class (float values are kept as floats)
            "query_pre_attn_scalar": h.queryPreAttentionScalar == h.queryPreAttentionScalar.rounded()
                ? Int(h.queryPreAttentionScalar) as Any : h.queryPreAttentionScalar as Any,
            "final_logit_softcapping": h.finalLogitSoftcap.map { $0 as Any } ?? NSNull(),
            "rope_parameters": ["full_attention": full, "sliding_attention": local], "tie_word_embeddings": true,
            "hidden_activation": "gelu_pytorch_tanh",
            "bos_token_id": md["tokenizer.ggml.bos_token_id"]?.asInt ?? 2, "eos_token_id": md["tokenizer.ggml.eos_token_id"]?.asInt ?? 1,
            "pad_token_id": md["tokenizer.ggml.padding_token_id"]?.asInt ?? 0,
        ]
        let data = Data(ConfigJSONText.text(json).utf8)
        let back = try hyperparameters(try JSONDecoder().decode(Gemma3TextConfig.self, from: data), file: file.path)
        guard back == h else {
            throw FormatError(file: file.path, field: "config.json", "the derived Gemma 3 config does not reproduce the GGUF's hyperparameters")
        }
        return json
    }
}
