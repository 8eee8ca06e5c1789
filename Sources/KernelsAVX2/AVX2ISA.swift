import KernelCore

/// This module's instruction set (haswell: AVX2 + FMA) and every kernel compiled for it: callers
/// check the CPU first (TensorCore's `LinearBackend`, `VectorKernels`).
public enum AVX2ISA: VectorISA {
    public static var fusedMultiplyAdd: Bool { true }
    /// The linear-layer GEMM on Kernel6x16 and the fused attention, compiled for this instruction set.
    public static let gemmOps = GEMMOps.specialized(Kernel6x16.self, AVX2ISA.self)
    /// Norms, softmax rows, activations and dequantization compiled for this instruction set.
    public static let vectorOps = VectorOps.specialized(AVX2ISA.self)
}
