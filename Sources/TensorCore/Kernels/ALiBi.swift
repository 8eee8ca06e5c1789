#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// ALiBi slopes (Press et al.; BLOOM's `_get_alibi_slopes`): for n heads with p the largest power
/// of two ≤ n, head h < p gets 2^(−8(h+1)/p); the n − p remaining heads take every other slope of
/// 2p heads: 2^(−4(2i+1)/p), i = 0..<n−p.
public enum ALiBi {
    public static func slopes(heads n: Int) -> [Float] {
        precondition(n > 0, "ALiBi needs at least one head")
        var p = 1
        while p * 2 <= n { p *= 2 }
        // computed as torch does: base^k in f32, base = 2^(−2^(−(log2 p − 3)))
        let base = Float(pow2(-pow2(-(log2(p) - 3))))
        var slopes = (1...p).map { powf(base, Float($0)) }
        if p < n {
            let extraBase = Float(pow2(-pow2(-(log2(2 * p) - 3))))
            slopes += stride(from: 1, to: 1 + 2 * (n - p), by: 2).map { powf(extraBase, Float($0)) }
        }
        return slopes
    }

    private static func log2(_ p: Int) -> Double { Double(p.trailingZeroBitCount) }
    private static func pow2(_ x: Double) -> Double { pow(2, x) }
}
