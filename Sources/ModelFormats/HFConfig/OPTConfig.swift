import Foundation

/// A Hugging Face `config.json` of OPT (`model_type` "opt"). Keys and defaults are transformers'.
public struct OPTConfig: Sendable, Equatable, Decodable {
    public var vocabSize: Int
    public var hiddenSize: Int
    public var numHiddenLayers: Int
    public var numAttentionHeads: Int
    public var ffnDim: Int
    public var maxPositionEmbeddings: Int
    /// Pre-LayerNorm (OPT-125m and most sizes) when true; post-LayerNorm (OPT-350m) when false.
    public var doLayerNormBefore: Bool
    /// "relu" in every released OPT.
    public var activationFunction: String
    public var enableBias: Bool
    public var tieWordEmbeddings: Bool
    /// Width of the word embeddings; when it differs from `hiddenSize` (OPT-350m: 512 vs 1024),
    /// `project_in` / `project_out` map between the two.
    public var wordEmbedProjDim: Int

    enum CodingKeys: String, CodingKey {
        case vocabSize = "vocab_size", hiddenSize = "hidden_size", numHiddenLayers = "num_hidden_layers"
        case numAttentionHeads = "num_attention_heads", ffnDim = "ffn_dim", maxPositionEmbeddings = "max_position_embeddings"
        case doLayerNormBefore = "do_layer_norm_before", activationFunction = "activation_function"
        case enableBias = "enable_bias", tieWordEmbeddings = "tie_word_embeddings"
        case wordEmbedProjDim = "word_embed_proj_dim", removeFinalLayerNorm = "_remove_final_layer_norm"
        case layerNormElementwiseAffine = "layer_norm_elementwise_affine"
    }

    public init(contentsOf path: String) throws { self = try FormatJSON.decode(Self.self, contentsOf: path) }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        vocabSize = try c.positiveInteger(.vocabSize)
        hiddenSize = try c.positiveInteger(.hiddenSize)
        numHiddenLayers = try c.positiveInteger(.numHiddenLayers)
        numAttentionHeads = try c.positiveInteger(.numAttentionHeads)
        _ = try c.headSize(hidden: hiddenSize, heads: numAttentionHeads, key: .numAttentionHeads)
        ffnDim = try c.positiveInteger(.ffnDim)
        maxPositionEmbeddings = try c.positiveInteger(.maxPositionEmbeddings)
        doLayerNormBefore = try c.decodeIfPresent(Bool.self, forKey: .doLayerNormBefore) ?? true
        activationFunction = try c.decodeIfPresent(String.self, forKey: .activationFunction) ?? "relu"
        enableBias = try c.decodeIfPresent(Bool.self, forKey: .enableBias) ?? true
        tieWordEmbeddings = try c.decodeIfPresent(Bool.self, forKey: .tieWordEmbeddings) ?? true
        wordEmbedProjDim = try c.positiveInteger(.wordEmbedProjDim, default: hiddenSize)
        if try c.decodeIfPresent(Bool.self, forKey: .removeFinalLayerNorm) == true {
            throw DecodingError.dataCorruptedError(forKey: .removeFinalLayerNorm, in: c,
                                                   debugDescription: "OPT without its final LayerNorm is not supported")
        }
        if try c.decodeIfPresent(Bool.self, forKey: .layerNormElementwiseAffine) == false {
            throw DecodingError.dataCorruptedError(forKey: .layerNormElementwiseAffine, in: c,
                                                   debugDescription: "LayerNorm without weight and bias is not supported")
        }
        guard ["relu", "gelu", "gelu_new"].contains(activationFunction) else {
            throw DecodingError.dataCorruptedError(forKey: .activationFunction, in: c,
                                                   debugDescription: "'\(MessageExcerpt.of(activationFunction))' is not supported (relu, gelu, gelu_new)")
        }
    }
}
