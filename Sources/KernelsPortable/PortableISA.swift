import KernelCore

/// This module's instruction set (no target CPU: SSE2 on x86-64, NEON on arm64) and the shared
/// vector kernels compiled for it. Multiply-adds are fused only on arm64 (fmla is always there);
/// on x86-64 without FMA a fused SIMD operation would be a library call per lane.
public enum PortableISA: VectorISA {
    public static var fusedMultiplyAdd: Bool {
        #if arch(arm64)
        true
        #else
        false
        #endif
    }
    public static let vectorOps = VectorOps.specialized(PortableISA.self)
}
