import CBLAS

/// Thin wrappers over OpenBLAS (Accelerate on macOS). Every matrix is row-major f32.
public enum BLAS {
    /// Number of threads OpenBLAS uses for one call. Never call multithreaded BLAS from inside
    /// our own parallel loops: set 1 around such loops. (Accelerate manages its own threads: a
    /// no-op there, and `threads` reads 1.)
    #if os(macOS)
    public static func setThreads(_ n: Int) {}
    public static var threads: Int { 1 }
    #else
    public static func setThreads(_ n: Int) { openblas_set_num_threads(Int32(n)) }
    public static var threads: Int { Int(openblas_get_num_threads()) }
    #endif

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

    /// Like `gemm`, but splits the columns of C across all cores, each part computed by
    /// single-threaded BLAS. OpenBLAS's own threads are kept at 1 (see `useOwnThreads`): its idle
    /// workers spin and would compete with our parallel kernels on a small machine.
    public static func parallelGemm(
        transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        let parts = Parallel.coreCount
        // Small products are not worth splitting.
        guard parts > 1, n >= 64 * parts, m * n * k >= 1 << 20 else {
            gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                 b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
            return
        }
        Parallel.forEach(parts) { p in
            // column range, aligned to 16 so each part's stores stay vector-aligned
            let j0 = (n * p / parts) & ~15, j1 = p == parts - 1 ? n : (n * (p + 1) / parts) & ~15
            guard j1 > j0 else { return }
            let bPart = transB ? b + j0 * ldb : b + j0
            gemm(transA: transA, transB: transB, m: m, n: j1 - j0, k: k, alpha: alpha, a: a, lda: lda,
                 b: bPart, ldb: ldb, beta: beta, c: c + j0, ldc: ldc)
        }
    }

    /// Makes OpenBLAS single-threaded so that `parallelGemm` and our kernels own the cores.
    public static func useOwnThreads() { setThreads(1) }

    /// out (rows, outF) = x (rows, inF) · wᵀ, w (outF, inF) — a linear layer without bias.
    public static func linear(
        _ x: UnsafePointer<Float>, rows: Int, inFeatures: Int,
        weight: UnsafePointer<Float>, outFeatures: Int, out: UnsafeMutablePointer<Float>,
        accumulate: Bool = false
    ) {
        parallelGemm(transB: true, m: rows, n: outFeatures, k: inFeatures,
                     a: x, lda: inFeatures, b: weight, ldb: inFeatures, beta: accumulate ? 1 : 0,
                     c: out, ldc: outFeatures)
    }

    /// C (n×n) = alpha · Aᵀ·A + beta · C for A (k×n) row-major, upper triangle only (the Hessian
    /// update X·Xᵀ of calibration inputs stored as rows). Single-threaded; see `parallelSyrkUpperAtA`.
    public static func syrkUpperAtA(
        n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_ssyrk(CblasRowMajor, CblasUpper, CblasTrans, blasint(n), blasint(k), alpha, a, blasint(lda),
                    beta, c, blasint(ldc))
    }

    /// `syrkUpperAtA` split over the rows of A across all cores: each core accumulates its share
    /// into a private n×n buffer with single-threaded BLAS, then the parts are added into C.
    public static func parallelSyrkUpperAtA(
        n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        let parts = min(Parallel.coreCount, k / 256)
        guard parts > 1 else {
            syrkUpperAtA(n: n, k: k, alpha: alpha, a: a, lda: lda, beta: beta, c: c, ldc: ldc)
            return
        }
        let partial = FloatBuffer(count: (parts - 1) * n * n, zeroed: false)
        Parallel.forEach(parts) { p in
            let r0 = k * p / parts, r1 = k * (p + 1) / parts
            if p == 0 {
                syrkUpperAtA(n: n, k: r1 - r0, alpha: alpha, a: a, lda: lda, beta: beta, c: c, ldc: ldc)
            } else {
                syrkUpperAtA(n: n, k: r1 - r0, alpha: alpha, a: a + r0 * lda, lda: lda, beta: 0,
                             c: partial.pointer + (p - 1) * n * n, ldc: n)
            }
        }
        // C's upper triangle += the other parts' upper triangles
        Parallel.forRanges(n, minimumChunk: 32) { rows in
            for r in rows {
                let dst = c + r * ldc
                for p in 1..<parts {
                    let src = partial.pointer + (p - 1) * n * n + r * n
                    for col in r..<n { dst[col] += src[col] }
                }
            }
        }
    }
}
