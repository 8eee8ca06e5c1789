// MLP activations over a contiguous run of values, shared by the per-instruction-set kernel
// modules (see VectorISA.swift); the caller splits long runs over threads. A run's last partial
// vector goes through the same vector code (partial load/store), so every element is computed the
// same way wherever it falls. The activation is a type parameter, not a closure: a closure inside
// shared code is not specialized per module, and one left out of line runs KernelCore's own (no
// target CPU) copy.

/// An elementwise activation on 16 lanes (implementations are `@_transparent`).
public protocol VectorActivation {
    static func apply(_ v: SIMD16<Float>) -> SIMD16<Float>
}

public enum ActivationRuns {
    @usableFromInline typealias L = VectorLanes

    /// gate ← F(gate) · up, `count` values: SwiGLU (F = SiLU, Llama), GeGLU-tanh (F = GELUTanh, Gemma).
    @inlinable
    public static func gated<I: VectorISA, F: VectorActivation>(_: I.Type, _: F.Type, gate: UnsafeMutablePointer<Float>,
                                                                up: UnsafePointer<Float>, count: Int) {
        var i = 0
        while i + 16 <= count { L.store(F.apply(L.load(gate + i)) * L.load(up + i), gate + i); i += 16 }
        if i < count {
            let r = count - i
            L.storePartial(F.apply(L.loadPartial(gate + i, r, fill: 0)) * L.loadPartial(up + i, r, fill: 0), gate + i, r)
        }
    }

    /// x ← F(x), `count` values: GELU-tanh (GPT-2's gelu_new, BLOOM), ReLU (OPT).
    @inlinable
    public static func inPlace<I: VectorISA, F: VectorActivation>(_: I.Type, _: F.Type, _ x: UnsafeMutablePointer<Float>,
                                                                  count: Int) {
        var i = 0
        while i + 16 <= count { L.store(F.apply(L.load(x + i)), x + i); i += 16 }
        if i < count { let r = count - i; L.storePartial(F.apply(L.loadPartial(x + i, r, fill: 0)), x + i, r) }
    }
}

/// silu(g) = g / (1 + exp(−g)).
public enum SiLU: VectorActivation {
    @_transparent
    public static func apply(_ g: SIMD16<Float>) -> SIMD16<Float> { g / (1 + VectorExp.exp(-g)) }
}

/// gelu_tanh(g) = ½·g·(1 + tanh(√(2/π)·(g + 0.044715·g³))) = g / (1 + exp(−2·√(2/π)·(g + 0.044715·g³)))
/// (the second form avoids the cancellation in 1 + tanh for negative g).
public enum GELUTanh: VectorActivation {
    @_transparent
    public static func apply(_ g: SIMD16<Float>) -> SIMD16<Float> {
        let inner = 1.5957691216057308 * (g + 0.044715 * g * g * g)  // 2·√(2/π)
        return g / (1 + VectorExp.exp(-inner))
    }
}

/// max(x, 0); a NaN stays NaN (as torch.relu).
public enum ReLU: VectorActivation {
    @_transparent
    public static func apply(_ v: SIMD16<Float>) -> SIMD16<Float> { v.replacing(with: 0, where: v .< 0) }
}
