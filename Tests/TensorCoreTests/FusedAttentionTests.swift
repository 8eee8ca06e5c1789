import Foundation
import Testing
import TensorCore

/// Causal attention on every path this processor can run — the fused per-instruction-set kernels
/// (AVX-512, AVX2 + FMA, portable SIMD) and the BLAS path — against a double-precision naive
/// reference, with grouped-query heads, sliding windows and ALiBi, window lengths that are not
/// multiples of the 4-row tile or the 16-key chunk. Paths the CPU cannot run are named in the
/// output. Tolerance 1e-5 absolute: q, k, v in [-1, 1), each output a convex combination of v
/// rows, f32 dot products of ≤ 64 terms and sums of ≤ 37 weights (observed error ~1e-7).
@Suite struct FusedAttentionTests {
    typealias LCG = PackedLinearTests.LCG

    /// out (B·T, heads, hd) in f64 from q (B·T, heads, hd), k/v (B·T, kvHeads, hd).
    static func naive(q: [Float], k: [Float], v: [Float], windows: Int, tokens t: Int, heads: Int, kvHeads: Int,
                      headDim hd: Int, scale: Float, sliding: Int?, alibi: [Float]?) -> [Double] {
        var out = [Double](repeating: 0, count: q.count)
        for b in 0..<windows { for h in 0..<heads { for i in 0..<t {
            let g = h / (heads / kvHeads)
            let lo = sliding.map { max(0, i - $0 + 1) } ?? 0
            var s = [Double]()
            for j in lo...i {
                var dot = 0.0
                for c in 0..<hd {
                    dot += Double(q[((b * t + i) * heads + h) * hd + c]) * Double(k[((b * t + j) * kvHeads + g) * hd + c])
                }
                s.append(dot * Double(scale) + Double(alibi?[h] ?? 0) * Double(j))
            }
            let m = s.max()!
            let e = s.map { Foundation.exp($0 - m) }, z = e.reduce(0, +)
            for c in 0..<hd {
                var ref = 0.0
                for (idx, j) in (lo...i).enumerated() { ref += e[idx] / z * Double(v[((b * t + j) * kvHeads + g) * hd + c]) }
                out[((b * t + i) * heads + h) * hd + c] = ref
            }
        }}}
        return out
    }

    @Test(arguments: [LinearBackend.avx512, .avx2, .portable, .openBLAS])
    func everyPathMatchesTheNaiveReference(variant: LinearBackend) {
        guard PackedLinearTests.runnable(variant) else { return }
        var g = LCG(state: 17)
        for (t, hd) in [(37, 16), (4, 64), (21, 64)] {
            let windows = 2, heads = 6, kvHeads = 2
            let q = g.array(windows * t * heads * hd), k = g.array(windows * t * kvHeads * hd)
            let v = g.array(windows * t * kvHeads * hd)
            let scale = 1 / Float(hd).squareRoot()
            for sliding in [nil, 5, 40] as [Int?] {
                for alibi in [nil, (0..<heads).map { -0.25 * Float($0 + 1) }] as [[Float]?] {
                    var out = [Float](repeating: .nan, count: q.count)
                    CausalAttention.forward(q: q, k: k, v: v, out: &out, windows: windows, tokens: t, heads: heads,
                                            kvHeads: kvHeads, headDim: hd, scale: scale, slidingWindow: sliding,
                                            alibiSlopes: alibi, variant: variant)
                    let ref = Self.naive(q: q, k: k, v: v, windows: windows, tokens: t, heads: heads, kvHeads: kvHeads,
                                         headDim: hd, scale: scale, sliding: sliding, alibi: alibi)
                    let worst = zip(out, ref).reduce(0.0) { w, p in let e = abs(Double(p.0) - p.1); return e.isNaN ? .infinity : max(w, e) }
                    #expect(worst < 1e-5, "\(variant.label) T \(t) hd \(hd) window \(String(describing: sliding)) ALiBi \(alibi != nil): max error \(worst)")
                }
            }
        }
    }
}
