import ModelFormats
import TensorCore

/// GPT-2 in f32:
///   x = wte(tokens) + wpe(positions);  for each block: pre-LayerNorm attention and MLP (GPT2Block)
///   logits = ln_f(x) · wteᵀ  (tied; an `lm_head.weight` in the checkpoint is used when present)
public final class GPT2Model: ScratchBlockStack, HFCheckpointTensors, @unchecked Sendable {
    public let config: GPT2Config
    /// wte (vocab, d), held once (the head's own table when tied).
    public let tokenTable: WeightMatrix
    /// The token table row-major (see `WeightMatrix.tensor`).
    public var tokenEmbedding: Tensor { tokenTable.tensor }
    public let positionEmbedding: Tensor   // wpe (positions, d)
    public let blocks: [GPT2Block]
    public let finalNorm: LayerNormWeights
    public let head: LogitHead
    /// The MLP activation (from config.json's activation_function).
    public let activation: ElementwiseActivation
    let untiedHead: Bool

    public init(config c: GPT2Config, weights: CanonicalWeights) throws {
        config = c
        tokenTable = .tokenTable(name: "transformer.wte", try weights.tensor("transformer.wte.weight", shape: [c.vocabSize, c.nEmbd]))
        positionEmbedding = try weights.tensor("transformer.wpe.weight", shape: [c.nPositions, c.nEmbd])
        blocks = try (0..<c.nLayer).map { try GPT2Block(index: $0, config: c, weights: weights) }
        finalNorm = try LayerNormWeights("transformer.ln_f", size: c.nEmbd, eps: Float(c.layerNormEpsilon), weights: weights)
        untiedHead = !c.tieWordEmbeddings || weights.contains("lm_head.weight")
        head = untiedHead ? LogitHead(name: "lm_head", weight: try weights.tensor("lm_head.weight", shape: [c.vocabSize, c.nEmbd])) : LogitHead(table: tokenTable)
        activation = switch c.activationFunction { case "relu": .relu; case "gelu": .gelu; default: .geluTanh }
        BLAS.useOwnThreads()
    }

    public var architecture: String { ModelFamilies.gpt2.architecture }
    public var vocabularySize: Int { config.vocabSize }
    public var maxContext: Int { config.nPositions }
    public var hiddenSize: Int { config.nEmbd }
    public var blockCount: Int { blocks.count }
    public var linearLayers: [Linear] { blocks.flatMap(\.linears) }
    public func linears(ofBlock index: Int) -> [Linear] { blocks[index].linears }

    public func scratch(rows: Int) -> ScratchBuffers { GPT2Block.scratch(rows: rows, config: config) }

    public func runBlock(_ index: Int, _ x: UnsafeMutablePointer<Float>, windows: Int, tokens: Int, scratch: ScratchBuffers,
                         observer: LinearInputObserver?) {
        blocks[index].forward(x, windows: windows, tokens: tokens, config: config, activation: activation, scratch: scratch,
                              observer: observer)
    }

    public func emitLogits(_ x: UnsafeMutablePointer<Float>, rows: Int,
                           _ logits: (_ firstRow: Int, _ rows: Int, _ values: UnsafePointer<Float>) -> Void) {
        finalNorm.apply(x, rows: rows, out: x)
        head.logits(x, rows: rows, logits)
    }

    /// x (B·T, d) = wte[tokens] + wpe[0..<T]
    public func embed(windows: [[Int32]]) throws -> Tensor {
        let (b, t) = try TokenWindows.check(windows, maxContext: maxContext, vocabularySize: vocabularySize)
        let x = TokenWindows.gather(windows, from: tokenTable)
        TokenWindows.addPositions(positionEmbedding, offset: 0, to: x, windows: b, tokens: t)
        return x
    }

    public func hfTensors() -> [(name: String, tensor: Tensor)] {
        var t: [(String, Tensor)] = [("transformer.wte.weight", tokenEmbedding), ("transformer.wpe.weight", positionEmbedding)]
        t += blocks.flatMap(\.namedTensors) + finalNorm.namedTensors
        if untiedHead { t.append(("lm_head.weight", head.weight)) }
        return t.map { (name: $0.0, tensor: $0.1) }
    }
}
