import TensorCore

/// The layer-output loss of a quantized weight under a Hessian: ‖(W − Ŵ)X‖² = tr(Δ·H·Δᵀ) up to
/// H's normalisation (H = 2/n Σ xxᵀ), with Δ = W − Ŵ (rows × columns).
public enum HessianLoss {
    /// diag(Δ·H·Δᵀ): each row's share (rows are independent in the loss).
    public static func rows(_ quantized: Tensor, _ weight: Tensor, _ hessian: Hessian) -> [Double] {
        let rows = weight.shape[0], n = weight.shape[1]
        let delta = Tensor(zeros: [rows, n]), product = Tensor(zeros: [rows, n])
        for i in 0..<rows * n { delta.pointer[i] = weight.pointer[i] - quantized.pointer[i] }
        BLAS.parallelGemm(m: rows, n: n, k: n, a: delta.pointer, lda: n, b: hessian.matrix.pointer, ldb: n,
                          c: product.pointer, ldc: n)
        return (0..<rows).map { r in
            var total: Double = 0
            for c in 0..<n { total += Double(product.pointer[r * n + c]) * Double(delta.pointer[r * n + c]) }
            return total
        }
    }

    /// tr(Δ·H·Δᵀ).
    public static func total(_ quantized: Tensor, _ weight: Tensor, _ hessian: Hessian) -> Double {
        rows(quantized, weight, hessian).reduce(0, +)
    }
}
