import Models
import TensorCore

/// A Llama-family block (Llama, SmolLM2, Mistral, Qwen2) for training, forward and backward:
///
///     n1 = rmsnorm(x)·g1;  q, k, v = n1·Wq/k/vᵀ (+ b);  q, k = rope(q, k)
///     attn = softmax(q·kᵀ/√hd + causal mask)·v;  h = x + attn·Woᵀ
///     n2 = rmsnorm(h)·g2;  a = silu(n2·Wgᵀ) ∘ (n2·Wuᵀ);  y = h + a·Wdᵀ
///
/// Linears in order q, k, v, o, gate, up, down (as `LlamaBlock.linears`).
public final class LlamaTrainingBlock<T: GradScalar>: DistillableBlock {
    public typealias Scalar = T
    let d: Int, heads: Int, kvHeads: Int, headDim: Int, inter: Int
    let eps: T
    let inputNorm: [T], postAttentionNorm: [T]
    let biases: [[T]?]   // q, k, v
    let rope: RopeGrad<T>
    let attention: CausalAttentionGrad
    public let linearShapes: [LinearShape]
    public var hiddenSize: Int { d }

    /// The block `block` of a model with hyperparameters `h`, for windows of up to `tokens` tokens.
    public convenience init(_ block: LlamaBlock, hyper h: LlamaHyperparameters, tokens: Int) {
        func floats(_ t: Tensor) -> [Float] { Array(UnsafeBufferPointer(start: t.pointer, count: t.count)) }
        self.init(hyper: h, index: block.index, inputNorm: floats(block.inputNorm), postAttentionNorm: floats(block.postAttentionNorm),
                  biases: [block.q, block.k, block.v].map { $0.bias.map(floats) }, tokens: tokens)
    }

    /// Block `index` of a network `h` describes, from its norm weights (d each) and q/k/v biases
    /// (nil, or out features each).
    public init(hyper h: LlamaHyperparameters, index: Int, inputNorm: [Float], postAttentionNorm: [Float],
                biases: [[Float]?], tokens: Int) {
        BLAS.useOwnThreads()
        d = h.hiddenSize; heads = h.heads; kvHeads = h.kvHeads; headDim = h.headDim; inter = h.intermediateSize
        eps = T(h.rmsNormEps)
        self.inputNorm = inputNorm.map { T($0) }
        self.postAttentionNorm = postAttentionNorm.map { T($0) }
        precondition(biases.count == 3 && inputNorm.count == d && postAttentionNorm.count == d)
        self.biases = biases.map { $0?.map { T($0) } }
        let table = RopeTable(inverseFrequencies: h.ropeInverseFrequencies, maxPositions: tokens,
                              attentionScaling: h.ropeAttentionScaling)
        rope = RopeGrad(table, positions: tokens)
        attention = CausalAttentionGrad(heads: h.heads, kvHeads: h.kvHeads, headDim: h.headDim,
                                        scale: 1 / Double(h.headDim).squareRoot(), slidingWindow: h.slidingWindow)
        let p = "model.layers.\(index)."
        let qd = h.heads * h.headDim, kvd = h.kvHeads * h.headDim
        linearShapes = [("self_attn.q_proj", qd, d), ("self_attn.k_proj", kvd, d), ("self_attn.v_proj", kvd, d),
                        ("self_attn.o_proj", d, qd), ("mlp.gate_proj", inter, d), ("mlp.up_proj", inter, d),
                        ("mlp.down_proj", d, inter)].map { LinearShape(name: p + $0.0, outFeatures: $0.1, inFeatures: $0.2) }
    }

    public final class Cache {
        let windows: Int, tokens: Int
        let x, r1, n1, q, k, v, p, attn, h, r2, n2, g, u, a: GradBuffer<T>
        // backward scratch
        let da, dg, du, dn, dh, dAttn, dq, dk, dv, dScores: GradBuffer<T>

        init(_ b: LlamaTrainingBlock, windows: Int, tokens: Int) {
            self.windows = windows; self.tokens = tokens
            let n = windows * tokens, qd = b.heads * b.headDim, kvd = b.kvHeads * b.headDim
            x = .init(count: n * b.d); r1 = .init(count: n); n1 = .init(count: n * b.d)
            q = .init(count: n * qd); k = .init(count: n * kvd); v = .init(count: n * kvd)
            p = .init(count: b.attention.probabilityCount(windows: windows, tokens: tokens))
            attn = .init(count: n * qd); h = .init(count: n * b.d); r2 = .init(count: n); n2 = .init(count: n * b.d)
            g = .init(count: n * b.inter); u = .init(count: n * b.inter); a = .init(count: n * b.inter)
            da = .init(count: n * b.inter); dg = .init(count: n * b.inter); du = .init(count: n * b.inter)
            dn = .init(count: n * b.d); dh = .init(count: n * b.d); dAttn = .init(count: n * qd)
            dq = .init(count: n * qd); dk = .init(count: n * kvd); dv = .init(count: n * kvd)
            dScores = .init(count: b.attention.scratchCount(windows: windows, tokens: tokens))
        }
    }

    public func makeCache(windows: Int, tokens: Int) -> Cache {
        precondition(tokens <= rope.positions, "block built for \(rope.positions) tokens, got \(tokens)")
        return Cache(self, windows: windows, tokens: tokens)
    }

    @_specialize(where T == Float)
    public func forward(_ x: UnsafePointer<T>, windows: Int, tokens: Int, weights w: [UnsafePointer<T>], cache c: Cache,
                        inputTransform: InputTransform<T>?, into y: UnsafeMutablePointer<T>) {
        precondition(c.windows == windows && c.tokens == tokens && w.count == 7)
        let n = windows * tokens, qd = heads * headDim, kvd = kvHeads * headDim
        c.x.pointer.update(from: x, count: n * d)
        // n1 (N, d) = rmsnorm(x)·g1
        inputNorm.withUnsafeBufferPointer { g1 in
            RMSNormGrad.forward(x, rows: n, n: d, weight: g1.baseAddress!, offset: 0, eps: eps, into: c.n1.pointer,
                                inverseRMS: c.r1.pointer)
        }
        inputTransform?(c.n1.pointer, n, d)
        // q (N, qd), k, v (N, kvd)
        for (i, (out, dim)) in [(c.q, qd), (c.k, kvd), (c.v, kvd)].enumerated() {
            withBias(i) { bias in
                LinearGrad.forward(c.n1.pointer, rows: n, weight: w[i], bias: bias, inFeatures: d, outFeatures: dim, into: out.pointer)
            }
        }
        rope.apply(c.q.pointer, windows: windows, tokens: tokens, heads: heads, headDim: headDim)
        rope.apply(c.k.pointer, windows: windows, tokens: tokens, heads: kvHeads, headDim: headDim)
        // attn (N, qd)
        attention.forward(q: c.q.pointer, k: c.k.pointer, v: c.v.pointer, windows: windows, tokens: tokens,
                          out: c.attn.pointer, probabilities: c.p.pointer)
        inputTransform?(c.attn.pointer, n, qd)
        // h = x + attn·Woᵀ
        c.h.pointer.update(from: x, count: n * d)
        LinearGrad.forward(c.attn.pointer, rows: n, weight: w[3], bias: nil, inFeatures: qd, outFeatures: d,
                           into: c.h.pointer, accumulate: true)
        // n2 = rmsnorm(h)·g2; a = silu(n2·Wgᵀ) ∘ n2·Wuᵀ
        postAttentionNorm.withUnsafeBufferPointer { g2 in
            RMSNormGrad.forward(c.h.pointer, rows: n, n: d, weight: g2.baseAddress!, offset: 0, eps: eps,
                                into: c.n2.pointer, inverseRMS: c.r2.pointer)
        }
        inputTransform?(c.n2.pointer, n, d)
        LinearGrad.forward(c.n2.pointer, rows: n, weight: w[4], bias: nil, inFeatures: d, outFeatures: inter, into: c.g.pointer)
        LinearGrad.forward(c.n2.pointer, rows: n, weight: w[5], bias: nil, inFeatures: d, outFeatures: inter, into: c.u.pointer)
        GatedActivationGrad.forward(.silu, gate: c.g.pointer, up: c.u.pointer, count: n * inter, into: c.a.pointer)
        inputTransform?(c.a.pointer, n, inter)
        // y = h + a·Wdᵀ
        y.update(from: c.h.pointer, count: n * d)
        LinearGrad.forward(c.a.pointer, rows: n, weight: w[6], bias: nil, inFeatures: inter, outFeatures: d, into: y, accumulate: true)
    }

    @_specialize(where T == Float)
    public func backward(_ dy: UnsafePointer<T>, cache c: Cache, weights w: [UnsafePointer<T>],
                         weightGradients dW: [UnsafeMutablePointer<T>], dx: UnsafeMutablePointer<T>?) {
        let windows = c.windows, tokens = c.tokens
        let n = windows * tokens, qd = heads * headDim, kvd = kvHeads * headDim
        // down: dWd = dyᵀ·a, da = dy·Wd
        LinearGrad.weightGradient(dy, c.a.pointer, rows: n, inFeatures: inter, outFeatures: d, into: dW[6])
        LinearGrad.inputGradient(dy, rows: n, weight: w[6], inFeatures: inter, outFeatures: d, into: c.da.pointer)
        GatedActivationGrad.backward(.silu, c.da.pointer, gate: c.g.pointer, up: c.u.pointer, count: n * inter,
                                     dGate: c.dg.pointer, dUp: c.du.pointer)
        // gate/up: dWg, dWu; dn2 = dg·Wg + du·Wu; then dh = dy + rmsnorm'(dn2)
        LinearGrad.sharedInputBackward([.init(dy: c.dg.pointer, weight: w[4], outFeatures: inter, dW: dW[4]),
                                        .init(dy: c.du.pointer, weight: w[5], outFeatures: inter, dW: dW[5])],
                                       x: c.n2.pointer, rows: n, inFeatures: d, dx: c.dn.pointer)
        c.dh.pointer.update(from: dy, count: n * d)
        postAttentionNorm.withUnsafeBufferPointer { g2 in
            RMSNormGrad.backward(c.dn.pointer, x: c.h.pointer, inverseRMS: c.r2.pointer, rows: n, n: d,
                                 weight: g2.baseAddress!, offset: 0, into: c.dh.pointer, accumulate: true)
        }
        // o: dWo = dhᵀ·attn, dAttn = dh·Wo
        LinearGrad.weightGradient(c.dh.pointer, c.attn.pointer, rows: n, inFeatures: qd, outFeatures: d, into: dW[3])
        LinearGrad.inputGradient(c.dh.pointer, rows: n, weight: w[3], inFeatures: qd, outFeatures: d, into: c.dAttn.pointer)
        attention.backward(dOut: c.dAttn.pointer, q: c.q.pointer, k: c.k.pointer, v: c.v.pointer, probabilities: c.p.pointer,
                           windows: windows, tokens: tokens, dq: c.dq.pointer, dk: c.dk.pointer, dv: c.dv.pointer,
                           scratch: c.dScores.pointer)
        rope.apply(c.dq.pointer, windows: windows, tokens: tokens, heads: heads, headDim: headDim, inverse: true)
        rope.apply(c.dk.pointer, windows: windows, tokens: tokens, heads: kvHeads, headDim: headDim, inverse: true)
        // q/k/v: dW, and dn1 = Σ dq·Wq + dk·Wk + dv·Wv when dx is wanted
        LinearGrad.sharedInputBackward([.init(dy: c.dq.pointer, weight: w[0], outFeatures: qd, dW: dW[0]),
                                        .init(dy: c.dk.pointer, weight: w[1], outFeatures: kvd, dW: dW[1]),
                                        .init(dy: c.dv.pointer, weight: w[2], outFeatures: kvd, dW: dW[2])],
                                       x: c.n1.pointer, rows: n, inFeatures: d, dx: dx == nil ? nil : c.dn.pointer)
        guard let dx else { return }
        dx.update(from: c.dh.pointer, count: n * d)
        inputNorm.withUnsafeBufferPointer { g1 in
            RMSNormGrad.backward(c.dn.pointer, x: c.x.pointer, inverseRMS: c.r1.pointer, rows: n, n: d,
                                 weight: g1.baseAddress!, offset: 0, into: dx, accumulate: true)
        }
    }

    private func withBias(_ i: Int, _ body: (UnsafePointer<T>?) -> Void) {
        if let b = biases[i] { b.withUnsafeBufferPointer { body($0.baseAddress!) } } else { body(nil) }
    }
}
