import Quantization

/// llama.cpp's named type mixes (`llama-quantize MODEL OUT Q4_K_M`): a base ggml type plus the
/// per-tensor rules of `llama_tensor_get_type_impl` (llama.cpp's src/llama-quant.cpp, the
/// version vendored in the pinned llama-cpp-python sdist) for dense, non-Falcon models:
///
/// | mix    | base | attn_v                         | ffn_down                          | attn_output | output |
/// |--------|------|--------------------------------|-----------------------------------|-------------|--------|
/// | Q2_K   | Q2_K | Q4_K if n_gqa ≥ 4, else Q3_K   | Q3_K                              | Q3_K        | Q6_K   |
/// | Q3_K_S | Q3_K |                                |                                   |             | Q6_K   |
/// | Q3_K_M | Q3_K | Q5_K for the first 2, else Q4_K| Q5_K if i < n/16, else Q4_K       | Q4_K        | Q6_K   |
/// | Q3_K_L | Q3_K | Q5_K                           | Q5_K                              | Q5_K        | Q6_K   |
/// | Q4_K_S | Q4_K | Q5_K for the first 4           | Q5_K if i < n/8                   |             | Q6_K   |
/// | Q4_K_M | Q4_K | Q6_K if more-bits(i)           | Q6_K if more-bits(i)              |             | Q6_K   |
/// | Q5_K_S | Q5_K |                                |                                   |             | Q6_K   |
/// | Q5_K_M | Q5_K | Q6_K if more-bits(i)           | Q6_K if more-bits(i)              |             | Q6_K   |
/// | Q6_K   | Q6_K |                                |                                   |             | Q6_K   |
///
/// more-bits(i) = i < n/8 ∨ i ≥ 7n/8 ∨ (i − n/8) mod 3 = 2 (integer division, C's signed
/// modulo). The token embedding takes the base type, or the output's when it is tied to the
/// head. A tensor whose rows are not whole 256-weight super-blocks gets llama-quantize's fallback
/// type (`GGMLBlockGrid.fitting`: Q6_K → Q8_0, Q4_K → Q5_0, …), applied by the quantizers.
public enum LlamaCppMix: String, CaseIterable, Sendable {
    case q2_k, q3_k_s, q3_k_m, q3_k_l, q4_k_s, q4_k_m, q5_k_s, q5_k_m, q6_k

    public init?(name: String) { self.init(rawValue: name.lowercased()) }

    public var name: String { rawValue.uppercased() }

    /// llama_ftype_get_default_type.
    public var base: GGMLBlockGrid {
        switch self {
        case .q2_k: .q2_k
        case .q3_k_s, .q3_k_m, .q3_k_l: .q3_k
        case .q4_k_s, .q4_k_m: .q4_k
        case .q5_k_s, .q5_k_m: .q5_k
        case .q6_k: .q6_k
        }
    }

    /// The output tensor's type (before the fallback for rows that are not whole super-blocks).
    public var output: GGMLBlockGrid { .q6_k }

    static func moreBits(_ i: Int, _ n: Int) -> Bool {
        i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2
    }

    /// The type of block linear `name` (a Hugging Face module name) of block `i` of `n`;
    /// `gqa` = query heads per key/value head.
    public func type(ofLinear name: String, block i: Int, blocks n: Int, gqa: Int) -> GGMLBlockGrid {
        let attnV = name.hasSuffix("v_proj"), down = name.hasSuffix("down_proj"), output = name.hasSuffix("o_proj")
        switch self {
        case .q2_k:
            if attnV { return gqa >= 4 ? .q4_k : .q3_k }
            if down || output { return .q3_k }
        case .q3_k_m:
            if attnV { return i < 2 ? .q5_k : .q4_k }
            if down { return i < n / 16 ? .q5_k : .q4_k }
            if output { return .q4_k }
        case .q3_k_l:
            if attnV || down || output { return .q5_k }
        case .q4_k_s:
            if attnV && i < 4 { return .q5_k }
            if down && i < n / 8 { return .q5_k }
        case .q4_k_m, .q5_k_m:
            if (attnV || down) && Self.moreBits(i, n) { return .q6_k }
        case .q3_k_s, .q5_k_s, .q6_k:
            break
        }
        return base
    }
}
