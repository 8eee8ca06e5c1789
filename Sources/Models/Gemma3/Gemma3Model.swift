import ModelFormats
import TensorCore

/// Gemma 3 (text) in f32:
///   x = embed(tokens) · √d;  for each block: x += postNorm(attn(norm(x))); x += postNorm(mlp(norm(x)))
///   logits = rmsnorm(x) · Eᵀ  (tied embeddings; soft-capped as cap·tanh(logits/cap) when configured)
/// Local and global layers use separate RoPE tables. Every linear layer is the shared `Linear`, so
/// every quantization method and input capture applies unchanged.
public final class Gemma3Model: ScratchBlockStack, @unchecked Sendable {
    /// Rows of logits per LM-head chunk: bounds memory to 128 × 262,144 floats (128 MiB).
    static let logitChunkRows = 128

    /// The numbers that define the network.
    public let hyper: Gemma3Hyperparameters
    /// Token embeddings (vocab, d), unscaled, held once; also the LM head.
    public let tokenTable: WeightMatrix
    /// The decoder blocks, in order.
    public let blocks: [Gemma3Block]
    /// Final RMSNorm weight w (d), applied as 1 + w.
    public let finalNorm: Tensor
    /// The tied LM head: 128-row chunks, soft-capped when the model says so.
    public let head: LogitHead
    let localRope: RopeTable
    let globalRope: RopeTable

    /// Loads every weight of the network `h` describes from `weights`.
    public init(hyper h: Gemma3Hyperparameters, weights: CanonicalWeights) throws {
        try h.validate(file: weights.sourcePath)
        hyper = h
        tokenTable = .tokenTable(name: "model.embed_tokens",
                                  try weights.linearWeight("model.embed_tokens.weight", shape: [h.vocabSize, h.hiddenSize]))
        blocks = try (0..<h.layers).map { try Gemma3Block(index: $0, weights: weights, h: h) }
        finalNorm = try weights.tensor("model.norm.weight", shape: [h.hiddenSize])
        if weights.contains("lm_head.weight") {
            throw FormatError(file: weights.sourcePath, field: "lm_head.weight",
                              "Gemma 3 ties its LM head to the embedding; a separate head is not supported")
        }
        head = LogitHead(table: tokenTable, chunkRows: Self.logitChunkRows,
                         transform: h.finalLogitSoftcap.map(LogitHead.softCapping))
        localRope = RopeTable(inverseFrequencies: h.localRopeInverseFrequencies, maxPositions: h.maxContext)
        globalRope = RopeTable(inverseFrequencies: h.globalRopeInverseFrequencies, maxPositions: h.maxContext)
        BLAS.useOwnThreads()
    }

    /// Token embeddings (vocab, d), row-major (see `WeightMatrix.tensor`).
    public var embedding: Tensor { tokenTable.tensor }
    public var architecture: String { Gemma3GGUF.architecture }
    public var vocabularySize: Int { hyper.vocabSize }
    public var maxContext: Int { hyper.maxContext }
    public var blockCount: Int { blocks.count }
    public var hiddenSize: Int { hyper.hiddenSize }
    public var linearLayers: [Linear] { blocks.flatMap(\.linears) }
    public func linears(ofBlock index: Int) -> [Linear] { blocks[index].linears }

    /// Final normalised hidden states (B·T, d).
    public func hiddenStates(windows: [[Int32]], observer: LinearInputObserver?) throws -> Tensor {
        let x = try embed(windows: windows)
        runBlocks(x.pointer, windows: windows.count, tokens: windows[0].count, observer: observer)
        normalize(x.pointer, rows: x.shape[0])
        return x
    }

    /// Token embeddings of equal-length windows, scaled by √d: (B·T, d).
    public func embed(windows: [[Int32]]) throws -> Tensor {
        _ = try TokenWindows.check(windows, maxContext: maxContext, vocabularySize: vocabularySize)
        let x = TokenWindows.gather(windows, from: tokenTable)
        // x (N, d) ← x · √d (f32, as transformers)
        let scale = hyper.embeddingScale, p = x.pointer
        for i in 0..<x.count { p[i] *= scale }
        return x
    }

    /// The activation buffers of one forward pass over `rows` token rows.
    public func scratch(rows: Int) -> Gemma3Scratch { Gemma3Scratch(rows: rows, h: hyper) }

    /// Block `index` on x (B·T, d), in place.
    public func runBlock(_ index: Int, _ x: UnsafeMutablePointer<Float>, windows: Int, tokens: Int, scratch: Gemma3Scratch,
                         observer: LinearInputObserver?) {
        let block = blocks[index]
        block.forward(x, windows: windows, tokens: tokens, h: hyper, rope: block.isGlobal ? globalRope : localRope,
                      scratch: scratch, observer: observer)
    }

    /// Final norm of x (rows, d), in place, then the LM head's logits.
    public func emitLogits(_ x: UnsafeMutablePointer<Float>, rows: Int,
                           _ logits: (_ firstRow: Int, _ rows: Int, _ values: UnsafePointer<Float>) -> Void) {
        normalize(x, rows: rows)
        head.logits(x, rows: rows, logits)
    }

    /// x (rows, d) ← rmsnorm(x) · (1 + finalNorm), in place.
    func normalize(_ x: UnsafeMutablePointer<Float>, rows: Int) {
        RMSNorm.apply(x, rows: rows, n: hyper.hiddenSize, weight: finalNorm.pointer, eps: hyper.rmsNormEps,
                      weightOffset: 1, out: x)
    }
}
