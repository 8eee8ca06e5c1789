/// Which integer levels a symmetric b-bit grid uses (codes q ∈ [0, 2^b − 1], zero fixed at 2^(b−1)).
///
/// - `full` (the default; the GPTQ reference's `quant.py`): scale = 2·max|w| / (2^b − 1), so the
///   range's width is spread over all 2^b levels; q − zero ∈ [−2^(b−1), 2^(b−1) − 1], the negative
///   extreme lies just beyond −max|w| and the positive one just inside +max|w| (clipped there).
/// - `narrow` (an earlier PTQLab default, like int8's "narrow range" [−127, 127]):
///   scale = max|w| / (2^(b−1) − 1); ±max|w| map to ±(2^(b−1) − 1) exactly and the lowest level
///   −2^(b−1) is reachable only by values beyond the range: one level of 2^b wasted (at 4 bits,
///   15 of 16 used). Spec flag `-narrow`.
///
/// Both decode as scale · (q − 2^(b−1)), so both store as GPTQ `sym=True` checkpoints and as
/// ggml's Q4_0/Q5_0/Q8_0 blocks unchanged. Activations and LoRC factors keep the narrow grid.
public enum SymmetricGrid: String, Hashable, Sendable, Codable, CaseIterable {
    case full, narrow

    /// Scale of a symmetric group whose largest magnitude is `maxAbs` (> 0), before storage rounding.
    @inline(__always)
    public func scale(maxAbs: Float, bits: Int) -> Float {
        switch self {
        case .full: return 2 * maxAbs / Float((1 << bits) - 1)
        case .narrow: return maxAbs / Float((1 << (bits - 1)) - 1)
        }
    }
}
