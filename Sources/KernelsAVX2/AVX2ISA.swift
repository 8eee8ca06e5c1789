import KernelCore

/// This module's instruction set (haswell: AVX2 + FMA) and the shared vector kernels compiled for
/// it. Callers check the CPU first (TensorCore's `VectorKernels`).
public enum AVX2ISA: VectorISA {
    public static var fusedMultiplyAdd: Bool { true }
    public static let vectorOps = VectorOps.specialized(AVX2ISA.self)
}
