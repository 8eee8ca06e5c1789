import TensorCore

/// llama.cpp's importance-matrix quantization (`llama-imatrix` + `llama-quantize --imatrix`) on a
/// ggml block grid: ggml's weighted header and level searches, each input column weighted by its
/// importance — the per-column mean of the squared calibration activations, which is the Hessian's
/// diagonal up to a constant factor (the searches are invariant to that factor). Ignores the rest
/// of the Hessian; rejects integer grids (their round to nearest has no weighted search).
public struct ImatrixQuantizer: WeightQuantizer {
    public init() {}

    public var name: String { "imatrix" }

    public func quantize(weight: Tensor, hessian: Hessian?, scheme: WeightScheme) throws(QuantizationError) -> QuantizedWeight {
        try scheme.checked()
        guard scheme.blockGrid != nil else {
            throw .blockGrid("imatrix is ggml's importance-weighted search on a ggml block type; give a ggml spec (q4_k, q3_k, q4_0, …), or use rtn/gptq for \(QuantSpec(weight: scheme))")
        }
        let (_, columns) = try weight.matrixShape()
        guard let hessian else { throw .missingHessian(method: name) }
        guard hessian.size == columns else { throw .hessianSize(expected: columns, got: hessian.size) }
        return try GGMLLayerQuantizer.quantize(weight, scheme: scheme, importance: Self.importance(hessian))
    }

    /// diag H (H = 2/n Σ xxᵀ, so diag H = 2 · mean x² per column).
    public static func importance(_ hessian: Hessian) -> [Float] {
        (0..<hessian.size).map { hessian[$0, $0] }
    }
}
