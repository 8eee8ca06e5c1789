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
            guard let bits = gptqBits else { break }
            guard let codes = layer.result.codes else {   // a `-:` module: its float weight, counted at f16
                gptqBits = bits + layer.result.bits.weights * WeightScheme.fullPrecisionBits
                continue
            }
            guard let layerBits = gptqLayerBits(codes.scheme, rows: codes.rows, columns: codes.columns,
                                                lowRankRank: layer.result.lowRank?.rank) else {
                gptqBits = nil
                break
            }
            gptqBits = bits + layerBits
        }
        // GGUF: each layer's block type (F16 for full-precision layers); nil when one cannot be stored.
        var ggufType: String? = nil, ggufBits: Double? = nil
        if !hasLowRank && !actOrder {
            var names: [String] = [], total = 0.0
            for layer in summary.layers {
                guard let type = try? GGUFExporter.type(of: layer.result) else { names = []; break }
                let traits = type.traits
                if !names.contains(traits.name) { names.append(traits.name) }
                total += Double(traits.typeSize * 8) / Double(traits.blockSize) * Double(layer.result.bits.weights)
            }
            if !names.isEmpty {
                ggufType = names.joined(separator: "+")
                ggufBits = total / Double(max(weights, 1))
            }
        }
        return StoredBits(paper: summary.effectiveBits,
                          gptq: gptqBits.map { Double($0) / Double(max(weights, 1)) },
                          ggufType: ggufType, gguf: ggufBits)
    }

    /// Bits of one (rows × columns) layer in a GPTQ checkpoint: qweight, qzeros, f16 scales (one
    /// group per row for per-row and per-tensor schemes), g_idx, and with LoRC its f32 factors
    /// Û (rows × r) and V̂ (r × columns); nil when it cannot be stored.
    public static func gptqLayerBits(_ scheme: WeightScheme, rows: Int, columns: Int, lowRankRank: Int? = nil) -> Int? {
        guard scheme.storage == .f16, GPTQPackedLinear.check(bits: scheme.bits, outFeatures: rows, inFeatures: columns) == nil
        else { return nil }
        let groups = scheme.groupsPerRow(columns: columns)
        let qweight = GPTQPacking.wordCount(codes: columns, bits: scheme.bits) * rows * 32
        let qzeros = groups * GPTQPacking.wordCount(codes: rows, bits: scheme.bits) * 32
        let scales = groups * rows * 16
        let gIdx = columns * 32
        let factors = (lowRankRank ?? 0) * (rows + columns) * 32
        return qweight + qzeros + scales + gIdx + factors
    }
}
