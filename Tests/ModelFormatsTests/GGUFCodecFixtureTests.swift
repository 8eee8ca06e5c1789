import Foundation
import Testing
@testable import ModelFormats

/// Codecs against gguf-py (PyPI `gguf`) reference outputs committed in Fixtures/gguf, compared
/// bit for bit.
struct GGUFCodecFixtureTests {
    static let dequantizable: [GGMLType] = [.f32, .f16, .bf16, .q4_0, .q4_1, .q5_0, .q5_1, .q8_0,
                                            .q2_k, .q3_k, .q4_k, .q5_k, .q6_k]
    static let quantizable: [GGMLType] = [.f16, .bf16, .q4_0, .q4_1, .q5_0, .q5_1, .q8_0]

    @Test(arguments: dequantizable)
    func referenceDequantizeMatchesGGUFPy(_ type: GGMLType) throws {
        let bytes = try GGUFTestSupport.fixtureBytes("dequant_\(type.name).bin")
        let expected = try GGUFTestSupport.fixtureFloats("dequant_\(type.name).f32")
        #expect(!expected.isEmpty)
        let actual = try GGMLCodec.dequantize(bytes, as: type, reference: true)
        #expect(firstBitDifference(actual, expected) == nil, "\(type.name) reference")
    }

    @Test(arguments: dequantizable)
    func fastDequantizeMatchesGGUFPy(_ type: GGMLType) throws {
        let bytes = try GGUFTestSupport.fixtureBytes("dequant_\(type.name).bin")
        let expected = try GGUFTestSupport.fixtureFloats("dequant_\(type.name).f32")
        let actual = try GGMLCodec.dequantize(bytes, as: type)
        #expect(firstBitDifference(actual, expected) == nil, "\(type.name) fast")
    }

    @Test(arguments: quantizable)
    func quantizeMatchesGGUFPy(_ type: GGMLType) throws {
        let input = try GGUFTestSupport.fixtureFloats("quant_\(type.name).f32")
        let expected = try GGUFTestSupport.fixtureBytes("quant_\(type.name).bin")
        let actual = try GGMLCodec.quantize(input, as: type)
        #expect(actual.count == expected.count)
        let firstDifference = zip(actual, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset
        #expect(firstDifference == nil, "\(type.name): first differing byte \(firstDifference ?? -1) of block \((firstDifference ?? 0) / type.typeSize)")
    }

    @Test func typesWithFastPaths() {
        for type in [GGMLType.f16, .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q2_k, .q3_k, .q4_k, .q5_k, .q6_k] {
            #expect(type.traits.fastDequantize != nil, "\(type.name)")
        }
    }
}
