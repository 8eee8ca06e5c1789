import TensorCore

/// A post-training quantization method for one linear layer.
public protocol WeightQuantizer: Sendable {
    /// Short name for reports ("rtn", "gptq", "gptq+lorc8").
    var name: String { get }

    /// Quantizes `weight` (outFeatures × inFeatures). `hessian` holds the statistics of the layer's
    /// inputs (methods that need it throw `QuantizationError.missingHessian` without it).
    /// `weight` is never modified.
    func quantize(weight: Tensor, hessian: Hessian?, scheme: WeightScheme) throws(QuantizationError) -> QuantizedWeight
}

/// The result of a method on one layer.
public struct QuantizedWeight: Sendable {
    /// What the layer computes with from now on (outFeatures × inFeatures): the dequantized codes,
    /// plus the low-rank correction when there is one.
    public var dequantized: Tensor
    /// The integer form (codes, scales, zeros, g_idx); nil when the layer keeps its weights in
    /// full precision (`fullPrecision`: an activation-only scheme, or an override's `w16`).
    public var codes: QuantizedCodes?
    /// LoRC factors, when the method adds them.
    public var lowRank: LowRankCorrection?
    /// Storage of the layer.
    public var bits: BitAccounting
    /// Method-specific numbers, e.g. "gptq.loss", "gptq.damping", "gptq.dampingRetries",
    /// "gptq.deadColumns", "seconds"; see each method.
    public var stats: [String: Double]

    public init(dequantized: Tensor, codes: QuantizedCodes?, lowRank: LowRankCorrection? = nil,
                bits: BitAccounting, stats: [String: Double] = [:]) {
        self.dequantized = dequantized
        self.codes = codes
        self.lowRank = lowRank
        self.bits = bits
        self.stats = stats
    }

    public var effectiveBitsPerWeight: Double { bits.effectiveBitsPerWeight }

    /// This result once its dequantized weight has been installed in the model: the same codes,
    /// factors, bits and statistics, without the reference to the dequantized tensor (an empty
    /// (0, columns) tensor instead), so a record of a whole model's quantization does not keep a
    /// second f32 copy of every weight alive once the layers pack theirs for the GEMM. Results
    /// without codes (full precision) keep their tensor: it is what an exporter writes.
    public func installed() -> QuantizedWeight {
        guard let codes else { return self }
        var copy = self
        copy.dequantized = Tensor(zeros: [0, codes.columns])
        return copy
    }

    /// A layer left in full precision: the weight as it is, counted at 16 bits per weight (f16
    /// storage), no codes.
    public static func fullPrecision(_ weight: Tensor) -> QuantizedWeight {
        let n = weight.count
        return QuantizedWeight(dequantized: weight, codes: nil,
                               bits: BitAccounting(weights: n, codeBits: n * WeightScheme.fullPrecisionBits, parameterBits: 0))
    }
}

extension Tensor {
    /// (rows, columns) of a 2-D tensor, or `notAMatrix`.
    func matrixShape() throws(QuantizationError) -> (rows: Int, columns: Int) {
        guard shape.count == 2 else { throw .notAMatrix(shape: shape) }
        return (shape[0], shape[1])
    }
}
