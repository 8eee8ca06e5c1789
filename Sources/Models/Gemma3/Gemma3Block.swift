import TensorCore

/// One Gemma 3 decoder block. Both sub-layers are normed before and after ("sandwich" norms), and
/// every RMSNorm multiplies by (1 + w):
///   x += postAttnNorm(attn(inputNorm(x)))      attention: per-head RMSNorm of q and k, then RoPE
///   x += postFFNorm(mlp(preFFNorm(x)))         mlp: down(gelu_tanh(gate(h)) · up(h))
/// Local layers attend to the last `slidingWindow` tokens with the local RoPE base; every
/// `slidingWindowPattern`-th layer attends globally with the global base.
public final class Gemma3Block: @unchecked Sendable {
    public let index: Int
    public let isGlobal: Bool
    public let inputNorm: Tensor               // (d)
    public let postAttentionNorm: Tensor       // (d)
    public let preFeedforwardNorm: Tensor      // (d)
    public let postFeedforwardNorm: Tensor     // (d)
    public let queryNorm: Tensor               // (headDim)
    public let keyNorm: Tensor                 // (headDim)
    public let q: Linear, k: Linear, v: Linear, o: Linear
    public let gate: Linear, up: Linear, down: Linear

    init(index: Int, weights: CanonicalWeights, h: Gemma3Hyperparameters) throws {
        self.index = index
        isGlobal = h.isGlobal(layer: index)
        let p = "model.layers.\(index)."
        let d = h.hiddenSize, qDim = h.heads * h.headDim, kvDim = h.kvHeads * h.headDim
        func linear(_ name: String, out: Int, in inF: Int) throws -> Linear {
            Linear(name: p + name, weight: try weights.linearWeight(p + name + ".weight", shape: [out, inF]))
        }
        inputNorm = try weights.tensor(p + "input_layernorm.weight", shape: [d])
        postAttentionNorm = try weights.tensor(p + "post_attention_layernorm.weight", shape: [d])
        preFeedforwardNorm = try weights.tensor(p + "pre_feedforward_layernorm.weight", shape: [d])
        postFeedforwardNorm = try weights.tensor(p + "post_feedforward_layernorm.weight", shape: [d])
        queryNorm = try weights.tensor(p + "self_attn.q_norm.weight", shape: [h.headDim])
        keyNorm = try weights.tensor(p + "self_attn.k_norm.weight", shape: [h.headDim])
        q = try linear("self_attn.q_proj", out: qDim, in: d)
        k = try linear("self_attn.k_proj", out: kvDim, in: d)
        v = try linear("self_attn.v_proj", out: kvDim, in: d)
        o = try linear("self_attn.o_proj", out: d, in: qDim)
        gate = try linear("mlp.gate_proj", out: h.intermediateSize, in: d)
        up = try linear("mlp.up_proj", out: h.intermediateSize, in: d)
        down = try linear("mlp.down_proj", out: d, in: h.intermediateSize)
    }

    public var linears: [Linear] { [q, k, v, o, gate, up, down] }

    /// x (B·T, d) residual stream, updated in place. `rope` is the table for this layer's kind.
    func forward(_ x: UnsafeMutablePointer<Float>, windows: Int, tokens: Int, h: Gemma3Hyperparameters,
                 rope: RopeTable, scratch: Gemma3Scratch, observer: LinearInputObserver?) {
        let n = windows * tokens, d = h.hiddenSize, eps = h.rmsNormEps
        // normed (N, d) = rmsnorm(x) · (1 + w)
        RMSNorm.apply(x, rows: n, n: d, weight: inputNorm.pointer, eps: eps, weightOffset: 1, out: scratch.normed)
        // q (N, heads·hd) = normed · Wqᵀ; k, v (N, kvHeads·hd)
        q.forward(scratch.normed, rows: n, into: scratch.q, observer: observer)
        k.forward(scratch.normed, rows: n, into: scratch.k, observer: observer)
        v.forward(scratch.normed, rows: n, into: scratch.v, observer: observer)
        // per-head RMSNorm: q viewed as (N·heads, hd), k as (N·kvHeads, hd)
        RMSNorm.apply(scratch.q, rows: n * h.heads, n: h.headDim, weight: queryNorm.pointer, eps: eps,
                      weightOffset: 1, out: scratch.q)
        RMSNorm.apply(scratch.k, rows: n * h.kvHeads, n: h.headDim, weight: keyNorm.pointer, eps: eps,
                      weightOffset: 1, out: scratch.k)
        // rotate q, k per window (positions restart at 0 in every window)
        for b in 0..<windows {
            rope.apply(scratch.q + b * tokens * h.heads * h.headDim, tokens: tokens, heads: h.heads, headDim: h.headDim)
            rope.apply(scratch.k + b * tokens * h.kvHeads * h.headDim, tokens: tokens, heads: h.kvHeads, headDim: h.headDim)
        }
        // attn (N, heads·hd) = softmax(q·kᵀ · scalar^-½ + causal/sliding mask) · v
        CausalAttention.forward(q: scratch.q, k: scratch.k, v: scratch.v, out: scratch.attention,
                                windows: windows, tokens: tokens, heads: h.heads, kvHeads: h.kvHeads,
                                headDim: h.headDim, scale: 1 / h.queryPreAttentionScalar.squareRoot(),
                                slidingWindow: isGlobal ? nil : h.slidingWindow)
        // branch (N, d) = attn · Woᵀ; x += rmsnorm(branch) · (1 + w)
        o.forward(scratch.attention, rows: n, into: scratch.branch, observer: observer)
        RMSNorm.apply(scratch.branch, rows: n, n: d, weight: postAttentionNorm.pointer, eps: eps, weightOffset: 1,
                      out: scratch.branch)
        Residual.add(scratch.branch, into: x, count: n * d)
        // MLP on normed (N, d): gate, up (N, ffn); gate ← gelu_tanh(gate) · up; branch (N, d) = gate · Wdownᵀ
        RMSNorm.apply(x, rows: n, n: d, weight: preFeedforwardNorm.pointer, eps: eps, weightOffset: 1, out: scratch.normed)
        gate.forward(scratch.normed, rows: n, into: scratch.gate, observer: observer)
        up.forward(scratch.normed, rows: n, into: scratch.up, observer: observer)
        Activations.gegluTanh(gate: scratch.gate, up: scratch.up, count: n * h.intermediateSize)
        down.forward(scratch.gate, rows: n, into: scratch.branch, observer: observer)
        // x += rmsnorm(branch) · (1 + w)
        RMSNorm.apply(scratch.branch, rows: n, n: d, weight: postFeedforwardNorm.pointer, eps: eps, weightOffset: 1,
                      out: scratch.branch)
        Residual.add(scratch.branch, into: x, count: n * d)
    }
}

/// Activation buffers for one forward pass of N = B·T rows, reused by every block.
public final class Gemma3Scratch {
    let normed, q, k, v, attention, branch, gate, up: UnsafeMutablePointer<Float>
    private let storage: [FloatBuffer]

    init(rows n: Int, h: Gemma3Hyperparameters) {
        let qDim = h.heads * h.headDim, kvDim = h.kvHeads * h.headDim
        let sizes = [n * h.hiddenSize, n * qDim, n * kvDim, n * kvDim, n * qDim, n * h.hiddenSize,
                     n * h.intermediateSize, n * h.intermediateSize]
        // Every buffer is fully written before it is read.
        storage = sizes.map { FloatBuffer(count: $0, zeroed: false) }
        normed = storage[0].pointer; q = storage[1].pointer; k = storage[2].pointer; v = storage[3].pointer
        attention = storage[4].pointer; branch = storage[5].pointer; gate = storage[6].pointer; up = storage[7].pointer
    }
}
