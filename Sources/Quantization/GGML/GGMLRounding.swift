/// The scalar primitives of ggml's reference quantizers (ggml-quants.c), reproduced operation by
/// operation so that our blocks equal `llama-quantize`'s bit for bit:
///
/// - `nearestInt`: ggml's `nearest_int`, the float "magic number" rounding (add 1.5·2^23, read the
///   mantissa): round half to even for |v| ≤ 4194303, and the same wrapped garbage ggml gets
///   beyond that (its assert is compiled out), so codes clamped afterwards agree even there.
/// - `half` / `widen`: GGML_FP32_TO_FP16 (round to nearest even) and back.
/// - `groupMaxEpsilon`: GROUP_MAX_EPS, below which a group counts as all zero.
enum GGMLRounding {
    static let groupMaxEpsilon: Float = 1e-15

    @inline(__always)
    static func nearestInt(_ v: Float) -> Int32 {
        let bits = Int32(bitPattern: (v + 12582912).bitPattern)
        return (bits & 0x007f_ffff) - 0x0040_0000
    }

    /// f32 → f16 bits, round to nearest even (ggml's FP32_TO_FP16).
    @inline(__always)
    static func half(_ v: Float) -> UInt16 { Float16(v).bitPattern }

    /// f16 bits → f32 (exact).
    @inline(__always)
    static func widen(_ bits: UInt16) -> Float { Float(Float16(bitPattern: bits)) }

    /// `v` rounded through f16 and back: the value a stored f16 field decodes to.
    @inline(__always)
    static func stored(_ v: Float) -> Float { widen(half(v)) }

    /// C's `(int8_t)` / `(uint8_t)` conversion of a float already in [-128, 255]: truncation
    /// toward zero; out-of-range and NaN inputs (undefined in C) become 0 here.
    @inline(__always)
    static func truncated(_ v: Float) -> Int32 {
        guard v.isFinite, v >= -2_147_483_648, v < 2_147_483_648 else { return 0 }
        return Int32(v.rounded(.towardZero))
    }
}
