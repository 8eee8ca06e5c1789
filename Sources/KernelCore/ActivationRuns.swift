// MLP activations over a contiguous run of values, shared by the per-instruction-set kernel
// modules (see VectorISA.swift); the caller splits long runs over threads. A run's last partial
// vector goes through the same vector code (partial load/store), so every element is computed the
// same way wherever it falls. No closures here: a closure inside shared code is not specialized per
// module, and one left out of line runs KernelCore's own (no target CPU) copy.

public enum ActivationRuns {
    @usableFromInline typealias L = VectorLanes

    /// gate ← silu(gate) · up = gate / (1 + exp(−gate)) · up (Llama's SwiGLU), `count` values.
    @inlinable
    public static func swiglu<I: VectorISA>(_: I.Type, gate: UnsafeMutablePointer<Float>, up: UnsafePointer<Float>,
                                            count: Int) {
        var i = 0
        while i + 16 <= count { L.store(silu(L.load(gate + i)) * L.load(up + i), gate + i); i += 16 }
        if i < count {
            let r = count - i
            L.storePartial(silu(L.loadPartial(gate + i, r, fill: 0)) * L.loadPartial(up + i, r, fill: 0), gate + i, r)
        }
    }

    /// gate ← gelu_tanh(gate) · up (Gemma's GeGLU with the tanh approximation), `count` values.
    @inlinable
    public static func gegluTanh<I: VectorISA>(_: I.Type, gate: UnsafeMutablePointer<Float>, up: UnsafePointer<Float>,
                                               count: Int) {
        var i = 0
        while i + 16 <= count { L.store(geluTanh(L.load(gate + i)) * L.load(up + i), gate + i); i += 16 }
        if i < count {
            let r = count - i
            L.storePartial(geluTanh(L.loadPartial(gate + i, r, fill: 0)) * L.loadPartial(up + i, r, fill: 0), gate + i, r)
        }
    }

    /// x ← gelu_tanh(x) (GPT-2's gelu_new, BLOOM), `count` values.
    @inlinable
    public static func geluTanh<I: VectorISA>(_: I.Type, _ x: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 16 <= count { L.store(geluTanh(L.load(x + i)), x + i); i += 16 }
        if i < count { let r = count - i; L.storePartial(geluTanh(L.loadPartial(x + i, r, fill: 0)), x + i, r) }
    }

    /// x ← max(x, 0) (OPT), `count` values; a NaN stays NaN (as torch.relu).
    @inlinable
    public static func relu<I: VectorISA>(_: I.Type, _ x: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 16 <= count { L.store(relu(L.load(x + i)), x + i); i += 16 }
        if i < count { let r = count - i; L.storePartial(relu(L.loadPartial(x + i, r, fill: 0)), x + i, r) }
    }

    /// silu(g) = g / (1 + exp(−g)).
    @_transparent
    public static func silu(_ g: SIMD16<Float>) -> SIMD16<Float> { g / (1 + VectorExp.exp(-g)) }

    /// gelu_tanh(g) = ½·g·(1 + tanh(√(2/π)·(g + 0.044715·g³))) = g / (1 + exp(−2·√(2/π)·(g + 0.044715·g³)))
    /// (the second form avoids the cancellation in 1 + tanh for negative g).
    @_transparent
    public static func geluTanh(_ g: SIMD16<Float>) -> SIMD16<Float> {
        let inner = 1.5957691216057308 * (g + 0.044715 * g * g * g)  // 2·√(2/π)
        return g / (1 + VectorExp.exp(-inner))
    }

    @_transparent
    public static func relu(_ v: SIMD16<Float>) -> SIMD16<Float> { v.replacing(with: 0, where: v .< 0) }
}
