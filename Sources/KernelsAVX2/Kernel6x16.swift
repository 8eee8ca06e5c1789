// The AVX2 + FMA micro-kernel, 6 rows × 16 columns: BlockedGEMM.sixRowTile with 8-wide vectors,
// 12 accumulators in ymm registers (of 16), two loads of the B panel and one broadcast per row
// per k (the shape BLIS and OpenBLAS use on Haswell and Zen), fused multiply-adds.
import KernelCore

public enum Kernel6x16: GEMMMicroKernel {
    public static var mr: Int { 6 }
    public static var nr: Int { 16 }
    // kc·16·4 = 16 KB B micro-panel (L1), mc·kc·4 = 216 KB of A (L2), kc·nc·4 = 384 KB of W.
    public static var kc: Int { 256 }
    public static var mc: Int { 216 }
    public static var nc: Int { 384 }

    /// See `GEMMMicroKernel.tile`.
    @inline(__always)
    public static func tile(
        _ kc: Int, _ a: UnsafePointer<Float>, _ lda: Int, _ rows: Int, _ b: UnsafePointer<Float>,
        _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ add: Bool
    ) {
        BlockedGEMM.sixRowTile(SIMD8<Float>.self, fused: true, kc, a, lda, rows, b, c, ldc, add)
    }
}
