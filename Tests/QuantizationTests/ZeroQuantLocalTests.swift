import Testing
import Quantization
import TensorCore

@Suite struct ZeroQuantLocalTests {
    // The GPTQ tests' layer: 48 outputs × 320 inputs with outliers, 4096 correlated inputs.
    static let rows = 48, columns = 320, samples = 4096
    static let w = QuantTestSupport.weight(rows: rows, columns: columns, seed: 101, outliers: 30)
    static let x = QuantTestSupport.correlatedInputs(samples: samples, columns: columns, seed: 202)
    static let h = QuantTestSupport.hessian(of: x)

    static var identity: Hessian {
        var values = [Float](repeating: 0, count: columns * columns)
        for i in 0..<columns { values[i * columns + i] = 1 }
        return Hessian(size: columns, values: values, samples: 1)
    }

    /// tr((Ŵ − W) H (Ŵ − W)ᵀ) in double precision.
    static func quadraticLoss(_ wHat: Tensor, _ h: Hessian) -> Double {
        let n = columns
        var total: Double = 0
        for r in 0..<rows {
            let d = (0..<n).map { Double(wHat.pointer[r * n + $0] - w.pointer[r * n + $0]) }
            for i in 0..<n where d[i] != 0 {
                var s: Double = 0
                for j in 0..<n { s += Double(h[i, j]) * d[j] }
                total += d[i] * s
            }
        }
        return total
    }

    /// On correlated inputs zq-local's output error ‖WX − ŴX‖² is at most half of RTN's (typically
    /// 0.1–0.2 of it), its reported losses are (2/n)·‖WX − ŴX‖² of RTN and of the result (1e-3
    /// relative), and it keeps RTN's grid: same scales and zeros, codes in range that decode to
    /// exactly the returned weight.
    @Test(arguments: [
        WeightScheme(bits: 4, symmetric: false, granularity: .perRow),
        WeightScheme(bits: 3, symmetric: false, granularity: .group(32)),
        WeightScheme(bits: 3, symmetric: false, granularity: .group(128)),
        WeightScheme(bits: 4, symmetric: true, granularity: .group(64)),
    ])
    func beatsRTN(scheme: WeightScheme) throws {
        let result = try ZeroQuantLocalQuantizer().quantize(weight: Self.w, hessian: Self.h, scheme: scheme)
        let rtn = try RTNQuantizer().quantize(weight: Self.w, hessian: nil, scheme: scheme)
        let eZ = QuantTestSupport.outputError(Self.w, result.dequantized, Self.x)
        let eR = QuantTestSupport.outputError(Self.w, rtn.dequantized, Self.x)
        #expect(eZ < 0.5 * eR, "zq-local \(eZ) vs RTN \(eR)")

        let initial = try #require(result.stats["zq.loss_initial"])
        let final = try #require(result.stats["zq.loss_final"])
        let scale = 2 / Double(Self.samples)
        #expect(abs(initial - scale * eR) <= 1e-3 * scale * eR, "initial \(initial) vs \(scale * eR)")
        #expect(abs(final - scale * eZ) <= 1e-3 * scale * eZ, "final \(final) vs \(scale * eZ)")
        #expect(result.stats["zq.steps"] == 200)
        #expect(result.stats["zq.best_step"]! > 0)

        #expect(result.codes!.scales == rtn.codes!.scales && result.codes!.zeros == rtn.codes!.zeros)
        #expect(result.codes!.codes.allSatisfy { Int($0) <= scheme.maxCode })
        let decodes = result.codes!.dequantized().array == result.dequantized.array
        #expect(decodes, "codes decode to the returned weight")
        #expect(result.codes!.groupIndex == nil)
        #expect(result.bits.effectiveBitsPerWeight == rtn.bits.effectiveBitsPerWeight)
    }

    /// With H = I the loss is ‖Ŵ − W‖², which RTN minimises for a fixed grid: no iterate may replace
    /// it, so the result is RTN exactly (and its loss is not below RTN's beyond rounding).
    @Test(arguments: [WeightGranularity.perRow, .group(64), .group(100), .perTensor], [false, true])
    func identityHessianIsRTN(granularity: WeightGranularity, symmetric: Bool) throws {
        let scheme = WeightScheme(bits: 4, symmetric: symmetric, granularity: granularity)
        let h = Self.identity
        let result = try ZeroQuantLocalQuantizer(steps: 50).quantize(weight: Self.w, hessian: h, scheme: scheme)
        let rtn = try RTNQuantizer().quantize(weight: Self.w, hessian: nil, scheme: scheme)
        let lossZ = Self.quadraticLoss(result.dequantized, h), lossR = Self.quadraticLoss(rtn.dequantized, h)
        #expect(lossZ >= lossR * (1 - 1e-6), "zq-local \(lossZ) below RTN \(lossR) with H = I")
        let same = result.dequantized.array == rtn.dequantized.array && result.codes!.codes == rtn.codes!.codes
        #expect(same, "H = I: zq-local must return RTN")
        #expect(result.stats["zq.best_step"] == 0)
        #expect(result.stats["zq.loss_final"] == result.stats["zq.loss_initial"])
    }

    /// Keep-best: a useless optimiser (Adam with 20 grid steps per update, or a preconditioned
    /// gradient step far beyond its stability limit on these correlated inputs) never returns
    /// anything worse than RTN; zero steps is RTN.
    @Test func neverWorseThanRTN() throws {
        let scheme = WeightScheme(bits: 4, symmetric: false, granularity: .perRow)
        let rtn = try RTNQuantizer().quantize(weight: Self.w, hessian: nil, scheme: scheme)
        let lossR = Self.quadraticLoss(rtn.dequantized, Self.h)
        for quantizer in [ZeroQuantLocalQuantizer(steps: 30, optimizer: .adam(learningRate: 20)),
                          ZeroQuantLocalQuantizer(steps: 30, optimizer: .sgd(learningRate: 2)),
                          ZeroQuantLocalQuantizer(steps: 0)] {
            let result = try quantizer.quantize(weight: Self.w, hessian: Self.h, scheme: scheme)
            let loss = Self.quadraticLoss(result.dequantized, Self.h)
            #expect(loss <= lossR * (1 + 1e-6), "\(quantizer.optimizer): \(loss) vs RTN \(lossR)")
            #expect(result.stats["zq.loss_final"]! <= result.stats["zq.loss_initial"]!)
            let decodes = result.codes!.dequantized().array == result.dequantized.array
            #expect(decodes)
        }
        let none = try ZeroQuantLocalQuantizer(steps: 0).quantize(weight: Self.w, hessian: Self.h, scheme: scheme)
        let noneIsRTN = none.dequantized.array == rtn.dequantized.array
        #expect(noneIsRTN && none.stats["zq.steps"] == 0)
        // The divergent Jacobi step: nothing after RTN was better.
        let sgd = try ZeroQuantLocalQuantizer(steps: 30, optimizer: .sgd(learningRate: 2))
            .quantize(weight: Self.w, hessian: Self.h, scheme: scheme)
        let sgdIsRTN = sgd.dequantized.array == rtn.dequantized.array
        #expect(sgd.stats["zq.best_step"] == 0 && sgdIsRTN)
    }

    /// The preconditioned-SGD variant at a stable step also clearly beats RTN on a group grid, and
    /// the clipping search's grid is kept when `clip` is set.
    @Test func sgdAndClippedGrid() throws {
        let scheme = WeightScheme(bits: 3, symmetric: false, granularity: .group(128))
        let rtn = try RTNQuantizer().quantize(weight: Self.w, hessian: nil, scheme: scheme)
        let eR = QuantTestSupport.outputError(Self.w, rtn.dequantized, Self.x)
        let sgd = try ZeroQuantLocalQuantizer(optimizer: .sgd(learningRate: 0.1))
            .quantize(weight: Self.w, hessian: Self.h, scheme: scheme)
        #expect(QuantTestSupport.outputError(Self.w, sgd.dequantized, Self.x) < 0.5 * eR)

        let clip = ClipSearch(norm: 2)
        let rtnClipped = try RTNQuantizer(clip: clip).quantize(weight: Self.w, hessian: nil, scheme: scheme)
        let clipped = try ZeroQuantLocalQuantizer(steps: 50, clip: clip).quantize(weight: Self.w, hessian: Self.h, scheme: scheme)
        #expect(clipped.codes!.scales == rtnClipped.codes!.scales && clipped.codes!.zeros == rtnClipped.codes!.zeros)
        #expect(Self.quadraticLoss(clipped.dequantized, Self.h) < Self.quadraticLoss(rtnClipped.dequantized, Self.h))
    }

    /// Columns whose input is always 0 have no gradient: those weights stay at their RTN values.
    @Test func deadColumnsKeepRTN() throws {
        let dead = [0, 17, 130, 319]
        let x = QuantTestSupport.correlatedInputs(samples: 2048, columns: Self.columns, seed: 303, deadColumns: dead)
        let h = QuantTestSupport.hessian(of: x)
        let scheme = WeightScheme(bits: 4, symmetric: false, granularity: .group(128))
        let result = try ZeroQuantLocalQuantizer(steps: 50).quantize(weight: Self.w, hessian: h, scheme: scheme)
        let rtn = try RTNQuantizer().quantize(weight: Self.w, hessian: nil, scheme: scheme)
        for r in 0..<Self.rows {
            for c in dead { #expect(result.dequantized.pointer[r * Self.columns + c] == rtn.dequantized.pointer[r * Self.columns + c]) }
        }
        #expect(QuantTestSupport.outputError(Self.w, result.dequantized, x) < QuantTestSupport.outputError(Self.w, rtn.dequantized, x))
    }

    @Test func rejectsMissingOrMismatchedHessian() {
        let scheme = WeightScheme(bits: 4)
        #expect(ZeroQuantLocalQuantizer().name == "zq-local")
        #expect(throws: QuantizationError.missingHessian(method: "zq-local")) {
            try ZeroQuantLocalQuantizer().quantize(weight: Self.w, hessian: nil, scheme: scheme)
        }
        let small = Hessian(size: 2, values: [1, 0, 0, 1], samples: 1)
        #expect(throws: QuantizationError.hessianSize(expected: Self.columns, got: 2)) {
            try ZeroQuantLocalQuantizer().quantize(weight: Self.w, hessian: small, scheme: scheme)
        }
        #expect(throws: QuantizationError.self) {
            try ZeroQuantLocalQuantizer().quantize(weight: Self.w, hessian: Self.h, scheme: WeightScheme(bits: 9))
        }
    }
}
