import TensorCore

/// GPTQ (Frantar et al., 2022), following the IST-DASLab reference `fasterquant`:
///
/// 1. Per-row / per-tensor parameters are found on W as given (before dead columns are zeroed,
///    as the reference does).
/// 2. Dead columns: H_ii = 0 → H_ii = 1 and W[:, i] = 0.
/// 3. Static groups (`staticGroups`, group-k only): every group's parameters found up front on the
///    unpermuted W.
/// 4. Act-order (`actOrder`): columns permuted by descending diag H (ties by index), undone at the
///    end; with groups the codes carry g_idx (the group of each original column).
/// 5. U = upper Cholesky factor of (H + λI)⁻¹, λ = damping · mean(diag H), retried with damping ×
///    `dampingGrowth` (up to `maxDampingRetries` times) when a factorisation fails.
/// 6. Columns in blocks of `blockSize`. Within a block, column j of every row:
///    q = Q(w_j), e = (w_j − q)/U_jj, w_{j+1..<block end} −= e · U_{j, j+1..<block end};
///    at the end of the block the trailing columns get W[:, i2:] −= E · U[i1:i2, i2:] (BLAS).
///    Group-k (not static): a group's parameters are found when the loop reaches its first
///    column, from W as it stood at the start of the current block over the group's columns
///    (exactly the reference's `W[:, j:j+k]`).
/// 7. loss = ½ Σ (w_j − q_j)² / U_jj² (the reference's "error").
///
/// Rows are independent within a block and run in parallel; the trailing update is one GEMM per
/// block. Stats: "gptq.loss", "gptq.damping" (relative damping used), "gptq.dampingRetries",
/// "gptq.deadColumns", "seconds".
public struct GPTQQuantizer: WeightQuantizer {
    public var blockSize: Int
    /// Relative damping (percdamp), a fraction of mean(diag H).
    public var damping: Float
    public var dampingGrowth: Float
    public var maxDampingRetries: Int
    public var actOrder: Bool
    public var staticGroups: Bool
    /// The reference quantizer's `mse` option: clipping search for every parameter group.
    public var clip: ClipSearch?

    public init(blockSize: Int = 128, damping: Float = 0.01, dampingGrowth: Float = 10, maxDampingRetries: Int = 3,
                actOrder: Bool = false, staticGroups: Bool = false, clip: ClipSearch? = nil) {
        precondition(blockSize >= 1)
        self.blockSize = blockSize
        self.damping = damping
        self.dampingGrowth = dampingGrowth
        self.maxDampingRetries = maxDampingRetries
        self.actOrder = actOrder
        self.staticGroups = staticGroups
        self.clip = clip
    }

    public var name: String { "gptq" }

    public func quantize(weight: Tensor, hessian: Hessian?, scheme: WeightScheme) throws(QuantizationError) -> QuantizedWeight {
        try scheme.checked()
        let (rows, columns) = try weight.matrixShape()
        guard let hessian else { throw .missingHessian(method: name) }
        guard hessian.size == columns else { throw .hessianSize(expected: columns, got: hessian.size) }
        if scheme.blockGrid != nil { return try quantizeOnBlockGrid(weight: weight, hessian: hessian, scheme: scheme) }
        let started = ContinuousClock.now
        let grid = QuantGrid(scheme)
        let n = columns

        let w = FloatBuffer(count: rows * n, zeroed: false)
        w.pointer.update(from: weight.pointer, count: rows * n)
        let h = FloatBuffer(count: n * n, zeroed: false)
        h.pointer.update(from: hessian.matrix.pointer, count: n * n)

        let table = ParameterTable(scheme: scheme, rows: rows, columns: n, grid: grid, clip: clip)
        let grouped: Bool
        if case .group = scheme.granularity { grouped = true } else { grouped = false }
        if !grouped { table.findWholeRowsOrTensor(w.pointer) }

        var dead = 0
        for i in 0..<n where h.pointer[i * n + i] == 0 {
            h.pointer[i * n + i] = 1
            for r in 0..<rows { w.pointer[r * n + i] = 0 }
            dead += 1
        }
        let useStaticGroups = grouped && staticGroups
        if useStaticGroups { table.findAllGroups(w.pointer) }

        let perm: [Int]? = actOrder ? Self.descendingDiagonalOrder(h.pointer, n) : nil
        if let perm {
            Self.permuteColumns(w.pointer, rows: rows, columns: n, perm)
            Self.permuteSymmetric(h.pointer, n, perm)
        }

        let inverse = try HessianInverse(hessian: h.pointer, size: n, damping: damping, growth: dampingGrowth,
                                         maxRetries: maxDampingRetries)
        let u = UnsafePointer(inverse.upper.pointer)

        // Output in the working (possibly permuted) column order.
        let q = FloatBuffer(count: rows * n, zeroed: false)
        var codes = [UInt8](repeating: 0, count: rows * n)
        var rowLoss = [Double](repeating: 0, count: rows)
        let block = FloatBuffer(count: rows * min(blockSize, n), zeroed: false)
        let errors = FloatBuffer(count: rows * min(blockSize, n), zeroed: false)
        let k = scheme.groupSize(columns: n)

        codes.withUnsafeMutableBufferPointer { codeBuffer in
            rowLoss.withUnsafeMutableBufferPointer { lossBuffer in
                let codePointer = codeBuffer.baseAddress!, lossPointer = lossBuffer.baseAddress!
                for i1 in stride(from: 0, to: n, by: blockSize) {
                    let i2 = min(i1 + blockSize, n), count = i2 - i1
                    Parallel.forRanges(rows, minimumChunk: 8) { range in
                        for r in range {
                            let w1 = block.pointer + r * count, e1 = errors.pointer + r * count
                            w1.update(from: w.pointer + r * n + i1, count: count)
                            var loss: Double = 0
                            for i in 0..<count {
                                let j = i1 + i
                                let p: GroupParameters
                                if !grouped {
                                    p = table.parameters(row: r, group: 0)
                                } else if useStaticGroups {
                                    p = table.parameters(row: r, group: (perm?[j] ?? j) / k)
                                } else {
                                    if j % k == 0 { table.findGroup(row: r, group: j / k, w.pointer + r * n + j, count: min(k, n - j)) }
                                    p = table.parameters(row: r, group: j / k)
                                }
                                let value = w1[i]
                                let code = grid.code(value, p)
                                let quantized = grid.value(code, p)
                                q.pointer[r * n + j] = quantized
                                codePointer[r * n + j] = UInt8(code)
                                let d = u[j * n + j], difference = value - quantized
                                loss += Double(difference * difference) / Double(d * d)
                                let e = difference / d
                                e1[i] = e
                                QuantKernels.axpy(-e, u + j * n + j + 1, w1 + i + 1, count - i - 1)
                            }
                            lossPointer[r] += loss
                        }
                    }
                    if i2 < n {
                        BLAS.parallelGemm(m: rows, n: n - i2, k: count, alpha: -1, a: errors.pointer, lda: count,
                                          b: u + i1 * n + i2, ldb: n, beta: 1, c: w.pointer + i2, ldc: n)
                    }
                }
            }
        }

        let out = Tensor(zeros: [rows, n])
        var groupIndex: [Int32]?
        if let perm {
            for r in 0..<rows {
                for j in 0..<n {
                    out.pointer[r * n + perm[j]] = q.pointer[r * n + j]
                }
            }
            codes = Self.unpermuteCodes(codes, rows: rows, columns: n, perm)
            if grouped && !useStaticGroups {
                var g = [Int32](repeating: 0, count: n)
                for j in 0..<n { g[perm[j]] = Int32(j / k) }
                groupIndex = g
            }
        } else {
            out.pointer.update(from: q.pointer, count: rows * n)
        }

        let result = QuantizedCodes(scheme: scheme, rows: rows, columns: n, codes: codes,
                                    scales: table.scales, zeros: table.zeros, groupIndex: groupIndex)
        var bits = BitAccounting(scheme: scheme, rows: rows, columns: n)
        if groupIndex != nil { bits.extraBits += 32 * n }
        let elapsed = ContinuousClock.now - started
        let stats: [String: Double] = [
            "gptq.loss": rowLoss.reduce(0, +) / 2,
            "gptq.damping": Double(inverse.damping),
            "gptq.dampingRetries": Double(inverse.retries),
            "gptq.deadColumns": Double(dead),
            "seconds": elapsed.seconds,
        ]
        return QuantizedWeight(dequantized: out, codes: result, bits: bits, stats: stats)
    }

    /// Column order by descending diag H; equal diagonals keep their index order.
    static func descendingDiagonalOrder(_ h: UnsafePointer<Float>, _ n: Int) -> [Int] {
        (0..<n).sorted { a, b in
            let da = h[a * n + a], db = h[b * n + b]
            return da != db ? da > db : a < b
        }
    }

    /// W[:, j] ← W[:, perm[j]].
    static func permuteColumns(_ w: UnsafeMutablePointer<Float>, rows: Int, columns n: Int, _ perm: [Int]) {
        var row = [Float](repeating: 0, count: n)
        for r in 0..<rows {
            for j in 0..<n { row[j] = w[r * n + perm[j]] }
            row.withUnsafeBufferPointer { (w + r * n).update(from: $0.baseAddress!, count: n) }
        }
    }

    /// H[i, j] ← H[perm[i], perm[j]].
    static func permuteSymmetric(_ h: UnsafeMutablePointer<Float>, _ n: Int, _ perm: [Int]) {
        let copy = [Float](UnsafeBufferPointer(start: h, count: n * n))
        for i in 0..<n {
            let source = perm[i] * n
            for j in 0..<n { h[i * n + j] = copy[source + perm[j]] }
        }
    }

    static func unpermuteCodes(_ codes: [UInt8], rows: Int, columns n: Int, _ perm: [Int]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: codes.count)
        for r in 0..<rows { for j in 0..<n { out[r * n + perm[j]] = codes[r * n + j] } }
        return out
    }
}
