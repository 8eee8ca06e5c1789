import ModelFormats
import TensorCore

/// OPT in f32:
///   x = project_in(embed_tokens(tokens)) + embed_positions(position + 2)   (learned positions, offset 2)
///   for each layer: OPTBlock;  logits = project_out(final_layer_norm(x)) · embed_tokensᵀ  (tied)
/// The final LayerNorm exists with pre-LayerNorm layers only, and project_in / project_out only
/// when the word embeddings are narrower than the decoder (OPT-350m), as in transformers.
public final class OPTModel: ScratchBlockStack, HFCheckpointTensors, @unchecked Sendable {
    /// OPT's learned positions start at row 2 (rows 0 and 1 were the padding convention of fairseq).
    public static let positionOffset = 2

    public let config: OPTConfig
    /// (vocab, e), e = word_embed_proj_dim, held once (the head's own table when tied).
    public let tokenTable: WeightMatrix
    /// The token table row-major (see `WeightMatrix.tensor`).
    public var tokenEmbedding: Tensor { tokenTable.tensor }
    public let positionEmbedding: Tensor   // (maxPositions + 2, d)
    public let blocks: [OPTBlock]
    public let finalNorm: LayerNormWeights?
    public let projectIn: Linear?          // (d, e), no bias
    public let projectOut: Linear?         // (e, d), no bias
    public let head: LogitHead
    /// The MLP activation (from config.json's activation_function).
    public let activation: ElementwiseActivation
    let untiedHead: Bool

    public init(config c: OPTConfig, weights: CanonicalWeights) throws {
        config = c
        let d = c.hiddenSize, e = c.wordEmbedProjDim
        tokenTable = .tokenTable(name: "model.decoder.embed_tokens", try weights.linearWeight("model.decoder.embed_tokens.weight", shape: [c.vocabSize, e]))
        if e != d {
            projectIn = try Linear(loading: "model.decoder.project_in", out: d, in: e, bias: false, from: weights)
            projectOut = try Linear(loading: "model.decoder.project_out", out: e, in: d, bias: false, from: weights)
        } else {
            (projectIn, projectOut) = (nil, nil)
        }
        positionEmbedding = try weights.tensor("model.decoder.embed_positions.weight",
                                               shape: [c.maxPositionEmbeddings + Self.positionOffset, d])
        blocks = try (0..<c.numHiddenLayers).map { try OPTBlock(index: $0, config: c, weights: weights) }
        finalNorm = c.doLayerNormBefore
            ? try LayerNormWeights("model.decoder.final_layer_norm", size: d, eps: 1e-5, weights: weights) : nil
        untiedHead = !c.tieWordEmbeddings || weights.contains("lm_head.weight")
        head = untiedHead ? LogitHead(name: "lm_head", weight: try weights.linearWeight("lm_head.weight", shape: [c.vocabSize, e])) : LogitHead(table: tokenTable)
        activation = switch c.activationFunction { case "gelu": .gelu; case "gelu_new": .geluTanh; default: .relu }
        BLAS.useOwnThreads()
    }

    public var architecture: String { ModelFamilies.opt.architecture }
    public var vocabularySize: Int { config.vocabSize }
    public var maxContext: Int { config.maxPositionEmbeddings }
    public var hiddenSize: Int { config.hiddenSize }
    public var blockCount: Int { blocks.count }
    public var linearLayers: [Linear] { blocks.flatMap(\.linears) }
    public func linears(ofBlock index: Int) -> [Linear] { blocks[index].linears }

    public func scratch(rows: Int) -> ScratchBuffers { OPTBlock.scratch(rows: rows, config: config) }

    public func runBlock(_ index: Int, _ x: UnsafeMutablePointer<Float>, windows: Int, tokens: Int, scratch: ScratchBuffers,
                         observer: LinearInputObserver?) {
        blocks[index].forward(x, windows: windows, tokens: tokens, config: config, activation: activation, scratch: scratch,
                              observer: observer)
    }

    public func emitLogits(_ x: UnsafeMutablePointer<Float>, rows: Int,
                           _ logits: (_ firstRow: Int, _ rows: Int, _ values: UnsafePointer<Float>) -> Void) {
        finalNorm?.apply(x, rows: rows, out: x)
        guard let projectOut else { return head.logits(x, rows: rows, logits) }
        // narrow (N, e) = x · Woutᵀ
        let narrow = Tensor(zeros: [rows, config.wordEmbedProjDim])
        projectOut.forward(x, rows: rows, into: narrow.pointer)
        head.logits(narrow.pointer, rows: rows, logits)
    }

    /// x (B·T, d) = project_in(embed_tokens[tokens]) + embed_positions[2..<T+2]
    public func embed(windows: [[Int32]]) throws -> Tensor {
        let (b, t) = try TokenWindows.check(windows, maxContext: maxContext, vocabularySize: vocabularySize)
        var x = TokenWindows.gather(windows, from: tokenTable)
        if let projectIn {
            // x (N, d) = words (N, e) · Winᵀ
            let words = x
            x = Tensor(zeros: [b * t, hiddenSize])
            projectIn.forward(words.pointer, rows: b * t, into: x.pointer)
        }
        TokenWindows.addPositions(positionEmbedding, offset: Self.positionOffset, to: x, windows: b, tokens: t)
        return x
    }

    public func hfTensors() -> [(name: String, tensor: Tensor)] {
        var t: [(String, Tensor)] = [("model.decoder.embed_tokens.weight", tokenEmbedding),
                                     ("model.decoder.embed_positions.weight", positionEmbedding)]
        t += blocks.flatMap(\.namedTensors) + (finalNorm?.namedTensors ?? [])
        t += (projectIn?.namedTensors ?? []) + (projectOut?.namedTensors ?? [])
        if untiedHead { t.append(("lm_head.weight", head.weight)) }
        return t.map { (name: $0.0, tensor: $0.1) }
    }
}
