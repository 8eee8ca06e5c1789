/// RMSNorm over the last dimension, as in Llama: y = x / sqrt(mean(x²) + eps) · (offset + weight).
/// `offset` is 0 for Llama/Qwen2 and 1 for Gemma ("1 + weight").
public enum RMSNorm {
    // x (rows, n), weight (n) -> out (rows, n); out may alias x.
    public static func apply(
        _ x: UnsafePointer<Float>, rows: Int, n: Int, weight: UnsafePointer<Float>, eps: Float,
        weightOffset: Float = 0, out: UnsafeMutablePointer<Float>
    ) {
        Parallel.forRanges(rows, minimumChunk: 16) { range in
            for r in range {
                let xr = x + r * n, orow = out + r * n
                let ss = SIMDMath.sumOfSquares(xr, n)
                // Accumulate in f32 like PyTorch does for f32 tensors.
                let inv = 1 / (ss / Float(n) + eps).squareRoot()
                var i = 0
                while i + 16 <= n {
                    let v = SIMDMath.load16(xr + i) * inv
                    let w = SIMDMath.load16(weight + i) + weightOffset
                    SIMDMath.store16(v * w, orow + i)
                    i += 16
                }
                while i < n { orow[i] = xr[i] * inv * (weight[i] + weightOffset); i += 1 }
            }
        }
    }
}
