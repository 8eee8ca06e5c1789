import Testing
import Quantization
import TensorCore

@Suite struct GPTQTests {
    // 48 outputs × 320 inputs: three blocks of 128 (the last one 64 wide) and a ragged last g128
    // group; 4096 correlated calibration inputs (n ≫ in_features).
    static let rows = 48, columns = 320
    static let w = QuantTestSupport.weight(rows: rows, columns: columns, seed: 101, outliers: 30)
    static let x = QuantTestSupport.correlatedInputs(samples: 4096, columns: columns, seed: 202)
    static let h = QuantTestSupport.hessian(of: x)

    @Test func accumulatorIsRunningMeanOfTwoXtX() {
        let x = QuantTestSupport.correlatedInputs(samples: 300, columns: 24, seed: 5)
        let h = QuantTestSupport.hessian(of: x, batch: 77)   // uneven batches
        #expect(h.samples == 300)
        for i in 0..<24 {
            for j in 0..<24 {
                var sum: Double = 0
                for r in 0..<300 { sum += Double(x.pointer[r * 24 + i]) * Double(x.pointer[r * 24 + j]) }
                let expected = 2 * sum / 300
                #expect(abs(Double(h[i, j]) - expected) <= 1e-4 * max(1, abs(expected)))
                #expect(h[i, j] == h[j, i])
            }
        }
        // Counting samples per batch (the reference counts sequences) only rescales H.
        let perSequence = HessianAccumulator(inFeatures: 24)
        perSequence.add(x.pointer, rows: 150, samples: 1)
        perSequence.add(x.pointer + 150 * 24, rows: 150, samples: 1)
        #expect(perSequence.samples == 2)
        #expect(abs(perSequence.hessian[3, 5] / h[3, 5] - 150) < 1e-2)
    }

    /// GPTQ's output error ‖WX − ŴX‖² is below RTN's at the same scheme (by at least 10%).
    @Test(arguments: [
        (WeightScheme(bits: 4, symmetric: false, granularity: .perRow), false, false),
        (WeightScheme(bits: 4, symmetric: false, granularity: .perRow), true, false),
        (WeightScheme(bits: 3, symmetric: false, granularity: .group(128)), false, false),
        (WeightScheme(bits: 3, symmetric: false, granularity: .group(128)), true, false),
        (WeightScheme(bits: 3, symmetric: false, granularity: .group(128)), true, true),
        (WeightScheme(bits: 4, symmetric: true, granularity: .group(48)), true, false),
        (WeightScheme(bits: 4, symmetric: true, granularity: .perTensor), false, false),
    ])
    func beatsRTN(scheme: WeightScheme, actOrder: Bool, staticGroups: Bool) throws {
        let gptq = GPTQQuantizer(actOrder: actOrder, staticGroups: staticGroups)
        let result = try gptq.quantize(weight: Self.w, hessian: Self.h, scheme: scheme)
        let rtn = try RTNQuantizer().quantize(weight: Self.w, hessian: nil, scheme: scheme)
        let eG = QuantTestSupport.outputError(Self.w, result.dequantized, Self.x)
        let eR = QuantTestSupport.outputError(Self.w, rtn.dequantized, Self.x)
        #expect(eG < 0.9 * eR, "GPTQ \(eG) vs RTN \(eR)")
        // The codes decode to exactly the returned weight, g_idx included.
        #expect(result.codes!.codes.allSatisfy { Int($0) <= scheme.maxCode })
        #expect(result.codes!.dequantized().array == result.dequantized.array)
        let expectsGroupIndex = actOrder && !staticGroups && scheme.groupSize(columns: Self.columns) < Self.columns
            && scheme.granularity != .perTensor
        #expect((result.codes!.groupIndex != nil) == expectsGroupIndex)
        if let g = result.codes!.groupIndex {
            // Every group holds k columns (the last one the rest).
            let k = scheme.groupSize(columns: Self.columns)
            var counts = [Int](repeating: 0, count: result.codes!.groupsPerRow)
            for group in g { counts[Int(group)] += 1 }
            #expect(counts.dropLast().allSatisfy { $0 == k } && counts.last == Self.columns - k * (counts.count - 1))
            #expect(result.bits.extraBits == 32 * Self.columns)
        }
        #expect(result.stats["gptq.dampingRetries"] == 0)
    }

    /// The algorithm's invariant: W − Ŵ = E·U with UᵀU = (H + λI)⁻¹, so
    /// Σ e² = tr((W − Ŵ)(H + λI)(W − Ŵ)ᵀ), i.e. loss = ½ of that trace (1e-3 relative).
    @Test(arguments: [false, true])
    func lossIsDampedQuadraticForm(actOrder: Bool) throws {
        let scheme = WeightScheme(bits: 3, symmetric: false, granularity: .group(128))
        let result = try GPTQQuantizer(actOrder: actOrder).quantize(weight: Self.w, hessian: Self.h, scheme: scheme)
        let n = Self.columns
        var meanDiagonal: Double = 0
        for i in 0..<n { meanDiagonal += Double(Self.h[i, i]) }
        let lambda = 0.01 * meanDiagonal / Double(n)
        var trace: Double = 0
        for r in 0..<Self.rows {
            var d = [Double](repeating: 0, count: n)
            for c in 0..<n { d[c] = Double(Self.w.pointer[r * n + c] - result.dequantized.pointer[r * n + c]) }
            for i in 0..<n {
                var s = lambda * d[i]
                for j in 0..<n { s += Double(Self.h[i, j]) * d[j] }
                trace += d[i] * s
            }
        }
        let loss = try #require(result.stats["gptq.loss"])
        #expect(abs(loss - trace / 2) <= 1e-3 * trace / 2, "loss \(loss) vs ½ tr \(trace / 2)")
    }

    /// With H = I the Cholesky factor is diagonal: no error is propagated, GPTQ is RTN exactly.
    @Test(arguments: [WeightGranularity.perRow, .group(64), .group(100), .perTensor])
    func identityHessianIsRTN(granularity: WeightGranularity) throws {
        var identity = [Float](repeating: 0, count: Self.columns * Self.columns)
        for i in 0..<Self.columns { identity[i * Self.columns + i] = 1 }
        let h = Hessian(size: Self.columns, values: identity, samples: 1)
        let scheme = WeightScheme(bits: 4, symmetric: false, granularity: granularity)
        let gptq = try GPTQQuantizer().quantize(weight: Self.w, hessian: h, scheme: scheme)
        let rtn = try RTNQuantizer().quantize(weight: Self.w, hessian: nil, scheme: scheme)
        #expect(gptq.dequantized.array == rtn.dequantized.array)
        #expect(gptq.codes!.codes == rtn.codes!.codes && gptq.codes!.scales == rtn.codes!.scales)
    }

    /// Columns whose input is always 0: H_ii = 0 → 1, W[:, i] = 0, quantized to exactly 0.
    @Test func deadColumns() throws {
        let dead = [0, 17, 130, 319]
        let x = QuantTestSupport.correlatedInputs(samples: 2048, columns: Self.columns, seed: 303, deadColumns: dead)
        let h = QuantTestSupport.hessian(of: x)
        for actOrder in [false, true] {
            let scheme = WeightScheme(bits: 4, symmetric: false, granularity: .group(128))
            let result = try GPTQQuantizer(actOrder: actOrder).quantize(weight: Self.w, hessian: h, scheme: scheme)
            #expect(result.stats["gptq.deadColumns"] == 4)
            for r in 0..<Self.rows { for c in dead { #expect(result.dequantized.pointer[r * Self.columns + c] == 0) } }
            #expect(result.dequantized.array.allSatisfy { $0.isFinite })
            let rtn = try RTNQuantizer().quantize(weight: Self.w, hessian: nil, scheme: scheme)
            #expect(QuantTestSupport.outputError(Self.w, result.dequantized, x)
                    < QuantTestSupport.outputError(Self.w, rtn.dequantized, x))
        }
    }

    /// An indefinite "Hessian" (positive diagonal, off-diagonal 1.5 × diagonal in 2×2 blocks):
    /// Cholesky fails at 1% and 10% damping and succeeds at 100% — two retries. Without retries
    /// it is an error naming the damping.
    @Test func choleskyRetry() throws {
        let n = 64
        var values = [Float](repeating: 0, count: n * n)
        for b in stride(from: 0, to: n, by: 2) {
            values[b * n + b] = 1; values[(b + 1) * n + b + 1] = 1
            values[b * n + b + 1] = 1.5; values[(b + 1) * n + b] = 1.5
        }
        let h = Hessian(size: n, values: values, samples: 1)
        let w = QuantTestSupport.weight(rows: 8, columns: n, seed: 4)
        let scheme = WeightScheme(bits: 4, symmetric: false, granularity: .perRow)
        let result = try GPTQQuantizer().quantize(weight: w, hessian: h, scheme: scheme)
        #expect(result.stats["gptq.dampingRetries"] == 2)
        #expect(abs(result.stats["gptq.damping"]! - 1) < 1e-6)
        #expect(result.dequantized.array.allSatisfy { $0.isFinite })
        #expect(throws: QuantizationError.notPositiveDefinite(lastDamping: 0.01)) {
            try GPTQQuantizer(maxDampingRetries: 0).quantize(weight: w, hessian: h, scheme: scheme)
        }
    }

    /// A singular Hessian from fewer samples than features (rank 40 < 128) needs only the damping.
    @Test func rankDeficientHessian() throws {
        let x = QuantTestSupport.correlatedInputs(samples: 40, columns: 128, seed: 9)
        let h = QuantTestSupport.hessian(of: x)
        let w = QuantTestSupport.weight(rows: 16, columns: 128, seed: 10)
        let scheme = WeightScheme(bits: 4, symmetric: false, granularity: .group(32))
        let result = try GPTQQuantizer(actOrder: true).quantize(weight: w, hessian: h, scheme: scheme)
        #expect(result.dequantized.array.allSatisfy { $0.isFinite })
        let rtn = try RTNQuantizer().quantize(weight: w, hessian: nil, scheme: scheme)
        #expect(QuantTestSupport.outputError(w, result.dequantized, x) < QuantTestSupport.outputError(w, rtn.dequantized, x))
    }

    @Test func rejectsMissingOrMismatchedHessian() {
        let scheme = WeightScheme(bits: 4)
        #expect(throws: QuantizationError.missingHessian(method: "gptq")) {
            try GPTQQuantizer().quantize(weight: Self.w, hessian: nil, scheme: scheme)
        }
        let small = Hessian(size: 2, values: [1, 0, 0, 1], samples: 1)
        #expect(throws: QuantizationError.hessianSize(expected: Self.columns, got: 2)) {
            try GPTQQuantizer().quantize(weight: Self.w, hessian: small, scheme: scheme)
        }
    }
}
