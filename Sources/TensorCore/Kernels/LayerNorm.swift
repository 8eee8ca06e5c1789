/// LayerNorm with an affine weight and bias (OPT, BLOOM, GPT-2, GPT-NeoX):
/// out = (x − mean(x)) / √(var(x) + eps) · w + b, mean and (biased) variance over each row.
public enum LayerNorm {
    /// x (rows, n), weight (n), bias (n) -> out (rows, n); out may alias x.
    public static func apply(
        _ x: UnsafePointer<Float>, rows: Int, n: Int, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>,
        eps: Float, out: UnsafeMutablePointer<Float>
    ) {
        Parallel.forRanges(rows, minimumChunk: 16) { range in
            for r in range {
                let xr = x + r * n, orow = out + r * n
                // Two passes in f32: the mean, then the mean square of the centred values.
                var acc = SIMD16<Float>()
                var i = 0
                while i + 16 <= n { acc += SIMDMath.load16(xr + i); i += 16 }
                var sum = acc.sum()
                while i < n { sum += xr[i]; i += 1 }
                let mean = sum / Float(n)
                acc = SIMD16<Float>()
                i = 0
                while i + 16 <= n { let c = SIMDMath.load16(xr + i) - mean; acc.addProduct(c, c); i += 16 }
                var squares = acc.sum()
                while i < n { let c = xr[i] - mean; squares += c * c; i += 1 }
                let inv = 1 / (squares / Float(n) + eps).squareRoot()
                i = 0
                while i + 16 <= n {
                    let v = (SIMDMath.load16(xr + i) - mean) * inv
                    SIMDMath.store16(v * SIMDMath.load16(weight + i) + SIMDMath.load16(bias + i), orow + i)
                    i += 16
                }
                while i < n { orow[i] = (xr[i] - mean) * inv * weight[i] + bias[i]; i += 1 }
            }
        }
    }
}
