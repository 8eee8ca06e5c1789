// The portable micro-kernel, 6 rows × 8 columns: BlockedGEMM.sixRowTile with 4-wide vectors (SSE2
// on x86-64 without a target CPU, NEON on arm64): 12 accumulators + 2 B vectors + 1 broadcast fit
// the 16 registers of SSE2 as well as NEON's 32. Used where neither AVX-512 nor AVX2 + FMA is
// there (arm64, or forced with PTQLAB_GEMM=portable for tests).
import KernelCore

public enum Kernel6x8Portable: GEMMMicroKernel {
    public static var mr: Int { 6 }
    public static var nr: Int { 8 }
    // kc·8·4 = 8 KB B micro-panel (L1), mc·kc·4 = 192 KB of A (L2), kc·nc·4 = 256 KB of W.
    public static var kc: Int { 256 }
    public static var mc: Int { 192 }
    public static var nc: Int { 256 }


    /// See `GEMMMicroKernel.tile`.
    @inline(__always)
    public static func tile(
        _ kc: Int, _ a: UnsafePointer<Float>, _ lda: Int, _ rows: Int, _ b: UnsafePointer<Float>,
        _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ add: Bool
    ) {
        // Fused multiply-adds on arm64 (fmla is always there); on x86-64 without a target CPU (no
        // FMA guaranteed) a multiply and an add, since a fused one would become a library call per lane.
        #if arch(arm64)
        BlockedGEMM.sixRowTile(SIMD4<Float>.self, fused: true, kc, a, lda, rows, b, c, ldc, add)
        #else
        BlockedGEMM.sixRowTile(SIMD4<Float>.self, fused: false, kc, a, lda, rows, b, c, ldc, add)
        #endif
    }
}
