// AVX-512 entry points of the linear-layer GEMM (BlockedGEMM specialized for Kernel8x48).
//
// This module is compiled for skylake-avx512 (AVX-512 F/CD/BW/DQ/VL) on x86_64: every function
// here may execute AVX-512 instructions, so callers must check the CPU first (TensorCore's
// `LinearBackend.automatic` does).
import KernelCore

public enum SGEMMAVX512 {
    public static let mr = Kernel8x48.mr
    public static let nr = Kernel8x48.nr

    /// Packs W (n×k, row stride ldw) into 48-row panels, panels pRange only.
    @inline(never)
    public static func packWeight(
        _ w: UnsafePointer<Float>, n: Int, k: Int, ldw: Int, into dst: UnsafeMutablePointer<Float>,
        panels pRange: Range<Int>
    ) {
        BlockedGEMM.packWeight(w, n: n, k: k, ldw: ldw, nr: nr, into: dst, panels: pRange)
    }

    /// C[mRange, panels] (+)= A[mRange] · Wᵀ[panels] (see BlockedGEMM.gemm).
    @inline(never)
    public static func gemm(
        a: UnsafePointer<Float>, lda: Int, mRange: Range<Int>,
        packedW: UnsafePointer<Float>, n: Int, k: Int, panels pRange: Range<Int>,
        c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
    ) {
        BlockedGEMM.gemm(Kernel8x48.self, a: a, lda: lda, mRange: mRange, packedW: packedW, n: n, k: k,
                         panels: pRange, c: c, ldc: ldc, accumulate: accumulate)
    }

    /// Fused causal attention of one head (FusedAttention.head for this instruction set).
    @inline(never)
    public static func attentionHead(_ job: FusedAttention.Job) { FusedAttention.head(AVX512ISA.self, job) }
}
