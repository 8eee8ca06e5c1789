import Foundation
import ModelFormats

/// `hf-config`: a config.json decoded as every family's config type (Llama/Mistral/Qwen2, Gemma 3,
/// OPT, BLOOM, GPT-2, GPT-NeoX) and as a GPTQ `quantization_config`; a decoded Llama config is
/// encoded back and its RoPE frequencies computed; the JSON is rewritten by `ConfigJSONText`.
enum HFConfigTarget {
    /// RoPE tables are computed for head sizes up to this (a model with a larger head is refused
    /// when it is built, which is not this target's business).
    static let maximumRopeHeadDim = 1 << 16

    static let target = FuzzTarget(
        name: "hf-config", summary: "config.json of every family, quantization_config, RoPE frequencies"
    ) { input in
        let path = Scratch.write(input.bytes, to: "config.json")
        ErrorCheck.attempt("model_type") { try HFModelType.read(contentsOf: path) }
        if let config = ErrorCheck.attempt("LlamaConfig", { try LlamaConfig(contentsOf: path) }) {
            _ = try? JSONEncoder().encode(config)
            _ = (config.queryGroupSize, config.headDim)
            if config.headDim <= maximumRopeHeadDim {
                _ = RopeFrequencies(config: config)
                _ = RopeFrequencies(config: config, sequenceLength: 1 << 20)
            }
        }
        ErrorCheck.attempt("Gemma3TextConfig") { try Gemma3TextConfig(contentsOf: path) }
        ErrorCheck.attempt("OPTConfig") { try OPTConfig(contentsOf: path) }
        ErrorCheck.attempt("BloomConfig") { try BloomConfig(contentsOf: path) }
        ErrorCheck.attempt("GPT2Config") { try GPT2Config(contentsOf: path) }
        ErrorCheck.attempt("GPTNeoXConfig") { try GPTNeoXConfig(contentsOf: path) }
        if let quantization = ErrorCheck.attempt("quantization_config", {
            try HFModelType.decode(QuantizationConfigFile.self, contentsOf: path).quantizationConfig
        }), let quantization {
            ErrorCheck.attempt("convention") { try quantization.convention(file: path) }
        }
        if let object = try? JSONSerialization.jsonObject(with: Data(input.bytes)) as? [String: Any] {
            _ = ConfigJSONText.text(object)
        }
    }

    private struct QuantizationConfigFile: Decodable {
        let quantizationConfig: GPTQQuantizationConfig?
        enum CodingKeys: String, CodingKey { case quantizationConfig = "quantization_config" }
    }
}
