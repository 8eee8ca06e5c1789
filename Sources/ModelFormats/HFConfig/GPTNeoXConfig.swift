import Foundation

/// A Hugging Face `config.json` of GPT-NeoX / Pythia (`model_type` "gpt_neox"). The rotary
/// fraction and base are `rotary_pct` / `rotary_emb_base` (transformers 4) or
/// `rope_parameters.partial_rotary_factor` / `.rope_theta` (transformers 5).
public struct GPTNeoXConfig: Sendable, Equatable, Decodable {
    public var vocabSize: Int
    public var hiddenSize: Int
    public var numHiddenLayers: Int
    public var numAttentionHeads: Int
    public var intermediateSize: Int
    public var maxPositionEmbeddings: Int
    public var layerNormEps: Double
    public var hiddenAct: String
    public var rotaryPct: Double
    public var rotaryEmbBase: Double
    /// x + attn(ln1(x)) + mlp(ln2(x)) when true; x += attn(ln1(x)); x += mlp(ln2(x)) when false.
    public var useParallelResidual: Bool
    public var tieWordEmbeddings: Bool

    enum CodingKeys: String, CodingKey {
        case vocabSize = "vocab_size", hiddenSize = "hidden_size", numHiddenLayers = "num_hidden_layers"
        case numAttentionHeads = "num_attention_heads", intermediateSize = "intermediate_size"
        case maxPositionEmbeddings = "max_position_embeddings", layerNormEps = "layer_norm_eps", hiddenAct = "hidden_act"
        case rotaryPct = "rotary_pct", rotaryEmbBase = "rotary_emb_base", ropeParameters = "rope_parameters"
        case ropeScaling = "rope_scaling"
        case useParallelResidual = "use_parallel_residual", tieWordEmbeddings = "tie_word_embeddings"
        case attentionBias = "attention_bias"
    }

    enum RopeKeys: String, CodingKey {
        case partialRotaryFactor = "partial_rotary_factor", ropeTheta = "rope_theta", ropeType = "rope_type"
    }

    public init(contentsOf path: String) throws { self = try FormatJSON.decode(Self.self, contentsOf: path) }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        vocabSize = try c.positiveInteger(.vocabSize)
        hiddenSize = try c.positiveInteger(.hiddenSize)
        numHiddenLayers = try c.positiveInteger(.numHiddenLayers)
        numAttentionHeads = try c.positiveInteger(.numAttentionHeads)
        let headDim = try c.headSize(hidden: hiddenSize, heads: numAttentionHeads, key: .numAttentionHeads)
        intermediateSize = try c.positiveInteger(.intermediateSize)
        maxPositionEmbeddings = try c.positiveInteger(.maxPositionEmbeddings)
        layerNormEps = try c.positiveNumber(.layerNormEps, default: 1e-5)
        hiddenAct = try c.decodeIfPresent(String.self, forKey: .hiddenAct) ?? "gelu"
        useParallelResidual = try c.decodeIfPresent(Bool.self, forKey: .useParallelResidual) ?? true
        tieWordEmbeddings = try c.decodeIfPresent(Bool.self, forKey: .tieWordEmbeddings) ?? false
        var pct = try c.decodeIfPresent(Double.self, forKey: .rotaryPct)
        var base = try c.decodeIfPresent(Double.self, forKey: .rotaryEmbBase)
        for key in [CodingKeys.ropeParameters, .ropeScaling] where c.contains(key) {
            guard try !c.decodeNil(forKey: key) else { continue }
            let rope = try c.nestedContainer(keyedBy: RopeKeys.self, forKey: key)
            if let type = try rope.decodeIfPresent(String.self, forKey: .ropeType), type != "default" {
                throw DecodingError.dataCorruptedError(forKey: .ropeType, in: rope,
                                                       debugDescription: "RoPE type '\(MessageExcerpt.of(type))' is not supported for gpt_neox")
            }
            pct = try pct ?? rope.decodeIfPresent(Double.self, forKey: .partialRotaryFactor)
            base = try base ?? rope.decodeIfPresent(Double.self, forKey: .ropeTheta)
        }
        rotaryPct = pct ?? 0.25
        rotaryEmbBase = base ?? 10000
        guard rotaryPct > 0, rotaryPct <= 1, Int(Double(headDim) * rotaryPct) % 2 == 0 else {
            throw DecodingError.dataCorruptedError(forKey: .rotaryPct, in: c,
                                                   debugDescription: "\(rotaryPct) of head size \(headDim) is not an even number of rotary dimensions")
        }
        guard rotaryEmbBase > 0, rotaryEmbBase.isFinite else {
            throw DecodingError.dataCorruptedError(forKey: .rotaryEmbBase, in: c, debugDescription: "must be positive, is \(rotaryEmbBase)")
        }
        guard ["gelu", "gelu_new", "gelu_fast", "gelu_pytorch_tanh", "relu"].contains(hiddenAct) else {
            throw DecodingError.dataCorruptedError(forKey: .hiddenAct, in: c,
                                                   debugDescription: "'\(MessageExcerpt.of(hiddenAct))' is not supported (gelu, gelu_new, relu)")
        }
        if try c.decodeIfPresent(Bool.self, forKey: .attentionBias) == false {
            throw DecodingError.dataCorruptedError(forKey: .attentionBias, in: c,
                                                   debugDescription: "GPT-NeoX without attention biases is not supported")
        }
    }

    public var headDim: Int { hiddenSize / numAttentionHeads }
    /// Rotated dimensions of each head (the first ones): int(headDim · rotary_pct), as transformers.
    public var rotaryDim: Int { Int(Double(headDim) * rotaryPct) }
}
