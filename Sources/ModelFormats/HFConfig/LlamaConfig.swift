import Foundation

/// A Hugging Face `config.json` of the Llama family: `llama` (also SmolLM2, Llama 3.x), `mistral`
/// and `qwen2`. Keys are transformers' snake_case names; defaults are transformers' where a key is
/// optional. Decoding validates the values, so a decoded config is safe to build a model from.
public struct LlamaConfig: Sendable, Equatable {
    public enum ModelType: String, Sendable, CaseIterable {
        case llama, mistral, qwen2
    }

    public var modelType: ModelType
    public var architectures: [String]
    public var hiddenSize: Int
    public var intermediateSize: Int
    public var numHiddenLayers: Int
    public var numAttentionHeads: Int
    /// Defaults to `numAttentionHeads` (no grouped-query attention).
    public var numKeyValueHeads: Int
    /// Defaults to `hiddenSize / numAttentionHeads`.
    public var headDim: Int
    public var rmsNormEps: Double
    /// Defaults to 10000.
    public var ropeTheta: Double
    public var ropeScaling: RopeScaling?
    public var maxPositionEmbeddings: Int
    public var vocabSize: Int
    public var tieWordEmbeddings: Bool
    /// Biases on q/k/v/o projections: always true for qwen2 (q/k/v), `attention_bias` for llama.
    public var attentionBias: Bool
    /// Biases on the MLP projections (`mlp_bias`, llama only).
    public var mlpBias: Bool
    /// Attention window when sliding-window attention is on (mistral; qwen2 with
    /// `use_sliding_window`), else nil.
    public var slidingWindow: Int?
    public var bosTokenIDs: [Int]
    public var eosTokenIDs: [Int]
    public var hiddenAct: String
    /// `torch_dtype` (or transformers 5's `dtype`), e.g. "bfloat16".
    public var torchDtype: String?

    /// Reads and validates a config.json; errors name the file and the key.
    public init(contentsOf path: String) throws {
        self = try FormatJSON.decode(LlamaConfig.self, contentsOf: path)
    }

    public init(jsonData: Data, file: String = "config.json") throws {
        self = try FormatJSON.decode(LlamaConfig.self, from: jsonData, file: file)
    }

    /// The q/k heads per kv head.
    public var queryGroupSize: Int { numAttentionHeads / numKeyValueHeads }
}

extension LlamaConfig: Decodable {
    enum CodingKeys: String, CodingKey {
        case modelType = "model_type", architectures
        case hiddenSize = "hidden_size", intermediateSize = "intermediate_size"
        case numHiddenLayers = "num_hidden_layers", numAttentionHeads = "num_attention_heads"
        case numKeyValueHeads = "num_key_value_heads", headDim = "head_dim"
        case rmsNormEps = "rms_norm_eps", ropeTheta = "rope_theta"
        case ropeScaling = "rope_scaling", ropeParameters = "rope_parameters"
        case maxPositionEmbeddings = "max_position_embeddings", vocabSize = "vocab_size"
        case tieWordEmbeddings = "tie_word_embeddings", attentionBias = "attention_bias", mlpBias = "mlp_bias"
        case slidingWindow = "sliding_window", useSlidingWindow = "use_sliding_window"
        case bosTokenID = "bos_token_id", eosTokenID = "eos_token_id"
        case hiddenAct = "hidden_act", torchDtype = "torch_dtype", dtype
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let typeName = try c.decode(String.self, forKey: .modelType)
        guard let modelType = ModelType(rawValue: typeName) else {
            throw DecodingError.dataCorruptedError(
                forKey: .modelType, in: c,
                debugDescription: "model type '\(MessageExcerpt.of(typeName))' is not supported yet (supported: "
                    + ModelType.allCases.map(\.rawValue).joined(separator: ", ") + ")")
        }
        self.modelType = modelType
        architectures = try c.decodeIfPresent([String].self, forKey: .architectures) ?? []
        hiddenSize = try Self.positive(.hiddenSize, in: c)
        intermediateSize = try Self.positive(.intermediateSize, in: c)
        numHiddenLayers = try Self.positive(.numHiddenLayers, in: c)
        numAttentionHeads = try Self.positive(.numAttentionHeads, in: c)
        numKeyValueHeads = try Self.positive(.numKeyValueHeads, in: c, default: numAttentionHeads)
        headDim = try Self.decodeHeadDim(in: c, hiddenSize: hiddenSize, heads: numAttentionHeads)
        maxPositionEmbeddings = try Self.positive(.maxPositionEmbeddings, in: c)
        vocabSize = try Self.positive(.vocabSize, in: c)
        rmsNormEps = try c.decode(Double.self, forKey: .rmsNormEps)
        tieWordEmbeddings = try c.decodeIfPresent(Bool.self, forKey: .tieWordEmbeddings) ?? false
        attentionBias = modelType == .qwen2 ? true : try c.decodeIfPresent(Bool.self, forKey: .attentionBias) ?? false
        mlpBias = modelType == .llama ? try c.decodeIfPresent(Bool.self, forKey: .mlpBias) ?? false : false
        slidingWindow = try Self.decodeSlidingWindow(in: c, modelType: modelType)
        bosTokenIDs = try TokenIDList.decode(.bosTokenID, in: c)
        eosTokenIDs = try TokenIDList.decode(.eosTokenID, in: c)
        hiddenAct = try c.decodeIfPresent(String.self, forKey: .hiddenAct) ?? "silu"
        torchDtype = try c.decodeIfPresent(String.self, forKey: .torchDtype)
            ?? c.decodeIfPresent(String.self, forKey: .dtype)
        (ropeTheta, ropeScaling) = try Self.decodeRope(in: c, maxPositionEmbeddings: maxPositionEmbeddings)
        try validate(in: c)
    }

    private static func positive(_ key: CodingKeys, in c: KeyedDecodingContainer<CodingKeys>,
                                 default value: Int? = nil) throws -> Int {
        let decoded: Int
        if let value {
            decoded = try c.decodeIntegerIfPresent(forKey: key) ?? value
        } else {
            decoded = try c.decodeInteger(forKey: key)
        }
        guard decoded > 0 else {
            throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "must be positive, is \(decoded)")
        }
        return decoded
    }

    private static func decodeHeadDim(in c: KeyedDecodingContainer<CodingKeys>, hiddenSize: Int,
                                      heads: Int) throws -> Int {
        if try c.decodeIntegerIfPresent(forKey: .headDim) != nil {
            return try positive(.headDim, in: c)
        }
        guard hiddenSize % heads == 0 else {
            throw DecodingError.dataCorruptedError(
                forKey: .hiddenSize, in: c,
                debugDescription: "\(hiddenSize) is not divisible by num_attention_heads (\(heads)) and no head_dim is given")
        }
        return hiddenSize / heads
    }

    private static func decodeSlidingWindow(in c: KeyedDecodingContainer<CodingKeys>,
                                            modelType: ModelType) throws -> Int? {
        switch modelType {
        case .llama:
            return nil
        case .qwen2:
            guard try c.decodeIfPresent(Bool.self, forKey: .useSlidingWindow) ?? false else { return nil }
        case .mistral:
            break
        }
        guard let window = try c.decodeIntegerIfPresent(forKey: .slidingWindow) else { return nil }
        guard window > 0 else {
            throw DecodingError.dataCorruptedError(forKey: .slidingWindow, in: c,
                                                   debugDescription: "must be positive, is \(window)")
        }
        return window
    }

    /// `rope_theta` + `rope_scaling` (transformers 4), or `rope_parameters` holding both (transformers 5).
    private static func decodeRope(in c: KeyedDecodingContainer<CodingKeys>,
                                   maxPositionEmbeddings: Int) throws -> (Double, RopeScaling?) {
        var theta = try c.decodeIfPresent(Double.self, forKey: .ropeTheta)
        var scaling: RopeScaling?
        for key in [CodingKeys.ropeScaling, .ropeParameters] where c.contains(key) {
            guard try !c.decodeNil(forKey: key) else { continue }
            let nested = try c.nestedContainer(keyedBy: RopeScaling.Key.self, forKey: key)
            scaling = try RopeScaling.decode(from: nested, maxPositionEmbeddings: maxPositionEmbeddings)
            if theta == nil { theta = try nested.decodeIfPresent(Double.self, forKey: .ropeTheta) }
            break
        }
        let ropeTheta = theta ?? 10000
        guard ropeTheta > 0, ropeTheta.isFinite else {
            throw DecodingError.dataCorruptedError(forKey: .ropeTheta, in: c,
                                                   debugDescription: "must be positive, is \(ropeTheta)")
        }
        return (ropeTheta, scaling)
    }

    /// Checks that relate several keys.
    private func validate(in c: KeyedDecodingContainer<CodingKeys>) throws {
        guard numAttentionHeads % numKeyValueHeads == 0 else {
            throw DecodingError.dataCorruptedError(
                forKey: .numKeyValueHeads, in: c,
                debugDescription: "\(numKeyValueHeads) does not divide num_attention_heads (\(numAttentionHeads))")
        }
        guard headDim % 2 == 0 else {
            throw DecodingError.dataCorruptedError(forKey: .headDim, in: c,
                                                   debugDescription: "\(headDim) must be even for rotary embeddings")
        }
        guard rmsNormEps > 0, rmsNormEps.isFinite else {
            throw DecodingError.dataCorruptedError(forKey: .rmsNormEps, in: c,
                                                   debugDescription: "must be positive, is \(rmsNormEps)")
        }
        guard ["silu", "swish"].contains(hiddenAct) else {
            throw DecodingError.dataCorruptedError(
                forKey: .hiddenAct, in: c, debugDescription: "'\(MessageExcerpt.of(hiddenAct))' is not supported (the Llama family uses silu)")
        }
    }
}
