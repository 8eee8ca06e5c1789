// The blocked single-precision GEMM for linear layers, C (m×n) (+)= A (m×k) · Wᵀ with W (n×k)
// row-major, generic over the micro-kernel (see GEMMMicroKernel.swift).
//
// Layouts (all f32):
// - Packed W: ⌈n/nr⌉ panels of nr rows of W; panel p holds, for k = 0..<K, the nr values
//   W[nr·p + j, k] (j = 0..<nr) contiguously, i.e. element (k, j) at p·nr·K + k·nr + j. Rows past
//   n are zero.
// - A is not packed: the micro-kernel broadcasts straight from mr rows of A (row stride lda).
//
// Loops, outer to inner: nc block (columns of W), kc block, mc block (rows of A), nr-wide panel,
// mr-row tile, k (inside the micro-kernel).
public enum BlockedGEMM {
    /// Floats needed to hold W (n×k) packed in nr-row panels.
    @inlinable
    public static func packedCount(n: Int, k: Int, nr: Int) -> Int { (n + nr - 1) / nr * nr * k }

    /// Packs W (n×k, row stride ldw) into `dst` (packedCount floats) in K.nr-row panels, panels
    /// pRange only (so callers can split the work across threads).
    @inlinable
    public static func packWeight<K: GEMMMicroKernel>(
        _ kernel: K.Type, _ w: UnsafePointer<Float>, n: Int, k: Int, ldw: Int, into dst: UnsafeMutablePointer<Float>,
        panels pRange: Range<Int>
    ) {
        let nr = K.nr
        let tile = UnsafeMutablePointer<Float>.allocate(capacity: 16 * nr)
        defer { tile.deallocate() }
        for p in pRange {
            let rows = min(nr, n - p * nr)
            let panel = dst + p * nr * k
            // in blocks of 16 k's: gather an nr×16 tile of W, write it k-major
            var k0 = 0
            while k0 < k {
                let kb = min(16, k - k0)
                for j in 0..<nr {
                    if j < rows {
                        let src = w + (p * nr + j) * ldw + k0
                        for kk in 0..<kb { tile[kk * nr + j] = src[kk] }
                    } else {
                        for kk in 0..<kb { tile[kk * nr + j] = 0 }
                    }
                }
                (panel + k0 * nr).update(from: tile, count: kb * nr)
                k0 += kb
            }
        }
    }

    /// C[rows, panels] (+)= A[rows] · Wᵀ[panels] for rows mRange of A/C and nr-wide panels
    /// pRange of packed W (W has n rows and k columns; columns of C past n are not written).
    @inlinable
    public static func gemm<K: GEMMMicroKernel>(
        _ kernel: K.Type,
        a: UnsafePointer<Float>, lda: Int, mRange: Range<Int>,
        packedW: UnsafePointer<Float>, n: Int, k: Int, panels pRange: Range<Int>,
        c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
    ) {
        guard !mRange.isEmpty, !pRange.isEmpty else { return }
        let mr = K.mr, nr = K.nr
        if k == 0 {
            if !accumulate {
                let j0 = pRange.lowerBound * nr, j1 = min(n, pRange.upperBound * nr)
                for i in mRange { (c + i * ldc + j0).update(repeating: 0, count: j1 - j0) }
            }
            return
        }
        let tile = UnsafeMutablePointer<Float>.allocate(capacity: mr * nr)
        defer { tile.deallocate() }
        let ncPanels = max(1, K.nc / nr)
        var jc = pRange.lowerBound
        while jc < pRange.upperBound {
            let jcEnd = min(pRange.upperBound, jc + ncPanels)
            var pc = 0
            while pc < k {
                let kb = min(K.kc, k - pc)
                let add = accumulate || pc > 0
                var ic = mRange.lowerBound
                while ic < mRange.upperBound {
                    let rows = min(K.mc, mRange.upperBound - ic)
                    for p in jc..<jcEnd {
                        let bp = packedW + p * nr * k + pc * nr
                        let cols = min(nr, n - p * nr)
                        var q = 0
                        while q * mr < rows {
                            let ap = a + (ic + q * mr) * lda + pc
                            let r = min(mr, rows - q * mr)
                            let cp = c + (ic + q * mr) * ldc + p * nr
                            if r == mr && cols == nr {
                                K.tile(kb, ap, lda, mr, bp, cp, ldc, add)
                            } else {
                                // ragged edge: compute into a scratch tile, copy the valid part
                                K.tile(kb, ap, lda, r, bp, tile, nr, false)
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
