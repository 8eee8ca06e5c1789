import Distillation
import TensorCore
import Testing

/// The kernels the Llama block does not exercise, against central finite differences in double
/// precision (same tolerance argument as BlockGradientCheckTests: 1e-6 · max|g|): attention with
/// ALiBi slopes (BLOOM) and with a sliding window and one kv head, and GeGLU (Gemma 3).
@Suite struct KernelGradientCheckTests {
    /// `samples`: check at most this many entries of each input, evenly spaced (a block's weights
    /// run to tens of thousands, two forward passes each).
    static func check(_ name: String, inputs: [GradBuffer<Double>], loss: () -> Double, analytic: [GradBuffer<Double>],
                      samples: Int = .max) {
        for (k, (input, grad)) in zip(inputs, analytic).enumerated() {
            let scale = grad.array.map(abs).max() ?? 0
            #expect(scale > 1e-3, "\(name) input \(k): gradient vanishes")
            var worst = 0.0
            let step = max(1, input.count / max(samples, 1))
            for i in stride(from: 0, to: input.count, by: step) {
                let h = 1e-5, saved = input[i]
                input[i] = saved + h
                let plus = loss()
                input[i] = saved - h
                let minus = loss()
                input[i] = saved
                worst = max(worst, abs(grad[i] - (plus - minus) / (2 * h)))
            }
            #expect(worst <= 1e-6 * scale, "\(name) input \(k): max |analytic − numeric| \(worst), max |g| \(scale)")
        }
    }

    @Test(arguments: [("alibi", 4, 2, nil), ("sliding window, one kv head", 3, 1, 2)] as [(String, Int, Int, Int?)])
    func attention(name: String, heads: Int, kvHeads: Int, slidingWindow: Int?) {
        var rng = TestRandom(seed: 11)
        let windows = 2, tokens = 5, hd = 3
        let slopes: [Double]? = name == "alibi" ? (0..<heads).map { 0.5 / Double($0 + 1) } : nil
        let attention = CausalAttentionGrad(heads: heads, kvHeads: kvHeads, headDim: hd, scale: 0.7,
                                            slidingWindow: slidingWindow, alibiSlopes: slopes)
        let n = windows * tokens, qd = heads * hd, kvd = kvHeads * hd
        let q = GradBuffer<Double>((0..<n * qd).map { _ in rng.normal() })
        let k = GradBuffer<Double>((0..<n * kvd).map { _ in rng.normal() })
        let v = GradBuffer<Double>((0..<n * kvd).map { _ in rng.normal() })
        let r = GradBuffer<Double>((0..<n * qd).map { _ in rng.normal() })
        let out = GradBuffer<Double>(count: n * qd)
        let p = GradBuffer<Double>(count: attention.probabilityCount(windows: windows, tokens: tokens))
        func loss() -> Double {
            attention.forward(q: q.pointer, k: k.pointer, v: v.pointer, windows: windows, tokens: tokens, out: out.pointer,
                              probabilities: p.pointer)
            return (0..<n * qd).reduce(0) { $0 + out[$1] * r[$1] }
        }
        _ = loss()
        let dq = GradBuffer<Double>(count: n * qd), dk = GradBuffer<Double>(count: n * kvd), dv = GradBuffer<Double>(count: n * kvd)
        let scratch = GradBuffer<Double>(count: attention.scratchCount(windows: windows, tokens: tokens))
        attention.backward(dOut: r.pointer, q: q.pointer, k: k.pointer, v: v.pointer, probabilities: p.pointer,
                           windows: windows, tokens: tokens, dq: dq.pointer, dk: dk.pointer, dv: dv.pointer, scratch: scratch.pointer)
        Self.check("attention (\(name))", inputs: [q, k, v], loss: loss, analytic: [dq, dk, dv])
    }

    @Test(arguments: [GatedActivationGrad.Kind.silu, .geluTanh])
    func gatedActivation(kind: GatedActivationGrad.Kind) {
        var rng = TestRandom(seed: 13)
        let count = 40
        let g = GradBuffer<Double>((0..<count).map { _ in 2 * rng.normal() })
        let u = GradBuffer<Double>((0..<count).map { _ in rng.normal() })
        let r = GradBuffer<Double>((0..<count).map { _ in rng.normal() })
        let a = GradBuffer<Double>(count: count)
        func loss() -> Double {
            GatedActivationGrad.forward(kind, gate: g.pointer, up: u.pointer, count: count, into: a.pointer)
            return (0..<count).reduce(0) { $0 + a[$1] * r[$1] }
        }
        let dg = GradBuffer<Double>(count: count), du = GradBuffer<Double>(count: count)
        GatedActivationGrad.backward(kind, r.pointer, gate: g.pointer, up: u.pointer, count: count, dGate: dg.pointer, dUp: du.pointer)
        Self.check("\(kind)", inputs: [g, u], loss: loss, analytic: [dg, du])
    }

    @Test(arguments: [ActivationGrad.Kind.relu, .gelu, .geluTanh])
    func activation(kind: ActivationGrad.Kind) {
        var rng = TestRandom(seed: 19)
        let count = 40
        // keep ReLU's inputs away from its kink at 0, where finite differences are meaningless
        let x = GradBuffer<Double>((0..<count).map { _ in let v = 2 * rng.normal(); return abs(v) < 0.01 ? 0.5 : v })
        let r = GradBuffer<Double>((0..<count).map { _ in rng.normal() })
        let a = GradBuffer<Double>(count: count)
        func loss() -> Double {
            ActivationGrad.forward(kind, x.pointer, count: count, into: a.pointer)
            return (0..<count).reduce(0) { $0 + a[$1] * r[$1] }
        }
        let dx = GradBuffer<Double>(count: count)
        ActivationGrad.backward(kind, r.pointer, x: x.pointer, count: count, into: dx.pointer)
        Self.check("\(kind)", inputs: [x], loss: loss, analytic: [dx])
    }

    @Test func layerNorm() {
        var rng = TestRandom(seed: 23)
        let rows = 3, n = 7
        let x = GradBuffer<Double>((0..<rows * n).map { _ in rng.normal() })
        let w = (0..<n).map { _ in 1 + 0.3 * rng.normal() }, b = (0..<n).map { _ in 0.3 * rng.normal() }
        let r = GradBuffer<Double>((0..<rows * n).map { _ in rng.normal() })
        let y = GradBuffer<Double>(count: rows * n), mu = GradBuffer<Double>(count: rows), rs = GradBuffer<Double>(count: rows)
        func loss() -> Double {
            LayerNormGrad.forward(x.pointer, rows: rows, n: n, weight: w, bias: b, eps: 1e-5, into: y.pointer, mean: mu.pointer,
                                  inverseStd: rs.pointer)
            return (0..<rows * n).reduce(0) { $0 + y[$1] * r[$1] }
        }
        _ = loss()
        let dx = GradBuffer<Double>(count: rows * n)
        LayerNormGrad.backward(r.pointer, x: x.pointer, mean: mu.pointer, inverseStd: rs.pointer, rows: rows, n: n, weight: w,
                               into: dx.pointer, accumulate: false)
        Self.check("layer norm", inputs: [x], loss: loss, analytic: [dx])
    }
}
