import KernelCore

/// Causal multi-head attention with grouped-query heads for a batch of independent windows; the
/// (window, head) pairs run in parallel. With a kernel variant (AVX-512, AVX2, portable: by default
/// the one the CPU runs, `LinearBackend.automatic`) and head_dim a multiple of 16, each head runs
/// the fused kernel of that instruction set (`FusedAttention`: register tiles of 4 query rows, no
/// T×T buffer); otherwise scores and weighted sums go through BLAS per (window, head), in
/// 128-row blocks with single-threaded BLAS inside (the reference the fused kernels are tested
/// against).
public enum CausalAttention {
    /// q (B·T, heads, headDim), k/v (B·T, kvHeads, headDim) → out (B·T, heads, headDim).
    /// `slidingWindow`: a token attends to at most this many most recent tokens (itself included).
    /// `alibiSlopes` (heads): ALiBi (BLOOM) adds slope_h · j to the scaled score of key position j
    /// (what BLOOM adds; the same for every query row, so equal to slope_h · (j − i) after softmax).
    /// `rowBlock`: query rows handled per GEMM; blocks skip the keys a causal mask hides.
    public static func forward(
        q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
        out: UnsafeMutablePointer<Float>,
        windows: Int, tokens: Int, heads: Int, kvHeads: Int, headDim: Int,
        scale: Float, slidingWindow: Int? = nil, alibiSlopes: [Float]? = nil, rowBlock: Int = 128,
        variant: LinearBackend = .automatic
    ) {
        precondition(alibiSlopes == nil || alibiSlopes!.count == heads, "one ALiBi slope per head")
        let group = heads / kvHeads
        let qStride = heads * headDim, kvStride = kvHeads * headDim
        let tasks = windows * heads
        let workers = min(Parallel.coreCount, tasks)
        if headDim % 16 == 0, let kernel = variant.kernel {
            // Kᵀ of every (window, KV head) once, shared by the query heads of its group
            let ktCount = FusedAttention.transposedKeysCount(tokens: tokens, headDim: headDim)
            let transposed = FloatBuffer(count: windows * kvHeads * ktCount, zeroed: false)
            let kt = transposed.pointer
            Parallel.forEach(min(Parallel.coreCount, windows * kvHeads)) { w in
                var task = w
                while task < windows * kvHeads {
                    let b = task / kvHeads, g = task % kvHeads
                    FusedAttention.transposeKeys(k + b * tokens * kvStride + g * headDim, ldkv: kvStride, tokens: tokens,
                                                 headDim: headDim, into: kt + task * ktCount)
                    task += min(Parallel.coreCount, windows * kvHeads)
                }
            }
            let per = FusedAttention.scratchCount(tokens: tokens)
            let scratch = FloatBuffer(count: workers * per, zeroed: false)
            let sp = scratch.pointer, run = kernel.attention
            Parallel.forEach(workers) { w in
                var task = w
                while task < tasks {
                    let b = task / heads, h = task % heads, g = h / group
                    // q/out (T, hd) of head h, Kᵀ and v (T, hd) of its KV head g, in window b
                    run(FusedAttention.Job(
                        q: q + b * tokens * qStride + h * headDim, ldq: qStride,
                        kt: kt + (b * kvHeads + g) * ktCount, v: v + b * tokens * kvStride + g * headDim,
                        ldkv: kvStride, out: out + b * tokens * qStride + h * headDim, ldo: qStride,
                        tokens: tokens, headDim: headDim, scale: scale, window: slidingWindow,
                        alibiSlope: alibiSlopes?[h], scratch: sp + w * per))
                    task += workers
                }
            }
            return
        }
        // Single-threaded BLAS inside our own parallel loop.
        let savedThreads = BLAS.threads
        if savedThreads != 1 { BLAS.setThreads(1) }
        defer { if savedThreads != 1 { BLAS.setThreads(savedThreads) } }
        // One T×T score buffer per worker.
        let scratch = FloatBuffer(count: workers * tokens * tokens, zeroed: false)
        let sp = scratch.pointer
        Parallel.forEach(workers) { w in
            let scores = sp + w * tokens * tokens
            let sums = UnsafeMutablePointer<Float>.allocate(capacity: rowBlock)
            defer { sums.deallocate() }
            var task = w
            while task < tasks {
                let b = task / heads, h = task % heads, g = h / group
                let qh = q + b * tokens * qStride + h * headDim        // (T, hd), ld = qStride
                let kh = k + b * tokens * kvStride + g * headDim       // (T, hd), ld = kvStride
                let vh = v + b * tokens * kvStride + g * headDim
                let oh = out + b * tokens * qStride + h * headDim
                // Causal: query rows [r0, r1) only need keys [k0, r1), so work in row blocks and
                // skip the masked upper triangle (and, with a sliding window, keys too far back).
                var r0 = 0
                while r0 < tokens {
                    let r1 = min(tokens, r0 + rowBlock)
                    let k0 = slidingWindow.map { max(0, r0 - $0 + 1) } ?? 0
                    let keys = r1 - k0
                    // scores (r1-r0, keys) = qh[r0..<r1] · kh[k0..<r1]ᵀ
                    BLAS.gemm(transB: true, m: r1 - r0, n: keys, k: headDim,
                              a: qh + r0 * qStride, lda: qStride, b: kh + k0 * kvStride, ldb: kvStride,
                              c: scores, ldc: keys)
                    // unnormalised probabilities; each output row is divided by its sum afterwards
                    for t in r0..<r1 {
                        let start = slidingWindow.map { max(0, t - $0 + 1) } ?? 0
                        let row = scores + (t - r0) * keys
                        var rowScale = scale
                        if let alibiSlopes {
                            // row[c] ← scale · row[c] + slope · (k0 + c) over the visible keys
                            let slope = alibiSlopes[h]
                            for c in (start - k0)..<(t + 1 - k0) { row[c] = row[c] * scale + slope * Float(k0 + c) }
                            rowScale = 1
                        }
                        sums[t - r0] = 1 / Softmax.unnormalizedRow(row, start: start - k0,
                                                                   valid: t + 1 - k0, n: keys, scale: rowScale)
                    }
                    // oh[r0..<r1] (r1-r0, hd) = scores · vh[k0..<r1], then row t scaled by 1/sum_t
                    BLAS.gemm(m: r1 - r0, n: headDim, k: keys,
                              a: scores, lda: keys, b: vh + k0 * kvStride, ldb: kvStride,
                              c: oh + r0 * qStride, ldc: qStride)
                    for t in r0..<r1 {
                        let row = oh + t * qStride, inv = sums[t - r0]
                        for c in 0..<headDim { row[c] *= inv }
                    }
                    r0 = r1
                }
                task += workers
            }
        }
    }
}
