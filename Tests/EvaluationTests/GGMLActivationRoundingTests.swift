import Foundation
import Testing
@testable import Evaluation

/// llama.cpp's CPU backend rounds a product's input to the weight type's dot-product type
/// (Q8_0, Q8_1, Q8_K, F16, BF16). Fixtures/reference/ggml_activation_rounding.bin holds what
/// ggml-cpu's own converters make of ten rows of 512 values (ties, zeros, a negative largest
/// value, ± maxima, subnormal scales, f16 overflow, outliers; scripts/fixtures/
/// make_ggml_activation_vectors.c): our rounding must give the same floats bit for bit, since a
/// single flipped code is a different product.
@Suite struct GGMLActivationRoundingTests {
    struct Vectors {
        let rows: Int, rowLength: Int
        let input: [Float]
        let outputs: [(name: String, values: [Float])]
    }

    static func vectors() throws -> Vectors {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        let data = try Data(contentsOf: url.appendingPathComponent("Fixtures/reference/ggml_activation_rounding.bin"))
        var offset = 0
        func bytes(_ n: Int) -> Data { defer { offset += n }; return data.subdata(in: offset..<(offset + n)) }
        func u32() -> Int { Int(bytes(4).withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }) }
        func floats(_ n: Int) -> [Float] { bytes(4 * n).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) } }
        #expect(String(decoding: bytes(8), as: UTF8.self) == "PTQGAR01")
        let rows = u32(), rowLength = u32()
        let input = floats(rows * rowLength)
        var outputs: [(String, [Float])] = []
        for _ in 0..<u32() {
            let name = String(decoding: bytes(8).prefix { $0 != 0 }, as: UTF8.self)
            outputs.append((name, floats(rows * rowLength)))
        }
        #expect(offset == data.count)
        return Vectors(rows: rows, rowLength: rowLength, input: input, outputs: outputs)
    }

    @Test func everyRoundingEqualsGGMLCPUBitForBit() throws {
        let v = try Self.vectors()
        #expect(Set(v.outputs.map(\.name)) == Set(GGMLActivationRounding.allCases.map(\.rawValue)))
        for (name, expected) in v.outputs {
            let rounding = try #require(GGMLActivationRounding(rawValue: name))
            var x = v.input
            x.withUnsafeMutableBufferPointer { rounding.apply($0.baseAddress!, rows: v.rows, columns: v.rowLength) }
            var mismatches: [String] = []
            for i in 0..<x.count where x[i].bitPattern != expected[i].bitPattern {
                if mismatches.count < 5 {
                    mismatches.append("row \(i / v.rowLength) col \(i % v.rowLength): input \(v.input[i]) → ours \(x[i]), ggml \(expected[i])")
                }
            }
            #expect(mismatches.isEmpty, "\(name): \(mismatches.joined(separator: "; "))")
            // the fixture exercises what it claims: the rounding changed most values
            let changed = zip(x, v.input).filter { $0.bitPattern != $1.bitPattern }.count
            #expect(changed > x.count / 2, "\(name): only \(changed) of \(x.count) values changed")
        }
    }

    /// ggml-cpu.c's type_traits_cpu: the vec_dot_type of each weight type llama.cpp files use.
    @Test func weightTypesMapToTheirDotProductType() {
        let expected: [String: GGMLActivationRounding?] = [
            "F32": nil, "F16": .f16, "BF16": .bf16, "Q4_0": .q8_0, "Q5_0": .q8_0, "Q8_0": .q8_0, "IQ4_NL": .q8_0,
            "Q4_1": .q8_1, "Q5_1": .q8_1, "Q2_K": .q8_K, "Q3_K": .q8_K, "Q4_K": .q8_K, "Q5_K": .q8_K, "Q6_K": .q8_K,
            "IQ4_XS": .q8_K, "IQ2_XXS": .q8_K,
        ]
        for (type, rounding) in expected {
            #expect(GGMLActivationRounding.forWeight(ggmlType: type) == rounding, "\(type)")
            #expect(GGMLActivationRounding.knows(ggmlType: type), "\(type)")
        }
        #expect(!GGMLActivationRounding.knows(ggmlType: "I32"))
    }
}
