import Foundation
import Testing
import Quantization
import TensorCore

@Suite struct RTNTests {
    /// Per group, the clipping search's error (in its own norm) never exceeds plain min/max's
    /// (p = 1 is a candidate). With norm 2 that is the plain squared error.
    @Test(arguments: [Float(2), 2.4], [true, false])
    func clippingNeverWorseInItsNorm(norm: Float, symmetric: Bool) throws {
        let w = QuantTestSupport.weight(rows: 16, columns: 200, seed: 21, outliers: 20)
        for bits in [2, 3, 4, 8] {
            for granularity in [WeightGranularity.perRow, .group(64), .perTensor] {
                let scheme = WeightScheme(bits: bits, symmetric: symmetric, granularity: granularity)
                let plain = try RTNQuantizer().quantize(weight: w, hessian: nil, scheme: scheme)
                let clipped = try RTNQuantizer(clip: ClipSearch(norm: norm)).quantize(weight: w, hessian: nil, scheme: scheme)
                #expect(clipped.codes!.dequantized().array == clipped.dequantized.array)
                let k = scheme.groupSize(columns: 200)
                var strictlyBetter = 0
                for r in 0..<16 {
                    for g0 in stride(from: 0, to: 200, by: k) {
                        var a: Double = 0, b: Double = 0
                        for c in g0..<min(g0 + k, 200) {
                            let i = r * 200 + c
                            a += pow(Double(abs(plain.dequantized.pointer[i] - w.pointer[i])), Double(norm))
                            b += pow(Double(abs(clipped.dequantized.pointer[i] - w.pointer[i])), Double(norm))
                        }
                        if granularity == .perTensor { continue }
                        #expect(b <= a * (1 + 1e-5) + 1e-12, "bits \(bits) \(granularity) row \(r) group \(g0)")
                        if b < a * 0.999 { strictlyBetter += 1 }
                    }
                }
                if granularity == .perTensor {
                    let a = w.array.indices.reduce(0.0) { $0 + pow(Double(abs(plain.dequantized.pointer[$1] - w.pointer[$1])), Double(norm)) }
                    let b = w.array.indices.reduce(0.0) { $0 + pow(Double(abs(clipped.dequantized.pointer[$1] - w.pointer[$1])), Double(norm)) }
                    #expect(b <= a * (1 + 1e-5))
                } else if bits <= 4 {
                    #expect(strictlyBetter > 0, "outliers make clipping pay off somewhere")
                }
            }
        }
    }

    @Test func shrinkGridMatchesReference() {
        let factors = ClipSearch().shrinkFactors
        #expect(factors.count == 80)
        #expect(factors.first == 1 && abs(factors.last! - 0.21) < 1e-6)
        #expect(ClipSearch(grid: 20, maxShrink: 0.2).shrinkFactors == [1, 0.95, 0.9, 0.85])
    }
}
