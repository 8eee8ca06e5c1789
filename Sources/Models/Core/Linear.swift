import TensorCore

/// Sees the input of every linear layer during a forward pass: what calibration (Hessians,
/// activation ranges) is built from. Called serially, in execution order.
public protocol LinearInputObserver: AnyObject {
    // input (rows, columns), row-major; valid only during the call.
    func observe(layer: String, input: UnsafePointer<Float>, rows: Int, columns: Int)
}

/// A linear layer y = x·Wᵀ + b shared by every architecture, so every quantization method works on
/// every family. `name` is the Hugging Face module path, e.g. `model.layers.3.self_attn.q_proj`.
public final class Linear: @unchecked Sendable {
    public let name: String
    /// (outFeatures, inFeatures). Assigning a new tensor drops the packed copy; after changing the
    /// values in place, call `invalidatePackedWeight()`.
    public var weight: Tensor { didSet { packedWeight.invalidate() } }
    /// (outFeatures) or nil
    public var bias: Tensor?

    public init(name: String, weight: Tensor, bias: Tensor? = nil) {
        precondition(weight.shape.count == 2, "\(name): weight must be 2-D")
        self.name = name
        self.weight = weight
        self.bias = bias
    }

    /// W prepared for the GEMM (a packed copy, the size of W, on AVX-512 machines), built on the
    /// first forward pass.
    let packedWeight = PackedLinearWeightCache()

    public func invalidatePackedWeight() { packedWeight.invalidate() }

    /// Bytes held by the packed copy of W (0 until the first forward pass, or with OpenBLAS).
    public var packedWeightBytes: Int { packedWeight.current?.extraBytes ?? 0 }

    /// Applied to (a copy of) the input before the product, e.g. activation fake-quantization:
    /// (x (rows, columns) in place, rows, columns). The observer still sees the untransformed input.
    public typealias InputTransform = @Sendable (UnsafeMutablePointer<Float>, Int, Int) -> Void
    public var inputTransform: InputTransform?

    public var inFeatures: Int { weight.shape[1] }
    public var outFeatures: Int { weight.shape[0] }

    /// out (rows, out) = x (rows, in) · Wᵀ + b; with `accumulate`, out += x·Wᵀ + b instead.
    public func forward(
        _ x: UnsafePointer<Float>, rows: Int, into out: UnsafeMutablePointer<Float>,
        accumulate: Bool = false, observer: LinearInputObserver? = nil
    ) {
        observer?.observe(layer: name, input: x, rows: rows, columns: inFeatures)
        if let inputTransform {
            // The input buffer is shared (q/k/v read the same one): transform a private copy, held
            // only for this call (a per-layer buffer kept between calls would cost every layer the
            // largest input it ever saw: rows × in floats, e.g. 400 MB per layer for a whole
            // calibration set).
            let count = rows * inFeatures
            let copy = FloatBuffer(count: count, zeroed: false)
            copy.pointer.update(from: x, count: count)
            inputTransform(copy.pointer, rows, inFeatures)
            withExtendedLifetime(copy) {
                BLAS.linear(copy.pointer, rows: rows, packed: packedWeight.get(weight), out: out, accumulate: accumulate)
            }
        } else {
            BLAS.linear(x, rows: rows, packed: packedWeight.get(weight), out: out, accumulate: accumulate)
        }
        if let bias {
            let n = outFeatures, bp = bias.pointer
            Parallel.forRanges(rows, minimumChunk: 64) { range in
                for r in range {
                    let row = out + r * n
                    for j in 0..<n { row[j] += bp[j] }
                }
            }
        }
    }
}
