import TensorCore

/// The numbers that define a Gemma 3 text decoder, whatever file they came from.
public struct Gemma3Hyperparameters: Sendable, Equatable {
    public var vocabSize: Int
    public var hiddenSize: Int
    public var intermediateSize: Int
    public var layers: Int
    public var heads: Int
    public var kvHeads: Int
    public var headDim: Int
    public var rmsNormEps: Float
    /// Inverse RoPE frequencies (headDim/2) of the global (full-attention) layers, scaling applied.
    public var globalRopeInverseFrequencies: [Float]
    /// Inverse RoPE frequencies of the local (sliding-window) layers.
    public var localRopeInverseFrequencies: [Float]
    /// Keys a local layer's query sees, itself included.
    public var slidingWindow: Int
    /// Every `slidingWindowPattern`-th layer (1-based) is global: layers 5, 11, 17 … for 6.
    public var slidingWindowPattern: Int
    /// Queries are scaled by queryPreAttentionScalar^-½ (HF `query_pre_attn_scalar`).
    public var queryPreAttentionScalar: Float
    /// logits ← cap·tanh(logits / cap) when set (HF `final_logit_softcapping`).
    public var finalLogitSoftcap: Float?
    public var maxContext: Int

    public init(
        vocabSize: Int, hiddenSize: Int, intermediateSize: Int, layers: Int, heads: Int, kvHeads: Int,
        headDim: Int, rmsNormEps: Float, globalRopeInverseFrequencies: [Float], localRopeInverseFrequencies: [Float],
        slidingWindow: Int, slidingWindowPattern: Int, queryPreAttentionScalar: Float, finalLogitSoftcap: Float?,
        maxContext: Int
    ) {
        self.vocabSize = vocabSize
        self.hiddenSize = hiddenSize
        self.intermediateSize = intermediateSize
        self.layers = layers
        self.heads = heads
        self.kvHeads = kvHeads
        self.headDim = headDim
        self.rmsNormEps = rmsNormEps
        self.globalRopeInverseFrequencies = globalRopeInverseFrequencies
        self.localRopeInverseFrequencies = localRopeInverseFrequencies
        self.slidingWindow = slidingWindow
        self.slidingWindowPattern = slidingWindowPattern
        self.queryPreAttentionScalar = queryPreAttentionScalar
        self.finalLogitSoftcap = finalLogitSoftcap
        self.maxContext = maxContext
    }

    /// Whether layer `index` (0-based) attends to the whole window (otherwise to the last
    /// `slidingWindow` tokens), as HF's `layer_types` and llama.cpp's swa pattern.
    public func isGlobal(layer index: Int) -> Bool { (index + 1) % slidingWindowPattern == 0 }

    /// The embedding multiplier √d, rounded to f32 as transformers does (`embed_scale` cast to the
    /// weights' dtype).
    public var embeddingScale: Float { Float(Double(hiddenSize).squareRoot()) }

    /// Checks that the numbers fit together; `file` names where they came from.
    public func validate(file: String) throws {
        func fail(_ field: String, _ why: String) -> ModelInputError { ModelInputError("\(file): \(field): \(why)") }
        for (name, v) in [("vocab_size", vocabSize), ("hidden_size", hiddenSize), ("intermediate_size", intermediateSize),
                          ("num_hidden_layers", layers), ("num_attention_heads", heads), ("num_key_value_heads", kvHeads),
                          ("head_dim", headDim), ("max_position_embeddings", maxContext), ("sliding_window", slidingWindow),
                          ("sliding_window_pattern", slidingWindowPattern)]
        where v <= 0 {
            throw fail(name, "must be positive, got \(v)")
        }
        if heads % kvHeads != 0 { throw fail("num_key_value_heads", "\(kvHeads) does not divide \(heads) heads") }
        if headDim % 2 != 0 { throw fail("head_dim", "must be even for RoPE, got \(headDim)") }
        for (name, f) in [("rope (global)", globalRopeInverseFrequencies), ("rope (local)", localRopeInverseFrequencies)]
        where f.count != headDim / 2 {
            throw fail(name, "\(f.count) frequencies for head_dim \(headDim)")
        }
        if !(rmsNormEps.isFinite && rmsNormEps > 0) { throw fail("rms_norm_eps", "must be a finite positive number, got \(rmsNormEps)") }
        for (name, f) in [("rope_theta", globalRopeInverseFrequencies), ("rope_local_base_freq", localRopeInverseFrequencies)] {
            if let bad = f.first(where: { !($0.isFinite && $0 > 0) }) {
                throw fail(name, "gives the inverse frequency \(bad): the RoPE base must be a finite positive number")
            }
        }
        if !(queryPreAttentionScalar > 0) { throw fail("query_pre_attn_scalar", "must be positive, got \(queryPreAttentionScalar)") }
        if let cap = finalLogitSoftcap, !(cap > 0) { throw fail("final_logit_softcapping", "must be positive, got \(cap)") }
    }
}
