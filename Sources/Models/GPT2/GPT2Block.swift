import ModelFormats
import TensorCore

/// One GPT-2 block (pre-LayerNorm):
///   x += c_proj(attn(c_attn(ln_1(x))))        c_attn: fused q|k|v, causal multi-head attention
///   x += mlp.c_proj(act(mlp.c_fc(ln_2(x))))   act: gelu_new (tanh approximation)
public final class GPT2Block: @unchecked Sendable {
    public let index: Int
    public let ln1: LayerNormWeights, ln2: LayerNormWeights
    public let attention: Linear   // c_attn (3d, d)
    public let projection: Linear  // attn.c_proj (d, d)
    public let fc: Linear          // mlp.c_fc (ffn, d)
    public let fcOut: Linear       // mlp.c_proj (d, ffn)

    init(index: Int, config c: GPT2Config, weights: CanonicalWeights) throws {
        self.index = index
        let p = "transformer.h.\(index).", d = c.nEmbd, eps = Float(c.layerNormEpsilon)
        ln1 = try LayerNormWeights(p + "ln_1", size: d, eps: eps, weights: weights)
        ln2 = try LayerNormWeights(p + "ln_2", size: d, eps: eps, weights: weights)
        attention = try GPT2Sanitize.linear(p + "attn.c_attn", in: d, out: 3 * d, from: weights)
        projection = try GPT2Sanitize.linear(p + "attn.c_proj", in: d, out: d, from: weights)
        fc = try GPT2Sanitize.linear(p + "mlp.c_fc", in: d, out: c.nInner, from: weights)
        fcOut = try GPT2Sanitize.linear(p + "mlp.c_proj", in: c.nInner, out: d, from: weights)
    }

    public var linears: [Linear] { [attention, projection, fc, fcOut] }

    var namedTensors: [(String, Tensor)] {
        ln1.namedTensors + ln2.namedTensors + linears.flatMap(GPT2Sanitize.conv1DTensors)
    }

    /// x (B·T, d) residual stream, updated in place.
    func forward(_ x: UnsafeMutablePointer<Float>, windows: Int, tokens: Int, config c: GPT2Config,
                 activation: ElementwiseActivation, scratch s: ScratchBuffers, observer: LinearInputObserver?) {
        let n = windows * tokens, d = c.nEmbd, hd = c.headDim
        let normed = s[0], fused = s[1], q = s[2], k = s[3], v = s[4], attn = s[5], hidden = s[6]
        // normed (N, d) = ln_1(x)
        ln1.apply(x, rows: n, out: normed)
        // fused (N, 3d) = normed · Wᵀ + b, columns [q | k | v]; q, k, v (N, heads·hd)
        attention.forward(normed, rows: n, into: fused, observer: observer)
        HeadLayout.splitQKV(fused, rows: n, groups: 1, width: d, q: q, k: k, v: v)
        // attn (N, heads·hd) = softmax(q·kᵀ/√hd + causal mask) · v
        CausalAttention.forward(q: q, k: k, v: v, out: attn, windows: windows, tokens: tokens, heads: c.nHead,
                                kvHeads: c.nHead, headDim: hd, scale: 1 / Float(hd).squareRoot())
        // x += attn · Wᵀ + b
        projection.forward(attn, rows: n, into: x, accumulate: true, observer: observer)
        // hidden (N, ffn) = act(ln_2(x) · Wfcᵀ + b); x += hidden · Wᵀ + b
        ln2.apply(x, rows: n, out: normed)
        fc.forward(normed, rows: n, into: hidden, observer: observer)
        activation.apply(hidden, count: n * c.nInner)
        fcOut.forward(hidden, rows: n, into: x, accumulate: true, observer: observer)
    }

    static func scratch(rows n: Int, config c: GPT2Config) -> ScratchBuffers {
        ScratchBuffers([n * c.nEmbd, n * 3 * c.nEmbd, n * c.nEmbd, n * c.nEmbd, n * c.nEmbd, n * c.nEmbd, n * c.nInner])
    }
}
