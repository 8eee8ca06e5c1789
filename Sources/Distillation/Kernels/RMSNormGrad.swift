import TensorCore

/// RMSNorm y = x · r · (offset + w), r = 1/√(mean(x²) + eps), over the last dimension, and its
/// input gradient (the norm weights are not trained here).
public enum RMSNormGrad {
    /// y (N, n) from x (N, n); saves r (N) for the backward pass.
    public static func forward<T: GradScalar>(_ x: UnsafePointer<T>, rows: Int, n: Int, weight: UnsafePointer<T>,
                                              offset: T, eps: T, into y: UnsafeMutablePointer<T>,
                                              inverseRMS r: UnsafeMutablePointer<T>) {
        Parallel.forRanges(rows, minimumChunk: 16) { range in
            for row in range {
                let xr = x + row * n, yr = y + row * n
                var ss: T = 0
                for i in 0..<n { ss += xr[i] * xr[i] }
                let inv = 1 / (ss / T(n) + eps).squareRoot()
                r[row] = inv
                for i in 0..<n { yr[i] = xr[i] * inv * (weight[i] + offset) }
            }
        }
    }

    /// dx (N, n) (+)= ∂L/∂x given dy: dx = r·(dy∘w') − x · r³/n · Σᵢ dyᵢ w'ᵢ xᵢ, w' = offset + w.
    public static func backward<T: GradScalar>(_ dy: UnsafePointer<T>, x: UnsafePointer<T>, inverseRMS r: UnsafePointer<T>,
                                               rows: Int, n: Int, weight: UnsafePointer<T>, offset: T,
                                               into dx: UnsafeMutablePointer<T>, accumulate: Bool) {
        Parallel.forRanges(rows, minimumChunk: 16) { range in
            for row in range {
                let xr = x + row * n, gr = dy + row * n, dr = dx + row * n
                let inv = r[row]
                var dot: T = 0
                for i in 0..<n { dot += gr[i] * (weight[i] + offset) * xr[i] }
                let c = inv * inv * inv * dot / T(n)
                for i in 0..<n {
                    let v = inv * gr[i] * (weight[i] + offset) - xr[i] * c
                    dr[i] = accumulate ? dr[i] + v : v
                }
            }
        }
    }
}
