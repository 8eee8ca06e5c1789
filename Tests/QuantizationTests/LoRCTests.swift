import Testing
import Quantization
import TensorCore

@Suite struct LoRCTests {
    static let w = GPTQTests.w, x = GPTQTests.x, h = GPTQTests.h

    /// LoRC on top of GPTQ lowers ‖WX − ŴX‖² further (f16 factors: guaranteed by the projection
    /// argument; 8-bit factors: nearly so) and adds its factors' bits.
    @Test(arguments: [nil, 8] as [Int?])
    func lowersErrorBeyondGPTQ(factorBits: Int?) throws {
        let scheme = WeightScheme(bits: 3, symmetric: false, granularity: .group(128))
        let gptq = try GPTQQuantizer().quantize(weight: Self.w, hessian: Self.h, scheme: scheme)
        let lorc = try LoRCQuantizer(base: GPTQQuantizer(), rank: 8, factorBits: factorBits)
            .quantize(weight: Self.w, hessian: Self.h, scheme: scheme)
        let eG = QuantTestSupport.outputError(Self.w, gptq.dequantized, Self.x)
        let eL = QuantTestSupport.outputError(Self.w, lorc.dequantized, Self.x)
        #expect(eL < eG, "LoRC \(eL) vs GPTQ \(eG)")
        #expect(QuantTestSupport.squaredError(Self.w, lorc.dequantized) < QuantTestSupport.squaredError(Self.w, gptq.dequantized))
        // The base codes are GPTQ's; the corrected weight is Q(W) + ÛV̂.
        #expect(lorc.codes!.codes == gptq.codes!.codes)
        let correction = try #require(lorc.lowRank)
        #expect(correction.rank == 8 && correction.u.shape == [48, 8] && correction.v.shape == [8, 320])
        var maxDifference: Float = 0
        for r in 0..<48 {
            for c in 0..<320 {
                var uv: Float = 0
                for t in 0..<8 { uv += correction.u.pointer[r * 8 + t] * correction.v.pointer[t * 320 + c] }
                maxDifference = max(maxDifference, abs(gptq.dequantized.pointer[r * 320 + c] + uv - lorc.dequantized.pointer[r * 320 + c]))
            }
        }
        #expect(maxDifference < 1e-5)
        let factorBitsTotal = factorBits.map { _ in 8 * 8 * (48 + 320) + 16 * (48 + 8) } ?? 16 * 8 * (48 + 320)
        #expect(correction.bits == factorBitsTotal)
        #expect(lorc.bits.totalBits == gptq.bits.totalBits + factorBitsTotal)
        #expect(lorc.effectiveBitsPerWeight > gptq.effectiveBitsPerWeight)
        #expect((correction.uCodes != nil) == (factorBits != nil))
        #expect(lorc.stats["lorc.energy"]! > 0 && lorc.stats["lorc.energy"]! < 1)
        #expect(lorc.stats["gptq.loss"] != nil)
    }

    /// With full rank the correction restores W (up to f16 factor storage).
    @Test func fullRankRestoresWeight() throws {
        let w = QuantTestSupport.weight(rows: 12, columns: 20, seed: 8)
        let scheme = WeightScheme(bits: 2, symmetric: false, granularity: .perRow)
        let lorc = try LoRCQuantizer(base: RTNQuantizer(), rank: 12, factorBits: nil).quantize(weight: w, hessian: nil, scheme: scheme)
        let rtn = try RTNQuantizer().quantize(weight: w, hessian: nil, scheme: scheme)
        #expect(QuantTestSupport.squaredError(w, lorc.dequantized) < 1e-5 * QuantTestSupport.squaredError(w, rtn.dequantized))
        #expect(lorc.lowRank?.singularValues.count == 12)
    }
}
