import ModelFormats
import TensorCore

/// One OPT decoder layer. Pre-LayerNorm (do_layer_norm_before, OPT-125m and most sizes):
///   x += out_proj(attn(q_proj(h), k_proj(h), v_proj(h))),  h = self_attn_layer_norm(x)
///   x += fc2(relu(fc1(final_layer_norm(x))))
/// Post-LayerNorm (OPT-350m): x = self_attn_layer_norm(x + attn(x)); x = final_layer_norm(x + mlp(x)).
public final class OPTBlock: @unchecked Sendable {
    public let index: Int
    public let attentionNorm: LayerNormWeights   // self_attn_layer_norm
    public let mlpNorm: LayerNormWeights         // final_layer_norm (of this layer)
    public let q: Linear, k: Linear, v: Linear, o: Linear
    public let fc1: Linear, fc2: Linear

    init(index: Int, config c: OPTConfig, weights: CanonicalWeights) throws {
        self.index = index
        let p = "model.decoder.layers.\(index).", d = c.hiddenSize
        attentionNorm = try LayerNormWeights(p + "self_attn_layer_norm", size: d, eps: 1e-5, weights: weights)
        mlpNorm = try LayerNormWeights(p + "final_layer_norm", size: d, eps: 1e-5, weights: weights)
        func linear(_ name: String, out: Int, in inF: Int) throws -> Linear {
            try Linear(loading: p + name, out: out, in: inF, bias: c.enableBias, from: weights)
        }
        q = try linear("self_attn.q_proj", out: d, in: d)
        k = try linear("self_attn.k_proj", out: d, in: d)
        v = try linear("self_attn.v_proj", out: d, in: d)
        o = try linear("self_attn.out_proj", out: d, in: d)
        fc1 = try linear("fc1", out: c.ffnDim, in: d)
        fc2 = try linear("fc2", out: d, in: c.ffnDim)
    }

    public var linears: [Linear] { [q, k, v, o, fc1, fc2] }

    var namedTensors: [(String, Tensor)] { attentionNorm.namedTensors + mlpNorm.namedTensors + linears.flatMap(\.namedTensors) }

    /// x (B·T, d) residual stream, updated in place.
    func forward(_ x: UnsafeMutablePointer<Float>, windows: Int, tokens: Int, config c: OPTConfig,
                 activation: ElementwiseActivation, scratch s: ScratchBuffers, observer: LinearInputObserver?) {
        let n = windows * tokens, d = c.hiddenSize, heads = c.numAttentionHeads, hd = d / heads
        let preNorm = c.doLayerNormBefore
        let normed = s[0], qb = s[1], kb = s[2], vb = s[3], attn = s[4], hidden = s[5]
        // h (N, d) = self_attn_layer_norm(x) (pre-LN) or x (post-LN)
        let h: UnsafePointer<Float>
        if preNorm { attentionNorm.apply(x, rows: n, out: normed); h = UnsafePointer(normed) } else { h = UnsafePointer(x) }
        // q, k, v (N, heads·hd) = h · Wᵀ + b
        q.forward(h, rows: n, into: qb, observer: observer)
        k.forward(h, rows: n, into: kb, observer: observer)
        v.forward(h, rows: n, into: vb, observer: observer)
        // attn (N, heads·hd) = softmax(q·kᵀ/√hd + causal mask) · v   (OPT scales q before the product)
        CausalAttention.forward(q: qb, k: kb, v: vb, out: attn, windows: windows, tokens: tokens, heads: heads,
                                kvHeads: heads, headDim: hd, scale: 1 / Float(hd).squareRoot())
        // x += attn · Woᵀ + b
        o.forward(attn, rows: n, into: x, accumulate: true, observer: observer)
        if !preNorm { attentionNorm.apply(x, rows: n, out: x) }
        // hidden (N, ffn) = relu(h2 · W1ᵀ + b1); x += hidden · W2ᵀ + b2
        let h2: UnsafePointer<Float>
        if preNorm { mlpNorm.apply(x, rows: n, out: normed); h2 = UnsafePointer(normed) } else { h2 = UnsafePointer(x) }
        fc1.forward(h2, rows: n, into: hidden, observer: observer)
        activation.apply(hidden, count: n * c.ffnDim)
        fc2.forward(hidden, rows: n, into: x, accumulate: true, observer: observer)
        if !preNorm { mlpNorm.apply(x, rows: n, out: x) }
    }

    static func scratch(rows n: Int, config c: OPTConfig) -> ScratchBuffers {
        let d = c.hiddenSize
        return ScratchBuffers([n * d, n * d, n * d, n * d, n * d, n * c.ffnDim])
    }
}
