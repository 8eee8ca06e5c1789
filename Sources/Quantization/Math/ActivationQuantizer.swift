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
        if scheme.isStatic || scheme.granularity == .perTensor {
            let p: GroupParameters
            if scheme.isStatic, let staticRange {
                p = grid.parameters(min: staticRange.min, max: staticRange.max)
            } else {
                p = grid.parameters(of: x, count: rows * columns)
            }
            Parallel.forRanges(rows, minimumChunk: 16) { range in
                for r in range { QuantKernels.quantize(x + r * columns, columns, grid: grid, p, into: x + r * columns) }
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
