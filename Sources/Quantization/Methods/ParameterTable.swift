import TensorCore

/// The scales and zero-points of a layer as GPTQ fills them in, (rows × groupsPerRow) or one pair
/// for per-tensor. Rows are filled by different threads: each writes only its own rows.
final class ParameterTable: @unchecked Sendable {
    let scheme: WeightScheme
    let rows: Int
    let columns: Int
    let groupsPerRow: Int
    let grid: QuantGrid
    let clip: ClipSearch?
    private let scaleBuffer: FloatBuffer
    private let zeroBuffer: FloatBuffer

    init(scheme: WeightScheme, rows: Int, columns: Int, grid: QuantGrid, clip: ClipSearch?) {
        self.scheme = scheme
        self.rows = rows
        self.columns = columns
        self.grid = grid
        self.clip = clip
        groupsPerRow = scheme.groupsPerRow(columns: columns)
        let count = scheme.parameterCount(rows: rows, columns: columns)
        scaleBuffer = FloatBuffer(count: count)
        zeroBuffer = FloatBuffer(count: count)
    }

    var scales: [Float] { scaleBuffer.array }
    var zeros: [Float] { zeroBuffer.array }

    @inline(__always)
    private func index(row: Int, group: Int) -> Int {
        scheme.granularity == .perTensor ? 0 : row * groupsPerRow + group
    }

    @inline(__always)
    func parameters(row: Int, group: Int) -> GroupParameters {
        let i = index(row: row, group: group)
        return GroupParameters(scale: scaleBuffer.pointer[i], zero: zeroBuffer.pointer[i])
    }

    private func find(_ values: UnsafePointer<Float>, count: Int) -> GroupParameters {
        clip.map { $0.parameters(of: values, count: count, grid: grid) } ?? grid.parameters(of: values, count: count)
    }

    /// Parameters of group `group` of row `row` from `count` values.
    @inline(__always)
    func findGroup(row: Int, group: Int, _ values: UnsafePointer<Float>, count: Int) {
        let p = find(values, count: count), i = index(row: row, group: group)
        scaleBuffer.pointer[i] = p.scale
        zeroBuffer.pointer[i] = p.zero
    }

    /// Per-row: each row's parameters from the whole row; per-tensor: one pair from everything.
    func findWholeRowsOrTensor(_ w: UnsafePointer<Float>) {
        if scheme.granularity == .perTensor {
            findGroup(row: 0, group: 0, w, count: rows * columns)
            return
        }
        Parallel.forRanges(rows, minimumChunk: 16) { range in
            for r in range { self.findGroup(row: r, group: 0, w + r * self.columns, count: self.columns) }
        }
    }

    /// Every group's parameters from the (unpermuted) weight: GPTQ's static groups.
    func findAllGroups(_ w: UnsafePointer<Float>) {
        let k = scheme.groupSize(columns: columns)
        Parallel.forRanges(rows, minimumChunk: 16) { range in
            for r in range {
                for g in 0..<self.groupsPerRow {
                    let c0 = g * k
                    self.findGroup(row: r, group: g, w + r * self.columns + c0, count: min(k, self.columns - c0))
                }
            }
        }
    }
}
