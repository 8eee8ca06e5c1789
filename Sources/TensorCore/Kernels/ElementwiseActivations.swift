import GEMMCore
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
    // x (count) ← max(x, 0)
    public static func relu(_ x: UnsafeMutablePointer<Float>, count: Int) {
        Parallel.forRanges(count / 16, minimumChunk: 4096) { range in
            for b in range {
                let i = b * 16
                SIMDMath.store16(pointwiseMax(SIMDMath.load16(x + i), SIMD16<Float>()), x + i)
            }
        }
        for i in (count / 16) * 16..<count { x[i] = max(x[i], 0) }
    }

    // x (count) ← ½·x·(1 + erf(x/√2)), as torch's exact GELU (erf from libm, per element)
    public static func gelu(_ x: UnsafeMutablePointer<Float>, count: Int) {
        let invSqrt2 = Float(0.5.squareRoot())
        Parallel.forRanges(count, minimumChunk: 1 << 14) { range in
            for i in range { x[i] = 0.5 * x[i] * (1 + erff(x[i] * invSqrt2)) }
        }
    }

    // x (count) ← gelu_tanh(x) (see `geluTanh16`)
    public static func geluTanh(_ x: UnsafeMutablePointer<Float>, count: Int) {
        Parallel.forRanges(count / 16, minimumChunk: 4096) { range in
            for b in range {
                let i = b * 16
                SIMDMath.store16(geluTanh16(SIMDMath.load16(x + i)), x + i)
            }
        }
        let tail = (count / 16) * 16
        if tail < count {
            var v = SIMD16<Float>()
            for i in tail..<count { v[i - tail] = x[i] }
            let g = geluTanh16(v)
            for i in tail..<count { x[i] = g[i - tail] }
        }
    }

    /// gelu_tanh(g) = ½·g·(1 + tanh(√(2/π)·(g + 0.044715·g³))) = g / (1 + exp(−2·√(2/π)·(g + 0.044715·g³)))
    /// (the second form avoids the cancellation in 1 + tanh for negative g).
    @inline(__always)
    public static func geluTanh16(_ g: SIMD16<Float>) -> SIMD16<Float> {
        let c = Float((2.0 / Double.pi).squareRoot()) * 2
        let inner = c * (g + 0.044715 * g * g * g)
        return g / (1 + VectorExp.exp(-inner))
    }
}
