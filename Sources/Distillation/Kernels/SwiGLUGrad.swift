import TensorCore

/// The gated MLP activations a = act(g) ∘ u and their gradients: SwiGLU (act = SiLU, Llama,
/// Qwen2) and GeGLU (act = tanh-approximated GELU, Gemma 3).
public enum GatedActivationGrad {
    public enum Kind: Sendable { case silu, geluTanh }

    @inline(__always)
    static func value<T: GradScalar>(_ kind: Kind, _ g: T) -> (value: T, derivative: T) {
        switch kind {
        case .silu:
            let s = 1 / (1 + T.exp(-g))
            return (g * s, s * (1 + g * (1 - s)))
        case .geluTanh:
            let c: T = 0.7978845608028654   // √(2/π)
            let inner = c * (g + 0.044715 * g * g * g)
            let t = T.tanh(inner)
            let dInner = c * (1 + 3 * 0.044715 * g * g)
            return (0.5 * g * (1 + t), 0.5 * (1 + t) + 0.5 * g * (1 - t * t) * dInner)
        }
    }

    /// a (count) = act(g) ∘ u.
    public static func forward<T: GradScalar>(_ kind: Kind, gate g: UnsafePointer<T>, up u: UnsafePointer<T>,
                                              count: Int, into a: UnsafeMutablePointer<T>) {
        Parallel.forRanges(count, minimumChunk: 4096) { range in
            for i in range { a[i] = value(kind, g[i]).value * u[i] }
        }
    }

    /// dg = da ∘ u ∘ act'(g), du = da ∘ act(g).
    public static func backward<T: GradScalar>(_ kind: Kind, _ da: UnsafePointer<T>, gate g: UnsafePointer<T>,
                                               up u: UnsafePointer<T>, count: Int,
                                               dGate: UnsafeMutablePointer<T>, dUp: UnsafeMutablePointer<T>) {
        Parallel.forRanges(count, minimumChunk: 4096) { range in
            for i in range {
                let (v, d) = value(kind, g[i])
                dGate[i] = da[i] * u[i] * d
                dUp[i] = da[i] * v
            }
        }
    }
}
