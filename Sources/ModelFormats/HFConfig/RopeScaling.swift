/// `rope_scaling` of a Hugging Face config (also read from transformers 5's `rope_parameters`).
/// `null` and `rope_type: "default"` mean no scaling (`LlamaConfig.ropeScaling == nil`).
public enum RopeScaling: Sendable, Equatable {
    /// Positions divided by `factor` (equivalently, inverse frequencies divided by it).
    case linear(factor: Double)
    /// NTK-aware: the base grows with the sequence length once it exceeds max_position_embeddings.
    case dynamic(factor: Double)
    /// Llama 3.1: low frequencies divided by `factor`, high ones kept, a smooth ramp between.
    case llama3(Llama3RopeScaling)
    /// YaRN: per-dimension blend of interpolation and extrapolation, plus an attention factor.
    case yarn(YarnRopeScaling)

    /// The `rope_type` name.
    public var typeName: String {
        switch self {
        case .linear: "linear"
        case .dynamic: "dynamic"
        case .llama3: "llama3"
        case .yarn: "yarn"
        }
    }

    public static let supportedTypeNames = ["default", "linear", "dynamic", "llama3", "yarn"]
}

public struct Llama3RopeScaling: Sendable, Equatable {
    public var factor: Double
    public var lowFreqFactor: Double
    public var highFreqFactor: Double
    public var originalMaxPositionEmbeddings: Int

    public init(factor: Double, lowFreqFactor: Double, highFreqFactor: Double, originalMaxPositionEmbeddings: Int) {
        self.factor = factor
        self.lowFreqFactor = lowFreqFactor
        self.highFreqFactor = highFreqFactor
        self.originalMaxPositionEmbeddings = originalMaxPositionEmbeddings
    }
}

public struct YarnRopeScaling: Sendable, Equatable {
    public var factor: Double
    public var originalMaxPositionEmbeddings: Int
    public var betaFast: Double
    public var betaSlow: Double
    public var mscale: Double?
    public var mscaleAllDim: Double?
    /// When nil, derived from `factor` (and `mscale` / `mscaleAllDim`), as transformers does.
    public var attentionFactor: Double?
    public var truncate: Bool

    public init(factor: Double, originalMaxPositionEmbeddings: Int, betaFast: Double = 32, betaSlow: Double = 1,
                mscale: Double? = nil, mscaleAllDim: Double? = nil, attentionFactor: Double? = nil,
                truncate: Bool = true) {
        self.factor = factor
        self.originalMaxPositionEmbeddings = originalMaxPositionEmbeddings
        self.betaFast = betaFast
        self.betaSlow = betaSlow
        self.mscale = mscale
        self.mscaleAllDim = mscaleAllDim
        self.attentionFactor = attentionFactor
        self.truncate = truncate
    }
}
