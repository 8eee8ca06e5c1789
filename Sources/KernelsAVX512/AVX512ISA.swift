import KernelCore

/// This module's instruction set (skylake-avx512: AVX-512 F/CD/BW/DQ/VL, with FMA) and every
/// kernel compiled for it: callers check the CPU first (TensorCore's `LinearBackend`, `VectorKernels`).
public enum AVX512ISA: VectorISA {
    public static var fusedMultiplyAdd: Bool { true }
    /// The linear-layer GEMM on Kernel8x48 and the fused attention, compiled for this instruction set.
    public static let gemmOps = GEMMOps.specialized(Kernel8x48.self, AVX512ISA.self)
    /// Norms, softmax rows, activations and dequantization compiled for this instruction set.
    public static let vectorOps = VectorOps.specialized(AVX512ISA.self)
}
