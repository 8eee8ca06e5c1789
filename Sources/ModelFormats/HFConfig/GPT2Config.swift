import Foundation

/// A Hugging Face `config.json` of GPT-2 (`model_type` "gpt2").
public struct GPT2Config: Sendable, Equatable, Decodable {
    public var vocabSize: Int
    public var nEmbd: Int
    public var nLayer: Int
    public var nHead: Int
    /// MLP width; `n_inner` null means 4 · n_embd.
    public var nInner: Int
    public var nPositions: Int
    public var layerNormEpsilon: Double
    /// "gelu_new" (tanh approximation) in the released models; "gelu", "relu" also accepted.
    public var activationFunction: String
    public var tieWordEmbeddings: Bool

    enum CodingKeys: String, CodingKey {
        case vocabSize = "vocab_size", nEmbd = "n_embd", nLayer = "n_layer", nHead = "n_head", nInner = "n_inner"
        case nPositions = "n_positions", layerNormEpsilon = "layer_norm_epsilon"
        case activationFunction = "activation_function", tieWordEmbeddings = "tie_word_embeddings"
        case scaleAttnWeights = "scale_attn_weights", scaleAttnByInverseLayerIdx = "scale_attn_by_inverse_layer_idx"
        case reorderAndUpcastAttn = "reorder_and_upcast_attn"
    }

    public init(contentsOf path: String) throws { self = try FormatJSON.decode(Self.self, contentsOf: path) }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        vocabSize = try c.positiveInteger(.vocabSize)
        nEmbd = try c.positiveInteger(.nEmbd)
        nLayer = try c.positiveInteger(.nLayer)
        nHead = try c.positiveInteger(.nHead)
        _ = try c.headSize(hidden: nEmbd, heads: nHead, key: .nHead)
        nInner = try c.positiveInteger(.nInner, default: 4 * nEmbd)
        nPositions = try c.positiveInteger(.nPositions, default: 1024)
        layerNormEpsilon = try c.positiveNumber(.layerNormEpsilon, default: 1e-5)
        activationFunction = try c.decodeIfPresent(String.self, forKey: .activationFunction) ?? "gelu_new"
        tieWordEmbeddings = try c.decodeIfPresent(Bool.self, forKey: .tieWordEmbeddings) ?? true
        guard ["gelu_new", "gelu_pytorch_tanh", "gelu", "relu"].contains(activationFunction) else {
            throw DecodingError.dataCorruptedError(forKey: .activationFunction, in: c,
                                                   debugDescription: "'\(MessageExcerpt.of(activationFunction))' is not supported (gelu_new, gelu, relu)")
        }
        if try c.decodeIfPresent(Bool.self, forKey: .scaleAttnWeights) == false {
            throw DecodingError.dataCorruptedError(forKey: .scaleAttnWeights, in: c,
                                                   debugDescription: "attention without 1/√head_dim scaling is not supported")
        }
        if try c.decodeIfPresent(Bool.self, forKey: .scaleAttnByInverseLayerIdx) == true {
            throw DecodingError.dataCorruptedError(forKey: .scaleAttnByInverseLayerIdx, in: c,
                                                   debugDescription: "per-layer attention scaling is not supported")
        }
    }

    public var headDim: Int { nEmbd / nHead }
}
