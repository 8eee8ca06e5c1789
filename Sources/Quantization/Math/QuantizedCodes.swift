import TensorCore

/// The integer form of a quantized weight (outFeatures × inFeatures): what an exporter writes.
///
/// Weight (r, c) decodes to scales[g] · (codes[r·columns + c] − zeros[g]) with parameter index
/// g = parameterIndex(row: r, column: c): row-major (rows × groupsPerRow) parameters, the group of
/// column c being groupIndex[c] when present (GPTQ act-order's g_idx) or c / k otherwise; a
/// per-tensor scheme has one parameter pair. Symmetric schemes store zeros = 2^(b−1) for uniformity.
public struct QuantizedCodes: Sendable {
    public let scheme: WeightScheme
    public let rows: Int
    public let columns: Int
    /// rows × columns codes in [0, 2^b − 1], row-major.
    public var codes: [UInt8]
    /// parameterCount scales, (rows × groupsPerRow) row-major, or 1 for per-tensor.
    public var scales: [Float]
    /// Zero-points, same layout as `scales`.
    public var zeros: [Float]
    /// g_idx: the group (within its row) of each input column; nil means column / groupSize.
    public var groupIndex: [Int32]?
    /// A ggml grid's layer as the blocks llama.cpp stores (rows × columns/blockSize blocks,
    /// row-major): the exact weights. `codes` are then the blocks' levels and `scales`/`zeros`
    /// each sub-block's multiplier and equivalent zero-point (for reports; a sub-block with an
    /// offset but scale 0 decodes to its offset, which they cannot say — `dequantized()` decodes
    /// the blocks).
    public var blocks: [UInt8]?

    public init(scheme: WeightScheme, rows: Int, columns: Int, codes: [UInt8], scales: [Float],
                zeros: [Float], groupIndex: [Int32]? = nil, blocks: [UInt8]? = nil) {
        precondition(codes.count == rows * columns)
        precondition(scales.count == scheme.parameterCount(rows: rows, columns: columns) && zeros.count == scales.count)
        precondition(groupIndex.map { $0.count == columns } ?? true)
        self.scheme = scheme
        self.rows = rows
        self.columns = columns
        self.codes = codes
        self.scales = scales
        self.zeros = zeros
        self.groupIndex = groupIndex
        self.blocks = blocks
        if let grid = scheme.blockGrid {
            precondition(blocks?.count == rows * columns / grid.blockSize * grid.blockBytes)
        }
    }

    public var groupsPerRow: Int { scheme.groupsPerRow(columns: columns) }

    @inline(__always)
    public func parameterIndex(row: Int, column: Int) -> Int {
        if scheme.granularity == .perTensor { return 0 }
        let group = groupIndex.map { Int($0[column]) } ?? column / scheme.groupSize(columns: columns)
        return row * groupsPerRow + group
    }

    public func parameters(row: Int, column: Int) -> GroupParameters {
        let g = parameterIndex(row: row, column: column)
        return GroupParameters(scale: scales[g], zero: zeros[g])
    }

    /// The dequantized weight (rows × columns).
    public func dequantized() -> Tensor {
        if let grid = scheme.blockGrid, let blocks { return GGMLLayerQuantizer.decode(blocks, grid: grid, rows: rows, columns: columns) }
        let out = Tensor(zeros: [rows, columns])
        let p = out.pointer
        Parallel.forRanges(rows) { range in
            for r in range {
                for c in 0..<columns {
                    let g = parameterIndex(row: r, column: c)
                    p[r * columns + c] = scales[g] * (Float(codes[r * columns + c]) - zeros[g])
                }
            }
        }
        return out
    }
}
