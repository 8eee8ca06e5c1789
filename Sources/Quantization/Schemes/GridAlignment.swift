/// Detects when a weight scheme's grid can represent a base model's storage grid (almost)
/// exactly, which makes re-quantization artificially cheap: e.g. 4-bit asymmetric group-32 on a
/// Q4_1 GGUF, whose 32-weight blocks already hold at most 16 levels on an affine grid. The DESIGN
/// requires every report to say so. (With our grid conventions — ranges that include 0, an integer
/// zero-point — re-quantizing such blocks is not exactly lossless, but its error is far below what
/// the same scheme costs a full-precision model.)
///
/// Rule: a base block type stores each block of `block` weights on a grid of 2^bits levels
/// (symmetric: d·q, or asymmetric: d·q + m). A scheme aligns when each of its groups lies inside
/// one base block (group size divides the block size), it has at least as many levels, and it is
/// asymmetric when the base grid has an offset. Per-row and per-tensor schemes never align with
/// block types; full-precision storage (F32/F16/BF16) has no grid.
public enum GridAlignment {
    /// (bits, block size, asymmetric) of the ggml block types, by their GGUF names. K-quants are
    /// described by their sub-blocks (Q4_K: 4-bit asymmetric sub-blocks of 32).
    static let storageGrids: [String: (bits: Int, block: Int, asymmetric: Bool)] = [
        "Q4_0": (4, 32, false), "Q4_1": (4, 32, true), "Q5_0": (5, 32, false), "Q5_1": (5, 32, true),
        "Q8_0": (8, 32, false), "Q2_K": (2, 16, true), "Q3_K": (3, 16, false), "Q4_K": (4, 32, true),
        "Q5_K": (5, 32, true), "Q6_K": (6, 16, false),
    ]

    /// True when `scheme` aligns with the base storage type named `storageType` ("Q4_1", "F16" …).
    public static func aligns(_ scheme: WeightScheme, withStorage storageType: String) -> Bool {
        guard let grid = storageGrids[storageType], case .group(let k) = scheme.granularity else { return false }
        return k > 0 && grid.block % k == 0 && scheme.bits >= grid.bits && (!grid.asymmetric || !scheme.symmetric)
    }

    /// The storage types (of the layers to be quantized) that `scheme` aligns with.
    public static func alignedStorage(_ scheme: WeightScheme, storageTypes: some Sequence<String>) -> [String] {
        Set(storageTypes).filter { aligns(scheme, withStorage: $0) }.sorted()
    }
}
