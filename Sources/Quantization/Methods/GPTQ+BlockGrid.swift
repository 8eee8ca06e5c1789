import TensorCore

/// GPTQ on a ggml block type's grid: the same column-by-column error feedback as `quantize`, but
/// each weight's code is chosen on exactly the values the GGUF block will store. When the loop
/// reaches a block's first column, the block's header (f16 scales, quantized sub-block scales and
/// mins) is found by ggml's own search — importance-weighted by the Hessian diagonal, as
/// `llama-quantize --imatrix` does — on the block's weights as GPTQ has updated them so far; then
/// each column's code is the nearest level of its sub-block (ggml's re-quantization formula) and
/// the error the file will really have is propagated. The batch of lazily updated columns is a
/// whole number of ggml blocks (at least `blockSize`), so every block is fitted on fully updated
/// weights. Each row then keeps GPTQ's blocks or ggml's importance-weighted search's
/// (llama-quantize --imatrix), whichever has the smaller Hessian loss (`HessianLoss.rows`). Rows that are not whole blocks of the type use llama-quantize's fallback type
/// (`GGMLBlockGrid.fitting`). Act-order and static groups do not apply (blocks are runs of consecutive columns).
extension GPTQQuantizer {
    func quantizeOnBlockGrid(weight: Tensor, hessian: Hessian, scheme: WeightScheme) throws(QuantizationError) -> QuantizedWeight {
        let (rows, n) = try weight.matrixShape()
        if let f16 = GGMLLayerQuantizer.keptInF16(weight, scheme: scheme, columns: n) { return f16 }
        let (grid, scheme) = try scheme.layerBlockGrid(columns: n)
        if actOrder || staticGroups {
            throw .blockGrid("act-order and static groups do not apply to ggml's \(grid.name) blocks of consecutive columns")
        }
        if clip != nil { try scheme.requireIntegerGrid(method: "the clipping search (mse-clip)") }
        let started = ContinuousClock.now
        let w = FloatBuffer(count: rows * n, zeroed: false)
        w.pointer.update(from: weight.pointer, count: rows * n)
        let h = FloatBuffer(count: n * n, zeroed: false)
        h.pointer.update(from: hessian.matrix.pointer, count: n * n)
        let importance = FloatBuffer(count: n, zeroed: false)
        var dead = 0
        for i in 0..<n {
            importance.pointer[i] = h.pointer[i * n + i]
            if h.pointer[i * n + i] == 0 {
                h.pointer[i * n + i] = 1
                for r in 0..<rows { w.pointer[r * n + i] = 0 }
                dead += 1
            }
        }
        let inverse = try HessianInverse(hessian: h.pointer, size: n, damping: damping, growth: dampingGrowth,
                                         maxRetries: maxDampingRetries)
        let u = UnsafePointer(inverse.upper.pointer)

        let unit = grid.blockSize, batch = max(unit, (blockSize + unit - 1) / unit * unit)
        let rowBytes = n / unit * grid.blockBytes
        var blocks = [UInt8](repeating: 0, count: rows * rowBytes)
        var rowLoss = [Double](repeating: 0, count: rows)
        let work = FloatBuffer(count: rows * min(batch, n), zeroed: false)
        let errors = FloatBuffer(count: rows * min(batch, n), zeroed: false)
        blocks.withUnsafeMutableBytes { blockBytes in
            rowLoss.withUnsafeMutableBufferPointer { lossBuffer in
                nonisolated(unsafe) let out = blockBytes.baseAddress!
                nonisolated(unsafe) let loss = lossBuffer.baseAddress!
                for i1 in stride(from: 0, to: n, by: batch) {
                    let i2 = min(i1 + batch, n), count = i2 - i1
                    Parallel.forRanges(rows, minimumChunk: 8) { range in
                        var levels = [UInt8](repeating: 0, count: unit)
                        for r in range {
                            let w1 = work.pointer + r * count, e1 = errors.pointer + r * count
                            w1.update(from: w.pointer + r * n + i1, count: count)
                            var rowLossSum: Double = 0
                            for b0 in stride(from: 0, to: count, by: unit) {
                                let block = out + r * rowBytes + (i1 + b0) / unit * grid.blockBytes
                                let sub = grid.fitHeader(w1 + b0, importance: importance.pointer + i1 + b0, into: block)
                                for i in b0..<b0 + unit {
                                    let j = i1 + i, value = w1[i]
                                    let level = sub.code(value, at: i - b0)
                                    levels[i - b0] = level
                                    let quantized = sub.value(level, at: i - b0)
                                    let d = u[j * n + j], difference = value - quantized
                                    rowLossSum += Double(difference * difference) / Double(d * d)
                                    let e = difference / d
                                    e1[i] = e
                                    QuantKernels.axpy(-e, u + j * n + j + 1, w1 + i + 1, count - i - 1)
                                }
                                levels.withUnsafeBufferPointer { grid.pack($0.baseAddress!, into: block) }
                            }
                            loss[r] += rowLossSum
                        }
                    }
                    if i2 < n {
                        BLAS.parallelGemm(m: rows, n: n - i2, k: count, alpha: -1, a: errors.pointer, lda: count,
                                          b: u + i1 * n + i2, ldb: n, beta: 1, c: w.pointer + i2, ldc: n)
                    }
                }
            }
        }
        // Per row, keep GPTQ's blocks or ggml's importance-weighted search (llama-quantize --imatrix
        // with the same importance), whichever has the smaller layer-output loss δ·H·δᵀ: rows are
        // independent in ‖(W − Ŵ)X‖², so the choice never makes the layer worse than either.
        let imatrix = grid.quantize(UnsafePointer(weight.pointer), rows: rows, columns: n, importance: UnsafePointer(importance.pointer))
        let gptqLoss = HessianLoss.rows(GGMLLayerQuantizer.decode(blocks, grid: grid, rows: rows, columns: n), weight, hessian)
        let imatrixLoss = HessianLoss.rows(GGMLLayerQuantizer.decode(imatrix, grid: grid, rows: rows, columns: n), weight, hessian)
        var fromImatrix = 0
        for r in 0..<rows where imatrixLoss[r] < gptqLoss[r] {
            blocks.replaceSubrange(r * rowBytes ..< (r + 1) * rowBytes, with: imatrix[r * rowBytes ..< (r + 1) * rowBytes])
            fromImatrix += 1
        }
        let codes = GGMLLayerQuantizer.codes(blocks: blocks, scheme: scheme, rows: rows, columns: n)
        let stats: [String: Double] = [
            "gptq.loss": rowLoss.reduce(0, +) / 2,
            "gptq.damping": Double(inverse.damping),
            "gptq.dampingRetries": Double(inverse.retries),
            "gptq.deadColumns": Double(dead),
            "gptq.rowsFromImatrix": Double(fromImatrix),
            "seconds": (ContinuousClock.now - started).seconds,
        ]
        return QuantizedWeight(dequantized: GGMLLayerQuantizer.decode(blocks, grid: grid, rows: rows, columns: n), codes: codes,
                               bits: BitAccounting(scheme: scheme, rows: rows, columns: n), stats: stats)
    }
}
