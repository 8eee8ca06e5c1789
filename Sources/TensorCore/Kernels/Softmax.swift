/// Row softmax over a window of entries, as causal (and sliding-window) attention needs: entries
/// outside [start, valid) are masked (set to 0). `scale` (> 0, e.g. 1/√head_dim) multiplies the
/// scores first. The row loop is `KernelCore.SoftmaxRows.unnormalized`, compiled per instruction set.
public enum Softmax {
    /// row[i] ← exp(scale·row[i] − max) for i in [start, valid), 0 elsewhere in [0, n); returns the
    /// sum of the exponentials, so the caller can divide later (attention divides its output rows,
    /// which are far shorter than the score rows).
    @inline(__always)
    public static func unnormalizedRow(_ row: UnsafeMutablePointer<Float>, start: Int, valid: Int, n: Int,
                                       scale: Float) -> Float {
        VectorKernels.active.softmaxRow(row, start, valid, n, scale)
    }
}
