import Quantization
import TensorCore
import Testing

/// Grid alignment is measured (RTN of the base weights reproduces them), not guessed from block sizes.
@Suite struct GridAlignmentTests {
    func scheme(_ s: String) throws -> WeightScheme { try QuantSpec.parse(s).weight }

    /// rows × 64 weights, group by group of 32: decode(q) for codes covering 0…maxCode.
    func blocks(rows: Int, _ decode: (_ row: Int, _ group: Int, _ code: Int) -> Float, maxCode: Int) -> Tensor {
        let t = Tensor(zeros: [rows, 64])
        for r in 0..<rows {
            for c in 0..<64 {
                let code = (c % 32 == 0) ? 0 : (c % 32 == 1) ? maxCode : (r * 7 + c * 3) % (maxCode + 1)
                t.pointer[r * 64 + c] = decode(r, c / 32, code)
            }
        }
        return t
    }

    @Test func weightsOnTheSchemesOwnGridAreReproduced() throws {
        // Asymmetric 4-bit blocks with an integer zero-point: exactly what w4 g32 asym represents.
        let w = blocks(rows: 8, { r, g, q in
            let scale = Float(Float16(0.01 + 0.003 * Float(r + g)))
            let zero = Float(3 + (r + g) % 9)
            return scale * (Float(q) - zero)
        }, maxCode: 15)
        let fit = try GridAlignment.measure(w, scheme: try scheme("w4a16-g32-asym"))
        #expect(fit.weights == 8 * 64)
        #expect(fit.reproduced == fit.weights)
        #expect(fit.aligned)
        // The same weights at 3 bits, or per row, are not on those grids.
        #expect(!(try GridAlignment.measure(w, scheme: try scheme("w3a16-g32-asym"))).aligned)
        #expect(!(try GridAlignment.measure(w, scheme: try scheme("w4a16-row-asym"))).aligned)
    }

    @Test func q41BlocksWithAFloatMinimumAreNotOnAnIntegerZeroPointGrid() throws {
        // Q4_1: w = d·q + m with a float minimum m that is not a multiple of d (the case in real
        // Q4_1 files): the asymmetric integer zero-point shifts every block by a fraction of a step.
        let w = blocks(rows: 8, { r, g, q in
            let d = Float(Float16(0.02 + 0.001 * Float(r))), m = Float(Float16(-0.0937 - 0.011 * Float(g + r)))
            return d * Float(q) + m
        }, maxCode: 15)
        let fit = try GridAlignment.measure(w, scheme: try scheme("w4a16-g32-asym"))
        #expect(fit.fraction < 0.5, "reproduced \(fit.reproduced) of \(fit.weights)")
        #expect(!fit.aligned)
    }

    @Test func symmetricEightBitBlocks() throws {
        // Q8_0-like blocks d·q, q ∈ [−127, 127] with both extremes present: the narrow symmetric
        // 8-bit grid (scale = max|w| / 127) holds them; the full grid (scale = 2·max|w| / 255) does not.
        let w = blocks(rows: 4, { r, _, q in Float(Float16(0.004 + 0.001 * Float(r))) * Float(q - 127) }, maxCode: 254)
        #expect(try GridAlignment.measure(w, scheme: try scheme("w8a16-g32-sym-narrow")).aligned)
        #expect(try !GridAlignment.measure(w, scheme: try scheme("w8a16-g32-sym")).aligned)
    }

    @Test func fullPrecisionWeightsAreNeverAligned() throws {
        let w = Tensor(zeros: [16, 128])
        var state: UInt64 = 42
        for i in 0..<w.count {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            w.pointer[i] = Float(Int64(bitPattern: state >> 11) % 20001) / 10000 - 1
        }
        for spec in ["w4a16-g32-asym", "w8a16-g32-sym", "w8a16-row-asym"] {
            let fit = try GridAlignment.measure(w, scheme: try scheme(spec))
            #expect(fit.fraction < 0.2, "\(spec): \(fit.fraction)")
        }
        var total = GridFit()
        total.add(GridFit(weights: 10, reproduced: 10))
        total.add(GridFit(weights: 990, reproduced: 980))
        #expect(total.fraction == 0.99 && total.aligned)
    }
}
