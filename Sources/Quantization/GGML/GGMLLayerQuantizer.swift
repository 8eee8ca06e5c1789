import TensorCore

/// A whole linear layer on a ggml block grid: llama-quantize's result (with or without an
/// importance vector), and the conversions between ggml blocks and PTQLab's `QuantizedCodes`.
public enum GGMLLayerQuantizer {
    /// ggml's quantization of `weight` (rows × columns) — on llama-quantize's fallback type when
    /// the scheme's blocks do not fit the rows, in f16 when not even those fit (`keptInF16`); `importance` has one value per input column (llama-imatrix's per-column mean of squared activations, or the Hessian diagonal).
    public static func quantize(_ weight: Tensor, scheme: WeightScheme, importance: [Float]?) throws(QuantizationError) -> QuantizedWeight {
        let (rows, columns) = try weight.matrixShape()
        if let f16 = keptInF16(weight, scheme: scheme, columns: columns) { return f16 }
        let (grid, scheme) = try scheme.layerBlockGrid(columns: columns)
        if let importance, importance.count != columns {
            throw .blockGrid("importance vector has \(importance.count) values, the layer has \(columns) input columns")
        }
        let blocks: [UInt8] = importance.map { w in
            w.withUnsafeBufferPointer { grid.quantize(UnsafePointer(weight.pointer), rows: rows, columns: columns, importance: $0.baseAddress!) }
        } ?? grid.quantize(UnsafePointer(weight.pointer), rows: rows, columns: columns, importance: nil)
        let codes = codes(blocks: blocks, scheme: scheme, rows: rows, columns: columns)
        return QuantizedWeight(dequantized: decode(blocks, grid: grid, rows: rows, columns: columns), codes: codes,
                               bits: BitAccounting(scheme: scheme, rows: rows, columns: columns))
    }

    /// The result of quantizing to `scheme` a layer whose checkpoint already stores it as `stored`,
    /// blocks of the type `scheme` gives this layer (after the fallback for narrow rows): those
    /// blocks unchanged, as llama-quantize keeps a tensor already in its target type. Nil when the
    /// scheme is no ggml type or the bytes are not that type's (rows × columns).
    /// Stat "storedBlocksKept" = 1.
    public static func keeping(_ stored: [UInt8], scheme: WeightScheme, rows: Int, columns: Int) -> QuantizedWeight? {
        guard scheme.blockGrid != nil, let (grid, fitted) = try? scheme.layerBlockGrid(columns: columns),
              stored.count == rows * columns / grid.blockSize * grid.blockBytes else { return nil }
        return QuantizedWeight(dequantized: decode(stored, grid: grid, rows: rows, columns: columns),
                               codes: codes(blocks: stored, scheme: fitted, rows: rows, columns: columns),
                               bits: BitAccounting(scheme: fitted, rows: rows, columns: columns), stats: ["storedBlocksKept": 1])
    }

    /// llama-quantize's answer for rows that not even the fallback type's 32-weight blocks fit
    /// ("must use F16 due to unusual shape"): the layer stays in full precision, rounded to f16 as
    /// the GGUF stores it (nil when the blocks fit).
    public static func keptInF16(_ weight: Tensor, scheme: WeightScheme, columns: Int) -> QuantizedWeight? {
        guard let grid = scheme.blockGrid, grid.fitting(columns: columns) == nil else { return nil }
        let rounded = Tensor(zeros: weight.shape)
        for i in 0..<weight.count { rounded.pointer[i] = Float(Float16(weight.pointer[i])) }
        return .fullPrecision(rounded)
    }

    /// The weights the blocks hold, (rows × columns).
    public static func decode(_ blocks: [UInt8], grid: GGMLBlockGrid, rows: Int, columns: Int) -> Tensor {
        let out = Tensor(zeros: [rows, columns])
        blocks.withUnsafeBytes { raw in
            let base = raw.baseAddress!, rowBytes = columns / grid.blockSize * grid.blockBytes
            nonisolated(unsafe) let dst = out.pointer
            nonisolated(unsafe) let src = base
            Parallel.forRanges(rows, minimumChunk: 16) { range in
                for r in range { grid.decode(src + r * rowBytes, columns, into: dst + r * columns) }
            }
        }
        return out
    }

    /// `QuantizedCodes` for blocks: each weight's level (recovered from its decoded value on its
    /// sub-block's grid), each sub-block's multiplier and equivalent zero-point.
    public static func codes(blocks: [UInt8], scheme: WeightScheme, rows: Int, columns: Int) -> QuantizedCodes {
        let grid = scheme.blockGrid!
        let perRow = columns / grid.blockSize, subBlocks = grid.blockSize / grid.subBlockSize
        var levels = [UInt8](repeating: 0, count: rows * columns)
        var scales = [Float](repeating: 0, count: rows * perRow * subBlocks), zeros = scales
        var decoded = [Float](repeating: 0, count: grid.blockSize)
        blocks.withUnsafeBytes { raw in
            for r in 0..<rows {
                for b in 0..<perRow {
                    let block = raw.baseAddress! + (r * perRow + b) * grid.blockBytes
                    let sub = GGMLBlockGrid.SubBlocks(grid, header: block)
                    grid.decode(block, grid.blockSize, into: &decoded)
                    for i in 0..<grid.blockSize {
                        levels[r * columns + b * grid.blockSize + i] = sub.code(decoded[i], at: i)
                    }
                    for j in 0..<subBlocks {
                        let g = (r * perRow + b) * subBlocks + j, s = sub.scales[j]
                        scales[g] = s
                        zeros[g] = Float(sub.bias) + (s != 0 ? sub.offsets[j] / s : 0)
                    }
                }
            }
        }
        return QuantizedCodes(scheme: scheme, rows: rows, columns: columns, codes: levels, scales: scales, zeros: zeros, blocks: blocks)
    }
}
