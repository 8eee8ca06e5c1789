import KernelCore

/// This module's instruction set (no target CPU: SSE2 on x86-64, NEON on arm64) and the kernels
/// compiled for it. Multiply-adds are fused only on arm64 (fmla is always there);
/// on x86-64 without FMA a fused SIMD operation would be a library call per lane.
public enum PortableISA: VectorISA {
    public static var fusedMultiplyAdd: Bool {
        #if arch(arm64)
        true
        #else
        false
        #endif
    }
    /// The linear-layer GEMM on Kernel6x8Portable and the fused attention, compiled for this instruction set.
    public static let gemmOps = GEMMOps.specialized(Kernel6x8Portable.self, PortableISA.self)
    /// Norms, softmax rows, activations and dequantization compiled for this instruction set.
    public static let vectorOps = VectorOps.specialized(PortableISA.self)
}
