import Models
import TensorCore

/// A LayerNorm block with biased linears and an elementwise MLP activation, for training: OPT
/// (separate q/k/v, ReLU; pre-LayerNorm, or post-LayerNorm as OPT-350m), GPT-2 (fused c_attn with
/// columns [q | k | v], gelu_new), BLOOM (fused query_key_value laid out per head, ALiBi, gelu_tanh)
/// and GPT-NeoX (fused per head, partial rotary on q and k, parallel or sequential residual). Pre-LN:
///
///     n1 = LN1(x);  q, k, v = n1·Wᵀ + b;  s1 = x + attn·Woᵀ + bo;  h = s1
///     n2 = LN2(h);  f = n2·W1ᵀ + b1;  y = h + act(f)·W2ᵀ + b2
///
/// Parallel residual (GPT-NeoX): n2 = LN2(x) instead, so y = x + attn·Woᵀ + bo + act(f)·W2ᵀ + b2.
/// Post-LN: q, k, v from x; h = LN1(s1); n2 = h; y = LN2(h + act(f)·W2ᵀ + b2).
/// Linears in the model's order (OPT: q, k, v, out_proj, fc1, fc2; GPT-2: c_attn, c_proj, c_fc,
/// mlp.c_proj; BLOOM, GPT-NeoX: query_key_value, dense, dense_h_to_4h, dense_4h_to_h).
public final class LayerNormTrainingBlock<T: GradScalar>: DistillableBlock {
    public typealias Scalar = T
    /// Where q, k and v are in the attention's input projection(s).
    public enum QKVLayout: Sendable {
        /// Three linears (OPT).
        case separate
        /// One linear, output columns [q | k | v] (GPT-2's c_attn).
        case concatenated
        /// One linear, output columns per head [q_h | k_h | v_h] (BLOOM, GPT-NeoX).
        case perHead
    }
    let d: Int, heads: Int, headDim: Int, ffn: Int
    let preNorm: Bool, parallelResidual: Bool, layout: QKVLayout
    let activation: ActivationGrad.Kind
    let norm1: (weight: [T], bias: [T], eps: T), norm2: (weight: [T], bias: [T], eps: T)
    /// Per linear, in order.
    let biases: [[T]?]
    let attention: CausalAttentionGrad
    /// Rotary embedding of q and k (GPT-NeoX), positions 0 ..< tokens of each window.
    let rope: RopeGrad<T>?
    public let linearShapes: [LinearShape]
    public var hiddenSize: Int { d }
    var fusedQKV: Bool { layout != .separate }
    var projections: Int { fusedQKV ? 1 : 3 }
    /// The fused output as (groups, 3, width): one group of width d, or one per head.
    var fusedGroups: (count: Int, width: Int) { layout == .perHead ? (heads, headDim) : (1, d) }

    init(d: Int, heads: Int, ffn: Int, preNorm: Bool, parallelResidual: Bool = false, layout: QKVLayout,
         activation: ActivationGrad.Kind, norms: (LayerNormWeights, LayerNormWeights), linears: [Linear],
         alibiSlopes: [Float]? = nil, rope: RopeGrad<T>? = nil) {
        BLAS.useOwnThreads()
        precondition(preNorm || !parallelResidual, "a parallel residual block is pre-LayerNorm")
        precondition(linears.count == (layout == .separate ? 6 : 4))
        self.d = d; self.heads = heads; headDim = d / heads; self.ffn = ffn
        self.preNorm = preNorm; self.parallelResidual = parallelResidual; self.layout = layout; self.activation = activation
        func convert(_ t: Tensor) -> [T] { (0..<t.count).map { T(t.pointer[$0]) } }
        norm1 = (convert(norms.0.weight), convert(norms.0.bias), T(norms.0.eps))
        norm2 = (convert(norms.1.weight), convert(norms.1.bias), T(norms.1.eps))
        biases = linears.map { $0.bias.map(convert) }
        attention = CausalAttentionGrad(heads: heads, kvHeads: heads, headDim: d / heads, scale: 1 / Double(d / heads).squareRoot(),
                                        alibiSlopes: alibiSlopes.map { $0.map(Double.init) })
        self.rope = rope
        linearShapes = linears.map { LinearShape(name: $0.name, outFeatures: $0.outFeatures, inFeatures: $0.inFeatures) }
    }

    public convenience init(_ block: OPTBlock, model: OPTModel) {
        let c = model.config
        self.init(d: c.hiddenSize, heads: c.numAttentionHeads, ffn: c.ffnDim, preNorm: c.doLayerNormBefore, layout: .separate,
                  activation: ActivationGrad.Kind(rawValue: model.activation.rawValue)!, norms: (block.attentionNorm, block.mlpNorm),
                  linears: block.linears)
    }

    public convenience init(_ block: GPT2Block, model: GPT2Model) {
        let c = model.config
        self.init(d: c.nEmbd, heads: c.nHead, ffn: c.nInner, preNorm: true, layout: .concatenated,
                  activation: ActivationGrad.Kind(rawValue: model.activation.rawValue)!, norms: (block.ln1, block.ln2),
                  linears: block.linears)
    }

    public convenience init(_ block: BloomBlock, model: BloomModel) {
        let c = model.config
        self.init(d: c.hiddenSize, heads: c.numAttentionHeads, ffn: 4 * c.hiddenSize, preNorm: true, layout: .perHead,
                  activation: .geluTanh, norms: (block.inputNorm, block.postAttentionNorm), linears: block.linears,
                  alibiSlopes: model.slopes)
    }

    /// For windows of up to `tokens` tokens (the rotary table's length).
    public convenience init(_ block: GPTNeoXBlock, model: GPTNeoXModel, tokens: Int) {
        let c = model.config
        self.init(d: c.hiddenSize, heads: c.numAttentionHeads, ffn: c.intermediateSize, preNorm: true,
                  parallelResidual: c.useParallelResidual, layout: .perHead,
                  activation: ActivationGrad.Kind(rawValue: model.activation.rawValue)!,
                  norms: (block.inputNorm, block.postAttentionNorm), linears: block.linears,
                  rope: RopeGrad(model.rope, positions: tokens))
    }

    public final class Cache {
        let windows: Int, tokens: Int
        let x, n1, mu1, r1, qkv, q, k, v, p, attn, s1, h, n2, mu2, r2, f, a, s2: GradBuffer<T>
        let ds2, da, df, dn, dh, ds1, dAttn, dq, dk, dv, dqkv, dScores: GradBuffer<T>

        init(_ b: LayerNormTrainingBlock, windows: Int, tokens: Int) {
            self.windows = windows; self.tokens = tokens
            let n = windows * tokens, d = b.d
            x = .init(count: n * d); n1 = .init(count: n * d); mu1 = .init(count: n); r1 = .init(count: n)
            qkv = .init(count: b.fusedQKV ? n * 3 * d : 0)
            q = .init(count: n * d); k = .init(count: n * d); v = .init(count: n * d)
            p = .init(count: b.attention.probabilityCount(windows: windows, tokens: tokens))
            attn = .init(count: n * d); s1 = .init(count: n * d); h = .init(count: n * d); n2 = .init(count: n * d)
            mu2 = .init(count: n); r2 = .init(count: n)
            f = .init(count: n * b.ffn); a = .init(count: n * b.ffn); s2 = .init(count: n * d)
            ds2 = .init(count: n * d); da = .init(count: n * b.ffn); df = .init(count: n * b.ffn); dn = .init(count: n * d)
            dh = .init(count: n * d); ds1 = .init(count: n * d); dAttn = .init(count: n * d)
            dq = .init(count: n * d); dk = .init(count: n * d); dv = .init(count: n * d)
            dqkv = .init(count: b.fusedQKV ? n * 3 * d : 0)
            dScores = .init(count: b.attention.scratchCount(windows: windows, tokens: tokens))
        }
    }

    public func makeCache(windows: Int, tokens: Int) -> Cache {
        if let rope { precondition(tokens <= rope.positions, "block built for \(rope.positions) tokens, got \(tokens)") }
        return Cache(self, windows: windows, tokens: tokens)
    }

    /// fused (N, 3d) ↔ q, k, v (N, d) in the layout's column order; `merge` writes fused from q, k, v.
    private func shuffleQKV(_ fused: UnsafeMutablePointer<T>, _ q: UnsafeMutablePointer<T>, _ k: UnsafeMutablePointer<T>,
                            _ v: UnsafeMutablePointer<T>, rows n: Int, merge: Bool) {
        let (groups, width) = fusedGroups, parts = [q, k, v]
        for r in 0..<n {
            for g in 0..<groups {
                let f = fused + r * 3 * d + g * 3 * width, o = r * d + g * width
                for (part, target) in parts.enumerated() {
                    if merge { (f + part * width).update(from: target + o, count: width) }
                    else { (target + o).update(from: f + part * width, count: width) }
                }
            }
        }
    }

    private func bias(_ i: Int, _ body: (UnsafePointer<T>?) -> Void) {
        if let b = biases[i] { b.withUnsafeBufferPointer { body($0.baseAddress!) } } else { body(nil) }
    }

    private func normForward(_ norm: (weight: [T], bias: [T], eps: T), _ x: UnsafePointer<T>, rows: Int,
                             into y: UnsafeMutablePointer<T>, mean: GradBuffer<T>, inverseStd: GradBuffer<T>) {
        norm.weight.withUnsafeBufferPointer { w in
            norm.bias.withUnsafeBufferPointer { b in
                LayerNormGrad.forward(x, rows: rows, n: d, weight: w.baseAddress!, bias: b.baseAddress!, eps: norm.eps, into: y,
                                      mean: mean.pointer, inverseStd: inverseStd.pointer)
            }
        }
    }

    private func normBackward(_ norm: (weight: [T], bias: [T], eps: T), _ dy: UnsafePointer<T>, x: UnsafePointer<T>,
                              mean: GradBuffer<T>, inverseStd: GradBuffer<T>, rows: Int, into dx: UnsafeMutablePointer<T>,
                              accumulate: Bool) {
        norm.weight.withUnsafeBufferPointer { w in
            LayerNormGrad.backward(dy, x: x, mean: mean.pointer, inverseStd: inverseStd.pointer, rows: rows, n: d,
                                   weight: w.baseAddress!, into: dx, accumulate: accumulate)
        }
    }

    @_specialize(where T == Float)
    public func forward(_ x: UnsafePointer<T>, windows: Int, tokens: Int, weights w: [UnsafePointer<T>], cache c: Cache,
                        inputTransform: InputTransform<T>?, into y: UnsafeMutablePointer<T>) {
        precondition(c.windows == windows && c.tokens == tokens && w.count == linearShapes.count)
        let n = windows * tokens, o = projections
        c.x.pointer.update(from: x, count: n * d)
        // attention input: LN1(x) (pre-LN) or x
        if preNorm { normForward(norm1, x, rows: n, into: c.n1.pointer, mean: c.mu1, inverseStd: c.r1) }
        else { c.n1.pointer.update(from: x, count: n * d) }
        inputTransform?(c.n1.pointer, n, d)
        if fusedQKV {
            // qkv (N, 3d), columns [q | k | v] or per head [q_h | k_h | v_h]
            bias(0) { LinearGrad.forward(c.n1.pointer, rows: n, weight: w[0], bias: $0, inFeatures: d, outFeatures: 3 * d, into: c.qkv.pointer) }
            shuffleQKV(c.qkv.pointer, c.q.pointer, c.k.pointer, c.v.pointer, rows: n, merge: false)
        } else {
            for (i, out) in [c.q, c.k, c.v].enumerated() {
                bias(i) { LinearGrad.forward(c.n1.pointer, rows: n, weight: w[i], bias: $0, inFeatures: d, outFeatures: d, into: out.pointer) }
            }
        }
        rope?.apply(c.q.pointer, windows: windows, tokens: tokens, heads: heads, headDim: headDim)
        rope?.apply(c.k.pointer, windows: windows, tokens: tokens, heads: heads, headDim: headDim)
        attention.forward(q: c.q.pointer, k: c.k.pointer, v: c.v.pointer, windows: windows, tokens: tokens,
                          out: c.attn.pointer, probabilities: c.p.pointer)
        inputTransform?(c.attn.pointer, n, d)
        // s1 = x + attn·Woᵀ + bo; h = s1 (pre-LN) or LN1(s1); the MLP reads LN2(h), LN2(x) (parallel) or h (post-LN)
        c.s1.pointer.update(from: x, count: n * d)
        bias(o) { LinearGrad.forward(c.attn.pointer, rows: n, weight: w[o], bias: $0, inFeatures: d, outFeatures: d, into: c.s1.pointer, accumulate: true) }
        if preNorm {
            c.h.pointer.update(from: c.s1.pointer, count: n * d)
            normForward(norm2, parallelResidual ? x : UnsafePointer(c.h.pointer), rows: n, into: c.n2.pointer, mean: c.mu2,
                        inverseStd: c.r2)
        } else {
            normForward(norm1, c.s1.pointer, rows: n, into: c.h.pointer, mean: c.mu1, inverseStd: c.r1)
            c.n2.pointer.update(from: c.h.pointer, count: n * d)
        }
        inputTransform?(c.n2.pointer, n, d)
        bias(o + 1) { LinearGrad.forward(c.n2.pointer, rows: n, weight: w[o + 1], bias: $0, inFeatures: d, outFeatures: ffn, into: c.f.pointer) }
        ActivationGrad.forward(activation, c.f.pointer, count: n * ffn, into: c.a.pointer)
        inputTransform?(c.a.pointer, n, ffn)
        c.s2.pointer.update(from: c.h.pointer, count: n * d)
        bias(o + 2) { LinearGrad.forward(c.a.pointer, rows: n, weight: w[o + 2], bias: $0, inFeatures: ffn, outFeatures: d, into: c.s2.pointer, accumulate: true) }
        if preNorm { y.update(from: c.s2.pointer, count: n * d) }
        else { normForward(norm2, c.s2.pointer, rows: n, into: y, mean: c.mu2, inverseStd: c.r2) }
    }

    @_specialize(where T == Float)
    public func backward(_ dy: UnsafePointer<T>, cache c: Cache, weights w: [UnsafePointer<T>],
                         weightGradients dW: [UnsafeMutablePointer<T>], dx: UnsafeMutablePointer<T>?) {
        let windows = c.windows, tokens = c.tokens, n = windows * tokens, o = projections
        // ds2 = LN2'(dy) (post-LN) or dy
        if preNorm { c.ds2.pointer.update(from: dy, count: n * d) }
        else { normBackward(norm2, dy, x: c.s2.pointer, mean: c.mu2, inverseStd: c.r2, rows: n, into: c.ds2.pointer, accumulate: false) }
        LinearGrad.weightGradient(c.ds2.pointer, c.a.pointer, rows: n, inFeatures: ffn, outFeatures: d, into: dW[o + 2])
        LinearGrad.inputGradient(c.ds2.pointer, rows: n, weight: w[o + 2], inFeatures: ffn, outFeatures: d, into: c.da.pointer)
        ActivationGrad.backward(activation, c.da.pointer, x: c.f.pointer, count: n * ffn, into: c.df.pointer)
        LinearGrad.weightGradient(c.df.pointer, c.n2.pointer, rows: n, inFeatures: d, outFeatures: ffn, into: dW[o + 1])
        LinearGrad.inputGradient(c.df.pointer, rows: n, weight: w[o + 1], inFeatures: d, outFeatures: ffn, into: c.dn.pointer)
        // dh = ds2 + (LN2'(dn2) (pre-LN), 0 (parallel) or dn2); ds1 = LN1'(dh) (post-LN) or dh
        c.dh.pointer.update(from: c.ds2.pointer, count: n * d)
        if parallelResidual {
            // the MLP read LN2(x): its share of dx goes straight into dx (the rest is added below)
            if let dx { normBackward(norm2, c.dn.pointer, x: c.x.pointer, mean: c.mu2, inverseStd: c.r2, rows: n, into: dx, accumulate: false) }
            c.ds1.pointer.update(from: c.dh.pointer, count: n * d)
        } else if preNorm {
            normBackward(norm2, c.dn.pointer, x: c.h.pointer, mean: c.mu2, inverseStd: c.r2, rows: n, into: c.dh.pointer, accumulate: true)
            c.ds1.pointer.update(from: c.dh.pointer, count: n * d)
        } else {
            for i in 0..<n * d { c.dh.pointer[i] += c.dn.pointer[i] }
            normBackward(norm1, c.dh.pointer, x: c.s1.pointer, mean: c.mu1, inverseStd: c.r1, rows: n, into: c.ds1.pointer, accumulate: false)
        }
        LinearGrad.weightGradient(c.ds1.pointer, c.attn.pointer, rows: n, inFeatures: d, outFeatures: d, into: dW[o])
        LinearGrad.inputGradient(c.ds1.pointer, rows: n, weight: w[o], inFeatures: d, outFeatures: d, into: c.dAttn.pointer)
        attention.backward(dOut: c.dAttn.pointer, q: c.q.pointer, k: c.k.pointer, v: c.v.pointer, probabilities: c.p.pointer,
                           windows: windows, tokens: tokens, dq: c.dq.pointer, dk: c.dk.pointer, dv: c.dv.pointer,
                           scratch: c.dScores.pointer)
        rope?.apply(c.dq.pointer, windows: windows, tokens: tokens, heads: heads, headDim: headDim, inverse: true)
        rope?.apply(c.dk.pointer, windows: windows, tokens: tokens, heads: heads, headDim: headDim, inverse: true)
        if fusedQKV { shuffleQKV(c.dqkv.pointer, c.dq.pointer, c.dk.pointer, c.dv.pointer, rows: n, merge: true) }
        let readers: [LinearGrad.Reader<T>] = fusedQKV
            ? [.init(dy: c.dqkv.pointer, weight: w[0], outFeatures: 3 * d, dW: dW[0])]
            : [c.dq, c.dk, c.dv].enumerated().map { i, g in .init(dy: g.pointer, weight: w[i], outFeatures: d, dW: dW[i]) }
        LinearGrad.sharedInputBackward(readers, x: c.n1.pointer, rows: n, inFeatures: d, dx: dx == nil ? nil : c.dn.pointer)
        guard let dx else { return }
        // dx = ds1 (+ the MLP's LN2' share already there, parallel residual) + LN1'(dn1) (pre-LN) or dn1
        if parallelResidual { for i in 0..<n * d { dx[i] += c.ds1.pointer[i] } }
        else { dx.update(from: c.ds1.pointer, count: n * d) }
        if preNorm {
            normBackward(norm1, c.dn.pointer, x: c.x.pointer, mean: c.mu1, inverseStd: c.r1, rows: n, into: dx, accumulate: true)
        } else {
            for i in 0..<n * d { dx[i] += c.dn.pointer[i] }
        }
    }
}
