import TensorCore

/// Round-to-nearest quantization of a whole weight matrix, parallel over rows, SIMD within a group.
public enum MatrixQuantizer {
    /// Fake-quantizes `weight` (rows × columns) with `scheme`: parameters from each group's
    /// min/max (or the clipping search when `clip` is given), then
    /// Q(w) = scale · (clamp(round(w/scale) + zero, 0, 2^b−1) − zero). Returns the dequantized
    /// weight and the codes. `weight` is not modified.
    public static func quantize(_ weight: Tensor, scheme: WeightScheme, clip: ClipSearch? = nil)
        throws(QuantizationError) -> (dequantized: Tensor, codes: QuantizedCodes) {
        try scheme.checked()
        guard weight.shape.count == 2 else { throw .notAMatrix(shape: weight.shape) }
        if scheme.blockGrid != nil {
            // ggml's own round to nearest (llama-quantize without an importance matrix); no clipping search
            if clip != nil { try scheme.requireIntegerGrid(method: "the clipping search (mse-clip)") }
            let q = try GGMLLayerQuantizer.quantize(weight, scheme: scheme, importance: nil)
            guard let codes = q.codes else {
                throw .blockGrid("\(weight.shape[1]) input columns fit no ggml block (llama-quantize keeps such a tensor in F16)")
            }
            return (q.dequantized, codes)
        }
        let rows = weight.shape[0], columns = weight.shape[1]
        let grid = QuantGrid(scheme)
        let out = Tensor(zeros: [rows, columns])
        var codes = [UInt8](repeating: 0, count: rows * columns)
        let parameterCount = scheme.parameterCount(rows: rows, columns: columns)
        var scales = [Float](repeating: 0, count: parameterCount), zeros = scales
        let src = UnsafePointer(weight.pointer), dst = out.pointer

        var tensorParameters: GroupParameters?
        if scheme.granularity == .perTensor {
            let p = clip.map { $0.parameters(of: src, count: rows * columns, grid: grid) }
                ?? grid.parameters(of: src, count: rows * columns)
            scales[0] = p.scale; zeros[0] = p.zero
            tensorParameters = p
        }
        let k = scheme.groupSize(columns: columns), groups = scheme.groupsPerRow(columns: columns)
        codes.withUnsafeMutableBufferPointer { codeBuffer in
            scales.withUnsafeMutableBufferPointer { scaleBuffer in
                zeros.withUnsafeMutableBufferPointer { zeroBuffer in
                    let codePointer = codeBuffer.baseAddress!, scalePointer = scaleBuffer.baseAddress!
                    let zeroPointer = zeroBuffer.baseAddress!
                    Parallel.forRanges(rows, minimumChunk: 8) { range in
                        for r in range {
                            for g in 0..<groups {
                                let c0 = g * k, n = min(k, columns - c0), offset = r * columns + c0
                                let p: GroupParameters
                                if let tensorParameters {
                                    p = tensorParameters
                                } else {
                                    p = clip.map { $0.parameters(of: src + offset, count: n, grid: grid) }
                                        ?? grid.parameters(of: src + offset, count: n)
                                    scalePointer[r * groups + g] = p.scale
                                    zeroPointer[r * groups + g] = p.zero
                                }
                                QuantKernels.quantize(src + offset, n, grid: grid, p, into: dst + offset,
                                                      codes: codePointer + offset)
                            }
                        }
                    }
                }
            }
        }
        let result = QuantizedCodes(scheme: scheme, rows: rows, columns: columns, codes: codes,
                                    scales: scales, zeros: zeros)
        return (out, result)
    }
}
