// Row normalizations of the transformer blocks, shared by the per-instruction-set kernel modules
// (see VectorISA.swift). Each processes whole rows of n values; the caller splits rows over threads.

public enum NormRows {
    /// RMSNorm (Llama, Qwen2, Gemma): out = x / √(mean(x²) + eps) · (offset + weight), per row.
    /// x (rows, n), weight (n) → out (rows, n), rows `rows` only; out may alias x.
    /// Σ x² accumulates in 16 f32 lanes, as PyTorch accumulates f32.
    @inlinable
    public static func rms<I: VectorISA>(
        _ isa: I.Type, _ x: UnsafePointer<Float>, rows: Range<Int>, n: Int, weight: UnsafePointer<Float>,
        eps: Float, weightOffset: Float, out: UnsafeMutablePointer<Float>
    ) {
        typealias L = VectorLanes
        for r in rows {
            let xr = x + r * n, orow = out + r * n
            var acc = SIMD16<Float>()
            var i = 0
            while i + 16 <= n { let v = L.load(xr + i); acc = L.multiplyAdd(isa, acc, v, v); i += 16 }
            var ss = acc.sum()
            while i < n { ss += xr[i] * xr[i]; i += 1 }
            let inv = 1 / (ss / Float(n) + eps).squareRoot()
            i = 0
            while i + 16 <= n {
                let v = L.load(xr + i) * inv
                let w = L.load(weight + i) + weightOffset
                L.store(v * w, orow + i)
                i += 16
            }
            while i < n { orow[i] = xr[i] * inv * (weight[i] + weightOffset); i += 1 }
        }
    }

    /// LayerNorm with affine weight and bias (OPT, BLOOM, GPT-2, GPT-NeoX):
    /// out = (x − mean) / √(var + eps) · w + b, mean and biased variance per row, two passes in f32.
    /// x (rows, n), weight (n), bias (n) → out (rows, n), rows `rows` only; out may alias x.
    @inlinable
    public static func layer<I: VectorISA>(
        _ isa: I.Type, _ x: UnsafePointer<Float>, rows: Range<Int>, n: Int, weight: UnsafePointer<Float>,
        bias: UnsafePointer<Float>, eps: Float, out: UnsafeMutablePointer<Float>
    ) {
        typealias L = VectorLanes
        for r in rows {
            let xr = x + r * n, orow = out + r * n
            var acc = SIMD16<Float>()
            var i = 0
            while i + 16 <= n { acc += L.load(xr + i); i += 16 }
            var sum = acc.sum()
            while i < n { sum += xr[i]; i += 1 }
            let mean = sum / Float(n)
            acc = SIMD16<Float>()
            i = 0
            while i + 16 <= n { let c = L.load(xr + i) - mean; acc = L.multiplyAdd(isa, acc, c, c); i += 16 }
            var squares = acc.sum()
            while i < n { let c = xr[i] - mean; squares += c * c; i += 1 }
            let inv = 1 / (squares / Float(n) + eps).squareRoot()
            i = 0
            while i + 16 <= n {
                let v = (L.load(xr + i) - mean) * inv
                L.store(v * L.load(weight + i) + L.load(bias + i), orow + i)
                i += 16
            }
            while i < n { orow[i] = (xr[i] - mean) * inv * weight[i] + bias[i]; i += 1 }
        }
    }
}
