/// RMSNorm over the last dimension, as in Llama: y = x / sqrt(mean(x²) + eps) · (offset + weight).
/// `offset` is 0 for Llama/Qwen2 and 1 for Gemma ("1 + weight"). The row loop is
/// `KernelCore.NormRows.rms`, compiled per instruction set (`VectorKernels`).
public enum RMSNorm {
    // x (rows, n), weight (n) -> out (rows, n); out may alias x.
    public static func apply(
        _ x: UnsafePointer<Float>, rows: Int, n: Int, weight: UnsafePointer<Float>, eps: Float,
        weightOffset: Float = 0, out: UnsafeMutablePointer<Float>
    ) {
        let kernel = VectorKernels.active.rmsNorm
        Parallel.forRanges(rows, minimumChunk: 16) { range in kernel(x, range, n, weight, eps, weightOffset, out) }
    }
}
