import Foundation

/// A Hugging Face `config.json` of the Gemma 3 text decoder (`model_type` "gemma3_text"). RoPE as
/// transformers 5 writes it (`rope_parameters` {full_attention, sliding_attention}) or as 4.x did
/// (`rope_theta`, `rope_local_base_freq`, `rope_scaling`); the global-layer pattern as
/// `layer_types` or `sliding_window_pattern`.
public struct Gemma3TextConfig: Sendable, Equatable, Decodable {
    public var vocabSize: Int
    public var hiddenSize: Int
    public var intermediateSize: Int
    public var numHiddenLayers: Int
    public var numAttentionHeads: Int
    public var numKeyValueHeads: Int
    public var headDim: Int
    public var rmsNormEps: Double
    public var maxPositionEmbeddings: Int
    public var slidingWindow: Int
    public var slidingWindowPattern: Int
    public var queryPreAttnScalar: Double
    public var finalLogitSoftcapping: Double?
    public var globalRopeTheta: Double
    /// Linear RoPE scaling factor of the global layers (the larger Gemma 3 models), nil when none.
    public var globalRopeLinearFactor: Double?
    public var localRopeTheta: Double

    enum CodingKeys: String, CodingKey {
        case vocabSize = "vocab_size", hiddenSize = "hidden_size", intermediateSize = "intermediate_size"
        case numHiddenLayers = "num_hidden_layers", numAttentionHeads = "num_attention_heads"
        case numKeyValueHeads = "num_key_value_heads", headDim = "head_dim", rmsNormEps = "rms_norm_eps"
        case maxPositionEmbeddings = "max_position_embeddings", slidingWindow = "sliding_window"
        case slidingWindowPattern = "sliding_window_pattern", layerTypes = "layer_types"
        case queryPreAttnScalar = "query_pre_attn_scalar", finalLogitSoftcapping = "final_logit_softcapping"
        case attnLogitSoftcapping = "attn_logit_softcapping"
        case ropeParameters = "rope_parameters", ropeTheta = "rope_theta", ropeLocalBaseFreq = "rope_local_base_freq"
        case ropeScaling = "rope_scaling"
    }

    enum AttentionKinds: String, CodingKey { case fullAttention = "full_attention", slidingAttention = "sliding_attention" }
    enum RopeKeys: String, CodingKey { case ropeType = "rope_type", ropeTheta = "rope_theta", factor }

    public init(contentsOf path: String) throws { self = try FormatJSON.decode(Self.self, contentsOf: path) }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        vocabSize = try c.positiveInteger(.vocabSize)
        hiddenSize = try c.positiveInteger(.hiddenSize)
        intermediateSize = try c.positiveInteger(.intermediateSize)
        numHiddenLayers = try c.positiveInteger(.numHiddenLayers)
        numAttentionHeads = try c.positiveInteger(.numAttentionHeads)
        numKeyValueHeads = try c.positiveInteger(.numKeyValueHeads, default: numAttentionHeads)
        headDim = try c.positiveInteger(.headDim, default: 256)
        rmsNormEps = try c.positiveNumber(.rmsNormEps, default: 1e-6)
        maxPositionEmbeddings = try c.positiveInteger(.maxPositionEmbeddings)
        slidingWindow = try c.positiveInteger(.slidingWindow, default: 4096)
        queryPreAttnScalar = try c.positiveNumber(.queryPreAttnScalar, default: 256)
        finalLogitSoftcapping = try c.decodeIfPresent(Double.self, forKey: .finalLogitSoftcapping)
        if try c.decodeIfPresent(Double.self, forKey: .attnLogitSoftcapping) != nil {
            throw DecodingError.dataCorruptedError(forKey: .attnLogitSoftcapping, in: c,
                                                   debugDescription: "attention logit soft-capping is not supported")
        }
        if let types = try c.decodeIfPresent([String].self, forKey: .layerTypes) {
            guard let first = types.firstIndex(of: "full_attention"),
                  types.enumerated().allSatisfy({ ($0.offset + 1) % (first + 1) == 0 ? $0.element == "full_attention" : $0.element == "sliding_attention" })
            else {
                throw DecodingError.dataCorruptedError(forKey: .layerTypes, in: c,
                                                       debugDescription: "only a repeating pattern of sliding layers then one full layer is supported")
            }
            slidingWindowPattern = first + 1
        } else {
            slidingWindowPattern = try c.positiveInteger(.slidingWindowPattern, default: 6)
        }
        if c.contains(.ropeParameters), try !c.decodeNil(forKey: .ropeParameters) {
            let kinds = try c.nestedContainer(keyedBy: AttentionKinds.self, forKey: .ropeParameters)
            let full = try kinds.nestedContainer(keyedBy: RopeKeys.self, forKey: .fullAttention)
            let local = try kinds.nestedContainer(keyedBy: RopeKeys.self, forKey: .slidingAttention)
            globalRopeTheta = try full.decodeIfPresent(Double.self, forKey: .ropeTheta) ?? 1_000_000
            globalRopeLinearFactor = try Self.linearFactor(full)
            localRopeTheta = try local.decodeIfPresent(Double.self, forKey: .ropeTheta) ?? 10_000
            if try Self.linearFactor(local) != nil {
                throw DecodingError.dataCorruptedError(forKey: .ropeType, in: local,
                                                       debugDescription: "scaled RoPE on sliding layers is not supported")
            }
        } else {
            globalRopeTheta = try c.decodeIfPresent(Double.self, forKey: .ropeTheta) ?? 1_000_000
            localRopeTheta = try c.decodeIfPresent(Double.self, forKey: .ropeLocalBaseFreq) ?? 10_000
            if c.contains(.ropeScaling), try !c.decodeNil(forKey: .ropeScaling) {
                globalRopeLinearFactor = try Self.linearFactor(c.nestedContainer(keyedBy: RopeKeys.self, forKey: .ropeScaling))
            } else {
                globalRopeLinearFactor = nil
            }
        }
    }

    private static func linearFactor(_ rope: KeyedDecodingContainer<RopeKeys>) throws -> Double? {
        switch try rope.decodeIfPresent(String.self, forKey: .ropeType) ?? "default" {
        case "default": return nil
        case "linear": return try rope.decode(Double.self, forKey: .factor)
        case let other:
            throw DecodingError.dataCorruptedError(forKey: .ropeType, in: rope, debugDescription: "RoPE type '\(MessageExcerpt.of(other))' is not supported for Gemma 3")
        }
    }
}
