import Foundation
import Models
import Quantization
import TensorCore

/// AWQ's per-channel scale search for one input group (llm-awq `auto_scale_block`): with
/// x̄_j = mean |x_j| over the calibration tokens, each exponent α = i/grid gives scales
/// s = max(x̄^α, 1e-4) / √(max s · min s); the group's weights become Q(W·diag(s))·diag(s)⁻¹ and
/// the error is the mean squared difference of the measured output (the sub-module's, or the
/// group's own) from the full-precision one. The α with the lowest error wins (α = 0: no scaling).
struct AWQScaleSearch {
    let scheme: WeightScheme
    let grid: Int

    struct Outcome {
        let scales: [Float]
        let ratio: Double
        /// Error at the chosen α.
        let loss: Double
    }

    /// x̄_j = mean over rows of |x_j|, for x (rows, columns).
    static func meanAbsolute(_ x: Tensor) -> [Float] {
        let rows = x.rows, columns = x.columns
        var sums = [Double](repeating: 0, count: columns)
        let p = x.pointer
        for r in 0..<rows {
            let row = p + r * columns
            for j in 0..<columns { sums[j] += Double(abs(row[j])) }
        }
        return sums.map { Float($0 / Double(rows)) }
    }

    /// The scales of exponent `ratio` (llm-awq's normalisation by √(max·min)).
    static func scales(meanAbsolute: [Float], ratio: Double) -> [Float] {
        let raw = meanAbsolute.map { max(Float(pow(Double($0), ratio)), 1e-4) }
        let norm = (raw.max()! * raw.min()!).squareRoot()
        return raw.map { $0 / norm }
    }

    /// Q(W·diag(s))·diag(s)⁻¹ for W (out, in).
    func scaledQuantized(_ weight: Tensor, scales: [Float]) throws -> Tensor {
        let rows = weight.rows, columns = weight.columns
        let scaled = weight.copied()
        let p = scaled.pointer
        for r in 0..<rows { for c in 0..<columns { p[r * columns + c] *= scales[c] } }
        let q = try MatrixQuantizer.quantize(scaled, scheme: scheme).dequantized
        let qp = q.pointer
        for r in 0..<rows { for c in 0..<columns { qp[r * columns + c] /= scales[c] } }
        return q
    }

    /// Searches the group's scales. `measure()` returns the measured output with the group's
    /// current weights; `reference` is that output at full precision.
    func search(_ group: ChannelScaleGroup, meanAbsolute: [Float], reference: Tensor,
                measure: () -> Tensor) throws -> Outcome {
        let originals = group.linears.map(\.weight)
        defer { for (linear, w) in zip(group.linears, originals) { linear.weight = w } }
        var best: (loss: Double, ratio: Double, scales: [Float])? = nil
        for i in 0..<grid {
            let ratio = Double(i) / Double(grid)
            let s = Self.scales(meanAbsolute: meanAbsolute, ratio: ratio)
            for (linear, w) in zip(group.linears, originals) { linear.weight = try scaledQuantized(w, scales: s) }
            let loss = Self.meanSquaredDifference(measure(), reference)
            if loss.isFinite, loss < (best?.loss ?? .infinity) { best = (loss, ratio, s) }
        }
        guard let best else {
            throw CalibrationSet.Failure(message: "\(group.linears[0].name): AWQ's scale search found no finite error (non-finite calibration inputs?)")
        }
        return Outcome(scales: best.scales, ratio: best.ratio, loss: best.loss)
    }

    static func meanSquaredDifference(_ a: Tensor, _ b: Tensor) -> Double {
        precondition(a.count == b.count)
        let pa = a.pointer, pb = b.pointer
        var sum = 0.0
        for i in 0..<a.count { let d = Double(pa[i] - pb[i]); sum += d * d }
        return sum / Double(a.count)
    }
}

extension Tensor {
    /// x (rows, in) · Wᵀ for a linear's weight W (out, in), without bias: (rows, out).
    func times(transposeOf weight: Tensor) -> Tensor {
        let out = Tensor(zeros: [rows, weight.rows])
        BLAS.linear(pointer, rows: rows, inFeatures: columns, weight: weight.pointer, outFeatures: weight.rows, out: out.pointer)
        return out
    }
}
