import CBLAS

/// Thin wrappers over OpenBLAS. Every matrix is row-major f32.
public enum BLAS {
    /// Number of threads OpenBLAS uses for one call. Never call multithreaded BLAS from inside
    /// our own parallel loops: set 1 around such loops.
    public static func setThreads(_ n: Int) { openblas_set_num_threads(Int32(n)) }
    public static var threads: Int { Int(openblas_get_num_threads()) }

    /// C (m×n) = alpha · op(A) · op(B) + beta · C, row-major.
    /// op(A) is (m×k): A is (m×k) with lda, or (k×m) when transA. op(B) is (k×n): B is (k×n), or
    /// (n×k) when transB.
    @inline(__always)
    public static func gemm(
        transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_sgemm(
            CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
            blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
    }

    /// out (rows, outF) = x (rows, inF) · wᵀ, w (outF, inF) — a linear layer without bias.
    public static func linear(
        _ x: UnsafePointer<Float>, rows: Int, inFeatures: Int,
        weight: UnsafePointer<Float>, outFeatures: Int, out: UnsafeMutablePointer<Float>
    ) {
        gemm(transB: true, m: rows, n: outFeatures, k: inFeatures,
             a: x, lda: inFeatures, b: weight, ldb: inFeatures, c: out, ldc: outFeatures)
    }

    /// C (n×n) += alpha · Aᵀ·A for A (k×n) row-major, upper triangle only (the Hessian update X·Xᵀ
    /// of calibration inputs stored as rows).
    public static func syrkUpperAtA(
        n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_ssyrk(CblasRowMajor, CblasUpper, CblasTrans, blasint(n), blasint(k), alpha, a, blasint(lda),
                    beta, c, blasint(ldc))
    }
}
