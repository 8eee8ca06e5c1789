import Calibration
import ModelFormats
import Quantization

/// Bits per block-linear weight as each export format stores a quantization (`StoredBits`),
/// computed from the same rules the exporters follow: `GPTQPackedLinear`'s tensor shapes and
/// `GGUFBlockType`'s ggml types. The export tests check these against the bytes actually written.
public enum ExportedBits {
    /// The layers' bits in the paper's convention, in a GPTQ checkpoint and in GGUF blocks.
    /// `paper` is `QuantizationSummary.effectiveBits`.
    public static func of(_ summary: QuantizationSummary, actOrder: Bool) -> StoredBits {
        let weights = summary.quantizedWeights
        let hasLowRank = summary.layers.contains { $0.result.lowRank != nil }
        var gptqBits: Int? = 0
        for layer in summary.layers {
            guard let bits = gptqBits,
                  let layerBits = gptqLayerBits(layer.result.codes.scheme, rows: layer.result.codes.rows,
                                                columns: layer.result.codes.columns, lowRank: layer.result.lowRank != nil) else {
                gptqBits = nil
                break
            }
            gptqBits = bits + layerBits
        }
        var ggufType: String? = nil, ggufBits: Double? = nil
        if !hasLowRank && !actOrder, let type = try? GGUFBlockType.type(for: summary.scheme) {
            let traits = type.traits
            ggufType = traits.name
            ggufBits = Double(traits.typeSize * 8) / Double(traits.blockSize)
        }
        return StoredBits(paper: summary.effectiveBits,
                          gptq: gptqBits.map { Double($0) / Double(max(weights, 1)) },
                          ggufType: ggufType, gguf: ggufBits)
    }

    /// Bits of one (rows × columns) layer in a GPTQ checkpoint: qweight, qzeros, f16 scales (one
    /// group per row for per-row and per-tensor schemes) and g_idx; nil when it cannot be stored.
    public static func gptqLayerBits(_ scheme: WeightScheme, rows: Int, columns: Int, lowRank: Bool) -> Int? {
        guard !lowRank, scheme.storage == .f16, GPTQPackedLinear.check(bits: scheme.bits, outFeatures: rows, inFeatures: columns) == nil
        else { return nil }
        let groups = scheme.groupsPerRow(columns: columns)
        let qweight = GPTQPacking.wordCount(codes: columns, bits: scheme.bits) * rows * 32
        let qzeros = groups * GPTQPacking.wordCount(codes: rows, bits: scheme.bits) * 32
        let scales = groups * rows * 16
        let gIdx = columns * 32
        return qweight + qzeros + scales + gIdx
    }
}
