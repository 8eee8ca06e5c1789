import Foundation
import Testing
import TensorCore

/// PrefixAttention against the plain causal kernel: a packed batch [prefix][continuation A]
/// [continuation B] (A and B both continuing the prefix) must give, for every row, what
/// CausalAttention gives on the full sequences prefix + A and prefix + B. Both kernels are f32
/// with BLAS dot products; they split the key range differently (prefix keys and own keys in
/// separate GEMMs), so sums are reordered: agreement to 1e-5 absolute on outputs of size ~1.
@Suite struct PrefixAttentionTests {
    let heads = 4, kvHeads = 2, hd = 8

    func rows(_ x: [Float], _ range: Range<Int>, width: Int) -> [Float] {
        Array(x[range.lowerBound * width..<range.upperBound * width])
    }

    func causal(q: [Float], k: [Float], v: [Float], tokens: Int, sliding: Int?, rowBlock: Int) -> [Float] {
        var out = [Float](repeating: 0, count: q.count)
        CausalAttention.forward(q: q, k: k, v: v, out: &out, windows: 1, tokens: tokens, heads: heads, kvHeads: kvHeads,
                                headDim: hd, scale: 1 / Float(hd).squareRoot(), slidingWindow: sliding, rowBlock: rowBlock)
        return out
    }

    @Test(arguments: [(nil, 128), (nil, 3), (4, 128), (6, 5)] as [(Int?, Int)])
    func sharedPrefixMatchesCausalOnFullSequences(sliding: Int?, rowBlock: Int) {
        var g = KernelTests.LCG(state: 11)
        let p = 9, a = 7, b = 12, n = p + a + b
        let qw = heads * hd, kw = kvHeads * hd
        let q = g.array(n * qw), k = g.array(n * kw), v = g.array(n * kw)
        let segments = [AttentionSegment(start: 0, count: p),
                        AttentionSegment(start: p, count: a, prefixStart: 0, prefixCount: p),
                        AttentionSegment(start: p + a, count: b, prefixStart: 0, prefixCount: p)]
        var out = [Float](repeating: .nan, count: n * qw)
        PrefixAttention.forward(q: q, k: k, v: v, out: &out, segments: segments, heads: heads, kvHeads: kvHeads,
                                headDim: hd, scale: 1 / Float(hd).squareRoot(), slidingWindow: sliding, rowBlock: rowBlock)
        // Full sequences prefix + A and prefix + B through the plain kernel.
        for (range, length) in [(p..<(p + a), a), ((p + a)..<n, b)] {
            let fq = rows(q, 0..<p, width: qw) + rows(q, range, width: qw)
            let fk = rows(k, 0..<p, width: kw) + rows(k, range, width: kw)
            let fv = rows(v, 0..<p, width: kw) + rows(v, range, width: kw)
            let full = causal(q: fq, k: fk, v: fv, tokens: p + length, sliding: sliding, rowBlock: 128)
            let expectedPrefix = rows(full, 0..<p, width: qw), expectedOwn = rows(full, p..<(p + length), width: qw)
            let worstPrefix = zip(rows(out, 0..<p, width: qw), expectedPrefix).map { abs($0 - $1) }.max()!
            let worstOwn = zip(rows(out, range, width: qw), expectedOwn).map { abs($0 - $1) }.max()!
            #expect(worstPrefix < 1e-5 && worstOwn < 1e-5, "prefix \(worstPrefix), continuation \(worstOwn)")
        }
    }

    @Test func segmentsWithoutPrefixAreIndependentWindows() {
        var g = KernelTests.LCG(state: 5)
        let lengths = [5, 13, 1], n = lengths.reduce(0, +)
        let qw = heads * hd, kw = kvHeads * hd
        let q = g.array(n * qw), k = g.array(n * kw), v = g.array(n * kw)
        var segments: [AttentionSegment] = [], start = 0
        for l in lengths { segments.append(AttentionSegment(start: start, count: l)); start += l }
        var out = [Float](repeating: .nan, count: n * qw)
        PrefixAttention.forward(q: q, k: k, v: v, out: &out, segments: segments, heads: heads, kvHeads: kvHeads,
                                headDim: hd, scale: 1 / Float(hd).squareRoot())
        for seg in segments {
            let r = seg.start..<(seg.start + seg.count)
            let full = causal(q: rows(q, r, width: qw), k: rows(k, r, width: kw), v: rows(v, r, width: kw),
                              tokens: seg.count, sliding: nil, rowBlock: 128)
            let worst = zip(rows(out, r, width: qw), full).map { abs($0 - $1) }.max()!
            #expect(worst < 1e-6, "segment at \(seg.start): \(worst)")
        }
    }

    /// The fused per-instruction-set path (head_dim 16) on a prefix and two continuations — one of
    /// 2 rows, shorter than the 4-row tile — against the BLAS causal path on the full sequences,
    /// with and without a sliding window; paths this CPU cannot run are named as skipped.
    @Test(arguments: [LinearBackend.avx512, .avx2, .portable])
    func fusedPathMatchesBLASOnFullSequences(variant: LinearBackend) {
        guard PackedLinearTests.runnable(variant) else { return }
        var g = KernelTests.LCG(state: 23)
        let hd = 16, p = 21, a = 2, b = 17, n = p + a + b
        let qw = heads * hd, kw = kvHeads * hd, scale = 1 / Float(hd).squareRoot()
        let q = g.array(n * qw), k = g.array(n * kw), v = g.array(n * kw)
        let segments = [AttentionSegment(start: 0, count: p),
                        AttentionSegment(start: p, count: a, prefixStart: 0, prefixCount: p),
                        AttentionSegment(start: p + a, count: b, prefixStart: 0, prefixCount: p)]
        for sliding in [nil, 6] as [Int?] {
            var out = [Float](repeating: .nan, count: n * qw)
            PrefixAttention.forward(q: q, k: k, v: v, out: &out, segments: segments, heads: heads, kvHeads: kvHeads,
                                    headDim: hd, scale: scale, slidingWindow: sliding, variant: variant)
            for (range, length) in [(p..<(p + a), a), ((p + a)..<n, b)] {
                let fq = rows(q, 0..<p, width: qw) + rows(q, range, width: qw)
                let fk = rows(k, 0..<p, width: kw) + rows(k, range, width: kw)
                let fv = rows(v, 0..<p, width: kw) + rows(v, range, width: kw)
                var full = [Float](repeating: 0, count: fq.count)
                CausalAttention.forward(q: fq, k: fk, v: fv, out: &full, windows: 1, tokens: p + length, heads: heads,
                                        kvHeads: kvHeads, headDim: hd, scale: scale, slidingWindow: sliding, variant: .openBLAS)
                let pairs = zip(rows(out, 0..<p, width: qw) + rows(out, range, width: qw), full)
                let worst = pairs.reduce(0 as Float) { w, x in let e = abs(x.0 - x.1); return e.isNaN ? .infinity : max(w, e) }
                #expect(worst < 1e-5, "\(variant.label) window \(String(describing: sliding)) continuation of \(length): \(worst)")
            }
        }
    }
}
