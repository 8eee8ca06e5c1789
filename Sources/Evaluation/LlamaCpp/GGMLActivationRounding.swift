import TensorCore

/// How llama.cpp's CPU backend rounds a matrix product's input before it multiplies it with a
/// weight stored in a given ggml type: each row of x is converted to the weight type's
/// `vec_dot_type` (ggml-cpu.c's `type_traits_cpu`) and the dot products run on those codes.
/// Rounding x in place to what those codes decode to gives the same products up to f32 summation
/// order, which is how `ptqlab eval --llamacpp-arithmetic` reproduces `llama-perplexity` on
/// quantized files (see `LlamaCppArithmetic`).
///
///     Q8_0  blocks of 32: d = f16(amax/127), q = rne(x·127/amax), x ← q·d   (quantize_row_q8_0, x86)
///     Q8_1  the same values as Q8_0 (its extra block sum only serves Q4_1/Q5_1's min term)
///     Q8_K  blocks of 256: m = the element of largest |x| (first one), s = −127/m,
///           q = min(127, rne(s·x)), x ← q·(1/s), d kept in f32       (quantize_row_q8_K_ref)
///     F16 / BF16  x ← f16(x) / bf16(x), round to nearest even
///
/// rne: round half to even (`_mm256_round_ps(_MM_ROUND_NEAREST)`, and ggml's `nearest_int`).
public enum GGMLActivationRounding: String, Sendable, CaseIterable {
    case q8_0 = "Q8_0", q8_1 = "Q8_1", q8_K = "Q8_K", f16 = "F16", bf16 = "BF16"

    /// The rounding llama.cpp's CPU backend applies to the input of a product with a weight of
    /// ggml type `weightType` (ggml's name, e.g. "Q4_K"); nil: none (F32 weights, or a type this
    /// table does not know — the caller refuses those).
    public static func forWeight(ggmlType weightType: String) -> GGMLActivationRounding? {
        switch weightType {
        case "F32": nil
        case "F16": .f16
        case "BF16": .bf16
        case "Q4_0", "Q5_0", "Q8_0", "IQ4_NL", "MXFP4", "Q1_0", "Q2_0", "NVFP4": .q8_0
        case "Q4_1", "Q5_1", "Q8_1": .q8_1
        case "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "IQ2_XXS", "IQ2_XS", "IQ2_S", "IQ3_XXS", "IQ3_S",
             "IQ1_S", "IQ1_M", "IQ4_XS", "TQ1_0", "TQ2_0": .q8_K
        default: nil
        }
    }

    /// Whether llama.cpp's CPU backend has a product for weights of this type (F32 or a known one).
    public static func knows(ggmlType: String) -> Bool { ggmlType == "F32" || forWeight(ggmlType: ggmlType) != nil }

    /// Elements per rounding block (1 for the element-wise f16/bf16 conversions).
    public var blockSize: Int {
        switch self {
        case .q8_0, .q8_1: 32
        case .q8_K: 256
        case .f16, .bf16: 1
        }
    }

    /// Rounds x (rows, columns), row-major, in place; columns must be a multiple of `blockSize`
    /// (true of every weight stored in the matching ggml types).
    public func apply(_ x: UnsafeMutablePointer<Float>, rows: Int, columns: Int) {
        precondition(columns % blockSize == 0, "\(rawValue) rounding: \(columns) columns is not a multiple of \(blockSize)")
        Parallel.forRanges(rows, minimumChunk: 8) { range in
            for r in range { self.round(row: x + r * columns, count: columns) }
        }
    }

    /// Rounds one row of `count` values in place.
    public func round(row x: UnsafeMutablePointer<Float>, count: Int) {
        switch self {
        case .q8_0, .q8_1:
            for start in stride(from: 0, to: count, by: 32) { Self.roundQ8_0(x + start) }
        case .q8_K:
            for start in stride(from: 0, to: count, by: 256) { Self.roundQ8_K(x + start) }
        case .f16:
            for i in 0..<count { x[i] = Float(Float16(x[i])) }
        case .bf16:
            for i in 0..<count { x[i] = HalfPrecision.bf16ToF32(HalfPrecision.f32ToBF16(x[i])) }
        }
    }

    /// One block of 32 as quantize_row_q8_0 (x86 AVX2 path) stores and the dot product reads it.
    static func roundQ8_0(_ x: UnsafeMutablePointer<Float>) {
        var amax: Float = 0
        for i in 0..<32 { amax = Swift.max(amax, abs(x[i])) }
        let d = Float(Float16(amax / 127))
        let id: Float = amax != 0 ? 127 / amax : 0
        // + 0: the code is an integer, so a zero code is +0 (−0.3 rounds to −0.0 as a float)
        for i in 0..<32 { x[i] = ((x[i] * id).rounded(.toNearestOrEven) + 0) * d }
    }

    /// One block of 256 as quantize_row_q8_K_ref stores it (d in f32).
    static func roundQ8_K(_ x: UnsafeMutablePointer<Float>) {
        var amax: Float = 0, signedMax: Float = 0
        for i in 0..<256 where abs(x[i]) > amax { amax = abs(x[i]); signedMax = x[i] }
        guard amax != 0 else {
            for i in 0..<256 { x[i] = 0 }
            return
        }
        let iscale = -127 / signedMax, d = 1 / iscale
        for i in 0..<256 { x[i] = (Swift.min(127, (iscale * x[i]).rounded(.toNearestOrEven)) + 0) * d }
    }
}
