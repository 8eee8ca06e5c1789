import ModelFormats
import TensorCore

/// BLOOM in f32:
///   x = word_embeddings_layernorm(word_embeddings(tokens));  for each block: BloomBlock (ALiBi)
///   logits = ln_f(x) · word_embeddingsᵀ  (tied)
public final class BloomModel: ScratchBlockStack, HFCheckpointTensors, @unchecked Sendable {
    /// BLOOM has no position embeddings; this bounds the window (ALiBi itself has no limit).
    public static let maxContext = 2048

    public let config: BloomConfig
    /// word_embeddings (vocab, d), held once (the head's own table when tied).
    public let tokenTable: WeightMatrix
    /// The token table row-major (see `WeightMatrix.tensor`).
    public var tokenEmbedding: Tensor { tokenTable.tensor }
    public let embeddingNorm: LayerNormWeights
    public let blocks: [BloomBlock]
    public let finalNorm: LayerNormWeights
    public let head: LogitHead
    public let slopes: [Float]           // ALiBi, one per head
    let untiedHead: Bool

    public init(config c: BloomConfig, weights: CanonicalWeights) throws {
        if c.applyResidualConnectionPostLayernorm {
            throw FormatError(file: weights.sourcePath, field: "apply_residual_connection_post_layernorm",
                              "residuals taken after the LayerNorm are not supported")
        }
        config = c
        let d = c.hiddenSize, eps = Float(c.layerNormEpsilon)
        tokenTable = .tokenTable(name: "transformer.word_embeddings", try weights.linearWeight("transformer.word_embeddings.weight", shape: [c.vocabSize, d]))
        embeddingNorm = try LayerNormWeights("transformer.word_embeddings_layernorm", size: d, eps: eps, weights: weights)
        blocks = try (0..<c.numHiddenLayers).map { try BloomBlock(index: $0, config: c, weights: weights) }
        finalNorm = try LayerNormWeights("transformer.ln_f", size: d, eps: eps, weights: weights)
        untiedHead = !c.tieWordEmbeddings || weights.contains("lm_head.weight")
        head = untiedHead ? LogitHead(name: "lm_head", weight: try weights.linearWeight("lm_head.weight", shape: [c.vocabSize, d])) : LogitHead(table: tokenTable)
        slopes = ALiBi.slopes(heads: c.numAttentionHeads)
        BLAS.useOwnThreads()
    }

    public var architecture: String { ModelFamilies.bloom.architecture }
    public var vocabularySize: Int { config.vocabSize }
    public var maxContext: Int { Self.maxContext }
    public var hiddenSize: Int { config.hiddenSize }
    public var blockCount: Int { blocks.count }
    public var linearLayers: [Linear] { blocks.flatMap(\.linears) }
    public func linears(ofBlock index: Int) -> [Linear] { blocks[index].linears }

    public func scratch(rows: Int) -> ScratchBuffers { BloomBlock.scratch(rows: rows, config: config) }

    public func runBlock(_ index: Int, _ x: UnsafeMutablePointer<Float>, windows: Int, tokens: Int, scratch: ScratchBuffers,
                         observer: LinearInputObserver?) {
        blocks[index].forward(x, windows: windows, tokens: tokens, config: config, slopes: slopes, scratch: scratch, observer: observer)
    }

    public func emitLogits(_ x: UnsafeMutablePointer<Float>, rows: Int,
                           _ logits: (_ firstRow: Int, _ rows: Int, _ values: UnsafePointer<Float>) -> Void) {
        finalNorm.apply(x, rows: rows, out: x)
        head.logits(x, rows: rows, logits)
    }

    /// x (B·T, d) = word_embeddings_layernorm(word_embeddings[tokens])
    public func embed(windows: [[Int32]]) throws -> Tensor {
        _ = try TokenWindows.check(windows, maxContext: maxContext, vocabularySize: vocabularySize)
        let x = TokenWindows.gather(windows, from: tokenTable)
        embeddingNorm.apply(x.pointer, rows: x.shape[0], out: x.pointer)
        return x
    }

    public func hfTensors() -> [(name: String, tensor: Tensor)] {
        var t: [(String, Tensor)] = [("transformer.word_embeddings.weight", tokenEmbedding)]
        t += embeddingNorm.namedTensors + blocks.flatMap(\.namedTensors) + finalNorm.namedTensors
        if untiedHead { t.append(("lm_head.weight", head.weight)) }
        return t.map { (name: $0.0, tensor: $0.1) }
    }
}
