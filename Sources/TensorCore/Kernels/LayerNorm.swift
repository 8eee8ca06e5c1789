/// LayerNorm with an affine weight and bias (OPT, BLOOM, GPT-2, GPT-NeoX):
/// out = (x − mean(x)) / √(var(x) + eps) · w + b, mean and (biased) variance over each row. The row
/// loop is `KernelCore.NormRows.layer`, compiled per instruction set (`VectorKernels`).
public enum LayerNorm {
    /// x (rows, n), weight (n), bias (n) -> out (rows, n); out may alias x.
    public static func apply(
        _ x: UnsafePointer<Float>, rows: Int, n: Int, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>,
        eps: Float, out: UnsafeMutablePointer<Float>
    ) {
        let kernel = VectorKernels.active.layerNorm
        Parallel.forRanges(rows, minimumChunk: 16) { range in kernel(x, range, n, weight, bias, eps, out) }
    }
}
