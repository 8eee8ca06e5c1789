import Foundation
import ModelFormats
import TensorCore

/// Gemma 3 (text) in f32:
///   x = embed(tokens) · √d;  for each block: x += postNorm(attn(norm(x))); x += postNorm(mlp(norm(x)))
///   logits = rmsnorm(x) · Eᵀ  (tied embeddings; soft-capped as cap·tanh(logits/cap) when configured)
/// Local and global layers use separate RoPE tables. Every linear layer is the shared `Linear`, so
/// every quantization method and input capture applies unchanged.
public final class Gemma3Model: BlockwiseLanguageModel, @unchecked Sendable {
    public let hyper: Gemma3Hyperparameters
    public let embedding: Tensor   // (vocab, d), unscaled; also the LM head
    public let blocks: [Gemma3Block]
    public let finalNorm: Tensor   // (d)
    let lmHeadPacked = PackedLinearWeightCache()
    let localRope: RopeTable
    let globalRope: RopeTable

    public init(hyper h: Gemma3Hyperparameters, weights: CanonicalWeights) throws {
        try h.validate(file: weights.sourcePath)
        hyper = h
        embedding = try weights.tensor("model.embed_tokens.weight", shape: [h.vocabSize, h.hiddenSize])
        blocks = try (0..<h.layers).map { try Gemma3Block(index: $0, weights: weights, h: h) }
        finalNorm = try weights.tensor("model.norm.weight", shape: [h.hiddenSize])
        if weights.contains("lm_head.weight") {
            throw FormatError(file: weights.sourcePath, field: "lm_head.weight",
                              "Gemma 3 ties its LM head to the embedding; a separate head is not supported")
        }
        localRope = RopeTable(inverseFrequencies: h.localRopeInverseFrequencies, maxPositions: h.maxContext)
        globalRope = RopeTable(inverseFrequencies: h.globalRopeInverseFrequencies, maxPositions: h.maxContext)
        BLAS.useOwnThreads()
    }

    public var architecture: String { Gemma3GGUF.architecture }
    public var vocabularySize: Int { hyper.vocabSize }
    public var maxContext: Int { hyper.maxContext }
    public var blockCount: Int { blocks.count }
    public var hiddenSize: Int { hyper.hiddenSize }
    public var linearLayers: [Linear] { blocks.flatMap(\.linears) }
    public func linears(ofBlock index: Int) -> [Linear] { blocks[index].linears }

    /// Rows of logits per LM-head call: bounds memory to 128 × 262,144 floats (128 MiB).
    static let logitChunkRows = 128

    public func forward(
        windows: [[Int32]], observer: LinearInputObserver?,
        logits: (_ firstRow: Int, _ rows: Int, _ values: UnsafePointer<Float>) -> Void
    ) throws {
        let x = try hiddenStates(windows: windows, observer: observer)
        let n = x.shape[0], d = hyper.hiddenSize, vocab = hyper.vocabSize
        let chunk = FloatBuffer(count: min(n, Self.logitChunkRows) * vocab, zeroed: false)
        var row = 0
        while row < n {
            let rows = min(Self.logitChunkRows, n - row)
            // logits (rows, vocab) = x (rows, d) · Eᵀ
            BLAS.linear(x.pointer + row * d, rows: rows, packed: lmHeadPacked.get(embedding), out: chunk.pointer)
            if let cap = hyper.finalLogitSoftcap { Self.softcap(chunk.pointer, count: rows * vocab, cap: cap) }
            logits(row, rows, chunk.pointer)
            row += rows
        }
    }

    /// Final normalised hidden states (B·T, d).
    public func hiddenStates(windows: [[Int32]], observer: LinearInputObserver?) throws -> Tensor {
        let x = try embed(windows: windows)
        let b = windows.count, t = windows[0].count
        let scratch = Gemma3Scratch(rows: b * t, h: hyper)
        for block in blocks {
            block.forward(x.pointer, windows: b, tokens: t, h: hyper, rope: rope(for: block), scratch: scratch,
                          observer: observer)
        }
        RMSNorm.apply(x.pointer, rows: b * t, n: hyper.hiddenSize, weight: finalNorm.pointer, eps: hyper.rmsNormEps,
                      weightOffset: 1, out: x.pointer)
        return x
    }

    /// Token embeddings of equal-length windows, scaled by √d: (B·T, d).
    public func embed(windows: [[Int32]]) throws -> Tensor {
        guard let t = windows.first?.count, t > 0 else { throw ModelInputError("no tokens to run") }
        guard windows.allSatisfy({ $0.count == t }) else { throw ModelInputError("windows differ in length") }
        guard t <= hyper.maxContext else {
            throw ModelInputError("window of \(t) tokens exceeds the model's context of \(hyper.maxContext)")
        }
        let d = hyper.hiddenSize, scale = hyper.embeddingScale
        let x = Tensor(zeros: [windows.count * t, d])
        // x (N, d) = embedding rows · √d (f32, as transformers)
        for (w, window) in windows.enumerated() {
            for (i, id) in window.enumerated() {
                guard id >= 0 && Int(id) < hyper.vocabSize else {
                    throw ModelInputError("token id \(id) outside the vocabulary of \(hyper.vocabSize)")
                }
                let src = embedding.pointer + Int(id) * d, dst = x.pointer + (w * t + i) * d
                for j in 0..<d { dst[j] = src[j] * scale }
            }
        }
        return x
    }

    public func runBlock(_ index: Int, hidden: Tensor, windows: Int, tokens: Int, observer: LinearInputObserver?) {
        precondition(hidden.shape == [windows * tokens, hyper.hiddenSize], "hidden must be (B·T, d)")
        let scratch = Gemma3Scratch(rows: windows * tokens, h: hyper)
        blocks[index].forward(hidden.pointer, windows: windows, tokens: tokens, h: hyper, rope: rope(for: blocks[index]),
                              scratch: scratch, observer: observer)
    }

    private func rope(for block: Gemma3Block) -> RopeTable { block.isGlobal ? globalRope : localRope }

    // v (count) ← cap · tanh(v / cap)
    static func softcap(_ v: UnsafeMutablePointer<Float>, count: Int, cap: Float) {
        Parallel.forRanges(count, minimumChunk: 1 << 16) { range in
            for i in range { v[i] = cap * Foundation.tanh(v[i] / cap) }
        }
    }
}
