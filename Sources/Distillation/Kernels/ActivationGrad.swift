import TensorCore

/// Elementwise MLP activations a = f(x) and their gradients: ReLU (OPT), exact GELU and
/// tanh-approximated GELU (GPT-2's gelu_new, BLOOM, GPT-NeoX).
public enum ActivationGrad {
    public enum Kind: String, Sendable { case relu, gelu, geluTanh }

    @inline(__always)
    static func value<T: GradScalar>(_ kind: Kind, _ x: T) -> (value: T, derivative: T) {
        switch kind {
        case .relu:
            return x > 0 ? (x, 1) : (0, 0)
        case .gelu:
            let cdf = 0.5 * (1 + T.erf(x * 0.7071067811865476))
            let pdf = T.exp(-0.5 * x * x) * 0.3989422804014327
            return (x * cdf, cdf + x * pdf)
        case .geluTanh:
            return GatedActivationGrad.value(.geluTanh, x)
        }
    }

    /// a (count) = f(x).
    public static func forward<T: GradScalar>(_ kind: Kind, _ x: UnsafePointer<T>, count: Int, into a: UnsafeMutablePointer<T>) {
        Parallel.forRanges(count, minimumChunk: 4096) { range in
            for i in range { a[i] = value(kind, x[i]).value }
        }
    }

    /// dx = da ∘ f'(x).
    public static func backward<T: GradScalar>(_ kind: Kind, _ da: UnsafePointer<T>, x: UnsafePointer<T>, count: Int,
                                               into dx: UnsafeMutablePointer<T>) {
        Parallel.forRanges(count, minimumChunk: 4096) { range in
            for i in range { dx[i] = da[i] * value(kind, x[i]).derivative }
        }
    }
}
