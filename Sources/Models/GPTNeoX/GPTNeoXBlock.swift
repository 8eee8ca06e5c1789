import ModelFormats
import TensorCore

/// One GPT-NeoX (Pythia) layer:
///   a = dense(attn(rotary(query_key_value(input_layernorm(x)))))
///   m = dense_4h_to_h(gelu(dense_h_to_4h(post_attention_layernorm(y))))
///   parallel residual: x ← x + a + m with y = x;  sequential: x ← x + a, then x ← x + m with y = x + a
/// query_key_value's output is laid out per head as [q | k | v] (heads, 3, headDim); only the first
/// `rotaryDim` values of each q/k head are rotated (partial rotary, "rotate half" pairs).
public final class GPTNeoXBlock: @unchecked Sendable {
    public let index: Int
    public let inputNorm: LayerNormWeights, postAttentionNorm: LayerNormWeights
    public let queryKeyValue: Linear   // (3d, d)
    public let dense: Linear           // (d, d)
    public let up: Linear              // dense_h_to_4h (ffn, d)
    public let down: Linear            // dense_4h_to_h (d, ffn)

    init(index: Int, config c: GPTNeoXConfig, weights: CanonicalWeights) throws {
        self.index = index
        let p = "gpt_neox.layers.\(index).", d = c.hiddenSize, eps = Float(c.layerNormEps)
        inputNorm = try LayerNormWeights(p + "input_layernorm", size: d, eps: eps, weights: weights)
        postAttentionNorm = try LayerNormWeights(p + "post_attention_layernorm", size: d, eps: eps, weights: weights)
        queryKeyValue = try Linear(loading: p + "attention.query_key_value", out: 3 * d, in: d, bias: true, from: weights)
        dense = try Linear(loading: p + "attention.dense", out: d, in: d, bias: true, from: weights)
        up = try Linear(loading: p + "mlp.dense_h_to_4h", out: c.intermediateSize, in: d, bias: true, from: weights)
        down = try Linear(loading: p + "mlp.dense_4h_to_h", out: d, in: c.intermediateSize, bias: true, from: weights)
    }

    public var linears: [Linear] { [queryKeyValue, dense, up, down] }

    var namedTensors: [(String, Tensor)] {
        inputNorm.namedTensors + postAttentionNorm.namedTensors + linears.flatMap(\.namedTensors)
    }

    /// x (B·T, d) residual stream, updated in place.
    func forward(_ x: UnsafeMutablePointer<Float>, windows: Int, tokens: Int, config c: GPTNeoXConfig, rope: RopeTable,
                 activation: ElementwiseActivation, scratch s: ScratchBuffers, observer: LinearInputObserver?) {
        let n = windows * tokens, d = c.hiddenSize, heads = c.numAttentionHeads, hd = c.headDim
        let normed = s[0], fused = s[1], q = s[2], k = s[3], v = s[4], attn = s[5], hidden = s[6], mlpInput = s[7]
        // parallel residual: the MLP reads ln2(x) of the block's input
        if c.useParallelResidual { postAttentionNorm.apply(x, rows: n, out: mlpInput) }
        // fused (N, heads·3·hd) = ln1(x) · Wᵀ + b; q, k, v (N, heads·hd)
        inputNorm.apply(x, rows: n, out: normed)
        queryKeyValue.forward(normed, rows: n, into: fused, observer: observer)
        HeadLayout.splitQKV(fused, rows: n, groups: heads, width: hd, q: q, k: k, v: v)
        // rotate the first rotaryDim values of every q, k head, per window (positions from 0)
        for b in 0..<windows {
            rope.apply(q + b * tokens * d, tokens: tokens, heads: heads, headDim: hd)
            rope.apply(k + b * tokens * d, tokens: tokens, heads: heads, headDim: hd)
        }
        // attn (N, heads·hd) = softmax(q·kᵀ/√hd + causal mask) · v
        CausalAttention.forward(q: q, k: k, v: v, out: attn, windows: windows, tokens: tokens, heads: heads,
                                kvHeads: heads, headDim: hd, scale: 1 / Float(hd).squareRoot())
        if c.useParallelResidual {
            // x += attn · Wᵀ + b + mlp(ln2(x_in))
            up.forward(mlpInput, rows: n, into: hidden, observer: observer)
            activation.apply(hidden, count: n * c.intermediateSize)
            dense.forward(attn, rows: n, into: x, accumulate: true, observer: observer)
            down.forward(hidden, rows: n, into: x, accumulate: true, observer: observer)
        } else {
            // x += attn · Wᵀ + b; x += mlp(ln2(x))
            dense.forward(attn, rows: n, into: x, accumulate: true, observer: observer)
            postAttentionNorm.apply(x, rows: n, out: mlpInput)
            up.forward(mlpInput, rows: n, into: hidden, observer: observer)
            activation.apply(hidden, count: n * c.intermediateSize)
            down.forward(hidden, rows: n, into: x, accumulate: true, observer: observer)
        }
    }

    static func scratch(rows n: Int, config c: GPTNeoXConfig) -> ScratchBuffers {
        let d = c.hiddenSize
        return ScratchBuffers([n * d, n * 3 * d, n * d, n * d, n * d, n * d, n * c.intermediateSize, n * d])
    }
}
