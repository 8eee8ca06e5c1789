// AVX-512 single-precision GEMM for linear layers: C (m×n) (+)= A (m×k) · Wᵀ, W (n×k) row-major.
//
// This module is compiled for x86-64-v4 (AVX-512): every function here may execute AVX-512
// instructions, so callers must check the CPU first (TensorCore does, and falls back to OpenBLAS).
//
// Layouts (all f32):
// - Packed W: ⌈n/48⌉ panels of 48 rows of W; panel p holds, for k = 0..<K, the 48 values
//   W[48p + j, k] (j = 0..<48) contiguously, i.e. element (k, j) at p·48·K + k·48 + j. Rows past n
//   are zero.
// - A is not packed: the micro-kernel broadcasts straight from 8 rows of A (row stride lda).
//
// Blocking: kc = 192 (a 48-wide B micro-panel is kc·48·4 = 36 KB, L1-resident while it sweeps the
// M block), mc = 256 rows of A (mc·kc·4 = 192 KB, L2-resident), nc = 480 columns of W per outer
// block (kc·nc·4 = 360 KB, L2/L3). Loops, outer to inner: nc block, kc block, mc block, 48-column
// panel, 8-row tile, k.
public enum SGEMM {
    public typealias V = SIMD16<Float>
    public static let mr = 8
    public static let nr = 48
    public static let kc = 192
    public static let mc = 256
    public static let nc = 480

    @inline(__always) static func load(_ p: UnsafePointer<Float>) -> V {
        UnsafeRawPointer(p).loadUnaligned(as: V.self)
    }
    @inline(__always) static func load(_ p: UnsafeMutablePointer<Float>) -> V {
        UnsafeRawPointer(p).loadUnaligned(as: V.self)
    }
    @inline(__always) static func store(_ v: V, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self)
    }

    /// Floats needed to hold W (n×k) packed.
    public static func packedCount(n: Int, k: Int) -> Int { (n + nr - 1) / nr * nr * k }

    /// Packs W (n×k, row stride ldw) into `dst` (packedCount(n:k:) floats), panels pRange only
    /// (so callers can split the work across threads).
    @inline(never)
    public static func packWeight(
        _ w: UnsafePointer<Float>, n: Int, k: Int, ldw: Int, into dst: UnsafeMutablePointer<Float>,
        panels pRange: Range<Int>
    ) {
        var tile = [Float](repeating: 0, count: 16 * nr)
        tile.withUnsafeMutableBufferPointer { tb in
            let t = tb.baseAddress!
            for p in pRange {
                let rows = min(nr, n - p * nr)
                let panel = dst + p * nr * k
                // in blocks of 16 k's: gather a 48×16 tile of W, write it k-major
                var k0 = 0
                while k0 < k {
                    let kb = min(16, k - k0)
                    for j in 0..<nr {
                        if j < rows {
                            let src = w + (p * nr + j) * ldw + k0
                            for kk in 0..<kb { t[kk * nr + j] = src[kk] }
                        } else {
                            for kk in 0..<kb { t[kk * nr + j] = 0 }
                        }
                    }
                    (panel + k0 * nr).update(from: t, count: kb * nr)
                    k0 += kb
                }
            }
        }
    }

    /// C[rows, panels] (+)= A[rows] · Wᵀ[panels] for rows mRange of A/C and 48-column panels
    /// pRange of packed W (W has n rows and k columns; columns of C past n are not written).
    @inline(never)
    public static func gemm(
        a: UnsafePointer<Float>, lda: Int, mRange: Range<Int>,
        packedW: UnsafePointer<Float>, n: Int, k: Int, panels pRange: Range<Int>,
        c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
    ) {
        guard !mRange.isEmpty, !pRange.isEmpty else { return }
        if k == 0 {
            if !accumulate {
                let j0 = pRange.lowerBound * nr, j1 = min(n, pRange.upperBound * nr)
                for i in mRange { (c + i * ldc + j0).update(repeating: 0, count: j1 - j0) }
            }
            return
        }
        let tile = UnsafeMutablePointer<Float>.allocate(capacity: mr * nr)
        defer { tile.deallocate() }
        let ncPanels = max(1, nc / nr)
        var jc = pRange.lowerBound
        while jc < pRange.upperBound {
            let jcEnd = min(pRange.upperBound, jc + ncPanels)
            var pc = 0
            while pc < k {
                let kb = min(kc, k - pc)
                let add = accumulate || pc > 0
                var ic = mRange.lowerBound
                while ic < mRange.upperBound {
                    let rows = min(mc, mRange.upperBound - ic)
                    for p in jc..<jcEnd {
                        let bp = packedW + p * nr * k + pc * nr
                        let cols = min(nr, n - p * nr)
                        var q = 0
                        while q * mr < rows {
                            let ap = a + (ic + q * mr) * lda + pc
                            let r = min(mr, rows - q * mr)
                            let cp = c + (ic + q * mr) * ldc + p * nr
                            if r == mr && cols == nr {
                                kernel8x48(kb, ap, lda, mr, bp, cp, ldc, add)
                            } else {
                                kernel8x48(kb, ap, lda, r, bp, tile, nr, false)
                                for i in 0..<r {
                                    let dst = cp + i * ldc, src = tile + i * nr
                                    if add {
                                        for j in 0..<cols { dst[j] += src[j] }
                                    } else {
                                        for j in 0..<cols { dst[j] = src[j] }
                                    }
                                }
                            }
                            q += 1
                        }
                    }
                    ic += rows
                }
                pc += kb
            }
            jc = jcEnd
        }
    }
}
