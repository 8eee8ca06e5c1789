// AVX2 + FMA entry points of the linear-layer GEMM (BlockedGEMM specialized for Kernel6x16).
//
// This module is compiled for haswell (AVX2, FMA, F16C, BMI2) on x86_64: callers check the CPU
// first (TensorCore's `LinearBackend.automatic` does).
import KernelCore

public enum SGEMMAVX2 {
    public static let mr = Kernel6x16.mr
    public static let nr = Kernel6x16.nr

    /// Packs W (n×k, row stride ldw) into nr-row panels, panels pRange only.
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
        BlockedGEMM.gemm(Kernel6x16.self, a: a, lda: lda, mRange: mRange, packedW: packedW, n: n, k: k,
                         panels: pRange, c: c, ldc: ldc, accumulate: accumulate)
    }

    /// Fused causal attention of one head (FusedAttention.head for this instruction set).
    @inline(never)
    public static func attentionHead(_ job: FusedAttention.Job) { FusedAttention.head(AVX2ISA.self, job) }
}
