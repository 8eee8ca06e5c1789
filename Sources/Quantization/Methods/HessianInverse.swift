import TensorCore

/// The factor GPTQ works with: U, upper triangular with UᵀU = (H + λI)⁻¹, where
/// λ = damping · mean(diag H). If a Cholesky factorisation fails (H not positive definite in f32),
/// the damping is multiplied by `growth` and retried, at most `maxRetries` times.
struct HessianInverse {
    /// size × size, row-major, upper triangle (strict lower = 0).
    let upper: FloatBuffer
    /// The relative damping finally used.
    let damping: Float
    let retries: Int

    init(hessian h: UnsafePointer<Float>, size n: Int, damping: Float, growth: Float, maxRetries: Int)
        throws(QuantizationError) {
        var meanDiagonal: Double = 0
        for i in 0..<n { meanDiagonal += Double(h[i * n + i]) }
        meanDiagonal /= Double(max(n, 1))
        let work = FloatBuffer(count: n * n, zeroed: false)
        var relative = damping
        for attempt in 0...maxRetries {
            work.pointer.update(from: h, count: n * n)
            let lambda = Float(Double(relative) * meanDiagonal)
            for i in 0..<n { work.pointer[i * n + i] += lambda }
            do {
                try LAPACK.inverseSPD(work.pointer, n: n)
                try LAPACK.choleskyUpper(work.pointer, n: n)
                if Self.isFinite(work.pointer, n * n) {
                    upper = work
                    self.damping = relative
                    retries = attempt
                    return
                }
            } catch {}
            if attempt < maxRetries { relative *= growth }
        }
        throw .notPositiveDefinite(lastDamping: relative)
    }

    private static func isFinite(_ p: UnsafePointer<Float>, _ count: Int) -> Bool {
        for i in 0..<count where !p[i].isFinite { return false }
        return true
    }
}
