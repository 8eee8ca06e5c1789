import TensorCore

/// The numbers that define a Llama-family network (Llama, SmolLM2, Mistral, Qwen2), whatever
/// file they came from.
public struct LlamaHyperparameters: Sendable, Equatable {
    public var architecture: String
    public var vocabSize: Int
    public var hiddenSize: Int
    public var intermediateSize: Int
    public var layers: Int
    public var heads: Int
    public var kvHeads: Int
    public var headDim: Int
    public var rmsNormEps: Float
    /// Inverse RoPE frequencies (headDim/2), scaling already applied.
    public var ropeInverseFrequencies: [Float]
    /// cos/sin multiplier (YaRN's attention factor; 1 otherwise).
    public var ropeAttentionScaling: Float
    public var maxContext: Int
    public var tiedEmbeddings: Bool
    /// q/k/v projections carry biases (Qwen2).
    public var attentionBias: Bool
    public var slidingWindow: Int?

    public init(
        architecture: String, vocabSize: Int, hiddenSize: Int, intermediateSize: Int, layers: Int,
        heads: Int, kvHeads: Int, headDim: Int, rmsNormEps: Float, ropeInverseFrequencies: [Float],
        ropeAttentionScaling: Float = 1, maxContext: Int, tiedEmbeddings: Bool, attentionBias: Bool,
        slidingWindow: Int? = nil
    ) {
        self.architecture = architecture
        self.vocabSize = vocabSize
        self.hiddenSize = hiddenSize
        self.intermediateSize = intermediateSize
        self.layers = layers
        self.heads = heads
        self.kvHeads = kvHeads
        self.headDim = headDim
        self.rmsNormEps = rmsNormEps
        self.ropeInverseFrequencies = ropeInverseFrequencies
        self.ropeAttentionScaling = ropeAttentionScaling
        self.maxContext = maxContext
        self.tiedEmbeddings = tiedEmbeddings
        self.attentionBias = attentionBias
        self.slidingWindow = slidingWindow
    }

    /// Checks that the numbers fit together; `file` names where they came from.
    public func validate(file: String) throws {
        func fail(_ field: String, _ why: String) -> ModelInputError {
            ModelInputError("\(file): \(field): \(why)")
        }
        for (name, v) in [("vocab_size", vocabSize), ("hidden_size", hiddenSize), ("intermediate_size", intermediateSize),
                          ("num_hidden_layers", layers), ("num_attention_heads", heads),
                          ("num_key_value_heads", kvHeads), ("head_dim", headDim), ("max_position_embeddings", maxContext)]
        where v <= 0 {
            throw fail(name, "must be positive, got \(v)")
        }
        if heads % kvHeads != 0 { throw fail("num_key_value_heads", "\(kvHeads) does not divide \(heads) heads") }
        if headDim % 2 != 0 { throw fail("head_dim", "must be even for RoPE, got \(headDim)") }
        if ropeInverseFrequencies.count != headDim / 2 {
            throw fail("rope", "\(ropeInverseFrequencies.count) frequencies for head_dim \(headDim)")
        }
        if !(rmsNormEps.isFinite && rmsNormEps > 0) { throw fail("rms_norm_eps", "must be a finite positive number, got \(rmsNormEps)") }
        if let bad = ropeInverseFrequencies.first(where: { !($0.isFinite && $0 > 0) }) {
            throw fail("rope_theta", "gives the inverse frequency \(bad): the RoPE base must be a finite positive number")
        }
        if !(ropeAttentionScaling.isFinite && ropeAttentionScaling > 0) {
            throw fail("rope_scaling", "attention factor \(ropeAttentionScaling) must be a finite positive number")
        }
    }
}
