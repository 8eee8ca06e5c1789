import TensorCore

/// Fake-quantization of a linear layer's input X (tokens × features, row-major) in place, on the
/// grid of `QuantGrid` (ranges include 0, same formulas as weights) with f32 scales: per token
/// (one range per row) or per tensor, from the data itself (dynamic) or from a calibrated range
/// (static, see `ActivationRange`; a static scheme given no range uses the input's own per-tensor
/// range).
public enum ActivationQuantizer {
    public static func fakeQuantize(_ x: UnsafeMutablePointer<Float>, rows: Int, columns: Int,
                                    scheme: ActivationScheme, staticRange: ActivationRange? = nil) {
        guard let bits = scheme.bits, rows > 0, columns > 0 else { return }
        let grid = QuantGrid(bits: bits, symmetric: scheme.symmetric, storage: .f32)
        if scheme.isStatic, let staticRange {
            quantizeRows(x, 0..<rows, columns: columns, grid: grid, grid.parameters(min: staticRange.min, max: staticRange.max))
            return
        }
        if scheme.isStatic || scheme.granularity == .perTensor {
            // Dynamic per tensor: one range per input sequence (`SequenceRows`), so batching
            // does not change a sequence's numbers; rows outside every sequence (padding) get
            // their own range.
            let sequences = SequenceRows.current.flatMap { ranges in
                ranges.allSatisfy { $0.lowerBound >= 0 && $0.upperBound <= rows } ? ranges : nil
            } ?? [0..<rows]
            var covered = [Bool](repeating: false, count: rows)
            for sequence in sequences where !sequence.isEmpty {
                let p = grid.parameters(of: x + sequence.lowerBound * columns, count: sequence.count * columns)
                quantizeRows(x, sequence, columns: columns, grid: grid, p)
                for r in sequence { covered[r] = true }
            }
            for r in 0..<rows where !covered[r] {
                let row = x + r * columns
                QuantKernels.quantize(row, columns, grid: grid, grid.parameters(of: row, count: columns), into: row)
            }
            return
        }
        Parallel.forRanges(rows, minimumChunk: 16) { range in
            for r in range {
                let row = x + r * columns
                QuantKernels.quantize(row, columns, grid: grid, grid.parameters(of: row, count: columns), into: row)
            }
        }
    }
}

extension ActivationQuantizer {
    /// Rows `range` of x quantized in place with the parameters `p`.
    static func quantizeRows(_ x: UnsafeMutablePointer<Float>, _ range: Range<Int>, columns: Int, grid: QuantGrid,
                             _ p: GroupParameters) {
        Parallel.forRanges(range.count, minimumChunk: 16) { part in
            for r in part {
                let row = x + (range.lowerBound + r) * columns
                QuantKernels.quantize(row, columns, grid: grid, p, into: row)
            }
        }
    }
}

/// The running min/max of a layer's inputs over calibration batches: the static activation range.
public struct ActivationRange: Hashable, Sendable {
    public var min: Float
    public var max: Float

    public init(min: Float = .infinity, max: Float = -.infinity) {
        self.min = min
        self.max = max
    }

    public mutating func observe(_ x: UnsafePointer<Float>, count: Int) {
        let (lo, hi) = QuantKernels.minMax(x, count)
        if count > 0 { min = Swift.min(min, lo); max = Swift.max(max, hi) }
    }
}
