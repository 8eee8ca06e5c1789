import ModelFormats
import Quantization

/// Which ggml block type holds a weight scheme exactly (block = group of 32 input columns):
///
/// | scheme             | ggml type | block value                 | from our (scale s, zero z, code q) |
/// |--------------------|-----------|-----------------------------|-------------------------------------|
/// | 4-bit sym,  g32    | Q4_0      | d·(q − 8)                   | d = s (z = 8): exact                 |
/// | 4-bit asym, g32    | Q4_1      | d·q + m                     | d = s, m = f16(−s·z): ≤ ½ ulp_f16(s·z) |
/// | 5-bit sym,  g32    | Q5_0      | d·(q − 16)                  | d = s (z = 16): exact                |
/// | 5-bit asym, g32    | Q5_1      | d·q + m                     | d = s, m = f16(−s·z)                 |
/// | 8-bit sym,  g32    | Q8_0      | d·q, q signed               | d = s, q − 128 (z = 128): exact      |
///
/// Asymmetric 8-bit has no ggml type (Q8_1 is an activation format llama.cpp does not load as
/// weights): rejected. Every other scheme (other group sizes, per-row, per-tensor, 2/3/6/7 bits,
/// f32 scales, act-order with a permuted g_idx) is rejected with a pointer to the HF GPTQ format.
public enum GGUFBlockType {
    /// The ggml type for `scheme`, or an error saying why there is none.
    public static func type(for scheme: WeightScheme) throws(ExportError) -> GGMLType {
        if let grid = scheme.blockGrid {
            // a ggml grid's layer is already its blocks
            guard let type = GGMLType(rawValue: grid.ggmlTypeID) else { throw ExportError("no GGML type \(grid.name)") }
            return type
        }
        let spec = QuantSpec(weight: scheme).description
        let hint = "; write a Hugging Face GPTQ directory instead (--out DIR), or use a g32 scheme with 4/5-bit sym/asym or 8-bit sym"
        guard scheme.granularity == .group(32) else {
            throw ExportError("\(spec): GGUF block types hold groups of 32 input columns only\(hint)")
        }
        guard scheme.storage == .f16 else {
            throw ExportError("\(spec): GGUF blocks store f16 scales, not f32 (-f32scale)\(hint)")
        }
        switch (scheme.bits, scheme.symmetric) {
        case (4, true): return .q4_0
        case (4, false): return .q4_1
        case (5, true): return .q5_0
        case (5, false): return .q5_1
        case (8, true): return .q8_0
        case (8, false):
            throw ExportError("\(spec): asymmetric 8-bit has no ggml block type; use w8a16-g32-sym (Q8_0)\(hint)")
        default:
            throw ExportError("\(spec): no ggml block type holds \(scheme.bits)-bit groups\(hint)")
        }
    }

    /// llama.cpp's `general.file_type` (enum llama_ftype) for a model mostly stored as `type`.
    public static func fileType(_ type: GGMLType) -> UInt32 {
        switch type {
        case .q4_0: 2
        case .q4_1: 3
        case .q8_0: 7
        case .q5_0: 8
        case .q5_1: 9
        case .q2_k: 10
        case .q3_k: 11      // LLAMA_FTYPE_MOSTLY_Q3_K_S (every tensor Q3_K)
        case .q4_k: 14      // Q4_K_S
        case .q5_k: 16      // Q5_K_S
        case .q6_k: 18
        case .f16: 1
        default: 0
        }
    }
}
