import KernelCore
import Foundation
import Testing
import TensorCore

/// Kernels against plain double-precision loops. Tolerances: f32 kernels accumulate in f32 (and
/// BLAS reorders sums), so ~1e-5 relative is the expected agreement with an f64 reference.
@Suite struct KernelTests {
    struct LCG {
        var state: UInt64
        mutating func next() -> Float {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int64(bitPattern: state >> 11) % 2_000_000) / 1_000_000 - 1
        }
        mutating func array(_ n: Int) -> [Float] { (0..<n).map { _ in next() } }
    }

    @Test func vectorExpMatchesLibm() {
        var worst: Double = 0
        var x: Float = -87
        while x < 88 {
            var v = SIMD16<Float>()
            for i in 0..<16 { v[i] = x + Float(i) * 0.0137 }
            let e = VectorExp.exp(v)
            for i in 0..<16 {
                let ref = Foundation.exp(Double(v[i]))
                worst = max(worst, abs(Double(e[i]) - ref) / ref)
            }
            x += 0.173
        }
        #expect(worst < 3e-7, "worst relative error \(worst)")
        var big = SIMD16<Float>(repeating: -100); big[1] = 100
        let e = VectorExp.exp(big)
        #expect(e[0] == 0 && e[1] == .infinity)
    }

    @Test func rmsNormMatchesReference() {
        var g = LCG(state: 1)
        let rows = 5, n = 37
        let x = g.array(rows * n), w = g.array(n)
        var out = [Float](repeating: 0, count: rows * n)
        RMSNorm.apply(x, rows: rows, n: n, weight: w, eps: 1e-5, weightOffset: 1, out: &out)
        for r in 0..<rows {
            let ms = (0..<n).map { Double(x[r * n + $0]) * Double(x[r * n + $0]) }.reduce(0, +) / Double(n)
            for j in 0..<n {
                let ref = Double(x[r * n + j]) / (ms + 1e-5).squareRoot() * (1 + Double(w[j]))
                #expect(abs(Double(out[r * n + j]) - ref) < 1e-5 * max(1, abs(ref)))
            }
        }
    }

    @Test func logSumExpMatchesReference() {
        var g = LCG(state: 2)
        let x = g.array(1001).map { $0 * 30 }
        let m = Double(x.max()!)
        let ref = m + Foundation.log(x.map { Foundation.exp(Double($0) - m) }.reduce(0, +))
        let got = SIMDMath.logSumExp(x, x.count)
        #expect(abs(Double(got) - ref) < 1e-5 * abs(ref))
    }

    @Test func causalAttentionMatchesNaive() {
        var g = LCG(state: 3)
        let windows = 2, t = 19, heads = 4, kvHeads = 2, hd = 8
        let q = g.array(windows * t * heads * hd), k = g.array(windows * t * kvHeads * hd)
        let v = g.array(windows * t * kvHeads * hd)
        for (sliding, rowBlock) in [(nil, 128), (5, 128), (nil, 4), (5, 4), (7, 6)] as [(Int?, Int)] {
            var out = [Float](repeating: 0, count: q.count)
            let scale = 1 / Float(hd).squareRoot()
            CausalAttention.forward(q: q, k: k, v: v, out: &out, windows: windows, tokens: t, heads: heads,
                                    kvHeads: kvHeads, headDim: hd, scale: scale, slidingWindow: sliding,
                                    rowBlock: rowBlock)
            let ref = FusedAttentionTests.naive(q: q, k: k, v: v, windows: windows, tokens: t, heads: heads, kvHeads: kvHeads,
                                                headDim: hd, scale: scale, sliding: sliding, alibi: nil)
            for (i, (got, r)) in zip(out, ref).enumerated() {
                #expect(abs(Double(got) - r) < 1e-5, "element \(i): \(got) vs \(r)")
            }
        }
    }

    @Test func ropeRotatesPairsHalfApart() {
        let hd = 8
        let inv: [Float] = (0..<(hd / 2)).map { 1 / powf(10000, Float(2 * $0) / Float(hd)) }
        let table = RopeTable(inverseFrequencies: inv, maxPositions: 4)
        var x: [Float] = (0..<(3 * hd)).map { Float($0 % 5) - 2 }
        let orig = x
        table.apply(&x, tokens: 3, heads: 1, headDim: hd)
        for t in 0..<3 { for i in 0..<(hd / 2) {
            let a = Double(orig[t * hd + i]), b = Double(orig[t * hd + i + hd / 2])
            let angle = Double(Float(t) * inv[i])
            #expect(abs(Double(x[t * hd + i]) - (a * Foundation.cos(angle) - b * Foundation.sin(angle))) < 1e-6)
            #expect(abs(Double(x[t * hd + i + hd / 2]) - (b * Foundation.cos(angle) + a * Foundation.sin(angle))) < 1e-6)
        }}
    }

    /// A context of 2^30 positions must not allocate a 2^30-row table; positions past the
    /// tabulated ones are computed with the same formula, so the result is bit-identical
    /// (tolerance 0: same f32 angle, same double cos/sin, same rounding).
    @Test func ropeBeyondTheTableMatchesTheTable() {
        let hd = 64
        let inv: [Float] = (0..<(hd / 2)).map { 1 / powf(10000, Float(2 * $0) / Float(hd)) }
        let huge = RopeTable(inverseFrequencies: inv, maxPositions: 1 << 30)
        #expect(huge.tabulatedPositions == RopeTable.maximumTabulatedPositions)
        #expect(huge.cos.count == RopeTable.maximumTabulatedPositions * hd / 2)
        // One table row: every position but 0 is computed on the fly.
        let computed = RopeTable(inverseFrequencies: inv, maxPositions: 1)
        // Windows straddling the end of the big table, and one inside it.
        for start in [RopeTable.maximumTabulatedPositions - 40, 100] {
            let tokens = 80
            var a: [Float] = (0..<(tokens * 2 * hd)).map { Float($0 % 13) * 0.25 - 1.5 }
            var b = a
            huge.apply(&a, tokens: tokens, heads: 2, headDim: hd, positionOffset: start)
            computed.apply(&b, tokens: tokens, heads: 2, headDim: hd, positionOffset: start)
            #expect(a == b, "start \(start)")
        }
    }

    @Test func swigluMatchesReference() {
        var g = LCG(state: 4)
        var gate = g.array(53).map { $0 * 8 }
        let up = g.array(53), orig = gate
        Activations.swiglu(gate: &gate, up: up, count: 53)
        for i in 0..<53 {
            let x = Double(orig[i])
            #expect(abs(Double(gate[i]) - x / (1 + Foundation.exp(-x)) * Double(up[i])) < 1e-5)
        }
    }

    /// GeGLU with PyTorch's tanh-approximated GELU (`gelu_pytorch_tanh`, Gemma), computed in
    /// double: ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))·up. Covers large negative inputs, where
    /// 1 + tanh cancels, and very large ones (the exponential saturates).
    @Test func gegluTanhMatchesReference() {
        var g = LCG(state: 5)
        var gate = g.array(61).map { $0 * 10 } + [-200, -40, 0, 40, 200]
        let up = g.array(gate.count), orig = gate
        Activations.gegluTanh(gate: &gate, up: up, count: gate.count)
        for i in 0..<gate.count {
            let x = Double(orig[i])
            let gelu = 0.5 * x * (1 + Foundation.tanh((2 / Double.pi).squareRoot() * (x + 0.044715 * x * x * x)))
            #expect(abs(Double(gate[i]) - gelu * Double(up[i])) < 1e-5 * max(1, abs(x)), "x = \(x)")
        }
    }

    @Test(arguments: [false, true])
    func parallelGemmMatchesNaive(_ transB: Bool) {
        var g = LCG(state: 5)
        let m = 37, n = 301, k = 129   // n splits into ragged, 16-aligned column parts
        let a = g.array(m * k), b = g.array(n * k), c0 = g.array(m * n)
        var c = c0
        BLAS.parallelGemm(transB: transB, m: m, n: n, k: k, a: a, lda: k, b: b, ldb: transB ? k : n,
                          beta: 1, c: &c, ldc: n)
        var worst = 0.0
        for i in 0..<m { for j in 0..<n {
            var ref = Double(c0[i * n + j])
            for p in 0..<k { ref += Double(a[i * k + p]) * Double(transB ? b[j * k + p] : b[p * n + j]) }
            worst = max(worst, abs(Double(c[i * n + j]) - ref))
        }}
        #expect(worst < 1e-4, "worst \(worst)")
    }

    @Test func parallelSyrkMatchesNaive() {
        var g = LCG(state: 6)
        let n = 40, k = 1100   // k split across cores
        let a = g.array(k * n), c0 = g.array(n * n)
        var c = c0
        BLAS.parallelSyrkUpperAtA(n: n, k: k, alpha: 0.5, a: a, lda: n, beta: 0.25, c: &c, ldc: n)
        var worst = 0.0
        for r in 0..<n { for col in r..<n {
            var ref = 0.25 * Double(c0[r * n + col])
            for i in 0..<k { ref += 0.5 * Double(a[i * n + r]) * Double(a[i * n + col]) }
            worst = max(worst, abs(Double(c[r * n + col]) - ref))
        }}
        #expect(worst < 1e-3, "worst \(worst)")  // sums of 1100 products of magnitude ≤ 1, f32
    }
}
