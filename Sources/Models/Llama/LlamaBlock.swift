import TensorCore

/// One Llama decoder block: pre-norm attention (RoPE, grouped-query) and pre-norm SwiGLU MLP,
/// each added to the residual stream.
public final class LlamaBlock: @unchecked Sendable {
    public let index: Int
    public let inputNorm: Tensor          // (d)
    public let postAttentionNorm: Tensor  // (d)
    public let q: Linear, k: Linear, v: Linear, o: Linear
    public let gate: Linear, up: Linear, down: Linear

    init(index: Int, weights: CanonicalWeights, h: LlamaHyperparameters) throws {
        self.index = index
        let p = "model.layers.\(index)."
        let d = h.hiddenSize, qDim = h.heads * h.headDim, kvDim = h.kvHeads * h.headDim
        func linear(_ name: String, out: Int, in inF: Int, bias: Bool = false) throws -> Linear {
            let w = try weights.linearWeight(p + name + ".weight", shape: [out, inF])
            let b = bias ? try weights.tensor(p + name + ".bias", shape: [out]) : nil
            return Linear(name: p + name, weight: w, bias: b)
        }
        inputNorm = try weights.tensor(p + "input_layernorm.weight", shape: [d])
        postAttentionNorm = try weights.tensor(p + "post_attention_layernorm.weight", shape: [d])
        q = try linear("self_attn.q_proj", out: qDim, in: d, bias: h.attentionBias)
        k = try linear("self_attn.k_proj", out: kvDim, in: d, bias: h.attentionBias)
        v = try linear("self_attn.v_proj", out: kvDim, in: d, bias: h.attentionBias)
        o = try linear("self_attn.o_proj", out: d, in: qDim)
        gate = try linear("mlp.gate_proj", out: h.intermediateSize, in: d)
        up = try linear("mlp.up_proj", out: h.intermediateSize, in: d)
        down = try linear("mlp.down_proj", out: d, in: h.intermediateSize)
    }

    public var linears: [Linear] { [q, k, v, o, gate, up, down] }

    /// x (B·T, d) residual stream, updated in place.
    func forward(_ x: UnsafeMutablePointer<Float>, windows: Int, tokens: Int, h: LlamaHyperparameters,
                 rope: RopeTable, scratch: LlamaScratch, observer: LinearInputObserver?) {
        forward(x, rows: windows * tokens, h: h, scratch: scratch, observer: observer) { q, k, v, out in
            // rotate q, k per window (positions restart at 0 in every window)
            for b in 0..<windows {
                rope.apply(q + b * tokens * h.heads * h.headDim, tokens: tokens, heads: h.heads, headDim: h.headDim)
                rope.apply(k + b * tokens * h.kvHeads * h.headDim, tokens: tokens, heads: h.kvHeads, headDim: h.headDim)
            }
            CausalAttention.forward(q: q, k: k, v: v, out: out, windows: windows, tokens: tokens, heads: h.heads,
                                    kvHeads: h.kvHeads, headDim: h.headDim, scale: 1 / Float(h.headDim).squareRoot(),
                                    slidingWindow: h.slidingWindow)
        }
    }

    /// x (N, d) residual stream, updated in place, for any row layout: `attend(q, k, v, out)`
    /// applies RoPE to q (N, heads·hd) and k (N, kvHeads·hd) in place and writes the attention
    /// output (N, heads·hd), knowing which rows form which sequence.
    func forward(_ x: UnsafeMutablePointer<Float>, rows n: Int, h: LlamaHyperparameters, scratch: LlamaScratch,
                 observer: LinearInputObserver?,
                 attend: (_ q: UnsafeMutablePointer<Float>, _ k: UnsafeMutablePointer<Float>,
                          _ v: UnsafeMutablePointer<Float>, _ out: UnsafeMutablePointer<Float>) -> Void) {
        let d = h.hiddenSize
        // normed (N, d) = rmsnorm(x)
        RMSNorm.apply(x, rows: n, n: d, weight: inputNorm.pointer, eps: h.rmsNormEps, out: scratch.normed)
        // q (N, heads·hd), k/v (N, kvHeads·hd)
        q.forward(scratch.normed, rows: n, into: scratch.q, observer: observer)
        k.forward(scratch.normed, rows: n, into: scratch.k, observer: observer)
        v.forward(scratch.normed, rows: n, into: scratch.v, observer: observer)
        // attn (N, heads·hd)
        attend(scratch.q, scratch.k, scratch.v, scratch.attention)
        // x += attn · Woᵀ
        o.forward(scratch.attention, rows: n, into: x, accumulate: true, observer: observer)
        // MLP: x += down(silu(gate(n2)) * up(n2))
        RMSNorm.apply(x, rows: n, n: d, weight: postAttentionNorm.pointer, eps: h.rmsNormEps, out: scratch.normed)
        gate.forward(scratch.normed, rows: n, into: scratch.gate, observer: observer)
        up.forward(scratch.normed, rows: n, into: scratch.up, observer: observer)
        Activations.swiglu(gate: scratch.gate, up: scratch.up, count: n * h.intermediateSize)
        down.forward(scratch.gate, rows: n, into: x, accumulate: true, observer: observer)
    }
}

/// Activation buffers for one forward pass of N = B·T rows, reused by every block.
public final class LlamaScratch {
    let normed, q, k, v, attention, gate, up: UnsafeMutablePointer<Float>
    private let storage: [FloatBuffer]

    init(rows n: Int, h: LlamaHyperparameters) {
        let sizes = [n * h.hiddenSize, n * h.heads * h.headDim, n * h.kvHeads * h.headDim,
                     n * h.kvHeads * h.headDim, n * h.heads * h.headDim, n * h.intermediateSize,
                     n * h.intermediateSize]
        // Every buffer is fully written before it is read (GEMM outputs with beta 0, attention output).
        storage = sizes.map { FloatBuffer(count: $0, zeroed: false) }
        normed = storage[0].pointer; q = storage[1].pointer; k = storage[2].pointer; v = storage[3].pointer
        attention = storage[4].pointer; gate = storage[5].pointer; up = storage[6].pointer
    }
}
