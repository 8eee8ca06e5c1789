// Causal attention of one (window, head) in register tiles, written once and specialized by each
// instruction-set module (KernelsAVX512, KernelsAVX2, KernelsPortable) under its own
// -target-cpu, like the GEMM. It replaces, per head, two BLAS calls per 128-row block and a
// T×T score buffer by:
//
//   Kᵀ (hd, Tp)          = k (T, hd)ᵀ, zero-padded to Tp = T rounded up to 16 keys (once per
//                          KV head: `transposeKeys`, shared by the query heads of its group)
//   for each tile of R = 4 query rows t0..<t0+R at positions o+t0..<o+t0+R (o: the rows of a
//   shared prefix before the queries, 0 for a plain window; keys 0..<o+t0+R visible at most):
//     s (R, keys)        = q[t0..<t0+R] · Kᵀ[:, keys]          16 keys at a time, R accumulators
//     p (R, keys)        = exp(scale·s − scale·max) (0 where masked); sum per row
//     out[t0..<t0+R]     = (p · v[keys]) / sum                  16 of hd at a time, R accumulators
//
// The softmax is the exact two-pass one over each whole row (max, then exp and sum), as
// `CausalAttention`'s BLAS path computes it; only the summation order of the products differs.
// The masked upper triangle is computed only inside a tile's last 16 keys. head_dim must be a
// multiple of 16 (the callers check; other sizes use the BLAS path).

/// Fused causal attention for one (window, head): see the file's note.
public enum FusedAttention {
    /// Query rows per tile.
    public static let rowTile = 4

    /// Keys rounded up to whole 16-key chunks.
    @inlinable
    public static func paddedKeys(_ tokens: Int) -> Int { (tokens + 15) / 16 * 16 }

    /// Floats of scratch one head needs: the tile's scores (R × Tp).
    @inlinable
    public static func scratchCount(tokens: Int) -> Int { paddedKeys(tokens) * rowTile }

    /// Floats of one KV head's Kᵀ (hd × Tp).
    @inlinable
    public static func transposedKeysCount(tokens: Int, headDim: Int) -> Int { paddedKeys(tokens) * headDim }

    /// kt (hd, Tp) = k (T, hd; row stride ldkv)ᵀ, keys T..<Tp zero.
    @inlinable
    public static func transposeKeys(_ k: UnsafePointer<Float>, ldkv: Int, tokens: Int, headDim hd: Int,
                                     into kt: UnsafeMutablePointer<Float>) {
        transposeKeys([(k, tokens)], ldkv: ldkv, headDim: hd, into: kt)
    }

    /// kt (hd, Tp) = the key rows of `parts` one after the other (each (rows at a pointer, count),
    /// row stride ldkv), transposed; keys past their total up to Tp zero. A continuation's keys
    /// are its prefix's rows then its own.
    @inlinable
    public static func transposeKeys(_ parts: [(UnsafePointer<Float>, Int)], ldkv: Int, headDim hd: Int,
                                     into kt: UnsafeMutablePointer<Float>) {
        let total = parts.reduce(0) { $0 + $1.1 }, tp = paddedKeys(total)
        for d in 0..<hd {
            let dst = kt + d * tp
            var c = 0
            for (k, count) in parts {
                var src = k + d
                for _ in 0..<count { dst[c] = src.pointee; src += ldkv; c += 1 }
            }
            while c < tp { dst[c] = 0; c += 1 }
        }
    }

    /// Σ over i < n of x_r[from + i] · b_i for four rows r, where b_i is the 16 floats at
    /// b + i·stride: the inner loop of both products (q·Kᵀ over head_dim, p·V over keys), four
    /// accumulators fed by one vector load and four broadcasts per step.
    @inlinable @inline(__always)
    static func rankUpdates<I: VectorISA>(
        _ isa: I.Type, _ n: Int, _ b: UnsafePointer<Float>, stride: Int,
        _ x0: UnsafePointer<Float>, _ x1: UnsafePointer<Float>, _ x2: UnsafePointer<Float>, _ x3: UnsafePointer<Float>,
        from: Int
    ) -> (SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>) {
        var a0 = SIMD16<Float>(), a1 = SIMD16<Float>(), a2 = SIMD16<Float>(), a3 = SIMD16<Float>()
        var bp = b
        for i in from..<(from + n) {
            let bv = VectorLanes.load(bp)
            a0 = VectorLanes.multiplyAdd(isa, a0, SIMD16(repeating: x0[i]), bv)
            a1 = VectorLanes.multiplyAdd(isa, a1, SIMD16(repeating: x1[i]), bv)
            a2 = VectorLanes.multiplyAdd(isa, a2, SIMD16(repeating: x2[i]), bv)
            a3 = VectorLanes.multiplyAdd(isa, a3, SIMD16(repeating: x3[i]), bv)
            bp += stride
        }
        return (a0, a1, a2, a3)
    }

    /// One head's inputs: out (T, hd; row stride ldo) = softmax(scale · q·kᵀ, causal [, sliding
    /// window] [+ ALiBi]) · v for q (T, hd; stride ldq), k given as `kt` = Kᵀ (`transposeKeys`)
    /// and v (T, hd; stride ldkv).
    /// - `tokens`: query rows; `queryOffset`: their first position (keys before it are a prefix the
    ///   rows continue: key c is position c, query row t is position queryOffset + t, and the
    ///   keys are `queryOffset + tokens`).
    /// - `window`: a token attends to at most this many most recent tokens (itself included); nil: all.
    /// - `alibiSlope`: adds slope · j to the scaled score of key j (BLOOM).
    /// - `scratch`: `scratchCount(tokens:)` floats for the key count.
    public struct Job {
        public var q: UnsafePointer<Float>, ldq: Int
        public var kt: UnsafePointer<Float>, v: UnsafePointer<Float>, ldkv: Int
        public var out: UnsafeMutablePointer<Float>, ldo: Int
        public var tokens: Int, queryOffset: Int, headDim: Int, scale: Float, window: Int?, alibiSlope: Float?
        public var scratch: UnsafeMutablePointer<Float>

        public init(q: UnsafePointer<Float>, ldq: Int, kt: UnsafePointer<Float>, v: UnsafePointer<Float>, ldkv: Int,
                    out: UnsafeMutablePointer<Float>, ldo: Int, tokens: Int, queryOffset: Int = 0, headDim: Int, scale: Float,
                    window: Int?, alibiSlope: Float?, scratch: UnsafeMutablePointer<Float>) {
            self.q = q; self.ldq = ldq; self.kt = kt; self.v = v; self.ldkv = ldkv; self.out = out; self.ldo = ldo
            self.tokens = tokens; self.queryOffset = queryOffset; self.headDim = headDim; self.scale = scale; self.window = window
            self.alibiSlope = alibiSlope; self.scratch = scratch
        }
    }

    /// Runs one head (see `Job`), compiled for the instruction set of the calling kernel module.
    @inlinable
    public static func head<I: VectorISA>(_ isa: I.Type, _ job: Job) {
        let q = job.q, ldq = job.ldq, kt = job.kt, v = job.v, ldkv = job.ldkv, out = job.out, ldo = job.ldo
        let tokens = job.tokens, hd = job.headDim, scale = job.scale, window = job.window, alibiSlope = job.alibiSlope
        let scratch = job.scratch
        let off = job.queryOffset, tp = paddedKeys(off + tokens)
        let s = scratch
        let r = rowTile
        var sums = SIMD4<Float>()
        var t0 = 0
        while t0 < tokens {
            let rows = min(r, tokens - t0), end = off + t0 + rows    // keys [lo, end) are visible to some row
            let lo = window.map { max(0, off + t0 - $0 + 1) } ?? 0
            let c0 = lo / 16 * 16, c1 = (end + 15) / 16 * 16
            let q0 = q + t0 * ldq
            let q1 = q + (t0 + min(1, rows - 1)) * ldq
            let q2 = q + (t0 + min(2, rows - 1)) * ldq
            let q3 = q + (t0 + min(3, rows - 1)) * ldq
            // s (R, c0..<c1) = q rows · Kᵀ
            var c = c0
            while c < c1 {
                let (a0, a1, a2, a3) = rankUpdates(isa, hd, kt + c, stride: tp, q0, q1, q2, q3, from: 0)
                VectorLanes.store(a0, s + c); VectorLanes.store(a1, s + tp + c)
                VectorLanes.store(a2, s + 2 * tp + c); VectorLanes.store(a3, s + 3 * tp + c)
                c += 16
            }
            // row i: p = exp(scale·s − scale·max) over its visible keys [start, t + 1), 0 elsewhere in [c0, c1)
            for i in 0..<rows {
                let t = off + t0 + i
                let start = window.map { max(0, t - $0 + 1) } ?? 0
                let row = s + i * tp
                var rowScale = scale
                if let alibiSlope {
                    for j in start...t { row[j] = row[j] * scale + alibiSlope * Float(j) }
                    rowScale = 1
                }
                // lanes j..<j+16 are visible when start ≤ lane ≤ t. Key positions as floats (exact
                // below 2²⁴): masks from float compares blend in registers on every instruction
                // set, while SIMD16<Int32> masks were applied lane by lane through the stack on AVX2.
                let lanes = SIMD16<Float>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
                let first = Float(start), last = Float(t)
                var mv = SIMD16<Float>(repeating: -.infinity)
                var j = c0
                while j < c1 {
                    var x = VectorLanes.load(row + j)
                    if j < start || j + 16 > t + 1 {
                        let lane = lanes + Float(j)
                        x = x.replacing(with: -.infinity, where: (lane .< first) .| (lane .> last))
                    }
                    mv = mv.replacing(with: x, where: x .> mv)
                    j += 16
                }
                let shift = mv.max() * rowScale
                var acc = SIMD16<Float>()
                j = c0
                while j < c1 {
                    var e = VectorExp.exp(VectorLanes.load(row + j) * rowScale - shift)
                    if j < start || j + 16 > t + 1 {
                        let lane = lanes + Float(j)
                        e = e.replacing(with: 0, where: (lane .< first) .| (lane .> last))
                    }
                    VectorLanes.store(e, row + j)
                    acc += e
                    j += 16
                }
                sums[i] = acc.sum()
            }
            // out rows = (p · v[c0..<end]) / sum, 16 columns of hd at a time
            let inv = 1 / sums
            let p0 = s, p1 = s + tp, p2 = s + 2 * tp, p3 = s + 3 * tp
            var d0 = 0
            while d0 < hd {
                let (o0, o1, o2, o3) = rankUpdates(isa, end - c0, v + c0 * ldkv + d0, stride: ldkv,
                                                   UnsafePointer(p0), UnsafePointer(p1), UnsafePointer(p2), UnsafePointer(p3),
                                                   from: c0)
                let o = out + t0 * ldo + d0
                VectorLanes.store(o0 * inv[0], o)
                if rows > 1 { VectorLanes.store(o1 * inv[1], o + ldo) }
                if rows > 2 { VectorLanes.store(o2 * inv[2], o + 2 * ldo) }
                if rows > 3 { VectorLanes.store(o3 * inv[3], o + 3 * ldo) }
                d0 += 16
            }
            t0 += rows
        }
    }
}
