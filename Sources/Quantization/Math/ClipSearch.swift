/// MSE-optimal clipping, as the `mse` option of GPTQ's quantizer: for each group try the shrunk
/// ranges [p·lo, p·hi] for p = 1 − i/grid, i = 0 ..< ⌊maxShrink · grid⌋ (defaults: p = 1.00, 0.99,
/// …, 0.21), and keep the parameters with the smallest Σ |w − Q(w)|^norm over the group
/// (reference: norm 2.4; norm 2 = plain squared error). p = 1 (no clipping) is always a candidate,
/// so the chosen error in that norm is never above plain min/max's; ties keep the larger range.
/// Symmetric grids keep their fixed zero-point and shrink the scale.
public struct ClipSearch: Hashable, Sendable {
    public var grid: Int
    public var maxShrink: Double
    public var norm: Float

    public init(grid: Int = 100, maxShrink: Double = 0.8, norm: Float = 2.4) {
        self.grid = grid
        self.maxShrink = maxShrink
        self.norm = norm
    }

    /// The shrink factors tried, largest first.
    public var shrinkFactors: [Float] {
        let steps = max(1, Int(maxShrink * Double(grid) + 1e-9))
        return (0..<steps).map { Float(1 - Double($0) / Double(grid)) }
    }

    /// Best parameters for `count` values at `values` on `quantGrid`.
    public func parameters(of values: UnsafePointer<Float>, count: Int, grid quantGrid: QuantGrid) -> GroupParameters {
        let (lo, hi) = QuantKernels.minMax(values, count)
        return parameters(of: values, count: count, min: lo, max: hi, grid: quantGrid)
    }

    /// Best parameters for `count` values at `values` whose range is [min, max] (a per-tensor
    /// search passes the whole matrix).
    public func parameters(of values: UnsafePointer<Float>, count: Int, min lo: Float, max hi: Float,
                           grid quantGrid: QuantGrid) -> GroupParameters {
        var best = quantGrid.parameters(min: lo, max: hi)
        var bestError = QuantKernels.error(values, count, grid: quantGrid, best, norm: norm)
        for p in shrinkFactors.dropFirst() {
            let candidate = quantGrid.parameters(min: lo, max: hi, shrink: p)
            let e = QuantKernels.error(values, count, grid: quantGrid, candidate, norm: norm)
            if e < bestError { bestError = e; best = candidate }
        }
        return best
    }
}
