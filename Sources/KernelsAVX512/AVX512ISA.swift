import KernelCore

/// This module's instruction set (skylake-avx512: AVX-512 F/CD/BW/DQ/VL, with FMA) and the
/// shared vector kernels compiled for it. Callers check the CPU first (TensorCore's `VectorKernels`).
public enum AVX512ISA: VectorISA {
    public static var fusedMultiplyAdd: Bool { true }
    public static let vectorOps = VectorOps.specialized(AVX512ISA.self)
}
