/// The vector kernels outside the GEMM, as one row of the instruction-set traits table: norms,
/// softmax rows, log-sum-exp, KL divergence, MLP activations and block dequantization.
///
/// `specialized(_:)` is inlined into each kernel module (KernelsAVX512, KernelsAVX2,
/// KernelsPortable), so its closures — and the generic kernels they call — are compiled there,
/// for that module's -target-cpu. TensorCore picks one table per process (`VectorKernels`).
public struct VectorOps: Sendable {
    /// rmsNorm(x, rows, n, weight, eps, weightOffset, out): see `NormRows.rms`.
    public let rmsNorm: @Sendable (UnsafePointer<Float>, Range<Int>, Int, UnsafePointer<Float>, Float, Float,
                                   UnsafeMutablePointer<Float>) -> Void
    /// layerNorm(x, rows, n, weight, bias, eps, out): see `NormRows.layer`.
    public let layerNorm: @Sendable (UnsafePointer<Float>, Range<Int>, Int, UnsafePointer<Float>, UnsafePointer<Float>, Float,
                                     UnsafeMutablePointer<Float>) -> Void
    /// softmaxRow(row, start, valid, n, scale) → Σ exp: see `SoftmaxRows.unnormalized`.
    public let softmaxRow: @Sendable (UnsafeMutablePointer<Float>, Int, Int, Int, Float) -> Float
    /// maxAndSumExp(x, n) → (max, Σ exp(x − max)).
    public let maxAndSumExp: @Sendable (UnsafePointer<Float>, Int) -> (Float, Float)
    /// klDivergence(a, b, n, lseA, lseB): see `SoftmaxRows.klDivergence`.
    public let klDivergence: @Sendable (UnsafePointer<Float>, UnsafePointer<Float>, Int, Float, Float) -> Double
    /// swiglu(gate, up, count), gegluTanh(gate, up, count): see `ActivationRuns`.
    public let swiglu: @Sendable (UnsafeMutablePointer<Float>, UnsafePointer<Float>, Int) -> Void
    public let gegluTanh: @Sendable (UnsafeMutablePointer<Float>, UnsafePointer<Float>, Int) -> Void
    /// geluTanh(x, count), relu(x, count), in place.
    public let geluTanh: @Sendable (UnsafeMutablePointer<Float>, Int) -> Void
    public let relu: @Sendable (UnsafeMutablePointer<Float>, Int) -> Void
    /// dequantize(format, src, dst, count): whole blocks to f32, bit-identical to the scalar codecs.
    public let dequantize: @Sendable (BlockFormat, UnsafeRawPointer, UnsafeMutablePointer<Float>, Int) -> Void
    /// decodeRows(W, rows, k, dst): dst (rows.count × k, row-major) = rows of a compressed W, exactly.
    public let decodeRows: @Sendable (CompressedRows, Range<Int>, Int, UnsafeMutablePointer<Float>) -> Void

    @inlinable
    init(rmsNorm: @escaping @Sendable (UnsafePointer<Float>, Range<Int>, Int, UnsafePointer<Float>, Float, Float,
                                       UnsafeMutablePointer<Float>) -> Void,
         layerNorm: @escaping @Sendable (UnsafePointer<Float>, Range<Int>, Int, UnsafePointer<Float>, UnsafePointer<Float>, Float,
                                         UnsafeMutablePointer<Float>) -> Void,
         softmaxRow: @escaping @Sendable (UnsafeMutablePointer<Float>, Int, Int, Int, Float) -> Float,
         maxAndSumExp: @escaping @Sendable (UnsafePointer<Float>, Int) -> (Float, Float),
         klDivergence: @escaping @Sendable (UnsafePointer<Float>, UnsafePointer<Float>, Int, Float, Float) -> Double,
         swiglu: @escaping @Sendable (UnsafeMutablePointer<Float>, UnsafePointer<Float>, Int) -> Void,
         gegluTanh: @escaping @Sendable (UnsafeMutablePointer<Float>, UnsafePointer<Float>, Int) -> Void,
         geluTanh: @escaping @Sendable (UnsafeMutablePointer<Float>, Int) -> Void,
         relu: @escaping @Sendable (UnsafeMutablePointer<Float>, Int) -> Void,
         dequantize: @escaping @Sendable (BlockFormat, UnsafeRawPointer, UnsafeMutablePointer<Float>, Int) -> Void,
         decodeRows: @escaping @Sendable (CompressedRows, Range<Int>, Int, UnsafeMutablePointer<Float>) -> Void) {
        self.rmsNorm = rmsNorm; self.layerNorm = layerNorm; self.softmaxRow = softmaxRow; self.maxAndSumExp = maxAndSumExp
        self.klDivergence = klDivergence; self.swiglu = swiglu; self.gegluTanh = gegluTanh; self.geluTanh = geluTanh
        self.relu = relu; self.dequantize = dequantize; self.decodeRows = decodeRows
    }

    /// The table of the shared kernels compiled for `isa` (call it from the module compiled for it).
    @inlinable @inline(__always)
    public static func specialized<I: VectorISA>(_ isa: I.Type) -> VectorOps {
        VectorOps(
            rmsNorm: { x, rows, n, w, eps, offset, out in
                NormRows.rms(I.self, x, rows: rows, n: n, weight: w, eps: eps, weightOffset: offset, out: out)
            },
            layerNorm: { x, rows, n, w, b, eps, out in NormRows.layer(I.self, x, rows: rows, n: n, weight: w, bias: b, eps: eps, out: out) },
            softmaxRow: { row, start, valid, n, scale in
                SoftmaxRows.unnormalized(I.self, row, start: start, valid: valid, n: n, scale: scale)
            },
            maxAndSumExp: { x, n in SoftmaxRows.maxAndSumExp(I.self, x, n) },
            klDivergence: { a, b, n, lseA, lseB in SoftmaxRows.klDivergence(I.self, a, b, n, lseA: lseA, lseB: lseB) },
            swiglu: { gate, up, count in ActivationRuns.gated(I.self, SiLU.self, gate: gate, up: up, count: count) },
            gegluTanh: { gate, up, count in ActivationRuns.gated(I.self, GELUTanh.self, gate: gate, up: up, count: count) },
            geluTanh: { x, count in ActivationRuns.inPlace(I.self, GELUTanh.self, x, count: count) },
            relu: { x, count in ActivationRuns.inPlace(I.self, ReLU.self, x, count: count) },
            dequantize: { format, src, dst, count in BlockFormat.dequantize(I.self, format, src, dst, count) },
            decodeRows: { w, rows, k, dst in
                for (i, r) in rows.enumerated() { w.decode(I.self, row: r, from: 0, count: k, into: dst + i * k) }
            })
    }
}
