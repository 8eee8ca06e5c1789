import KernelCore
import KernelsAVX2
import KernelsAVX512
import KernelsPortable

/// Which compilation of the vector kernels outside the GEMM (norms, softmax rows, log-sum-exp, KL,
/// activations, block dequantization) this process runs: the instruction set of
/// `LinearBackend.automatic` (so `PTQLAB_GEMM` moves them together with the GEMM and the fused
/// attention), or, when the GEMM is BLAS, the best one the CPU has.
public enum VectorKernels {
    /// The table compiled for a variant's instruction set (BLAS: the CPU's best).
    public static func table(for variant: LinearBackend) -> VectorOps {
        switch instructionSet(for: variant) {
        case .avx512: AVX512ISA.vectorOps
        case .avx2: AVX2ISA.vectorOps
        default: PortableISA.vectorOps
        }
    }

    /// The variant whose compilation `table(for:)` returns: itself, or for BLAS the CPU's best.
    public static func instructionSet(for variant: LinearBackend) -> LinearBackend {
        guard variant == .openBLAS else { return variant }
        return CPUFeatures.hasAVX512 ? .avx512 : CPUFeatures.hasAVX2FMA ? .avx2 : .portable
    }

    /// The table every caller uses (chosen once).
    public static let active: VectorOps = table(for: .automatic)
}
