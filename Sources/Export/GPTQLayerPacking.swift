import ModelFormats
import Quantization

/// Our `QuantizedCodes` → the GPTQ checkpoint layout (`GPTQPackedLinear`). Scales and zeros move
/// from our (rows × groupsPerRow) order to GPTQ's (groups × out); g_idx is our act-order
/// groupIndex or c / k; per-row is one group (`group_size` −1) and per-tensor is one group with
/// its scale repeated for every output channel. Codes, scales and zeros are copied, never
/// recomputed, so the checkpoint decodes to exactly our fake-quantized weights.
public enum GPTQLayerPacking {
    /// Fails early when a scheme cannot be stored (bits, f32 scales). LoRC factors are stored
    /// beside the packed layer (`GPTQTensorSource.lowRankSuffixes`), so `lowRank` is accepted.
    public static func check(scheme: WeightScheme, lowRank: Bool) throws(ExportError) {
        let spec = QuantSpec(weight: scheme).description
        guard GPTQPacking.supportedBits.contains(scheme.bits) else {
            throw ExportError("\(spec): GPTQ checkpoints hold 2, 3, 4 or 8-bit codes, not \(scheme.bits)")
        }
        guard scheme.storage == .f16 else {
            throw ExportError("\(spec): GPTQ checkpoints store f16 scales; drop -f32scale")
        }
    }

    /// `group_size` for config.json: k, or −1 for per-row / per-tensor.
    public static func groupSize(_ scheme: WeightScheme) -> Int {
        if case .group(let k) = scheme.granularity { return k }
        return -1
    }

    /// Whether any zero-point is 0, which the v1 convention (stored zero − 1) cannot represent.
    public static func needsV2(_ codes: QuantizedCodes) -> Bool { codes.zeros.contains(0) }

    public static func pack(_ codes: QuantizedCodes, convention: GPTQZeroConvention) throws(ExportError) -> GPTQPackedLinear {
        try check(scheme: codes.scheme, lowRank: false)
        let (out, inF) = (codes.rows, codes.columns)
        if let why = GPTQPackedLinear.check(bits: codes.scheme.bits, outFeatures: out, inFeatures: inF) {
            throw ExportError(why)
        }
        let perTensor = codes.scheme.granularity == .perTensor
        let groups = codes.groupsPerRow
        var scales = [Float](repeating: 0, count: groups * out), zeros = [Int](repeating: 0, count: groups * out)
        for r in 0..<out {
            for g in 0..<groups {
                let ours = perTensor ? 0 : r * groups + g
                scales[g * out + r] = codes.scales[ours]
                zeros[g * out + r] = Int(codes.zeros[ours])
            }
        }
        if convention == .v1, zeros.contains(0) {
            throw ExportError("a zero-point of 0 cannot be stored with checkpoint_format gptq (v1 stores zero − 1)")
        }
        let k = codes.scheme.groupSize(columns: inF)
        let gIdx = codes.groupIndex ?? (0..<inF).map { Int32($0 / k) }
        return GPTQPackedLinear(bits: codes.scheme.bits, outFeatures: out, inFeatures: inF, codes: codes.codes,
                                zeros: zeros, scales: scales, gIdx: gIdx, convention: convention)
    }
}
