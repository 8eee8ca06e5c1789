/// Causal multi-head attention with grouped-query heads for a batch of independent windows.
/// Scores and weighted sums go through BLAS per (window, head); the (window, head) pairs run in
/// parallel with single-threaded BLAS inside.
public enum CausalAttention {
    /// q (B·T, heads, headDim), k/v (B·T, kvHeads, headDim) → out (B·T, heads, headDim).
    /// `slidingWindow`: a token attends to at most this many most recent tokens (itself included).
    public static func forward(
        q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
        out: UnsafeMutablePointer<Float>,
        windows: Int, tokens: Int, heads: Int, kvHeads: Int, headDim: Int,
        scale: Float, slidingWindow: Int? = nil
    ) {
        let group = heads / kvHeads
        let qStride = heads * headDim, kvStride = kvHeads * headDim
        let tasks = windows * heads
        let workers = min(Parallel.coreCount, tasks)
        let savedThreads = BLAS.threads
        BLAS.setThreads(1)
        defer { BLAS.setThreads(savedThreads) }
        // One T×T score buffer per worker.
        let scratch = FloatBuffer(count: workers * tokens * tokens, zeroed: false)
        let sp = scratch.pointer
        Parallel.forEach(workers) { w in
            let scores = sp + w * tokens * tokens
            var task = w
            while task < tasks {
                let b = task / heads, h = task % heads, g = h / group
                let qh = q + b * tokens * qStride + h * headDim        // (T, hd), ld = qStride
                let kh = k + b * tokens * kvStride + g * headDim       // (T, hd), ld = kvStride
                let vh = v + b * tokens * kvStride + g * headDim
                let oh = out + b * tokens * qStride + h * headDim
                // scores (T, T) = qh · khᵀ
                BLAS.gemm(transB: true, m: tokens, n: tokens, k: headDim,
                          a: qh, lda: qStride, b: kh, ldb: kvStride, c: scores, ldc: tokens)
                for t in 0..<tokens {
                    let start = slidingWindow.map { max(0, t - $0 + 1) } ?? 0
                    Softmax.rowInPlace(scores + t * tokens, start: start, valid: t + 1, n: tokens, scale: scale)
                }
                // oh (T, hd) = scores (T, T) · vh (T, hd)
                BLAS.gemm(m: tokens, n: headDim, k: tokens,
                          a: scores, lda: tokens, b: vh, ldb: kvStride, c: oh, ldc: qStride)
                task += workers
            }
        }
    }
}
