// The linear-layer GEMM over a weight kept compressed (`CompressedRows`): C (m×n) (+)= A (m×k) · Wᵀ,
// W widened to f32 piece by piece as it is packed, so W is never resident in f32.
//
// Loops, outer to inner: groups of nc/nr panels (as `BlockedGEMM`'s nc block), k pieces of
// lcm(kc, unit) columns, then `BlockedGEMM.gemm` on the packed piece (its own kc blocks, mc
// blocks, panels, micro-tiles). A piece starts at a multiple of kc, so every C element receives
// the same kc-block sums in the same order as `BlockedGEMM.gemm` over the f32-packed W: results
// are bit-identical to the f32-resident path. Each W element is decoded once per call (per
// thread that covers its panel).
public enum DecodingGEMM {
    /// Columns per decoded piece for micro-kernel K and storage `unit`: a multiple of both K.kc and
    /// the unit (ggml block) size.
    @inlinable
    public static func pieceColumns<K: GEMMMicroKernel>(_: K.Type, unit: Int) -> Int {
        var a = K.kc, b = unit
        while b != 0 { (a, b) = (b, a % b) }
        return K.kc / a * unit
    }

    /// C[mRange, panels] (+)= A[mRange] · Wᵀ[panels] for W (n×k) stored as `w`; panels are nr-row
    /// groups of W's rows, as in `BlockedGEMM.gemm`.
    @inlinable
    public static func gemm<K: GEMMMicroKernel, I: VectorISA>(
        _ kernel: K.Type, _ isa: I.Type,
        a: UnsafePointer<Float>, lda: Int, mRange: Range<Int>,
        w: CompressedRows, n: Int, k: Int, panels pRange: Range<Int>,
        c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
    ) {
        guard !mRange.isEmpty, !pRange.isEmpty else { return }
        let nr = K.nr
        if k == 0 {
            BlockedGEMM.gemm(kernel, a: a, lda: lda, mRange: mRange, packedW: UnsafePointer(bitPattern: 16)!, n: n, k: 0,
                             panels: pRange, c: c, ldc: ldc, accumulate: accumulate)
            return
        }
        let group = max(1, K.nc / nr)
        let piece = Swift.min(k, pieceColumns(kernel, unit: w.unit))
        let packed = UnsafeMutablePointer<Float>.allocate(capacity: group * nr * piece)
        let rowBuffer = UnsafeMutablePointer<Float>.allocate(capacity: nr * piece)
        defer { packed.deallocate(); rowBuffer.deallocate() }
        var p0 = pRange.lowerBound
        while p0 < pRange.upperBound {
            let p1 = Swift.min(pRange.upperBound, p0 + group)
            let groupRows = Swift.min(n, p1 * nr) - p0 * nr
            var pc = 0
            while pc < k {
                let kb = Swift.min(piece, k - pc)
                // Pack panels p0 ..< p1 over columns pc ..< pc + kb: panel q holds, for kk < kb,
                // the nr values W[(p0 + q)·nr + j, pc + kk] at q·nr·kb + kk·nr + j (rows past n zero).
                for q in 0..<(p1 - p0) {
                    let firstRow = (p0 + q) * nr
                    let rows = Swift.min(nr, n - firstRow)
                    for j in 0..<rows {
                        w.decode(isa, row: firstRow + j, from: pc, count: kb, into: rowBuffer + j * kb)
                    }
                    let panel = packed + q * nr * kb
                    for kk in 0..<kb {
                        let out = panel + kk * nr
                        for j in 0..<rows { out[j] = rowBuffer[j * kb + kk] }
                        for j in rows..<nr { out[j] = 0 }
                    }
                }
                BlockedGEMM.gemm(kernel, a: a + pc, lda: lda, mRange: mRange, packedW: packed, n: groupRows, k: kb,
                                 panels: 0..<(p1 - p0), c: c + p0 * nr, ldc: ldc, accumulate: accumulate || pc > 0)
                pc += kb
            }
            p0 = p1
        }
    }
}
