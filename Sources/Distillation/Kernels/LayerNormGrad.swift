import TensorCore

/// LayerNorm y = (x − μ)·r·w + b, r = 1/√(var(x) + eps), over the last dimension, and its input
/// gradient (the norm's weight and bias are not trained here).
public enum LayerNormGrad {
    /// y (N, n) from x (N, n); saves μ and r (N each) for the backward pass.
    public static func forward<T: GradScalar>(_ x: UnsafePointer<T>, rows: Int, n: Int, weight: UnsafePointer<T>,
                                              bias: UnsafePointer<T>, eps: T, into y: UnsafeMutablePointer<T>,
                                              mean mu: UnsafeMutablePointer<T>, inverseStd r: UnsafeMutablePointer<T>) {
        Parallel.forRanges(rows, minimumChunk: 16) { range in
            for row in range {
                let xr = x + row * n, yr = y + row * n
                var sum: T = 0
                for i in 0..<n { sum += xr[i] }
                let m = sum / T(n)
                var ss: T = 0
                for i in 0..<n { ss += (xr[i] - m) * (xr[i] - m) }
                let inv = 1 / (ss / T(n) + eps).squareRoot()
                mu[row] = m; r[row] = inv
                for i in 0..<n { yr[i] = (xr[i] - m) * inv * weight[i] + bias[i] }
            }
        }
    }

    /// dx (N, n) (+)= r · (g − mean(g) − x̂ · mean(g ∘ x̂)), g = dy ∘ w, x̂ = (x − μ)·r.
    public static func backward<T: GradScalar>(_ dy: UnsafePointer<T>, x: UnsafePointer<T>, mean mu: UnsafePointer<T>,
                                               inverseStd r: UnsafePointer<T>, rows: Int, n: Int, weight: UnsafePointer<T>,
                                               into dx: UnsafeMutablePointer<T>, accumulate: Bool) {
        Parallel.forRanges(rows, minimumChunk: 16) { range in
            for row in range {
                let xr = x + row * n, gr = dy + row * n, dr = dx + row * n
                let m = mu[row], inv = r[row]
                var sumG: T = 0, sumGX: T = 0
                for i in 0..<n {
                    let g = gr[i] * weight[i]
                    sumG += g
                    sumGX += g * (xr[i] - m) * inv
                }
                let meanG = sumG / T(n), meanGX = sumGX / T(n)
                for i in 0..<n {
                    let v = inv * (gr[i] * weight[i] - meanG - (xr[i] - m) * inv * meanGX)
                    dr[i] = accumulate ? dr[i] + v : v
                }
            }
        }
    }
}
