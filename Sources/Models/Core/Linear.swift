import Foundation
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
    /// (outFeatures, inFeatures), row-major. Assigning a new tensor drops the packed copy; after
    /// changing the values in place, call `invalidatePackedWeight()`.
    ///
    /// Once a forward pass has packed W for the GEMM kernel (AVX-512, AVX2, portable), the packed
    /// copy is the only one kept (`keepsOnlyPackedWeight`, default on): reading `weight` after that
    /// unpacks it again, keeps it and drops the packed copy, so code that reads W, writes into it
    /// and calls `invalidatePackedWeight()` works as before, and a model that is only run holds
    /// one copy of each weight instead of two (see `WeightMatrix`).
    public var weight: Tensor {
        get { matrix.tensor }
        set { matrix.tensor = newValue }
    }
    /// (outFeatures) or nil
    public var bias: Tensor?
    /// Keep only the packed copy of W once it is built (see `weight`).
    public var keepsOnlyPackedWeight: Bool {
        get { matrix.keepsOnlyPacked }
        set { matrix.keepsOnlyPacked = newValue }
    }

    public var outFeatures: Int { matrix.rows }
    public var inFeatures: Int { matrix.columns }

    /// W, held once (row-major or packed for the GEMM, built on the first forward pass).
    let matrix: WeightMatrix

    public init(name: String, weight: Tensor, bias: Tensor? = nil) {
        self.name = name
        self.matrix = WeightMatrix(name: name, weight)
        self.bias = bias
    }

    /// A layer over a loaded weight, kept compressed when the loader kept it so (memory-lean).
    public init(name: String, weight: LinearWeight, bias: Tensor? = nil) {
        self.name = name
        self.matrix = WeightMatrix(name: name, weight)
        self.bias = bias
    }

    /// Whether W is held compressed (checkpoint blocks, f16/bf16, or a palette of quantized values).
    public var weightIsCompressed: Bool { matrix.isCompressed }

    /// W for reading only (a compressed W is decoded into a copy and stays compressed; see
    /// `WeightMatrix.valuesForReading`): for measurements that must not widen a lean model.
    public var weightForReading: Tensor { matrix.valuesForReading }

    /// Bytes of every copy of W held now (f32, packed, or compressed).
    public var heldWeightBytes: Int { matrix.heldBytes }

    /// W's compressed form, when held so (immutable; see `WeightMatrix.compressedMatrix`).
    public var compressedWeight: CompressedMatrix? {
        get { matrix.compressedMatrix }
        set { if let newValue { matrix.setCompressed(newValue) } }
    }

    /// Sets W to a quantized result, kept as a lossless palette when `compress` and the values
    /// allow it (memory-lean execution; see `WeightMatrix.storeCompressing`), else as f32.
    public func setWeight(_ weight: Tensor, compress: Bool) {
        if compress { matrix.storeCompressing(weight) } else { matrix.tensor = weight }
    }

    /// After W's values were changed in place (through `weight.pointer`).
    public func invalidatePackedWeight() { matrix.invalidatePacked() }

    /// Bytes held by the packed copy beyond W itself (0 until the first forward pass, with
    /// OpenBLAS, and once the packed copy is the only one).
    public var packedWeightBytes: Int { matrix.extraPackedBytes }

    /// The packed W for this forward pass (built if needed; the row-major copy let go when asked).
    private func preparedWeight() -> PackedLinearWeight { matrix.prepared() }

    /// Applied to (a copy of) the input before the product, e.g. activation fake-quantization:
    /// (x (rows, columns) in place, rows, columns). The observer still sees the untransformed input.
    public typealias InputTransform = @Sendable (UnsafeMutablePointer<Float>, Int, Int) -> Void
    public var inputTransform: InputTransform?

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
                BLAS.linear(copy.pointer, rows: rows, packed: preparedWeight(), out: out, accumulate: accumulate)
            }
        } else {
            BLAS.linear(x, rows: rows, packed: preparedWeight(), out: out, accumulate: accumulate)
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
