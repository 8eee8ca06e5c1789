import GEMMCore
/// Gated MLP activations, written into the gate buffer: SwiGLU (Llama) g = silu(g) · u,
/// GeGLU-tanh (Gemma) g = gelu_tanh(g) · u.
public enum Activations {
    // gate (rows, n), up (rows, n): gate <- silu(gate) * up
    public static func swiglu(gate: UnsafeMutablePointer<Float>, up: UnsafePointer<Float>, count: Int) {
        Parallel.forRanges(count / 16, minimumChunk: 4096) { range in
            for b in range {
                let i = b * 16
                let g = SIMDMath.load16(gate + i)
                let s = g / (1 + VectorExp.exp(-g))
                SIMDMath.store16(s * SIMDMath.load16(up + i), gate + i)
            }
        }
        var i = (count / 16) * 16
        while i < count {
            let g = gate[i]
            gate[i] = g / (1 + expScalar(-g)) * up[i]; i += 1
        }
    }

    @inline(__always)
    static func expScalar(_ x: Float) -> Float {
        var v = SIMD16<Float>(); v[0] = x
        return VectorExp.exp(v)[0]
    }
}

extension Activations {
    /// gate (rows, n), up (rows, n): gate <- gelu_tanh(gate) * up (see `geluTanh16`).
    public static func gegluTanh(gate: UnsafeMutablePointer<Float>, up: UnsafePointer<Float>, count: Int) {
        Parallel.forRanges(count / 16, minimumChunk: 4096) { range in
            for b in range {
                let i = b * 16
                SIMDMath.store16(geluTanh16(SIMDMath.load16(gate + i)) * SIMDMath.load16(up + i), gate + i)
            }
        }
        let c = Float((2.0 / Double.pi).squareRoot()) * 2
        var i = (count / 16) * 16
        while i < count {
            let g = gate[i]
            gate[i] = g / (1 + expScalar(-c * (g + 0.044715 * g * g * g))) * up[i]; i += 1
        }
    }
}
