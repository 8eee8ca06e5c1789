import TensorCore

/// The Llama family (Llama 1–3, SmolLM2, Mistral, Qwen2) in f32:
///   x = embed(tokens); for each block: x += attn(rmsnorm(x)); x += mlp(rmsnorm(x))
///   logits = rmsnorm(x) · Wₗₘᵀ   (Wₗₘ = embedding when tied)
public final class LlamaModel: ScratchBlockStack, @unchecked Sendable {
    /// The numbers that define the network.
    public let hyper: LlamaHyperparameters
    /// Token embeddings (vocab, d), held once (the head's own table when tied).
    public let tokenTable: WeightMatrix
    /// The decoder blocks, in order.
    public let blocks: [LlamaBlock]
    /// Final RMSNorm weight (d).
    public let finalNorm: Tensor
    /// The LM head over `lmHead`, 256-row chunks.
    public let head: LogitHead
    let rope: RopeTable

    /// Loads every weight of the network `h` describes from `weights`.
    public init(hyper h: LlamaHyperparameters, weights: CanonicalWeights) throws {
        try h.validate(file: weights.sourcePath)
        hyper = h
        tokenTable = .tokenTable(name: "model.embed_tokens",
                                  try weights.linearWeight("model.embed_tokens.weight", shape: [h.vocabSize, h.hiddenSize]))
        var bs: [LlamaBlock] = []
        for i in 0..<h.layers { bs.append(try LlamaBlock(index: i, weights: weights, h: h)) }
        blocks = bs
        finalNorm = try weights.tensor("model.norm.weight", shape: [h.hiddenSize])
        if !h.tiedEmbeddings || weights.contains("lm_head.weight") {
            head = LogitHead(name: "lm_head", weight: try weights.linearWeight("lm_head.weight", shape: [h.vocabSize, h.hiddenSize]))
        } else {
            head = LogitHead(table: tokenTable)
        }
        rope = RopeTable(inverseFrequencies: h.ropeInverseFrequencies, maxPositions: h.maxContext,
                         attentionScaling: h.ropeAttentionScaling)
        BLAS.useOwnThreads()
    }

    /// Token embeddings (vocab, d), row-major (see `WeightMatrix.tensor`).
    public var embedding: Tensor { tokenTable.tensor }
    /// LM head weight (vocab, d); the embedding when tied.
    public var lmHead: Tensor { head.weight }
    /// Whether the LM head is the token embedding.
    public var headIsTiedToEmbedding: Bool { head.table === tokenTable }
    public var architecture: String { hyper.architecture }
    public var vocabularySize: Int { hyper.vocabSize }
    public var maxContext: Int { hyper.maxContext }
    public var hiddenSize: Int { hyper.hiddenSize }
    public var blockCount: Int { blocks.count }
    public var linearLayers: [Linear] { blocks.flatMap(\.linears) }
    public func linears(ofBlock index: Int) -> [Linear] { blocks[index].linears }

    /// Final normalised hidden states (B·T, d).
    public func hiddenStates(windows: [[Int32]], observer: LinearInputObserver?) throws -> Tensor {
        let x = try embed(windows: windows)
        runBlocks(x.pointer, windows: windows.count, tokens: windows[0].count, observer: observer)
        normalize(x.pointer, rows: x.shape[0])
        return x
    }

    /// x (B·T, d) = embedding rows of every window's tokens.
    public func embed(windows: [[Int32]]) throws -> Tensor {
        _ = try TokenWindows.check(windows, maxContext: maxContext, vocabularySize: vocabularySize)
        return TokenWindows.gather(windows, from: tokenTable)
    }

    /// x (tokens.count, d) = embedding rows of `tokens`.
    func embed(_ tokens: [Int32], into x: UnsafeMutablePointer<Float>) throws {
        try TokenWindows.checkIDs(tokens, vocabularySize: vocabularySize)
        tokenTable.gatherRows(tokens, into: x)
    }

    /// The activation buffers of one forward pass over `rows` token rows.
    public func scratch(rows: Int) -> LlamaScratch { LlamaScratch(rows: rows, h: hyper) }

    /// Block `index` on x (B·T, d), in place.
    public func runBlock(_ index: Int, _ x: UnsafeMutablePointer<Float>, windows: Int, tokens: Int, scratch: LlamaScratch,
                         observer: LinearInputObserver?) {
        blocks[index].forward(x, windows: windows, tokens: tokens, h: hyper, rope: rope, scratch: scratch, observer: observer)
    }

    /// Final norm of x (rows, d), in place, then the LM head's logits.
    public func emitLogits(_ x: UnsafeMutablePointer<Float>, rows: Int,
                           _ logits: (_ firstRow: Int, _ rows: Int, _ values: UnsafePointer<Float>) -> Void) {
        normalize(x, rows: rows)
        head.logits(x, rows: rows, logits)
    }

    /// x (rows, d) ← rmsnorm(x) · finalNorm, in place.
    func normalize(_ x: UnsafeMutablePointer<Float>, rows: Int) {
        RMSNorm.apply(x, rows: rows, n: hyper.hiddenSize, weight: finalNorm.pointer, eps: hyper.rmsNormEps, out: x)
    }
}
