import ModelFormats
import TensorCore

/// GPT-NeoX / Pythia in f32:
///   x = embed_in(tokens);  for each layer: GPTNeoXBlock (partial rotary, parallel or sequential residual)
///   logits = final_layer_norm(x) · embed_outᵀ   (untied in the released models)
public final class GPTNeoXModel: ScratchBlockStack, HFCheckpointTensors, @unchecked Sendable {
    public let config: GPTNeoXConfig
    /// embed_in (vocab, d), held once (the head's own table when tied).
    public let tokenTable: WeightMatrix
    /// The token table row-major (see `WeightMatrix.tensor`).
    public var tokenEmbedding: Tensor { tokenTable.tensor }
    public let blocks: [GPTNeoXBlock]
    public let finalNorm: LayerNormWeights
    public let head: LogitHead          // embed_out (vocab, d)
    public let rope: RopeTable
    public let activation: ElementwiseActivation
    let untiedHead: Bool

    public init(config c: GPTNeoXConfig, weights: CanonicalWeights) throws {
        config = c
        let d = c.hiddenSize
        tokenTable = .tokenTable(name: "gpt_neox.embed_in", try weights.linearWeight("gpt_neox.embed_in.weight", shape: [c.vocabSize, d]))
        blocks = try (0..<c.numHiddenLayers).map { try GPTNeoXBlock(index: $0, config: c, weights: weights) }
        finalNorm = try LayerNormWeights("gpt_neox.final_layer_norm", size: d, eps: Float(c.layerNormEps), weights: weights)
        untiedHead = !c.tieWordEmbeddings || weights.contains("embed_out.weight")
        head = untiedHead ? LogitHead(name: "embed_out", weight: try weights.linearWeight("embed_out.weight", shape: [c.vocabSize, d])) : LogitHead(table: tokenTable)
        let frequencies = RopeFrequencies(headDim: c.rotaryDim, ropeTheta: c.rotaryEmbBase, scaling: nil,
                                          maxPositionEmbeddings: c.maxPositionEmbeddings)
        rope = RopeTable(inverseFrequencies: frequencies.inverseFrequencies, maxPositions: c.maxPositionEmbeddings)
        activation = switch c.hiddenAct { case "relu": .relu; case "gelu": .gelu; default: .geluTanh }
        BLAS.useOwnThreads()
    }

    public var architecture: String { ModelFamilies.gptNeoX.architecture }
    public var vocabularySize: Int { config.vocabSize }
    public var maxContext: Int { config.maxPositionEmbeddings }
    public var hiddenSize: Int { config.hiddenSize }
    public var blockCount: Int { blocks.count }
    public var linearLayers: [Linear] { blocks.flatMap(\.linears) }
    public func linears(ofBlock index: Int) -> [Linear] { blocks[index].linears }

    public func scratch(rows: Int) -> ScratchBuffers { GPTNeoXBlock.scratch(rows: rows, config: config) }

    public func runBlock(_ index: Int, _ x: UnsafeMutablePointer<Float>, windows: Int, tokens: Int, scratch: ScratchBuffers,
                         observer: LinearInputObserver?) {
        blocks[index].forward(x, windows: windows, tokens: tokens, config: config, rope: rope, activation: activation,
                              scratch: scratch, observer: observer)
    }

    public func emitLogits(_ x: UnsafeMutablePointer<Float>, rows: Int,
                           _ logits: (_ firstRow: Int, _ rows: Int, _ values: UnsafePointer<Float>) -> Void) {
        finalNorm.apply(x, rows: rows, out: x)
        head.logits(x, rows: rows, logits)
    }

    /// x (B·T, d) = embed_in[tokens]
    public func embed(windows: [[Int32]]) throws -> Tensor {
        _ = try TokenWindows.check(windows, maxContext: maxContext, vocabularySize: vocabularySize)
        return TokenWindows.gather(windows, from: tokenTable)
    }

    public func hfTensors() -> [(name: String, tensor: Tensor)] {
        var t: [(String, Tensor)] = [("gpt_neox.embed_in.weight", tokenEmbedding)]
        t += blocks.flatMap(\.namedTensors) + finalNorm.namedTensors
        if untiedHead { t.append(("embed_out.weight", head.weight)) }
        return t.map { (name: $0.0, tensor: $0.1) }
    }
}
