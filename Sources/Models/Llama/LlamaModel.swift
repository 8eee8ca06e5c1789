import TensorCore

/// The Llama family (Llama 1–3, SmolLM2, Mistral, Qwen2) in f32:
///   x = embed(tokens); for each block: x += attn(rmsnorm(x)); x += mlp(rmsnorm(x))
///   logits = rmsnorm(x) · Wₗₘᵀ   (Wₗₘ = embedding when tied)
public final class LlamaModel: BlockwiseLanguageModel, @unchecked Sendable {
    public let hyper: LlamaHyperparameters
    public let embedding: Tensor   // (vocab, d)
    public let blocks: [LlamaBlock]
    public let finalNorm: Tensor   // (d)
    public let lmHead: Tensor      // (vocab, d); the embedding when tied
    let lmHeadPacked = PackedLinearWeightCache()
    let rope: RopeTable

    public init(hyper h: LlamaHyperparameters, weights: CanonicalWeights) throws {
        try h.validate(file: weights.sourcePath)
        hyper = h
        embedding = try weights.tensor("model.embed_tokens.weight", shape: [h.vocabSize, h.hiddenSize])
        var bs: [LlamaBlock] = []
        for i in 0..<h.layers { bs.append(try LlamaBlock(index: i, weights: weights, h: h)) }
        blocks = bs
        finalNorm = try weights.tensor("model.norm.weight", shape: [h.hiddenSize])
        if !h.tiedEmbeddings || weights.contains("lm_head.weight") {
            lmHead = try weights.tensor("lm_head.weight", shape: [h.vocabSize, h.hiddenSize])
        } else {
            lmHead = embedding
        }
        rope = RopeTable(inverseFrequencies: h.ropeInverseFrequencies, maxPositions: h.maxContext,
                         attentionScaling: h.ropeAttentionScaling)
        BLAS.useOwnThreads()
    }

    public var architecture: String { hyper.architecture }
    public var vocabularySize: Int { hyper.vocabSize }
    public var maxContext: Int { hyper.maxContext }
    public var blockCount: Int { blocks.count }
    public var linearLayers: [Linear] { blocks.flatMap(\.linears) }

    /// Rows of logits computed per LM-head call: bounds memory to 256 × vocab floats.
    static let logitChunkRows = 256

    public func forward(
        windows: [[Int32]], observer: LinearInputObserver?,
        logits: (_ firstRow: Int, _ rows: Int, _ values: UnsafePointer<Float>) -> Void
    ) throws {
        let x = try hiddenStates(windows: windows, observer: observer)
        lmHeadLogits(x.pointer, rows: x.shape[0], logits: logits)
    }

    /// Logits of normalised hidden states x (n, d), handed out in chunks of `logitChunkRows` rows.
    func lmHeadLogits(_ x: UnsafePointer<Float>, rows n: Int,
                      logits: (_ firstRow: Int, _ rows: Int, _ values: UnsafePointer<Float>) -> Void) {
        let d = hyper.hiddenSize, vocab = hyper.vocabSize
        let chunk = FloatBuffer(count: min(n, Self.logitChunkRows) * vocab, zeroed: false)
        var row = 0
        while row < n {
            let rows = min(Self.logitChunkRows, n - row)
            // logits (rows, vocab) = x (rows, d) · lmHeadᵀ
            BLAS.linear(x + row * d, rows: rows, packed: lmHeadPacked.get(lmHead), out: chunk.pointer)
            logits(row, rows, chunk.pointer)
            row += rows
        }
    }

    public var hiddenSize: Int { hyper.hiddenSize }

    public func linears(ofBlock index: Int) -> [Linear] { blocks[index].linears }

    /// Final normalised hidden states (B·T, d).
    public func hiddenStates(windows: [[Int32]], observer: LinearInputObserver?) throws -> Tensor {
        let x = try embed(windows: windows)
        let b = windows.count, t = windows[0].count
        let scratch = LlamaScratch(rows: b * t, h: hyper)
        for block in blocks {
            block.forward(x.pointer, windows: b, tokens: t, h: hyper, rope: rope, scratch: scratch, observer: observer)
        }
        RMSNorm.apply(x.pointer, rows: b * t, n: hyper.hiddenSize, weight: finalNorm.pointer, eps: hyper.rmsNormEps,
                      out: x.pointer)
        return x
    }

    public func embed(windows: [[Int32]]) throws -> Tensor {
        guard let t = windows.first?.count, t > 0 else { throw ModelInputError("no tokens to run") }
        guard windows.allSatisfy({ $0.count == t }) else { throw ModelInputError("windows differ in length") }
        guard t <= hyper.maxContext else {
            throw ModelInputError("window of \(t) tokens exceeds the model's context of \(hyper.maxContext)")
        }
        let x = Tensor(zeros: [windows.count * t, hyper.hiddenSize])
        for (w, window) in windows.enumerated() { try embed(window, into: x.pointer + w * t * hyper.hiddenSize) }
        return x
    }

    /// x (tokens.count, d) = embedding rows of `tokens`.
    func embed(_ tokens: [Int32], into x: UnsafeMutablePointer<Float>) throws {
        let d = hyper.hiddenSize
        for (i, id) in tokens.enumerated() {
            guard id >= 0 && Int(id) < hyper.vocabSize else {
                throw ModelInputError("token id \(id) outside the vocabulary of \(hyper.vocabSize)")
            }
            (x + i * d).update(from: embedding.pointer + Int(id) * d, count: d)
        }
    }

    public func runBlock(_ index: Int, hidden: Tensor, windows: Int, tokens: Int, observer: LinearInputObserver?) {
        precondition(hidden.shape == [windows * tokens, hyper.hiddenSize], "hidden must be (B·T, d)")
        let scratch = LlamaScratch(rows: windows * tokens, h: hyper)
        blocks[index].forward(hidden.pointer, windows: windows, tokens: tokens, h: hyper, rope: rope,
                              scratch: scratch, observer: observer)
    }
}
