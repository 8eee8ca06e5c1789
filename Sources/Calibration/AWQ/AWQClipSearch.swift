import Foundation
import Quantization
import TensorCore

/// AWQ's weight-clipping search for one linear (llm-awq `auto_clip_layer`): per row and
/// quantization group, the clipping bound max|w|·(1 − i/grid), i = 0…grid·maxShrink−1, that
/// minimises the mean squared error of the group's partial output Σ_k x_k·w_k over (at most about)
/// 512 calibration tokens taken at a regular stride. The weights are then clamped to ±bound.
///
/// The error of a group is ΔW_g·H_g·ΔW_gᵀ / T with H_g = X_gᵀX_g over the sampled tokens (the same
/// number as llm-awq's direct (x·q − x·w)², computed without materialising every token's output).
struct AWQClipSearch {
    let scheme: WeightScheme
    var grid = 20
    var maxShrink = 0.5
    var sampleTokens = 512

    struct Outcome {
        /// Mean of 1 − bound/max|w| over the row groups (0: nothing clipped).
        let meanShrink: Double
        /// Per row and group (rows × groups), the chosen step i (bound = max|w|·(1 − i/grid)).
        let steps: [Int]
    }

    /// Every `stride`-th row of x (rows, in), stride = rows / sampleTokens (at least 1), as llm-awq.
    func sampled(_ x: Tensor) -> Tensor {
        let stride = max(1, x.rows / sampleTokens)
        let count = (x.rows + stride - 1) / stride, n = x.columns
        let out = Tensor(zeros: [count, n])
        for i in 0..<count { (out.pointer + i * n).update(from: x.pointer + i * stride * n, count: n) }
        return out
    }

    /// Clamps `weight` (out, in) in place to the bounds that minimise the error on inputs `x`.
    func clip(_ weight: Tensor, inputs x: Tensor) throws -> Outcome {
        let rows = weight.rows, columns = weight.columns
        let k = scheme.groupSize(columns: columns), groups = scheme.groupsPerRow(columns: columns)
        let xs = sampled(x), tokens = xs.rows
        // H_g = X_gᵀ X_g (k × k) per group (the last group may be narrower).
        var hessians: [Tensor] = []
        for g in 0..<groups {
            let c0 = g * k, n = min(k, columns - c0)
            let h = Tensor(zeros: [n, n])
            BLAS.gemm(transA: true, m: n, n: n, k: tokens, a: xs.pointer + c0, lda: columns,
                      b: xs.pointer + c0, ldb: columns, c: h.pointer, ldc: n)
            hessians.append(h)
        }
        let w = weight.pointer
        var original = [Float](repeating: 0, count: rows * groups)
        for r in 0..<rows {
            for g in 0..<groups {
                let c0 = g * k, n = min(k, columns - c0)
                var m: Float = 0
                for c in c0..<c0 + n { m = max(m, abs(w[r * columns + c])) }
                original[r * groups + g] = m
            }
        }
        var bestBound = original, bestError = [Double](repeating: .infinity, count: rows * groups)
        var bestStep = [Int](repeating: 0, count: rows * groups)
        let steps = Int(maxShrink * Double(grid))
        // out (rows, columns) = w clamped to ±bound(row·groups + group).
        func clamp(into out: UnsafeMutablePointer<Float>, bound: (Int) -> Float) {
            for r in 0..<rows {
                for g in 0..<groups {
                    let b = bound(r * groups + g), c0 = g * k, n = min(k, columns - c0)
                    for c in c0..<c0 + n { out[r * columns + c] = min(max(w[r * columns + c], -b), b) }
                }
            }
        }
        let clamped = Tensor(zeros: [rows, columns]), delta = Tensor(zeros: [rows, columns])
        for i in 0..<steps {
            let factor = Float(1 - Double(i) / Double(grid))
            clamp(into: clamped.pointer) { original[$0] * factor }
            let q = try MatrixQuantizer.quantize(clamped, scheme: scheme).dequantized
            let dp = delta.pointer, qp = q.pointer
            for j in 0..<rows * columns { dp[j] = qp[j] - w[j] }
            for g in 0..<groups {
                let c0 = g * k, n = min(k, columns - c0)
                // m (rows, n) = Δ_g · H_g;  error_r = Σ_c m[r, c]·Δ_g[r, c] / T
                let m = Tensor(zeros: [rows, n])
                BLAS.gemm(m: rows, n: n, k: n, a: dp + c0, lda: columns, b: hessians[g].pointer, ldb: n,
                          c: m.pointer, ldc: n)
                for r in 0..<rows {
                    var e = 0.0
                    for c in 0..<n { e += Double(m.pointer[r * n + c]) * Double(dp[r * columns + c0 + c]) }
                    e /= Double(tokens)
                    let index = r * groups + g
                    if e < bestError[index] { bestError[index] = e; bestBound[index] = original[index] * factor; bestStep[index] = i }
                }
            }
        }
        clamp(into: w) { bestBound[$0] }
        var shrink = 0.0
        for (o, bound) in zip(original, bestBound) where o > 0 { shrink += Double(1 - bound / o) }
        return Outcome(meanShrink: shrink / Double(rows * groups), steps: bestStep)
    }
}
