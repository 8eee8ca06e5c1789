import Export
import ModelFormats
import Quantization
import TensorCore
import Testing
@testable import Models

/// ggml blocks built from our codes decode (with the ggml codecs) to our fake-quantized values.
@Suite struct GGUFBlockTests {
    /// Q4_0 / Q5_0 / Q8_0 are exact: d = scale and the symmetric zero-point is ggml's offset.
    /// Q4_1 / Q5_1 store m = −scale·zero in f16: each value moves by |f16(m) − m| ≤ half an f16 ulp
    /// of scale·zero (≤ 2^−11·|scale·zero|, or 2^−25 in f16's subnormal range), plus one f32
    /// rounding of d·q + m (≤ 2^−24·|x|). On these weights (range ≈ 0.1) the worst deviation is
    /// ≈ 1.5e−5 (≈ 0.2% of a 4-bit grid step, 0.5% of a 5-bit one): always ≤ 2^−11·maxq grid steps.
    @Test(arguments: ["w4a16-g32-sym", "w4a16-g32-asym", "w5a16-g32-sym", "w5a16-g32-asym", "w8a16-g32-sym"])
    func blocksDecodeToOurValues(spec: String) throws {
        let scheme = try QuantSpec.parse(spec).weight
        let type = try GGUFBlockType.type(for: scheme)
        let weight = ExportTestSupport.weight(rows: 16, columns: 128, seed: 3, offset: 0.01)
        let (dequantized, codes) = try MatrixQuantizer.quantize(weight, scheme: scheme)
        let blocks = try GGUFBlockEncoder.encode(codes, as: type)
        #expect(blocks.count == 16 * 128 / 32 * type.typeSize)
        for reference in [true, false] {
            var decoded = [Float](repeating: 0, count: 16 * 128)
            try blocks.withUnsafeBytes { raw in
                try decoded.withUnsafeMutableBufferPointer {
                    try GGMLCodec.dequantize(type, from: raw.baseAddress!, to: $0.baseAddress!, rows: 16, rowLength: 128,
                                             reference: reference)
                }
            }
            var worst: Float = 0, worstStep: Float = 0
            for i in decoded.indices {
                let ours = dequantized.pointer[i]
                let p = codes.parameters(row: i / 128, column: i % 128)
                let bound = max(abs(p.scale * p.zero) * 0x1p-11, 0x1p-25) + abs(ours) * 0x1p-24
                let deviation = abs(decoded[i] - ours)
                worst = max(worst, deviation)
                worstStep = max(worstStep, deviation / p.scale)
                if scheme.symmetric {
                    #expect(decoded[i] == ours, "\(spec) element \(i)")
                } else {
                    #expect(deviation <= bound, "\(spec) element \(i): \(decoded[i]) vs \(ours)")
                }
            }
            if !scheme.symmetric {
                #expect(worst > 0 && worst < 2e-5, "\(spec): worst deviation \(worst)")
                #expect(worstStep <= Float(scheme.maxCode) * 0x1p-11, "\(spec): worst deviation \(worstStep) grid steps")
            }
        }
    }

    /// Our Q/K row order is the inverse of the loader's `unpermute`.
    @Test func permutationInvertsTheLoader() {
        let (rows, heads, columns) = (24, 3, 2)
        let t = Tensor(shape: [rows, columns], values: (0..<(rows * columns)).map(Float.init))
        let order = GGUFBlockEncoder.llamaCppPermutation(rows: rows, heads: heads)
        let stored = Tensor(shape: [rows, columns], values: order.flatMap { r in (0..<columns).map { Float(r * columns + $0) } })
        #expect(GGUFLlamaWeights.unpermute(stored, heads: heads).array == t.array)
        #expect(Set(order) == Set(0..<rows))
    }

    @Test func unsupportedSchemesAreRejected() throws {
        for spec in ["w4a16-g128-asym", "w4a16-row-asym", "w3a16-g32-asym", "w8a16-g32-asym", "w4a16-g32-asym-f32scale",
                     "w2a16-g32-sym", "w4a16-g16-asym"] {
            let scheme = try QuantSpec.parse(spec).weight
            #expect(throws: ExportError.self, "\(spec)") { try GGUFExporter.check(scheme: scheme, lowRank: false) }
        }
        let q41 = try QuantSpec.parse("w4a16-g32-asym").weight
        #expect(throws: ExportError.self) { try GGUFExporter.check(scheme: q41, lowRank: true) }
        let error = #expect(throws: ExportError.self) {
            try GGUFBlockType.type(for: try QuantSpec.parse("w4a16-g128-asym").weight)
        }
        #expect(error?.message.contains("GPTQ") == true)
    }

    /// Act-order g_idx (groups of non-consecutive columns) cannot become ggml blocks.
    @Test func permutedGroupsAreRejected() throws {
        let scheme = try QuantSpec.parse("w4a16-g32-asym").weight
        var (_, codes) = try MatrixQuantizer.quantize(ExportTestSupport.weight(rows: 4, columns: 64, seed: 1), scheme: scheme)
        codes.groupIndex = (0..<64).map { Int32(($0 + 1) % 64 / 32) }
        #expect(throws: ExportError.self) { try GGUFBlockEncoder.encode(codes, as: .q4_1) }
        codes.groupIndex = (0..<64).map { Int32($0 / 32) }
        #expect(throws: Never.self) { try GGUFBlockEncoder.encode(codes, as: .q4_1) }
    }
}
