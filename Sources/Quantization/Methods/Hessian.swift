import TensorCore

/// H = (2/n) · Σ x·xᵀ over the n calibration inputs x (rows of the layer's input) — the Hessian of
/// the layer-wise loss ‖WX − ŴX‖² up to the factor n. Full symmetric (inFeatures × inFeatures),
/// row-major.
public struct Hessian: Sendable {
    public let size: Int
    /// size × size values, both triangles filled.
    public let matrix: FloatBuffer
    /// The n the sum was divided by (see `HessianAccumulator.add`).
    public let samples: Int

    /// Wraps a full symmetric matrix (copied).
    public init(size: Int, values: UnsafePointer<Float>, samples: Int) {
        self.size = size
        matrix = FloatBuffer(count: size * size, zeroed: false)
        matrix.pointer.update(from: values, count: size * size)
        self.samples = samples
    }

    public init(size: Int, values: [Float], samples: Int) {
        precondition(values.count == size * size)
        self = values.withUnsafeBufferPointer { Hessian(size: size, values: $0.baseAddress!, samples: samples) }
    }

    @inline(__always)
    public subscript(row: Int, column: Int) -> Float { matrix.pointer[row * size + column] }
}

/// Accumulates a `Hessian` batch by batch, as a running mean:
/// H ← H · n/(n+m) + (2/(n+m)) · XᵀX for a batch X (rows × inFeatures) counting m samples,
/// on the upper triangle (BLAS syrk), symmetrised by `hessian`.
///
/// By default every row is a sample (n = number of tokens). The GPTQ reference counts sequences
/// instead (m = batch size); pass `samples:` to reproduce its scale. The scale of H changes only
/// the reported GPTQ loss, not the quantized weights.
public final class HessianAccumulator {
    public let size: Int
    public private(set) var samples = 0
    private let upper: FloatBuffer

    public init(inFeatures: Int) {
        size = inFeatures
        upper = FloatBuffer(count: inFeatures * inFeatures)
    }

    /// Adds a batch of `rows` inputs (rows × inFeatures, row-major) counting as `samples`
    /// samples (default: rows).
    public func add(_ x: UnsafePointer<Float>, rows: Int, samples batchSamples: Int? = nil) {
        let m = batchSamples ?? rows
        guard rows > 0, m > 0 else { return }
        let total = samples + m
        BLAS.parallelSyrkUpperAtA(n: size, k: rows, alpha: 2 / Float(total), a: x, lda: size,
                                  beta: Float(samples) / Float(total), c: upper.pointer, ldc: size)
        samples = total
    }

    /// Adds a batch given as a tensor whose last dimension is inFeatures (all leading dimensions
    /// are flattened into rows).
    public func add(_ x: Tensor, samples batchSamples: Int? = nil) {
        precondition(x.columns == size, "input has \(x.columns) features, the Hessian \(size)")
        add(x.pointer, rows: x.count / size, samples: batchSamples)
    }

    /// The accumulated Hessian (a symmetric copy; accumulation can continue).
    public var hessian: Hessian {
        let full = FloatBuffer(count: size * size, zeroed: false)
        let u = upper.pointer, f = full.pointer, n = size
        for r in 0..<n {
            for c in r..<n {
                f[r * n + c] = u[r * n + c]
                f[c * n + r] = u[r * n + c]
            }
        }
        return Hessian(size: n, values: UnsafePointer(f), samples: samples)
    }
}
