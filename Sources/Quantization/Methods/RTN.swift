import TensorCore

/// Round-to-nearest: each group's parameters from its min/max (ranges include 0), or from the
/// clipping search when `clip` is set (see `ClipSearch`). Ignores the Hessian. On a ggml block
/// grid: ggml's own quantizer (llama-quantize without an importance matrix; `GGMLLayerQuantizer`),
/// counted at the bits of the type each layer got (a fallback type where the blocks do not fit).
public struct RTNQuantizer: WeightQuantizer {
    public var clip: ClipSearch?

    public init(clip: ClipSearch? = nil) { self.clip = clip }

    public var name: String { clip == nil ? "rtn" : "rtn-mse" }

    public func quantize(weight: Tensor, hessian: Hessian? = nil, scheme: WeightScheme) throws(QuantizationError) -> QuantizedWeight {
        let (rows, columns) = try weight.matrixShape()
        if scheme.blockGrid != nil && clip == nil {
            // llama-quantize's result, an f16 layer included where no block fits
            try scheme.checked()
            return try GGMLLayerQuantizer.quantize(weight, scheme: scheme, importance: nil)
        }
        let (dequantized, codes) = try MatrixQuantizer.quantize(weight, scheme: scheme, clip: clip)
        return QuantizedWeight(dequantized: dequantized, codes: codes,
                               bits: BitAccounting(scheme: codes.scheme, rows: rows, columns: columns))
    }
}
