import TensorCore

/// The attention's context (the output projection's input) from its input projections' input:
/// what channel-scale searches measure without running the rest of the block.
public enum AttentionContext {
    /// context (N, heads·hd) = softmax(q·kᵀ·scale + causal mask)·v with q, k, v = x·Wᵀ (+ b) for x
    /// (N, d) of `windows` windows of `tokens` tokens; `positional(q, k)` rotates (and normalises)
    /// q and k in place.
    public static func compute(_ x: Tensor, q: Linear, k: Linear, v: Linear, windows: Int, tokens: Int, heads: Int,
                               kvHeads: Int, headDim: Int, scale: Float, slidingWindow: Int?,
                               positional: (_ q: UnsafeMutablePointer<Float>, _ k: UnsafeMutablePointer<Float>) -> Void) -> Tensor {
        let n = x.rows
        let qb = FloatBuffer(count: n * heads * headDim, zeroed: false)
        let kb = FloatBuffer(count: n * kvHeads * headDim, zeroed: false), vb = FloatBuffer(count: n * kvHeads * headDim, zeroed: false)
        q.forward(x.pointer, rows: n, into: qb.pointer)
        k.forward(x.pointer, rows: n, into: kb.pointer)
        v.forward(x.pointer, rows: n, into: vb.pointer)
        positional(qb.pointer, kb.pointer)
        let out = Tensor(zeros: [n, heads * headDim])
        CausalAttention.forward(q: qb.pointer, k: kb.pointer, v: vb.pointer, out: out.pointer, windows: windows, tokens: tokens,
                                heads: heads, kvHeads: kvHeads, headDim: headDim, scale: scale, slidingWindow: slidingWindow)
        return out
    }
}

/// A gated MLP's activation (the down projection's input) from its input: act(x·Wgᵀ) ∘ (x·Wuᵀ).
public enum GatedActivation {
    public static func compute(_ x: Tensor, gate: Linear, up: Linear,
                               _ combine: (_ gate: UnsafeMutablePointer<Float>, _ up: UnsafePointer<Float>, _ count: Int) -> Void) -> Tensor {
        let n = x.rows
        let g = Tensor(zeros: [n, gate.outFeatures]), u = FloatBuffer(count: n * up.outFeatures, zeroed: false)
        gate.forward(x.pointer, rows: n, into: g.pointer)
        up.forward(x.pointer, rows: n, into: u.pointer)
        combine(g.pointer, UnsafePointer(u.pointer), g.count)
        return g
    }
}
