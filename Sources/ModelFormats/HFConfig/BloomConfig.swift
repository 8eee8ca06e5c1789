import Foundation

/// A Hugging Face `config.json` of BLOOM (`model_type` "bloom"). transformers accepts `n_layer`,
/// `n_head` and `n_embed` as aliases of the canonical names; so does this.
public struct BloomConfig: Sendable, Equatable, Decodable {
    public var vocabSize: Int
    public var hiddenSize: Int
    public var numHiddenLayers: Int
    public var numAttentionHeads: Int
    public var layerNormEpsilon: Double
    /// Residual taken after the LayerNorm instead of before (false in every released BLOOM).
    public var applyResidualConnectionPostLayernorm: Bool
    public var tieWordEmbeddings: Bool

    enum CodingKeys: String, CodingKey {
        case vocabSize = "vocab_size", hiddenSize = "hidden_size", nEmbed = "n_embed"
        case numHiddenLayers = "num_hidden_layers", nLayer = "n_layer"
        case numAttentionHeads = "num_attention_heads", nHead = "n_head"
        case layerNormEpsilon = "layer_norm_epsilon", tieWordEmbeddings = "tie_word_embeddings"
        case applyResidualConnectionPostLayernorm = "apply_residual_connection_post_layernorm"
    }

    public init(contentsOf path: String) throws { self = try FormatJSON.decode(Self.self, contentsOf: path) }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        vocabSize = try c.positiveInteger(.vocabSize)
        hiddenSize = try c.contains(.hiddenSize) ? c.positiveInteger(.hiddenSize) : c.positiveInteger(.nEmbed)
        numHiddenLayers = try c.contains(.numHiddenLayers) ? c.positiveInteger(.numHiddenLayers) : c.positiveInteger(.nLayer)
        numAttentionHeads = try c.contains(.numAttentionHeads) ? c.positiveInteger(.numAttentionHeads) : c.positiveInteger(.nHead)
        _ = try c.headSize(hidden: hiddenSize, heads: numAttentionHeads,
                           key: c.contains(.numAttentionHeads) ? .numAttentionHeads : .nHead)
        layerNormEpsilon = try c.positiveNumber(.layerNormEpsilon, default: 1e-5)
        applyResidualConnectionPostLayernorm = try c.decodeIfPresent(Bool.self, forKey: .applyResidualConnectionPostLayernorm) ?? false
        tieWordEmbeddings = try c.decodeIfPresent(Bool.self, forKey: .tieWordEmbeddings) ?? true
    }

    public var headDim: Int { hiddenSize / numAttentionHeads }
}
