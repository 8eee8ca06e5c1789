// Softmax-family reductions over one row of scores or logits, shared by the per-instruction-set
// kernel modules (see VectorISA.swift): the masked attention softmax of the BLAS attention path,
// log-sum-exp (perplexity, zero-shot log-likelihoods) and the KL divergence of two logit rows.

public enum SoftmaxRows {
    /// row[i] ← exp(scale·row[i] − scale·max) for i in [start, valid), 0 elsewhere in [0, n);
    /// returns the sum of the exponentials (the caller divides later). `scale` > 0.
    @inlinable
    public static func unnormalized<I: VectorISA>(_ isa: I.Type, _ row: UnsafeMutablePointer<Float>, start: Int,
                                                  valid: Int, n: Int, scale: Float) -> Float {
        typealias L = VectorLanes
        if start > 0 { row.update(repeating: 0, count: start) }
        let p = row + start, count = valid - start
        let shift = L.maximum(p, count) * scale
        var acc = SIMD16<Float>()
        var i = 0
        while i + 16 <= count {
            let e = VectorExp.exp(L.load(p + i) * scale - shift)
            L.store(e, p + i); acc += e; i += 16
        }
        if i < count {
            // lanes past the row are -inf (× scale − shift stays -inf), whose exp is 0
            let e = VectorExp.exp(L.loadPartial(p + i, count - i, fill: -.infinity) * scale - shift)
            L.storePartial(e, p + i, count - i)
            acc += e
        }
        if valid < n { (row + valid).update(repeating: 0, count: n - valid) }
        return acc.sum()
    }

    /// Σ exp(x − shift) over n values, in 16 lanes.
    @inlinable @inline(__always)
    public static func sumExp<I: VectorISA>(_: I.Type, _ x: UnsafePointer<Float>, _ n: Int, shift: Float) -> Float {
        typealias L = VectorLanes
        var acc = SIMD16<Float>()
        var i = 0
        while i + 16 <= n { acc += VectorExp.exp(L.load(x + i) - shift); i += 16 }
        var s = acc.sum()
        if i < n {
            // lanes past n: -inf − shift = -inf, whose exp is 0
            s += VectorExp.exp(L.loadPartial(x + i, n - i, fill: -.infinity) - shift).sum()
        }
        return s
    }

    /// (max, Σ exp(x − max)) over n (≥ 1) values: log Σ exp(x) = max + log(sum).
    @inlinable
    public static func maxAndSumExp<I: VectorISA>(_ isa: I.Type, _ x: UnsafePointer<Float>, _ n: Int) -> (Float, Float) {
        let m = VectorLanes.maximum(x, n)
        return (m, sumExp(isa, x, n, shift: m))
    }

    /// KL(P‖Q) = Σᵢ pᵢ·((aᵢ − bᵢ) − (lseA − lseB)) for P = softmax(a), Q = softmax(b) given their
    /// log-sum-exps: each term is small, so there is no cancellation between two large sums.
    @inlinable
    public static func klDivergence<I: VectorISA>(_ isa: I.Type, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                                                  _ n: Int, lseA: Float, lseB: Float) -> Double {
        typealias L = VectorLanes
        let c = lseA - lseB
        var acc = SIMD16<Float>()
        var i = 0
        while i + 16 <= n {
            let va = L.load(a + i), vb = L.load(b + i)
            let p = VectorExp.exp(va - lseA)
            acc = L.multiplyAdd(isa, acc, p, (va - vb) - c)
            i += 16
        }
        var s = Double(acc.sum())
        while i < n {
            let p = Double(VectorExp.exp(SIMD16<Float>(repeating: a[i] - lseA))[0])
            s += p * Double((a[i] - b[i]) - c)
            i += 1
        }
        return s
    }
}
