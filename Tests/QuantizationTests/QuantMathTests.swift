import Testing
import Quantization
import TensorCore

@Suite struct QuantMathTests {
    static let granularities: [WeightGranularity] = [.perTensor, .perRow, .group(32), .group(100)]

    /// For every bit width, grid (asymmetric, symmetric full, symmetric narrow), granularity (group 100
    /// is ragged on 250 columns) and storage: codes in [0, 2^b − 1]; the codes decode to exactly the
    /// fake-quantized weight; and |w − Q(w)| ≤ scale/2 (+ 1e-6 relative), plus the scale's rounding,
    /// which moves the grid's ends by up to maxq · scale · 2^-11 (f16) or 2^-24 (f32: on the full
    /// grid the clipped positive extreme sits exactly scale/2 below max|w|, so that term decides it).
    @Test(arguments: [nil, SymmetricGrid.full, .narrow], [ParameterStorage.f16, .f32])
    func errorBoundAndCodes(grid: SymmetricGrid?, storage: ParameterStorage) throws {
        let w = QuantTestSupport.weight(rows: 12, columns: 250, seed: 7, outliers: 6)
        let symmetric = grid != nil
        for bits in 2...8 {
            for granularity in Self.granularities {
                let scheme = WeightScheme(bits: bits, symmetric: symmetric, granularity: granularity, storage: storage,
                                          symmetricGrid: grid ?? .full)
                let (fake, codes) = try MatrixQuantizer.quantize(w, scheme: scheme)
                #expect(codes.codes.allSatisfy { Int($0) <= scheme.maxCode })
                #expect(codes.dequantized().array == fake.array, "\(scheme)")
                let maxq = Float(scheme.maxCode)
                var worst: Float = 0
                var lowestCode = UInt8.max
                for r in 0..<12 {
                    for c in 0..<250 {
                        let p = codes.parameters(row: r, column: c)
                        var bound = p.scale / 2 * (1 + 1e-6)
                        bound += maxq * p.scale / (storage == .f16 ? 2048 : 16_777_216)
                        let e = abs(w.pointer[r * 250 + c] - fake.pointer[r * 250 + c])
                        worst = max(worst, e / bound)
                        if symmetric { #expect(p.zero == Float(1 << (bits - 1))) }
                        lowestCode = min(lowestCode, codes.codes[r * 250 + c])
                    }
                }
                #expect(worst <= 1, "bits \(bits) \(granularity) \(grid.map(\.rawValue) ?? "asym") \(storage): error/bound \(worst)")
                // Within the range the narrow grid never uses its extra negative level; the full grid does.
                if grid == .narrow { #expect(lowestCode >= 1) }
                if grid == .full { #expect(lowestCode == 0, "bits \(bits) \(granularity): the full grid's lowest level unused") }
            }
        }
    }

    /// Hand-computed: 2-bit asymmetric over [−1, 2]: scale 1, zero 1; 0.5 rounds half to even (to 0).
    @Test func handComputedAsymmetric() throws {
        let w = Tensor(shape: [1, 5], values: [-1, 0, 0.5, 1.5, 2])
        let (fake, codes) = try MatrixQuantizer.quantize(w, scheme: WeightScheme(bits: 2, symmetric: false, granularity: .perRow))
        #expect(codes.scales == [1] && codes.zeros == [1])
        #expect(codes.codes == [0, 1, 1, 3, 3])
        #expect(fake.array == [-1, 0, 0, 2, 2])
    }

    /// Hand-computed: 3-bit symmetric narrow grid, max |w| = 3: scale 3/3 = 1, zero 4, codes in [1, 7]
    /// (code 0 unused).
    @Test func handComputedSymmetricNarrow() throws {
        let w = Tensor(shape: [1, 4], values: [-3, -1.4, 0.6, 3])
        let scheme = WeightScheme(bits: 3, symmetric: true, granularity: .perRow, symmetricGrid: .narrow)
        let (fake, codes) = try MatrixQuantizer.quantize(w, scheme: scheme)
        #expect(codes.scales == [1] && codes.zeros == [4])
        #expect(codes.codes == [1, 3, 5, 7])
        #expect(fake.array == [-3, -1, 1, 3])
    }

    /// Hand-computed: 3-bit symmetric full grid (GPTQ's reference), max |w| = 3.5: scale 2·3.5/7 = 1,
    /// zero 4; −3.5 rounds half to even to −4 (code 0), +3.5 to +4, clipped to code 7 (+3).
    @Test func handComputedSymmetricFull() throws {
        let w = Tensor(shape: [1, 4], values: [-3.5, -1.4, 0.6, 3.5])
        let (fake, codes) = try MatrixQuantizer.quantize(w, scheme: WeightScheme(bits: 3, symmetric: true, granularity: .perRow))
        #expect(codes.scales == [1] && codes.zeros == [4])
        #expect(codes.codes == [0, 3, 5, 7])
        #expect(fake.array == [-4, -1, 1, 3])
    }

    /// The range includes 0: an all-positive group is quantized over [0, max].
    @Test func rangeIncludesZero() {
        let grid = QuantGrid(bits: 4, symmetric: false, storage: .f32)
        let p = grid.parameters(min: 2, max: 3)
        #expect(p.zero == 0 && p.scale == 3 / 15)
        let q = grid.parameters(min: -3, max: -2)
        #expect(q.zero == 15 && q.scale == 3 / 15)
    }

    @Test(arguments: [true, false])
    func allZeroRowsAndGroups(symmetric: Bool) throws {
        var values = QuantTestSupport.weight(rows: 4, columns: 64, seed: 3).array
        for c in 0..<64 { values[64 + c] = 0 }              // row 1 all zero
        for c in 0..<16 { values[3 * 64 + c] = 0 }          // first group of row 3 all zero
        for c in 16..<32 { values[2 * 64 + c] = 0.25 }      // an all-equal group
        let w = Tensor(shape: [4, 64], values: values)
        for granularity in [WeightGranularity.perRow, .group(16)] {
            let scheme = WeightScheme(bits: 4, symmetric: symmetric, granularity: granularity)
            let (fake, codes) = try MatrixQuantizer.quantize(w, scheme: scheme)
            #expect(codes.scales.allSatisfy { $0 > 0 && $0.isFinite })
            for c in 0..<64 { #expect(fake.pointer[64 + c] == 0) }
            for c in 0..<16 { #expect(fake.pointer[3 * 64 + c] == 0) }
            if granularity == .group(16) {
                // [0.25, 0.25] is quantized over [0, 0.25]: 0.25 is the top of the asymmetric grid; the
                // symmetric full grid clips its positive extreme to 7 of 15 steps of 0.5/15, within scale/2.
                let tolerance: Float = symmetric ? 0.5 / 15 / 2 + 1e-4 : 1e-4
                for c in 16..<32 { #expect(abs(fake.pointer[2 * 64 + c] - 0.25) <= tolerance) }
            }
        }
    }

    /// Stored scales are f16 values and are the ones used; f32 storage keeps the exact scale.
    @Test func f16ScaleStorage() throws {
        let w = QuantTestSupport.weight(rows: 16, columns: 128, seed: 11)
        let half = WeightScheme(bits: 4, symmetric: false, granularity: .group(32), storage: .f16)
        let full = WeightScheme(bits: 4, symmetric: false, granularity: .group(32), storage: .f32)
        let (fakeHalf, codesHalf) = try MatrixQuantizer.quantize(w, scheme: half)
        let (fakeFull, codesFull) = try MatrixQuantizer.quantize(w, scheme: full)
        #expect(codesHalf.scales.allSatisfy { Float(Float16($0)) == $0 })
        #expect(codesFull.scales.contains { Float(Float16($0)) != $0 })
        #expect(codesHalf.scales != codesFull.scales)
        // Each f16 scale is the f32 one rounded to f16.
        for (h, f) in zip(codesHalf.scales, codesFull.scales) { #expect(h == Float(Float16(f))) }
        #expect(fakeHalf.array != fakeFull.array)
        // Decoding with the stored f16 scales reproduces the weight used.
        #expect(codesHalf.dequantized().array == fakeHalf.array)
    }

    /// Effective bits of a layer's result: codes + parameters.
    @Test func bitAccountingOfResult() throws {
        let w = QuantTestSupport.weight(rows: 8, columns: 256, seed: 5)
        let scheme = WeightScheme(bits: 3, symmetric: false, granularity: .group(128))
        let result = try RTNQuantizer().quantize(weight: w, hessian: nil, scheme: scheme)
        #expect(result.effectiveBitsPerWeight == 3 + 32.0 / 128)
        #expect(result.bits.bytes == (8 * 256 * 3 + 16 * 32) / 8)
    }

    @Test func rejectsBadInput() {
        let w = Tensor(zeros: [4, 4])
        #expect(throws: QuantizationError.invalidScheme(.weightBits("w9"))) {
            try RTNQuantizer().quantize(weight: w, hessian: nil, scheme: WeightScheme(bits: 9))
        }
        #expect(throws: QuantizationError.invalidScheme(.groupSize("g0"))) {
            try RTNQuantizer().quantize(weight: w, hessian: nil, scheme: WeightScheme(bits: 4, granularity: .group(0)))
        }
        #expect(throws: QuantizationError.notAMatrix(shape: [16])) {
            try RTNQuantizer().quantize(weight: Tensor(zeros: [16]), hessian: nil, scheme: WeightScheme(bits: 4))
        }
    }

    /// Dynamic per-token activations: each row's error ≤ its scale / 2; per-tensor shares one grid.
    @Test(arguments: [true, false])
    func activationFakeQuantization(symmetric: Bool) {
        let x = QuantTestSupport.weight(rows: 6, columns: 40, seed: 9, outliers: 3)
        let original = x.array
        let scheme = ActivationScheme(bits: 8, granularity: .perToken, symmetric: symmetric)
        ActivationQuantizer.fakeQuantize(x.pointer, rows: 6, columns: 40, scheme: scheme)
        let grid = QuantGrid(bits: 8, symmetric: symmetric, storage: .f32)
        for r in 0..<6 {
            let row = Array(original[(r * 40)..<(r * 40 + 40)])
            let p = grid.parameters(min: row.min()!, max: row.max()!)
            for c in 0..<40 { #expect(abs(x.pointer[r * 40 + c] - row[c]) <= p.scale / 2 * (1 + 1e-6)) }
        }
        #expect(x.array != original)
        // Static: the calibrated range is used; values beyond it are clipped to the grid's end.
        let y = Tensor(shape: [1, 3], values: [-1, 0.5, 4])
        var range = ActivationRange()
        range.observe(y.pointer, count: 2)
        ActivationQuantizer.fakeQuantize(y.pointer, rows: 1, columns: 3,
                                         scheme: ActivationScheme(bits: 8, granularity: .perTensor, isStatic: true, symmetric: symmetric),
                                         staticRange: range)
        #expect(y.pointer[2] <= 0.5 + 1e-6 || (symmetric && y.pointer[2] <= 1 + 1e-6))
    }
}
