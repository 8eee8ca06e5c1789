/// Per-token KL divergence between two categorical distributions given as logits (llama.cpp's
/// `--kl-divergence` statistic): KL(P‖Q) = Σᵢ pᵢ (log pᵢ − log qᵢ), P = softmax(a), Q = softmax(b).
public enum KLDivergence {
    /// a, b (n) logits; lseA, lseB their log-sum-exps (SIMDMath.logSumExp).
    /// Computed as Σᵢ pᵢ·((aᵢ − bᵢ) − (lseA − lseB)): each term is small, so no cancellation
    /// between two large sums.
    /// The reduction is `KernelCore.SoftmaxRows.klDivergence`, compiled per instruction set.
    @inline(__always)
    public static func row(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int,
                           lseA: Float, lseB: Float) -> Double {
        VectorKernels.active.klDivergence(a, b, n, lseA, lseB)
    }

    /// Index of the largest of n values (the first one on ties).
    @inline(__always)
    public static func argmax(_ x: UnsafePointer<Float>, _ n: Int) -> Int {
        var best = 0
        var m = x[0]
        for i in 1..<n where x[i] > m { m = x[i]; best = i }
        return best
    }
}
