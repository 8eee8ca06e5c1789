import ModelFormats
import TensorCore

/// One BLOOM block (pre-LayerNorm, ALiBi instead of position embeddings):
///   x += dense(attn(query_key_value(input_layernorm(x))))   scores + slope_h · key position
///   x += dense_4h_to_h(gelu_tanh(dense_h_to_4h(post_attention_layernorm(x))))
/// query_key_value's output is laid out per head as [q | k | v] (heads, 3, headDim).
public final class BloomBlock: @unchecked Sendable {
    public let index: Int
    public let inputNorm: LayerNormWeights, postAttentionNorm: LayerNormWeights
    public let queryKeyValue: Linear   // (3d, d)
    public let dense: Linear           // (d, d)
    public let up: Linear              // dense_h_to_4h (4d, d)
    public let down: Linear            // dense_4h_to_h (d, 4d)

    init(index: Int, config c: BloomConfig, weights: CanonicalWeights) throws {
        self.index = index
        let p = "transformer.h.\(index).", d = c.hiddenSize, eps = Float(c.layerNormEpsilon)
        inputNorm = try LayerNormWeights(p + "input_layernorm", size: d, eps: eps, weights: weights)
        postAttentionNorm = try LayerNormWeights(p + "post_attention_layernorm", size: d, eps: eps, weights: weights)
        queryKeyValue = try Linear(loading: p + "self_attention.query_key_value", out: 3 * d, in: d, bias: true, from: weights)
        dense = try Linear(loading: p + "self_attention.dense", out: d, in: d, bias: true, from: weights)
        up = try Linear(loading: p + "mlp.dense_h_to_4h", out: 4 * d, in: d, bias: true, from: weights)
        down = try Linear(loading: p + "mlp.dense_4h_to_h", out: d, in: 4 * d, bias: true, from: weights)
    }

    public var linears: [Linear] { [queryKeyValue, dense, up, down] }

    var namedTensors: [(String, Tensor)] {
        inputNorm.namedTensors + postAttentionNorm.namedTensors + linears.flatMap(\.namedTensors)
    }

    /// x (B·T, d) residual stream, updated in place; `slopes` (heads) the ALiBi slopes.
    func forward(_ x: UnsafeMutablePointer<Float>, windows: Int, tokens: Int, config c: BloomConfig, slopes: [Float],
                 scratch s: ScratchBuffers, observer: LinearInputObserver?) {
        let n = windows * tokens, d = c.hiddenSize, heads = c.numAttentionHeads, hd = c.headDim
        let normed = s[0], fused = s[1], q = s[2], k = s[3], v = s[4], attn = s[5], hidden = s[6]
        // fused (N, heads·3·hd) = input_layernorm(x) · Wᵀ + b; q, k, v (N, heads·hd)
        inputNorm.apply(x, rows: n, out: normed)
        queryKeyValue.forward(normed, rows: n, into: fused, observer: observer)
        HeadLayout.splitQKV(fused, rows: n, groups: heads, width: hd, q: q, k: k, v: v)
        // attn (N, heads·hd) = softmax(q·kᵀ/√hd + slope_h · j + causal mask) · v
        CausalAttention.forward(q: q, k: k, v: v, out: attn, windows: windows, tokens: tokens, heads: heads,
                                kvHeads: heads, headDim: hd, scale: 1 / Float(hd).squareRoot(), alibiSlopes: slopes)
        // x += attn · Wᵀ + b
        dense.forward(attn, rows: n, into: x, accumulate: true, observer: observer)
        // hidden (N, 4d) = gelu_tanh(post_attention_layernorm(x) · Wᵀ + b); x += hidden · Wᵀ + b
        postAttentionNorm.apply(x, rows: n, out: normed)
        up.forward(normed, rows: n, into: hidden, observer: observer)
        Activations.geluTanh(hidden, count: n * 4 * d)
        down.forward(hidden, rows: n, into: x, accumulate: true, observer: observer)
    }

    static func scratch(rows n: Int, config c: BloomConfig) -> ScratchBuffers {
        let d = c.hiddenSize
        return ScratchBuffers([n * d, n * 3 * d, n * d, n * d, n * d, n * d, n * 4 * d])
    }
}
