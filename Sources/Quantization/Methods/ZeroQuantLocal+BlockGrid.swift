import TensorCore

/// ZeroQuant-local on a ggml block type's grid: the same straight-through optimisation of latent
/// weights W' against tr((Q(W') − W)·H·(Q(W') − W)ᵀ), with the lattice fixed by the block headers of
/// ggml's importance-weighted search (llama-quantize --imatrix, importance = diag H) instead of RTN's
/// scales: each sub-block's stored levels are what Q projects on (`GGMLBlockGrid.SubBlocks`: ggml's
/// re-quantization formula for the level, the decoder's arithmetic for its value), the Adam step is
/// in units of the sub-block's multiplier, W' stays inside the sub-block's range, and the best
/// iterate is kept (iterate 0 is imatrix's result, so the layer is never worse than it). The codes
/// are packed into the same headers: the GGUF holds exactly Q(W'). Rows no block fits take
/// llama-quantize's fallback type, or stay in f16 (`GGMLLayerQuantizer.keptInF16`).
extension ZeroQuantLocalQuantizer {
    func quantizeOnBlockGrid(weight: Tensor, hessian: Hessian, scheme: WeightScheme) throws(QuantizationError) -> QuantizedWeight {
        let (rows, n) = try weight.matrixShape()
        if let f16 = GGMLLayerQuantizer.keptInF16(weight, scheme: scheme, columns: n) { return f16 }
        let (grid, scheme) = try scheme.layerBlockGrid(columns: n)
        if clip != nil { try scheme.requireIntegerGrid(method: "the clipping search (mse-clip)") }
        let started = ContinuousClock.now
        let importance = ImatrixQuantizer.importance(hessian)
        var blocks = importance.withUnsafeBufferPointer {
            grid.quantize(UnsafePointer(weight.pointer), rows: rows, columns: n, importance: $0.baseAddress!)
        }
        let count = rows * n / grid.blockSize
        let subBlocks = blocks.withUnsafeBytes { raw in
            (0..<count).map { GGMLBlockGrid.SubBlocks(grid, header: raw.baseAddress! + $0 * grid.blockBytes) }
        }
        let run = ZeroQuantLocalRun(weight: UnsafePointer(weight.pointer), rows: rows, columns: n,
                                    hessian: UnsafePointer(hessian.matrix.pointer), blocks: grid, subBlocks: subBlocks)
        let outcome = run.optimize(steps: steps, optimizer: optimizer)
        blocks.withUnsafeMutableBytes { raw in
            outcome.codes.withUnsafeBufferPointer { levels in
                for b in 0..<count {
                    grid.pack(levels.baseAddress! + b * grid.blockSize, into: raw.baseAddress! + b * grid.blockBytes)
                }
            }
        }
        return QuantizedWeight(dequantized: GGMLLayerQuantizer.decode(blocks, grid: grid, rows: rows, columns: n),
                               codes: GGMLLayerQuantizer.codes(blocks: blocks, scheme: scheme, rows: rows, columns: n),
                               bits: BitAccounting(scheme: scheme, rows: rows, columns: n),
                               stats: outcome.stats(seconds: (ContinuousClock.now - started).seconds))
    }
}
