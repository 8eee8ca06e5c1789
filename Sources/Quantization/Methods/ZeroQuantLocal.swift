#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TensorCore

/// ZeroQuant-local (Yao et al., 2022, the layer-by-layer variant of its distillation): for one
/// linear layer, gradient descent on latent weights W' (rows × in) with the straight-through
/// estimator, minimising the layer's output error on the calibration inputs
///
///     L(W') = tr((Q(W') − W) · H · (Q(W') − W)ᵀ),   H = (2/n) · Σ x xᵀ  (the `Hessian`),
///
/// which is (2/n) · ‖W X − Q(W') X‖² for n calibration inputs, so X itself is not needed.
///
/// - Grid: the quantization parameters (scale, zero per row / group / tensor) are those of the
///   initial RTN of W (min/max, or the `clip` search) and stay **fixed**; only W' is learned
///   (no LSQ-style step learning, no re-ranging). Q(W') = scale · (clamp(round(W'/scale) + zero,
///   0, 2^b−1) − zero) is then a projection onto one fixed lattice, and the returned codes,
///   scales and zeros are exactly RTN's format.
/// - Start: W'₀ = W, i.e. Q(W'₀) is the RTN point.
/// - Gradient (STE, ∂Q(W')/∂W' ≈ I): G = 2 · (Q(W') − W) · H — one (rows × in)·(in × in) GEMM per
///   step, which also gives the loss L = Σ (Q(W') − W) ∘ (G / 2).
/// - Update, Adam (default): m ← β₁m + (1−β₁)G, v ← β₂v + (1−β₂)G², and per element
///   W' ← W' − η_t · s · m̂ / (√v̂ + ε) with m̂, v̂ bias-corrected, s the scale of the element's
///   parameter group (so `learningRate` is in grid steps: 0.1 moves a weight by at most ~1/10 of
///   a quantization step per iteration, and a code changes only once W' crosses a rounding
///   boundary), η_t = learningRate · ½(1 + cos(π (t − 1) / steps)) for update t = 1 … steps
///   (cosine decay), and ε = 10⁻⁸ · RMS(G₀) (scale-free).
///   Alternative `.sgd`: diagonally preconditioned gradient step
///   W'ᵢⱼ ← W'ᵢⱼ − η_t · Gᵢⱼ / (2 Hⱼⱼ) (the exact coordinate minimiser of the continuous loss at
///   η = 1), columns with Hⱼⱼ = 0 untouched, same η_t schedule. Cheaper per step and sometimes
///   better on group-wise grids, but it is a Jacobi iteration: it diverges (and keep-best then
///   returns RTN) when η exceeds 2 / λ_max(diag(H)^-½ H diag(H)^-½), which strongly correlated
///   inputs make small — hence Adam by default.
/// - Projection: after every update W' is clamped to its group's representable range
///   [scale·(0 − zero), scale·(2^b−1 − zero)], so the clamped part of the STE never accumulates.
/// - Keep best: L is evaluated at every iterate t = 0 … steps (t = 0 is RTN); the result is the
///   iterate with the smallest L, a later iterate replacing the best only when it is lower by more
///   than a relative 10⁻⁶ (f32 GEMM noise). So the result is never worse than RTN with the same
///   grid, and with H ∝ I (where RTN is optimal for the fixed grid) it is RTN exactly.
///
/// Defaults (200 steps, Adam with 0.05 grid steps) were picked on correlated synthetic layers
/// (see the tests), where the learning rate mattered little between 0.02 and 0.3.
///
/// Stats: "zq.loss_initial" (L at RTN), "zq.loss_final" (L of the result), "zq.steps" (updates
/// made), "zq.best_step" (the iterate returned), "seconds". Both losses are in H's scale:
/// ‖WX − ŴX‖² = (n/2) · L with n = `hessian.samples` when every input row counts as a sample.
public struct ZeroQuantLocalQuantizer: WeightQuantizer {
    /// How W' moves along the STE gradient.
    public enum Optimizer: Hashable, Sendable {
        /// Adam with a peak step of `learningRate` grid steps (see the type's documentation).
        case adam(learningRate: Float, beta1: Float, beta2: Float)
        /// Gradient step preconditioned by 1/(2 diag H); `learningRate` 1 is a full coordinate step.
        case sgd(learningRate: Float)

        /// Adam with β₁ = 0.9, β₂ = 0.999.
        public static func adam(learningRate: Float) -> Optimizer {
            .adam(learningRate: learningRate, beta1: 0.9, beta2: 0.999)
        }
    }

    /// Number of updates of W' (the loss is evaluated steps + 1 times).
    public var steps: Int
    public var optimizer: Optimizer
    /// Clipping search for the initial (fixed) grid, as `RTNQuantizer(clip:)`; nil: min/max.
    public var clip: ClipSearch?

    public init(steps: Int = 200, optimizer: Optimizer = .adam(learningRate: 0.05), clip: ClipSearch? = nil) {
        precondition(steps >= 0)
        self.steps = steps
        self.optimizer = optimizer
        self.clip = clip
    }

    public var name: String { "zq-local" }

    public func quantize(weight: Tensor, hessian: Hessian?, scheme: WeightScheme) throws(QuantizationError) -> QuantizedWeight {
        try scheme.checked()
        let (rows, n) = try weight.matrixShape()
        guard let hessian else { throw .missingHessian(method: name) }
        guard hessian.size == n else { throw .hessianSize(expected: n, got: hessian.size) }
        if scheme.blockGrid != nil { return try quantizeOnBlockGrid(weight: weight, hessian: hessian, scheme: scheme) }
        let started = ContinuousClock.now

        // The fixed grid: RTN's parameters. Its codes are iterate 0.
        let (_, rtn) = try MatrixQuantizer.quantize(weight, scheme: scheme, clip: clip)
        let run = ZeroQuantLocalRun(weight: UnsafePointer(weight.pointer), rows: rows, columns: n,
                                    hessian: UnsafePointer(hessian.matrix.pointer), scheme: scheme,
                                    scales: rtn.scales, zeros: rtn.zeros)
        let outcome = run.optimize(steps: steps, optimizer: optimizer)

        let codes = QuantizedCodes(scheme: scheme, rows: rows, columns: n, codes: outcome.codes,
                                   scales: rtn.scales, zeros: rtn.zeros)
        return QuantizedWeight(dequantized: codes.dequantized(), codes: codes,
                               bits: BitAccounting(scheme: scheme, rows: rows, columns: n),
                               stats: outcome.stats(seconds: (ContinuousClock.now - started).seconds))
    }
}

/// The working state of one ZeroQuant-local optimisation (buffers are rows × columns, row-major).
/// Row-parallel loops write only their own rows.
final class ZeroQuantLocalRun: @unchecked Sendable {
    struct Outcome {
        var codes: [UInt8]
        var initialLoss: Double
        var bestLoss: Double
        var bestStep: Int
        var steps: Int

        /// The quantizer's stats ("zq.*", and "seconds" as given).
        func stats(seconds: Double) -> [String: Double] {
            ["zq.loss_initial": initialLoss, "zq.loss_final": bestLoss, "zq.steps": Double(steps),
             "zq.best_step": Double(bestStep), "seconds": seconds]
        }
    }

    /// A later iterate replaces the best only when lower by more than this fraction.
    static let relativeImprovement = 1e-6

    let weight: UnsafePointer<Float>
    let rows: Int
    let columns: Int
    let hessian: UnsafePointer<Float>
    let lattice: ZeroQuantLattice
    let groupSize: Int
    let groupsPerRow: Int

    let latent: FloatBuffer      // W' (starts at W)
    let difference: FloatBuffer  // D = Q(W') − W
    let product: FloatBuffer     // D·H = G/2
    let quantized: FloatBuffer   // Q(W')
    var codes: [UInt8]
    var bestCodes: [UInt8]

    /// W' starts at W; `lattice` is projected on per group of `groupSize` columns.
    init(weight: UnsafePointer<Float>, rows: Int, columns: Int, hessian: UnsafePointer<Float>,
         lattice: ZeroQuantLattice, groupSize: Int, groupsPerRow: Int) {
        self.weight = weight
        self.rows = rows
        self.columns = columns
        self.hessian = hessian
        self.lattice = lattice
        self.groupSize = groupSize
        self.groupsPerRow = groupsPerRow
        let count = rows * columns
        latent = FloatBuffer(count: count, zeroed: false)
        latent.pointer.update(from: weight, count: count)
        difference = FloatBuffer(count: count, zeroed: false)
        product = FloatBuffer(count: count, zeroed: false)
        quantized = FloatBuffer(count: count, zeroed: false)
        codes = [UInt8](repeating: 0, count: count)
        bestCodes = codes
    }

    /// On the scheme's integer grid with RTN's scales and zero-points.
    convenience init(weight: UnsafePointer<Float>, rows: Int, columns: Int, hessian: UnsafePointer<Float>,
                     scheme: WeightScheme, scales: [Float], zeros: [Float]) {
        let groupsPerRow = scheme.groupsPerRow(columns: columns)
        self.init(weight: weight, rows: rows, columns: columns, hessian: hessian,
                  lattice: .integer(grid: QuantGrid(scheme), scales: scales, zeros: zeros,
                                    perTensor: scheme.granularity == .perTensor, groupsPerRow: groupsPerRow),
                  groupSize: scheme.groupSize(columns: columns), groupsPerRow: groupsPerRow)
    }

    /// On a ggml block grid whose headers are fixed: groups are the sub-blocks.
    convenience init(weight: UnsafePointer<Float>, rows: Int, columns: Int, hessian: UnsafePointer<Float>,
                     blocks grid: GGMLBlockGrid, subBlocks: [GGMLBlockGrid.SubBlocks]) {
        self.init(weight: weight, rows: rows, columns: columns, hessian: hessian,
                  lattice: .blocks(grid: grid, subBlocks: subBlocks, blocksPerRow: columns / grid.blockSize),
                  groupSize: grid.subBlockSize, groupsPerRow: columns / grid.subBlockSize)
    }

    /// Q(W') (codes into `codes`), D = Q(W') − W, D·H, and L = Σ D ∘ (D·H).
    func evaluate() -> Double {
        let n = columns
        var rowLoss = [Double](repeating: 0, count: rows)
        codes.withUnsafeMutableBufferPointer { codeBuffer in
            let codePointer = codeBuffer.baseAddress!
            Parallel.forRanges(rows, minimumChunk: 8) { range in
                for r in range {
                    for g in 0..<groupsPerRow {
                        let c0 = g * groupSize, count = min(groupSize, n - c0), offset = r * n + c0
                        lattice.project(row: r, group: g, groupSize: groupSize, latent.pointer + offset, count,
                                        into: quantized.pointer + offset, codes: codePointer + offset)
                    }
                    let q = quantized.pointer + r * n, w = weight + r * n, d = difference.pointer + r * n
                    for c in 0..<n { d[c] = q[c] - w[c] }
                }
            }
        }
        BLAS.parallelGemm(m: rows, n: n, k: n, a: difference.pointer, lda: n, b: hessian, ldb: n,
                          c: product.pointer, ldc: n)
        rowLoss.withUnsafeMutableBufferPointer { lossBuffer in
            let lossPointer = lossBuffer.baseAddress!
            Parallel.forRanges(rows, minimumChunk: 8) { range in
                for r in range {
                    let d = difference.pointer + r * n, e = product.pointer + r * n
                    var sum: Double = 0
                    var c = 0
                    while c + 16 <= n {
                        sum += Double((SIMDMath.load16(d + c) * SIMDMath.load16(e + c)).sum())
                        c += 16
                    }
                    while c < n { sum += Double(d[c] * e[c]); c += 1 }
                    lossPointer[r] = sum
                }
            }
        }
        return rowLoss.reduce(0, +)
    }

    /// RMS of G = 2·D·H (from the last `evaluate`).
    func gradientRMS() -> Double {
        var total: Double = 0
        for i in 0..<rows * columns { total += Double(product.pointer[i]) * Double(product.pointer[i]) }
        return 2 * (total / Double(max(1, rows * columns))).squareRoot()
    }

    func optimize(steps: Int, optimizer: ZeroQuantLocalQuantizer.Optimizer) -> Outcome {
        let initialLoss = evaluate()
        bestCodes = codes
        var bestLoss = initialLoss, bestStep = 0
        let scale = gradientRMS()
        // All gradients zero (W already on the grid, or H = 0): nothing to learn.
        guard steps > 0, scale > 0, initialLoss > 0 else {
            return Outcome(codes: bestCodes, initialLoss: initialLoss, bestLoss: bestLoss, bestStep: 0, steps: 0)
        }
        var adam: (m: FloatBuffer, v: FloatBuffer)?
        if case .adam = optimizer {
            adam = (FloatBuffer(count: rows * columns), FloatBuffer(count: rows * columns))
        }
        let epsilon = Float(1e-8 * scale)
        for t in 1...steps {
            let decay = Float(0.5 * (1 + cos(Double.pi * Double(t - 1) / Double(steps))))
            switch optimizer {
            case .adam(let learningRate, let beta1, let beta2):
                adamStep(t: t, rate: learningRate * decay, beta1: beta1, beta2: beta2, epsilon: epsilon,
                         m: adam!.m.pointer, v: adam!.v.pointer)
            case .sgd(let learningRate):
                sgdStep(rate: learningRate * decay)
            }
            let loss = evaluate()
            if loss < bestLoss * (1 - Self.relativeImprovement) {
                bestLoss = loss
                bestStep = t
                bestCodes = codes
            }
        }
        return Outcome(codes: bestCodes, initialLoss: initialLoss, bestLoss: bestLoss, bestStep: bestStep, steps: steps)
    }

    /// Adam on W' with G = 2·`product`, step `rate` grid steps, then the clamp to the grid's range.
    private func adamStep(t: Int, rate: Float, beta1: Float, beta2: Float, epsilon: Float,
                          m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>) {
        let n = columns
        let correction1 = 1 - Float(pow(Double(beta1), Double(t)))
        let correction2 = 1 - Float(pow(Double(beta2), Double(t)))
        Parallel.forRanges(rows, minimumChunk: 8) { range in
            for r in range {
                for g in 0..<groupsPerRow {
                    let (lo, hi, unit) = lattice.bounds(row: r, group: g, groupSize: groupSize)
                    let step = rate * unit
                    let c0 = g * groupSize, count = min(groupSize, n - c0), offset = r * n + c0
                    let x = latent.pointer + offset, e = product.pointer + offset
                    let mg = m + offset, vg = v + offset
                    for c in 0..<count {
                        let gradient = 2 * e[c]
                        mg[c] = beta1 * mg[c] + (1 - beta1) * gradient
                        vg[c] = beta2 * vg[c] + (1 - beta2) * gradient * gradient
                        let mHat = mg[c] / correction1, vHat = vg[c] / correction2
                        let updated = x[c] - step * mHat / (vHat.squareRoot() + epsilon)
                        x[c] = min(max(updated, lo), hi)
                    }
                }
            }
        }
    }

    /// W'ᵢⱼ −= rate · Gᵢⱼ / (2 Hⱼⱼ) = rate · (D·H)ᵢⱼ / Hⱼⱼ, then the clamp.
    private func sgdStep(rate: Float) {
        let n = columns
        Parallel.forRanges(rows, minimumChunk: 8) { range in
            for r in range {
                for g in 0..<groupsPerRow {
                    let (lo, hi, _) = lattice.bounds(row: r, group: g, groupSize: groupSize)
                    let c0 = g * groupSize, count = min(groupSize, n - c0), offset = r * n + c0
                    let x = latent.pointer + offset, e = product.pointer + offset
                    for c in 0..<count {
                        let diagonal = hessian[(c0 + c) * n + c0 + c]
                        guard diagonal > 0 else { continue }
                        x[c] = min(max(x[c] - rate * e[c] / diagonal, lo), hi)
                    }
                }
            }
        }
    }
}

/// The fixed lattice ZeroQuant-local projects W' on, per group of `groupSize` columns.
enum ZeroQuantLattice: @unchecked Sendable {
    /// Integer codes with a scale and zero-point per group (the scheme's grid, RTN's parameters).
    case integer(grid: QuantGrid, scales: [Float], zeros: [Float], perTensor: Bool, groupsPerRow: Int)
    /// A ggml block type's levels under fixed headers; groups are sub-blocks.
    case blocks(grid: GGMLBlockGrid, subBlocks: [GGMLBlockGrid.SubBlocks], blocksPerRow: Int)

    @inline(__always)
    private func parameters(_ scales: [Float], _ zeros: [Float], perTensor: Bool, groupsPerRow: Int, row: Int, group: Int) -> GroupParameters {
        let i = perTensor ? 0 : row * groupsPerRow + group
        return GroupParameters(scale: scales[i], zero: zeros[i])
    }

    /// The block and the position of the group's first column in it.
    @inline(__always)
    private func locate(_ grid: GGMLBlockGrid, blocksPerRow: Int, row: Int, group: Int, groupSize: Int) -> (block: Int, start: Int) {
        let c0 = group * groupSize
        return (row * blocksPerRow + c0 / grid.blockSize, c0 % grid.blockSize)
    }

    /// Q(x) for `count` columns of group `group` of row `row`: values and codes.
    @inline(__always)
    func project(row: Int, group: Int, groupSize: Int, _ x: UnsafePointer<Float>, _ count: Int,
                 into values: UnsafeMutablePointer<Float>, codes: UnsafeMutablePointer<UInt8>) {
        switch self {
        case let .integer(grid, scales, zeros, perTensor, groupsPerRow):
            QuantKernels.quantize(x, count, grid: grid, parameters(scales, zeros, perTensor: perTensor, groupsPerRow: groupsPerRow, row: row, group: group),
                                  into: values, codes: codes)
        case let .blocks(grid, subBlocks, blocksPerRow):
            let (b, start) = locate(grid, blocksPerRow: blocksPerRow, row: row, group: group, groupSize: groupSize)
            let sub = subBlocks[b]
            for c in 0..<count {
                let q = sub.code(x[c], at: start + c)
                codes[c] = q
                values[c] = sub.value(q, at: start + c)
            }
        }
    }

    /// The group's representable range and its step (a grid step: the update unit).
    @inline(__always)
    func bounds(row: Int, group: Int, groupSize: Int) -> (lo: Float, hi: Float, step: Float) {
        switch self {
        case let .integer(grid, scales, zeros, perTensor, groupsPerRow):
            let p = parameters(scales, zeros, perTensor: perTensor, groupsPerRow: groupsPerRow, row: row, group: group)
            return (grid.value(0, p), grid.value(grid.maxq, p), p.scale)
        case let .blocks(grid, subBlocks, blocksPerRow):
            let (b, start) = locate(grid, blocksPerRow: blocksPerRow, row: row, group: group, groupSize: groupSize)
            let sub = subBlocks[b]
            let a = sub.value(0, at: start), z = sub.value(UInt8(grid.maxLevel), at: start)
            return (min(a, z), max(a, z), abs(sub.scale(of: start)))
        }
    }
}
