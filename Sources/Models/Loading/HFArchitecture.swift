import ModelFormats

/// Picks the architecture of a Hugging Face checkpoint from config.json's `model_type` and builds it.
public enum HFArchitecture {
    /// `model_type` values the loader accepts.
    public static let supportedModelTypes = LlamaConfig.ModelType.allCases.map(\.rawValue) + ["gemma3_text", "opt", "bloom", "gpt2", "gpt_neox"]

    public static func build(configPath: String, weights: CanonicalWeights) throws -> any BlockwiseLanguageModel {
        let type = try HFModelType.read(contentsOf: configPath)
        switch type {
        case "opt": return try OPTModel(config: OPTConfig(contentsOf: configPath), weights: weights)
        case "bloom": return try BloomModel(config: BloomConfig(contentsOf: configPath), weights: weights)
        case "gpt2": return try GPT2Model(config: GPT2Config(contentsOf: configPath), weights: weights)
        case "gpt_neox": return try GPTNeoXModel(config: GPTNeoXConfig(contentsOf: configPath), weights: weights)
        case Gemma3HF.modelType:
            let h = try Gemma3HF.hyperparameters(Gemma3TextConfig(contentsOf: configPath), file: configPath)
            return try Gemma3Model(hyper: h, weights: weights)
        default:
            guard LlamaConfig.ModelType(rawValue: type) != nil else {
                throw FormatError(file: configPath, field: "model_type",
                                  "model type '\(type)' is not supported yet (supported: \(supportedModelTypes.joined(separator: ", ")))")
            }
            let config = try LlamaConfig(contentsOf: configPath)
            return try LlamaModel(hyper: LlamaHyperparameters(config: config, file: configPath), weights: weights)
        }
    }
}

extension HFArchitecture {
    /// The architecture (`model_type`) and its shape as `ptqlab inspect` shows them, from config.json alone.
    public static func describe(configPath: String) throws -> (architecture: String, shape: [String: String]) {
        let type = try HFModelType.read(contentsOf: configPath)
        func shape(layers: Int, hidden: Int, ffn: Int, heads: Int, vocab: Int, context: Int?, tied: Bool,
                   extra: [String: String]) -> [String: String] {
            var s = ["layers": "\(layers)", "hidden_size": "\(hidden)", "intermediate_size": "\(ffn)", "heads": "\(heads)",
                     "head_dim": "\(hidden / heads)", "vocab_size": "\(vocab)", "tied_embeddings": "\(tied)"]
            if let context { s["context"] = "\(context)" }
            return s.merging(extra) { $1 }
        }
        switch type {
        case "opt":
            let c = try OPTConfig(contentsOf: configPath)
            return (type, shape(layers: c.numHiddenLayers, hidden: c.hiddenSize, ffn: c.ffnDim, heads: c.numAttentionHeads,
                                vocab: c.vocabSize, context: c.maxPositionEmbeddings, tied: c.tieWordEmbeddings,
                                extra: ["positions": "learned (offset 2)", "layer_norm": c.doLayerNormBefore ? "pre" : "post",
                                        "activation": c.activationFunction, "word_embed_proj_dim": "\(c.wordEmbedProjDim)"]))
        case "bloom":
            let c = try BloomConfig(contentsOf: configPath)
            return (type, shape(layers: c.numHiddenLayers, hidden: c.hiddenSize, ffn: 4 * c.hiddenSize, heads: c.numAttentionHeads,
                                vocab: c.vocabSize, context: nil, tied: c.tieWordEmbeddings,
                                extra: ["positions": "ALiBi", "layer_norm_eps": "\(c.layerNormEpsilon)"]))
        case "gpt2":
            let c = try GPT2Config(contentsOf: configPath)
            return (type, shape(layers: c.nLayer, hidden: c.nEmbd, ffn: c.nInner, heads: c.nHead, vocab: c.vocabSize,
                                context: c.nPositions, tied: c.tieWordEmbeddings,
                                extra: ["positions": "learned", "activation": c.activationFunction]))
        case "gpt_neox":
            let c = try GPTNeoXConfig(contentsOf: configPath)
            return (type, shape(layers: c.numHiddenLayers, hidden: c.hiddenSize, ffn: c.intermediateSize, heads: c.numAttentionHeads,
                                vocab: c.vocabSize, context: c.maxPositionEmbeddings, tied: c.tieWordEmbeddings,
                                extra: ["positions": "rotary on \(c.rotaryDim) of \(c.headDim) dims (θ \(c.rotaryEmbBase))",
                                        "parallel_residual": "\(c.useParallelResidual)", "activation": c.hiddenAct]))
        case Gemma3HF.modelType:
            let h = try Gemma3HF.hyperparameters(Gemma3TextConfig(contentsOf: configPath), file: configPath)
            return (Gemma3GGUF.architecture, ModelInspector.describe(h))
        default:
            let config = try LlamaConfig(contentsOf: configPath)
            let h = try LlamaHyperparameters(config: config, file: configPath)
            return (h.architecture, ModelInspector.describe(h))
        }
    }
}
