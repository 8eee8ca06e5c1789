import Foundation
import KernelCore
import KernelsAVX2
import KernelsAVX512
import KernelsPortable

/// Which GEMM runs the linear layers: one of our kernel variants on weights packed once, or BLAS
/// (OpenBLAS; Accelerate on macOS) on the weight as stored.
public enum LinearBackend: String, Sendable, CaseIterable {
    /// Kernel8x48 (zmm), compiled for skylake-avx512.
    case avx512
    /// Kernel6x16 (ymm), compiled for haswell.
    case avx2
    /// Kernel6x8Portable (4-wide SSE2 / NEON), no target CPU.
    case portable
    case openBLAS = "openblas"

    /// Chosen once per process from the CPU's features: AVX-512 when the CPU has avx512f/dq/bw/vl,
    /// else AVX2 + FMA, else BLAS (vendor BLAS beats a 4-wide kernel on arm64). `PTQLAB_GEMM`
    /// (avx512, avx2, portable, openblas) overrides it; a variant the CPU cannot run is refused
    /// with a message on stderr and the automatic choice is kept.
    public static let automatic: LinearBackend = {
        let detected: LinearBackend = CPUFeatures.hasAVX512 ? .avx512 : CPUFeatures.hasAVX2FMA ? .avx2 : .openBLAS
        guard let env = getenv("PTQLAB_GEMM") else { return detected }
        let name = String(cString: env).lowercased()
        guard let asked = LinearBackend(rawValue: name) else {
            FileHandle.standardError.write(Data("PTQLAB_GEMM=\(name) is not one of \(allCases.map(\.rawValue).joined(separator: ", ")); using \(detected.rawValue)\n".utf8))
            return detected
        }
        guard asked.isSupported else {
            FileHandle.standardError.write(Data("PTQLAB_GEMM=\(name): this CPU cannot run it (\(CPUFeatures.summary)); using \(detected.rawValue)\n".utf8))
            return detected
        }
        return asked
    }()

    /// True when this processor can execute the variant.
    public var isSupported: Bool {
        switch self {
        case .avx512: CPUFeatures.hasAVX512
        case .avx2: CPUFeatures.hasAVX2FMA
        case .portable, .openBLAS: true
        }
    }

    /// The variants this processor can run, fastest first.
    public static var supported: [LinearBackend] { allCases.filter(\.isSupported) }

    /// How reports name it: "AVX-512 (8×48 kernel)", …
    public var label: String {
        switch self {
        case .avx512: "AVX-512 (8×48 kernel)"
        case .avx2: "AVX2+FMA (6×16 kernel)"
        case .portable: "portable SIMD (6×8 kernel)"
        case .openBLAS: "BLAS"
        }
    }

    /// The packed-weight GEMM and fused attention of a variant (nil for BLAS): the traits-table
    /// row its kernel module compiled (`KernelCore.GEMMOps`).
    var kernel: GEMMOps? {
        switch self {
        case .avx512: AVX512ISA.gemmOps
        case .avx2: AVX2ISA.gemmOps
        case .portable: PortableISA.gemmOps
        case .openBLAS: nil
        }
    }
}
