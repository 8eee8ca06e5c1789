import TensorCore

/// Whether a weight scheme's grid can represent a base model's stored weights, measured: re-quantizing
/// weights that already lie on the scheme's grid is artificially lossless (DESIGN §3), so every
/// report must say when it happens. Block sizes alone do not decide it: an asymmetric integer
/// zero-point cannot represent a Q4_1 block's float minimum, so 4-bit asymmetric group-32 on a
/// Q4_1 GGUF moves every weight by up to half a step, while a grid that does contain the stored
/// values reproduces them exactly. The measure: round-to-nearest of the base weights with the
/// scheme, and the share of weights it reproduces to within a thousandth of their group's step.
public enum GridAlignment {
    /// A weight counts as reproduced when |w − Q(w)| ≤ this fraction of its group's scale.
    public static let tolerance: Float = 1e-3

    /// RTN of `weight` (rows × columns) with `scheme`, compared weight by weight with `weight`.
    public static func measure(_ weight: Tensor, scheme: WeightScheme) throws(QuantizationError) -> GridFit {
        // a layer no ggml block fits stays in f16: nothing of it is on the scheme's grid to count
        if let grid = scheme.blockGrid, weight.shape.count == 2, grid.fitting(columns: weight.shape[1]) == nil { return GridFit() }
        let (dequantized, codes) = try MatrixQuantizer.quantize(weight, scheme: scheme)
        let rows = codes.rows, columns = codes.columns
        let w = UnsafePointer(weight.pointer), q = UnsafePointer(dequantized.pointer)
        var perRow = [Int](repeating: 0, count: rows)
        perRow.withUnsafeMutableBufferPointer { counts in
            let out = counts.baseAddress!
            Parallel.forRanges(rows, minimumChunk: 16) { range in
                for r in range {
                    var n = 0
                    for c in 0..<columns {
                        let i = r * columns + c, difference = abs(w[i] - q[i])
                        let step = abs(codes.scales[codes.parameterIndex(row: r, column: c)])
                        if difference == 0 || difference <= tolerance * step { n += 1 }
                    }
                    out[r] = n
                }
            }
        }
        return GridFit(weights: rows * columns, reproduced: perRow.reduce(0, +))
    }
}

/// How much of a model's weights a scheme's grid reproduces exactly (see `GridAlignment`).
public struct GridFit: Codable, Sendable, Equatable {
    /// Weights measured, and how many RTN reproduced to within the tolerance.
    public var weights: Int
    public var reproduced: Int

    /// Share of reproduced weights at which a scheme counts as lying on the base model's grid.
    public static let alignedFraction = 0.99

    public init(weights: Int = 0, reproduced: Int = 0) {
        self.weights = weights
        self.reproduced = reproduced
    }

    /// Reproduced / measured (0 when nothing was measured).
    public var fraction: Double { weights > 0 ? Double(reproduced) / Double(weights) : 0 }
    /// The scheme lies on the base model's own storage grid: its measured error is understated.
    public var aligned: Bool { fraction >= Self.alignedFraction }

    /// Adds another layer's counts.
    public mutating func add(_ other: GridFit) {
        weights += other.weights
        reproduced += other.reproduced
    }
}
