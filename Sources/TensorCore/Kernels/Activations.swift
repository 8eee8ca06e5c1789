/// Gated MLP activations, written into the gate buffer: SwiGLU (Llama) g = silu(g) · u,
/// GeGLU-tanh (Gemma) g = gelu_tanh(g) · u. The loops are `KernelCore.ActivationRuns`, compiled per
/// instruction set (`VectorKernels`); long runs are split over threads at multiples of 16.
public enum Activations {
    // gate (rows, n), up (rows, n): gate <- silu(gate) * up
    public static func swiglu(gate: UnsafeMutablePointer<Float>, up: UnsafePointer<Float>, count: Int) {
        let kernel = VectorKernels.active.swiglu
        inRuns(count) { from, n in kernel(gate + from, up + from, n) }
    }

    /// gate (rows, n), up (rows, n): gate <- gelu_tanh(gate) * up (see `KernelCore.GELUTanh`).
    public static func gegluTanh(gate: UnsafeMutablePointer<Float>, up: UnsafePointer<Float>, count: Int) {
        let kernel = VectorKernels.active.gegluTanh
        inRuns(count) { from, n in kernel(gate + from, up + from, n) }
    }

    /// body(start, count) over [0, total) in runs of whole 16-value vectors (the last run takes the
    /// remainder), in parallel when long enough.
    static func inRuns(_ total: Int, _ body: (Int, Int) -> Void) {
        let vectors = (total + 15) / 16
        Parallel.forRanges(vectors, minimumChunk: 4096) { range in
            let from = range.lowerBound * 16
            body(from, min(total, range.upperBound * 16) - from)
        }
    }
}
