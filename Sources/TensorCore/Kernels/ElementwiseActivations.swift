#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Plain (ungated) MLP activations, in place: ReLU (OPT), GELU exact (GPT-NeoX), GELU tanh
/// approximation (GPT-2's gelu_new, BLOOM).
public enum ElementwiseActivation: String, Sendable {
    case relu, gelu, geluTanh

    /// x (count) ← f(x)
    public func apply(_ x: UnsafeMutablePointer<Float>, count: Int) {
        switch self {
        case .relu: Activations.relu(x, count: count)
        case .gelu: Activations.gelu(x, count: count)
        case .geluTanh: Activations.geluTanh(x, count: count)
        }
    }
}

extension Activations {
    // x (count) ← max(x, 0) (a NaN stays NaN, as torch.relu)
    public static func relu(_ x: UnsafeMutablePointer<Float>, count: Int) {
        let kernel = VectorKernels.active.relu
        inRuns(count) { from, n in kernel(x + from, n) }
    }

    // x (count) ← ½·x·(1 + erf(x/√2)), as torch's exact GELU (erf from libm, per element)
    public static func gelu(_ x: UnsafeMutablePointer<Float>, count: Int) {
        let invSqrt2 = Float(0.5.squareRoot())
        Parallel.forRanges(count, minimumChunk: 1 << 14) { range in
            for i in range { x[i] = 0.5 * x[i] * (1 + erff(x[i] * invSqrt2)) }
        }
    }

    // x (count) ← gelu_tanh(x) (see `KernelCore.GELUTanh`)
    public static func geluTanh(_ x: UnsafeMutablePointer<Float>, count: Int) {
        let kernel = VectorKernels.active.geluTanh
        inRuns(count) { from, n in kernel(x + from, n) }
    }
}
