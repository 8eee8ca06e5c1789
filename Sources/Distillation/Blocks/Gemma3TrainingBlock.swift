import Models
import TensorCore

/// A Gemma 3 block for training, forward and backward. Every RMSNorm multiplies by (1 + w):
///
///     n1 = rmsnorm(x)·(1+g_in);  q, k, v = n1·Wq/k/vᵀ;  q, k = rmsnorm per head (1+g_q / 1+g_k), then rope
///     attn = softmax(q·kᵀ·s^-½ + causal (and, on local layers, sliding-window) mask)·v
///     h = x + rmsnorm(attn·Woᵀ)·(1+g_post_attn)
///     n2 = rmsnorm(h)·(1+g_pre_ff);  a = gelu_tanh(n2·Wgᵀ) ∘ (n2·Wuᵀ)
///     y = h + rmsnorm(a·Wdᵀ)·(1+g_post_ff)
///
/// Local layers use the local RoPE base and the sliding window, global layers the global base.
/// Linears in order q, k, v, o, gate, up, down (as `Gemma3Block.linears`).
public final class Gemma3TrainingBlock<T: GradScalar>: DistillableBlock {
    public typealias Scalar = T
    let d: Int, heads: Int, kvHeads: Int, headDim: Int, inter: Int
    let eps: T
    /// input, post-attention, pre-feedforward, post-feedforward (d each); query, key (headDim each).
    let inputNorm: [T], postAttentionNorm: [T], preFeedforwardNorm: [T], postFeedforwardNorm: [T]
    let queryNorm: [T], keyNorm: [T]
    let rope: RopeGrad<T>
    let attention: CausalAttentionGrad
    public let linearShapes: [LinearShape]
    public var hiddenSize: Int { d }

    public init(_ block: Gemma3Block, hyper h: Gemma3Hyperparameters, tokens: Int) {
        BLAS.useOwnThreads()
        d = h.hiddenSize; heads = h.heads; kvHeads = h.kvHeads; headDim = h.headDim; inter = h.intermediateSize
        eps = T(h.rmsNormEps)
        func convert(_ t: Tensor) -> [T] { (0..<t.count).map { T(t.pointer[$0]) } }
        inputNorm = convert(block.inputNorm); postAttentionNorm = convert(block.postAttentionNorm)
        preFeedforwardNorm = convert(block.preFeedforwardNorm); postFeedforwardNorm = convert(block.postFeedforwardNorm)
        queryNorm = convert(block.queryNorm); keyNorm = convert(block.keyNorm)
        let table = RopeTable(inverseFrequencies: block.isGlobal ? h.globalRopeInverseFrequencies : h.localRopeInverseFrequencies,
                              maxPositions: tokens)
        rope = RopeGrad(table, positions: tokens)
        attention = CausalAttentionGrad(heads: h.heads, kvHeads: h.kvHeads, headDim: h.headDim,
                                        scale: 1 / Double(h.queryPreAttentionScalar).squareRoot(),
                                        slidingWindow: block.isGlobal ? nil : h.slidingWindow)
        linearShapes = block.linears.map { LinearShape(name: $0.name, outFeatures: $0.outFeatures, inFeatures: $0.inFeatures) }
    }

    public final class Cache {
        let windows: Int, tokens: Int
        let x, r1, n1, qRaw, kRaw, rq, rk, q, k, v, p, attn, o, rPostAttn, h, r2, n2, g, u, a, m, rPostFF: GradBuffer<T>
        let dm, da, dg, du, dn, dh, dO, dAttn, dq, dk, dv, dqRaw, dkRaw, dScores: GradBuffer<T>

        init(_ b: Gemma3TrainingBlock, windows: Int, tokens: Int) {
            self.windows = windows; self.tokens = tokens
            let n = windows * tokens, qd = b.heads * b.headDim, kvd = b.kvHeads * b.headDim
            x = .init(count: n * b.d); r1 = .init(count: n); n1 = .init(count: n * b.d)
            qRaw = .init(count: n * qd); kRaw = .init(count: n * kvd); rq = .init(count: n * b.heads); rk = .init(count: n * b.kvHeads)
            q = .init(count: n * qd); k = .init(count: n * kvd); v = .init(count: n * kvd)
            p = .init(count: b.attention.probabilityCount(windows: windows, tokens: tokens))
            attn = .init(count: n * qd); o = .init(count: n * b.d); rPostAttn = .init(count: n)
            h = .init(count: n * b.d); r2 = .init(count: n); n2 = .init(count: n * b.d)
            g = .init(count: n * b.inter); u = .init(count: n * b.inter); a = .init(count: n * b.inter)
            m = .init(count: n * b.d); rPostFF = .init(count: n)
            dm = .init(count: n * b.d); da = .init(count: n * b.inter); dg = .init(count: n * b.inter); du = .init(count: n * b.inter)
            dn = .init(count: n * b.d); dh = .init(count: n * b.d); dO = .init(count: n * b.d); dAttn = .init(count: n * qd)
            dq = .init(count: n * qd); dk = .init(count: n * kvd); dv = .init(count: n * kvd)
            dqRaw = .init(count: n * qd); dkRaw = .init(count: n * kvd)
            dScores = .init(count: b.attention.scratchCount(windows: windows, tokens: tokens))
        }
    }

    public func makeCache(windows: Int, tokens: Int) -> Cache {
        precondition(tokens <= rope.positions, "block built for \(rope.positions) tokens, got \(tokens)")
        return Cache(self, windows: windows, tokens: tokens)
    }

    private func norm(_ x: UnsafePointer<T>, rows: Int, n: Int, _ weight: [T], into y: UnsafeMutablePointer<T>,
                      inverseRMS r: UnsafeMutablePointer<T>) {
        weight.withUnsafeBufferPointer {
            RMSNormGrad.forward(x, rows: rows, n: n, weight: $0.baseAddress!, offset: 1, eps: eps, into: y, inverseRMS: r)
        }
    }

    private func normBackward(_ dy: UnsafePointer<T>, x: UnsafePointer<T>, r: UnsafePointer<T>, rows: Int, n: Int, _ weight: [T],
                              into dx: UnsafeMutablePointer<T>, accumulate: Bool) {
        weight.withUnsafeBufferPointer {
            RMSNormGrad.backward(dy, x: x, inverseRMS: r, rows: rows, n: n, weight: $0.baseAddress!, offset: 1, into: dx,
                                 accumulate: accumulate)
        }
    }

    @_specialize(where T == Float)
    public func forward(_ x: UnsafePointer<T>, windows: Int, tokens: Int, weights w: [UnsafePointer<T>], cache c: Cache,
                        inputTransform: InputTransform<T>?, into y: UnsafeMutablePointer<T>) {
        precondition(c.windows == windows && c.tokens == tokens && w.count == 7)
        let n = windows * tokens, qd = heads * headDim, kvd = kvHeads * headDim
        c.x.pointer.update(from: x, count: n * d)
        norm(x, rows: n, n: d, inputNorm, into: c.n1.pointer, inverseRMS: c.r1.pointer)
        inputTransform?(c.n1.pointer, n, d)
        LinearGrad.forward(c.n1.pointer, rows: n, weight: w[0], bias: nil, inFeatures: d, outFeatures: qd, into: c.qRaw.pointer)
        LinearGrad.forward(c.n1.pointer, rows: n, weight: w[1], bias: nil, inFeatures: d, outFeatures: kvd, into: c.kRaw.pointer)
        LinearGrad.forward(c.n1.pointer, rows: n, weight: w[2], bias: nil, inFeatures: d, outFeatures: kvd, into: c.v.pointer)
        // per-head norms: q as (N·heads, hd), k as (N·kvHeads, hd); then RoPE
        norm(c.qRaw.pointer, rows: n * heads, n: headDim, queryNorm, into: c.q.pointer, inverseRMS: c.rq.pointer)
        norm(c.kRaw.pointer, rows: n * kvHeads, n: headDim, keyNorm, into: c.k.pointer, inverseRMS: c.rk.pointer)
        rope.apply(c.q.pointer, windows: windows, tokens: tokens, heads: heads, headDim: headDim)
        rope.apply(c.k.pointer, windows: windows, tokens: tokens, heads: kvHeads, headDim: headDim)
        attention.forward(q: c.q.pointer, k: c.k.pointer, v: c.v.pointer, windows: windows, tokens: tokens,
                          out: c.attn.pointer, probabilities: c.p.pointer)
        inputTransform?(c.attn.pointer, n, qd)
        // h = x + rmsnorm(attn·Woᵀ)·(1+g)
        LinearGrad.forward(c.attn.pointer, rows: n, weight: w[3], bias: nil, inFeatures: qd, outFeatures: d, into: c.o.pointer)
        norm(c.o.pointer, rows: n, n: d, postAttentionNorm, into: c.h.pointer, inverseRMS: c.rPostAttn.pointer)
        for i in 0..<n * d { c.h.pointer[i] += x[i] }
        // MLP
        norm(c.h.pointer, rows: n, n: d, preFeedforwardNorm, into: c.n2.pointer, inverseRMS: c.r2.pointer)
        inputTransform?(c.n2.pointer, n, d)
        LinearGrad.forward(c.n2.pointer, rows: n, weight: w[4], bias: nil, inFeatures: d, outFeatures: inter, into: c.g.pointer)
        LinearGrad.forward(c.n2.pointer, rows: n, weight: w[5], bias: nil, inFeatures: d, outFeatures: inter, into: c.u.pointer)
        GatedActivationGrad.forward(.geluTanh, gate: c.g.pointer, up: c.u.pointer, count: n * inter, into: c.a.pointer)
        inputTransform?(c.a.pointer, n, inter)
        LinearGrad.forward(c.a.pointer, rows: n, weight: w[6], bias: nil, inFeatures: inter, outFeatures: d, into: c.m.pointer)
        norm(c.m.pointer, rows: n, n: d, postFeedforwardNorm, into: y, inverseRMS: c.rPostFF.pointer)
        for i in 0..<n * d { y[i] += c.h.pointer[i] }
    }

    @_specialize(where T == Float)
    public func backward(_ dy: UnsafePointer<T>, cache c: Cache, weights w: [UnsafePointer<T>],
                         weightGradients dW: [UnsafeMutablePointer<T>], dx: UnsafeMutablePointer<T>?) {
        let windows = c.windows, tokens = c.tokens
        let n = windows * tokens, qd = heads * headDim, kvd = kvHeads * headDim
        // MLP branch: dm = post-ff norm'(dy); down, GeGLU, gate/up
        normBackward(dy, x: c.m.pointer, r: c.rPostFF.pointer, rows: n, n: d, postFeedforwardNorm, into: c.dm.pointer, accumulate: false)
        LinearGrad.weightGradient(c.dm.pointer, c.a.pointer, rows: n, inFeatures: inter, outFeatures: d, into: dW[6])
        LinearGrad.inputGradient(c.dm.pointer, rows: n, weight: w[6], inFeatures: inter, outFeatures: d, into: c.da.pointer)
        GatedActivationGrad.backward(.geluTanh, c.da.pointer, gate: c.g.pointer, up: c.u.pointer, count: n * inter,
                                     dGate: c.dg.pointer, dUp: c.du.pointer)
        LinearGrad.sharedInputBackward([.init(dy: c.dg.pointer, weight: w[4], outFeatures: inter, dW: dW[4]),
                                        .init(dy: c.du.pointer, weight: w[5], outFeatures: inter, dW: dW[5])],
                                       x: c.n2.pointer, rows: n, inFeatures: d, dx: c.dn.pointer)
        c.dh.pointer.update(from: dy, count: n * d)
        normBackward(c.dn.pointer, x: c.h.pointer, r: c.r2.pointer, rows: n, n: d, preFeedforwardNorm, into: c.dh.pointer, accumulate: true)
        // attention branch: dO = post-attn norm'(dh); o, attention, RoPE⁻¹, per-head norms, q/k/v
        normBackward(c.dh.pointer, x: c.o.pointer, r: c.rPostAttn.pointer, rows: n, n: d, postAttentionNorm, into: c.dO.pointer,
                     accumulate: false)
        LinearGrad.weightGradient(c.dO.pointer, c.attn.pointer, rows: n, inFeatures: qd, outFeatures: d, into: dW[3])
        LinearGrad.inputGradient(c.dO.pointer, rows: n, weight: w[3], inFeatures: qd, outFeatures: d, into: c.dAttn.pointer)
        attention.backward(dOut: c.dAttn.pointer, q: c.q.pointer, k: c.k.pointer, v: c.v.pointer, probabilities: c.p.pointer,
                           windows: windows, tokens: tokens, dq: c.dq.pointer, dk: c.dk.pointer, dv: c.dv.pointer,
                           scratch: c.dScores.pointer)
        rope.apply(c.dq.pointer, windows: windows, tokens: tokens, heads: heads, headDim: headDim, inverse: true)
        rope.apply(c.dk.pointer, windows: windows, tokens: tokens, heads: kvHeads, headDim: headDim, inverse: true)
        normBackward(c.dq.pointer, x: c.qRaw.pointer, r: c.rq.pointer, rows: n * heads, n: headDim, queryNorm, into: c.dqRaw.pointer,
                     accumulate: false)
        normBackward(c.dk.pointer, x: c.kRaw.pointer, r: c.rk.pointer, rows: n * kvHeads, n: headDim, keyNorm, into: c.dkRaw.pointer,
                     accumulate: false)
        LinearGrad.sharedInputBackward([.init(dy: c.dqRaw.pointer, weight: w[0], outFeatures: qd, dW: dW[0]),
                                        .init(dy: c.dkRaw.pointer, weight: w[1], outFeatures: kvd, dW: dW[1]),
                                        .init(dy: c.dv.pointer, weight: w[2], outFeatures: kvd, dW: dW[2])],
                                       x: c.n1.pointer, rows: n, inFeatures: d, dx: dx == nil ? nil : c.dn.pointer)
        guard let dx else { return }
        dx.update(from: c.dh.pointer, count: n * d)
        normBackward(c.dn.pointer, x: c.x.pointer, r: c.r1.pointer, rows: n, n: d, inputNorm, into: dx, accumulate: true)
    }
}
