import TensorCore

/// Causal multi-head attention with grouped-query heads, softmax(q·kᵀ·scale + mask)·v, and its
/// gradients with respect to q, k and v. Keys j > i are masked, and with `slidingWindow` also
/// keys with i − j ≥ window (a token sees at most that many tokens, itself included); `alibiSlopes`
/// add slope_h · (j − i) to the scores (BLOOM). Rows are windows·tokens, token-major within a window.
public struct CausalAttentionGrad: Sendable {
    public let heads: Int
    public let kvHeads: Int
    public let headDim: Int
    public let scale: Double
    public let slidingWindow: Int?
    public let alibiSlopes: [Double]?

    public init(heads: Int, kvHeads: Int, headDim: Int, scale: Double, slidingWindow: Int? = nil, alibiSlopes: [Double]? = nil) {
        precondition(heads % kvHeads == 0)
        self.heads = heads; self.kvHeads = kvHeads; self.headDim = headDim; self.scale = scale
        self.slidingWindow = slidingWindow; self.alibiSlopes = alibiSlopes
    }

    /// Floats of the probabilities saved for the backward pass.
    public func probabilityCount(windows: Int, tokens: Int) -> Int { windows * heads * tokens * tokens }

    @inline(__always)
    func visible(_ i: Int, _ j: Int) -> Bool {
        j <= i && (slidingWindow.map { i - j < $0 } ?? true)
    }

    /// out (N, heads·hd) from q (N, heads·hd), k, v (N, kvHeads·hd); saves P (windows, heads, T, T).
    public func forward<T: GradScalar>(q: UnsafePointer<T>, k: UnsafePointer<T>, v: UnsafePointer<T>,
                                       windows: Int, tokens: Int, out: UnsafeMutablePointer<T>,
                                       probabilities p: UnsafeMutablePointer<T>) {
        let qStride = heads * headDim, kvStride = kvHeads * headDim, group = heads / kvHeads
        let s = T(scale), tt = tokens
        Parallel.forEach(windows * heads) { job in
            let b = job / heads, h = job % heads, kh = h / group
            let qh = q + b * tt * qStride + h * headDim
            let kh0 = k + b * tt * kvStride + kh * headDim, vh = v + b * tt * kvStride + kh * headDim
            let ph = p + job * tt * tt
            // S (T, T) = q_h · k_hᵀ · scale
            T.serialGemm(transA: false, transB: true, m: tt, n: tt, k: headDim, alpha: s, a: qh, lda: qStride,
                         b: kh0, ldb: kvStride, beta: 0, c: ph, ldc: tt)
            let slope = alibiSlopes.map { T($0[h]) }
            for i in 0..<tt {
                let row = ph + i * tt
                var m = -T.infinity
                for j in 0..<tt where visible(i, j) {
                    if let slope { row[j] += slope * T(j - i) }
                    m = Swift.max(m, row[j])
                }
                var sum: T = 0
                for j in 0..<tt {
                    if visible(i, j) { row[j] = T.exp(row[j] - m); sum += row[j] } else { row[j] = 0 }
                }
                let inv = 1 / sum
                for j in 0..<tt { row[j] *= inv }
            }
            // out_h (T, hd) = P · v_h
            T.serialGemm(transA: false, transB: false, m: tt, n: headDim, k: tt, alpha: 1, a: ph, lda: tt,
                         b: vh, ldb: kvStride, beta: 0, c: out + b * tt * qStride + h * headDim, ldc: qStride)
        }
    }

    /// dq (N, heads·hd), dk, dv (N, kvHeads·hd), overwritten, from dOut (N, heads·hd) and the
    /// saved P. `scratch` holds windows·kvHeads·T·T values (dP, then dS, per head).
    public func backward<T: GradScalar>(dOut: UnsafePointer<T>, q: UnsafePointer<T>, k: UnsafePointer<T>,
                                        v: UnsafePointer<T>, probabilities p: UnsafePointer<T>,
                                        windows: Int, tokens: Int,
                                        dq: UnsafeMutablePointer<T>, dk: UnsafeMutablePointer<T>,
                                        dv: UnsafeMutablePointer<T>, scratch: UnsafeMutablePointer<T>) {
        let qStride = heads * headDim, kvStride = kvHeads * headDim, group = heads / kvHeads
        let s = T(scale), tt = tokens
        // One job per (window, kv head): the query heads sharing a kv head accumulate into its dk/dv.
        Parallel.forEach(windows * kvHeads) { job in
            let b = job / kvHeads, kh = job % kvHeads
            let kb = k + b * tt * kvStride + kh * headDim, vb = v + b * tt * kvStride + kh * headDim
            let dkb = dk + b * tt * kvStride + kh * headDim, dvb = dv + b * tt * kvStride + kh * headDim
            let ds = scratch + job * tt * tt
            for g in 0..<group {
                let h = kh * group + g
                let ph = p + (b * heads + h) * tt * tt
                let doh = dOut + b * tt * qStride + h * headDim
                let qh = q + b * tt * qStride + h * headDim
                let dqh = dq + b * tt * qStride + h * headDim
                let first: T = g == 0 ? 0 : 1
                // dv_h (T, hd) += Pᵀ · dOut_h
                T.serialGemm(transA: true, transB: false, m: tt, n: headDim, k: tt, alpha: 1, a: ph, lda: tt,
                             b: doh, ldb: qStride, beta: first, c: dvb, ldc: kvStride)
                // dP (T, T) = dOut_h · v_hᵀ
                T.serialGemm(transA: false, transB: true, m: tt, n: tt, k: headDim, alpha: 1, a: doh, lda: qStride,
                             b: vb, ldb: kvStride, beta: 0, c: ds, ldc: tt)
                // dS = P ∘ (dP − Σⱼ dP∘P) · scale   (masked entries have P = 0, so dS = 0 there)
                for i in 0..<tt {
                    let pr = ph + i * tt, dr = ds + i * tt
                    var dot: T = 0
                    for j in 0...i { dot += pr[j] * dr[j] }
                    for j in 0..<tt { dr[j] = j <= i ? pr[j] * (dr[j] - dot) * s : 0 }
                }
                // dq_h (T, hd) = dS · k_h
                T.serialGemm(transA: false, transB: false, m: tt, n: headDim, k: tt, alpha: 1, a: ds, lda: tt,
                             b: kb, ldb: kvStride, beta: 0, c: dqh, ldc: qStride)
                // dk_h (T, hd) += dSᵀ · q_h
                T.serialGemm(transA: true, transB: false, m: tt, n: headDim, k: tt, alpha: 1, a: ds, lda: tt,
                             b: qh, ldb: qStride, beta: first, c: dkb, ldc: kvStride)
            }
        }
    }

    /// Floats of `backward`'s scratch.
    public func scratchCount(windows: Int, tokens: Int) -> Int { windows * kvHeads * tokens * tokens }
}
