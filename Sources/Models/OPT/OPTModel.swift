import ModelFormats
import TensorCore

/// OPT in f32:
///   x = embed_tokens(tokens) + embed_positions(position + 2)   (learned positions, offset 2)
///   for each layer: OPTBlock;  logits = final_layer_norm(x) · embed_tokensᵀ  (tied)
/// The final LayerNorm exists with pre-LayerNorm layers only, as in transformers.
public final class OPTModel: BlockwiseLanguageModel, HFCheckpointTensors, @unchecked Sendable {
    /// OPT's learned positions start at row 2 (rows 0 and 1 were the padding convention of fairseq).
    public static let positionOffset = 2

    public let config: OPTConfig
    public let tokenEmbedding: Tensor      // (vocab, d)
    public let positionEmbedding: Tensor   // (maxPositions + 2, d)
    public let blocks: [OPTBlock]
    public let finalNorm: LayerNormWeights?
    public let head: LogitHead
    let activation: ElementwiseActivation
    let untiedHead: Bool

    public init(config c: OPTConfig, weights: CanonicalWeights) throws {
        config = c
        let d = c.hiddenSize
        tokenEmbedding = try weights.tensor("model.decoder.embed_tokens.weight", shape: [c.vocabSize, d])
        positionEmbedding = try weights.tensor("model.decoder.embed_positions.weight",
                                               shape: [c.maxPositionEmbeddings + Self.positionOffset, d])
        blocks = try (0..<c.numHiddenLayers).map { try OPTBlock(index: $0, config: c, weights: weights) }
        finalNorm = c.doLayerNormBefore
            ? try LayerNormWeights("model.decoder.final_layer_norm", size: d, eps: 1e-5, weights: weights) : nil
        untiedHead = !c.tieWordEmbeddings || weights.contains("lm_head.weight")
        head = LogitHead(weight: untiedHead ? try weights.tensor("lm_head.weight", shape: [c.vocabSize, d]) : tokenEmbedding)
        activation = switch c.activationFunction { case "gelu": .gelu; case "gelu_new": .geluTanh; default: .relu }
        BLAS.useOwnThreads()
    }

    public var architecture: String { "opt" }
    public var hfModelType: String { "opt" }
    public var vocabularySize: Int { config.vocabSize }
    public var maxContext: Int { config.maxPositionEmbeddings }
    public var hiddenSize: Int { config.hiddenSize }
    public var blockCount: Int { blocks.count }
    public var linearLayers: [Linear] { blocks.flatMap(\.linears) }
    public func linears(ofBlock index: Int) -> [Linear] { blocks[index].linears }

    public func forward(windows: [[Int32]], observer: LinearInputObserver?,
                        logits: (_ firstRow: Int, _ rows: Int, _ values: UnsafePointer<Float>) -> Void) throws {
        let x = try embed(windows: windows)
        let b = windows.count, t = windows[0].count
        let scratch = OPTBlock.scratch(rows: b * t, config: config)
        for block in blocks {
            block.forward(x.pointer, windows: b, tokens: t, config: config, activation: activation, scratch: scratch, observer: observer)
        }
        finalNorm?.apply(x.pointer, rows: b * t, out: x.pointer)
        head.logits(x.pointer, rows: b * t, logits)
    }

    /// x (B·T, d) = embed_tokens[tokens] + embed_positions[2..<T+2]
    public func embed(windows: [[Int32]]) throws -> Tensor {
        let (b, t) = try TokenWindows.check(windows, maxContext: maxContext, vocabularySize: vocabularySize)
        let x = TokenWindows.gather(windows, from: tokenEmbedding)
        TokenWindows.addPositions(positionEmbedding, offset: Self.positionOffset, to: x, windows: b, tokens: t)
        return x
    }

    public func runBlock(_ index: Int, hidden: Tensor, windows: Int, tokens: Int, observer: LinearInputObserver?) {
        precondition(hidden.shape == [windows * tokens, hiddenSize], "hidden must be (B·T, d)")
        blocks[index].forward(hidden.pointer, windows: windows, tokens: tokens, config: config, activation: activation,
                              scratch: OPTBlock.scratch(rows: windows * tokens, config: config), observer: observer)
    }

    public func hfTensors() -> [(name: String, tensor: Tensor)] {
        var t: [(String, Tensor)] = [("model.decoder.embed_tokens.weight", tokenEmbedding),
                                     ("model.decoder.embed_positions.weight", positionEmbedding)]
        t += blocks.flatMap(\.namedTensors) + (finalNorm?.namedTensors ?? [])
        if untiedHead { t.append(("lm_head.weight", head.weight)) }
        return t.map { (name: $0.0, tensor: $0.1) }
    }
}
