#if canImport(Glibc)
import Glibc
#endif
import Quantization
import TensorCore

/// One linear's weight as ZeroQuant-Global learns it: latent weights W' (out, in) seen through the
/// quantizer, Ŵ = s · (clamp(round(W'/s) + z, 0, 2^b−1) − z), with the group parameters (s, z) of
/// the RTN of the original W. The straight-through estimator passes ∂L/∂Ŵ to W' unchanged; with
/// `learnScales`, each group's s also learns (LSQ: ∂Ŵ/∂s = (q − z) − W'/s inside the range,
/// q − z where clamped), zero-points stay. Adam on both, with steps measured in grid steps of each
/// group (so one learning rate fits every layer and bit width); W' is clamped to its group's
/// representable range after every step, so the clamped part of the STE never accumulates.
final class LatentQuantizedWeight: @unchecked Sendable {
    let rows: Int, columns: Int
    let scheme: WeightScheme
    let grid: QuantGrid
    let groupSize: Int, groupsPerRow: Int, perTensor: Bool
    let learnScales: Bool
    var scales: [Float]
    let zeros: [Float]
    let latent: FloatBuffer
    /// Ŵ for the current W' and s.
    let quantized: FloatBuffer
    let gradient: FloatBuffer
    private let m: FloatBuffer, v: FloatBuffer
    private var scaleM: [Float], scaleV: [Float], scaleGradient: [Float]
    /// Adam's ε, set from the gradient at step 1 of each optimization (see `step`).
    private var epsilon: Float = 0

    init(weight: Tensor, scheme: WeightScheme, learnScales: Bool) throws(QuantizationError) {
        try scheme.requireIntegerGrid(method: "ZeroQuant-Global distillation")
        guard weight.shape.count == 2 else { throw .notAMatrix(shape: weight.shape) }
        rows = weight.shape[0]; columns = weight.shape[1]
        self.scheme = scheme
        grid = QuantGrid(scheme)
        groupSize = scheme.groupSize(columns: columns)
        groupsPerRow = scheme.groupsPerRow(columns: columns)
        perTensor = scheme.granularity == .perTensor
        self.learnScales = learnScales
        let (_, rtn) = try MatrixQuantizer.quantize(weight, scheme: scheme)
        scales = rtn.scales
        zeros = rtn.zeros
        let count = rows * columns
        latent = FloatBuffer(count: count, zeroed: false)
        latent.pointer.update(from: weight.pointer, count: count)
        quantized = FloatBuffer(count: count, zeroed: false)
        gradient = FloatBuffer(count: count)
        m = FloatBuffer(count: count)
        v = FloatBuffer(count: count)
        scaleM = [Float](repeating: 0, count: scales.count)
        scaleV = scaleM
        scaleGradient = scaleM
        materialize()
    }

    @inline(__always)
    func parameterIndex(row: Int, group: Int) -> Int { perTensor ? 0 : row * groupsPerRow + group }

    /// Ŵ = Q(W') into `quantized`.
    func materialize() {
        Parallel.forRanges(rows, minimumChunk: 8) { range in
            for r in range {
                for g in 0..<groupsPerRow {
                    let i = parameterIndex(row: r, group: g)
                    let p = GroupParameters(scale: scales[i], zero: zeros[i])
                    let c0 = g * groupSize, count = min(groupSize, columns - c0), offset = r * columns + c0
                    QuantKernels.quantize(latent.pointer + offset, count, grid: grid, p, into: quantized.pointer + offset)
                }
            }
        }
    }

    /// One Adam step (β₁ 0.9, β₂ 0.999; t counts from 1 for each optimization) on W' (and s) from `gradient` = ∂L/∂Ŵ: W' moves by at most
    /// ~`rate` of its group's grid step, s by ~`scaleRate` of itself; then W' is clamped and Ŵ rebuilt.
    func step(t: Int, rate: Float, scaleRate: Float) {
        if t == 1 {
            // Adam's ε relative to the layer's first gradient, so it is scale-free.
            let count = rows * columns
            epsilon = Float(max(1e-8 * (squaredError(gradient.pointer, nil, count) / Double(count)).squareRoot(), 1e-30))
        }
        let beta1: Float = 0.9, beta2: Float = 0.999
        let c1 = 1 - Float(pow(0.9, Double(t))), c2 = 1 - Float(pow(0.999, Double(t)))
        if learnScales {
            // ∂L/∂s per group, from the current codes (before W' moves).
            scaleGradient = [Float](repeating: 0, count: scales.count)
            for r in 0..<rows {
                for g in 0..<groupsPerRow {
                    let i = parameterIndex(row: r, group: g)
                    let p = GroupParameters(scale: scales[i], zero: zeros[i])
                    let c0 = g * groupSize, count = min(groupSize, columns - c0), offset = r * columns + c0
                    let x = latent.pointer + offset, e = gradient.pointer + offset
                    var sum: Float = 0
                    for c in 0..<count {
                        let raw = (x[c] / p.scale).rounded(.toNearestOrEven) + p.zero
                        let q = grid.code(x[c], p)
                        sum += e[c] * (raw == q ? (q - p.zero) - x[c] / p.scale : q - p.zero)
                    }
                    scaleGradient[i] += sum
                }
            }
        }
        Parallel.forRanges(rows, minimumChunk: 8) { range in
            for r in range {
                for g in 0..<groupsPerRow {
                    let p = GroupParameters(scale: scales[parameterIndex(row: r, group: g)], zero: zeros[parameterIndex(row: r, group: g)])
                    let lo = grid.value(0, p), hi = grid.value(grid.maxq, p), size = rate * p.scale
                    let c0 = g * groupSize, count = min(groupSize, columns - c0), offset = r * columns + c0
                    let x = latent.pointer + offset, e = gradient.pointer + offset, mg = m.pointer + offset, vg = v.pointer + offset
                    for c in 0..<count {
                        mg[c] = beta1 * mg[c] + (1 - beta1) * e[c]
                        vg[c] = beta2 * vg[c] + (1 - beta2) * e[c] * e[c]
                        let updated = x[c] - size * (mg[c] / c1) / ((vg[c] / c2).squareRoot() + epsilon)
                        x[c] = min(max(updated, lo), hi)
                    }
                }
            }
        }
        if learnScales {
            let scaleEpsilon = epsilon * Float(columns)
            for i in scales.indices {
                let e = scaleGradient[i]
                scaleM[i] = beta1 * scaleM[i] + (1 - beta1) * e
                scaleV[i] = beta2 * scaleV[i] + (1 - beta2) * e * e
                let updated = scales[i] * (1 - scaleRate * (scaleM[i] / c1) / ((scaleV[i] / c2).squareRoot() + scaleEpsilon))
                scales[i] = max(updated, scales[i] * 0.5)
            }
        }
        materialize()
    }

    /// The result: scales rounded to their storage precision, codes of W' on them.
    func finish() -> QuantizedCodes {
        if learnScales {
            for i in scales.indices { scales[i] = max(scheme.storage.round(scales[i]), Float(Float16.leastNormalMagnitude)) }
            materialize()
        }
        var codes = [UInt8](repeating: 0, count: rows * columns)
        for r in 0..<rows {
            for g in 0..<groupsPerRow {
                let i = parameterIndex(row: r, group: g)
                let p = GroupParameters(scale: scales[i], zero: zeros[i])
                let c0 = g * groupSize, count = min(groupSize, columns - c0), offset = r * columns + c0
                for c in 0..<count { codes[offset + c] = UInt8(grid.code(latent.pointer[offset + c], p)) }
            }
        }
        return QuantizedCodes(scheme: scheme, rows: rows, columns: columns, codes: codes, scales: scales, zeros: zeros)
    }

    /// Forgets Adam's moments (a new objective starts from the current weights).
    func resetOptimizer() {
        m.pointer.update(repeating: 0, count: rows * columns)
        v.pointer.update(repeating: 0, count: rows * columns)
        scaleM = [Float](repeating: 0, count: scales.count)
        scaleV = scaleM
    }

    /// Snapshot / restore of W' and s (to return the best iterate).
    func snapshot() -> (latent: [Float], scales: [Float]) {
        (Array(UnsafeBufferPointer(start: latent.pointer, count: rows * columns)), scales)
    }

    func restore(_ s: (latent: [Float], scales: [Float])) {
        s.latent.withUnsafeBufferPointer { latent.pointer.update(from: $0.baseAddress!, count: rows * columns) }
        scales = s.scales
        materialize()
    }
}
