import Foundation
import Testing
import KernelCore
@testable import ModelFormats
import TensorCore

/// Properties of the codecs that need no reference files: SIMD == scalar bit for bit on large
/// random inputs (through the parallel path), and quantize→dequantize error bounds.
struct GGUFCodecPropertyTests {
    @Test(arguments: [GGMLType.f16, .bf16, .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q2_k, .q3_k, .q4_k, .q5_k, .q6_k])
    func fastEqualsReference(_ type: GGMLType) throws {
        var rng = SeededGenerator(seed: UInt64(type.rawValue) &+ 7)
        let rowLength = 1024, rows = 96  // 98 304 elements: above the parallel threshold
        let bytes = randomBlocks(type, blocks: rows * rowLength / type.blockSize, using: &rng)
        var fast = [Float](repeating: .nan, count: rows * rowLength)
        var reference = fast
        try bytes.withUnsafeBytes { src in
            let base = try #require(src.baseAddress)
            try fast.withUnsafeMutableBufferPointer { out in
                let dst = try #require(out.baseAddress)
                try GGMLCodec.dequantize(type, from: base, to: dst, rows: rows, rowLength: rowLength)
            }
            try reference.withUnsafeMutableBufferPointer { out in
                let dst = try #require(out.baseAddress)
                try GGMLCodec.dequantize(type, from: base, to: dst, rows: rows, rowLength: rowLength, reference: true)
            }
        }
        #expect(firstBitDifference(fast, reference) == nil, "\(type.name)")
    }

    /// The SIMD dequantizers compiled for every instruction set this processor runs (KernelCore's
    /// BlockFormat.dequantize in KernelsAVX512, KernelsAVX2, KernelsPortable) against the scalar
    /// reference, bit for bit; sets the CPU cannot run are named in the output.
    @Test(arguments: [GGMLType.f16, .bf16, .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q2_k, .q3_k, .q4_k, .q5_k, .q6_k])
    func everyInstructionSetEqualsReference(_ type: GGMLType) throws {
        let format = try #require(BlockFormat(rawValue: type.name.lowercased()), "\(type.name)")
        #expect(format.blockSize == type.blockSize && format.blockBytes == type.typeSize, "\(type.name) geometry")
        var rng = SeededGenerator(seed: UInt64(type.rawValue) &+ 11)
        let count = 8 * type.blockSize + (type.blockSize == 1 ? 13 : 0)  // f16/bf16: a partial vector too
        let bytes = randomBlocks(type, blocks: count / type.blockSize, using: &rng)
        let reference = try GGMLCodec.dequantize(bytes, as: type, reference: true)
        for variant in [LinearBackend.avx512, .avx2, .portable] {
            guard variant.isSupported else {
                print("GGUFCodecPropertyTests: \(variant.label) dequantizers not run on this CPU (\(CPUFeatures.summary))")
                continue
            }
            var out = [Float](repeating: .nan, count: count)
            bytes.withUnsafeBytes { src in
                out.withUnsafeMutableBufferPointer { dst in
                    VectorKernels.table(for: variant).dequantize(format, src.baseAddress!, dst.baseAddress!, count)
                }
            }
            #expect(firstBitDifference(out, reference) == nil, "\(type.name) on \(variant.label)")
        }
    }

    @Test func parallelQuantizeEqualsSingleRow() throws {
        var rng = SeededGenerator(seed: 99)
        let rowLength = 2048, rows = 64
        let values = (0..<rows * rowLength).map { _ in rng.gaussian() }
        for type in [GGMLType.q4_0, .q8_0, .bf16] {
            let whole = try GGMLCodec.quantize(values, as: type)
            var parallel = [UInt8](repeating: 0, count: whole.count)
            try values.withUnsafeBufferPointer { src in
                try parallel.withUnsafeMutableBytes { dst in
                    try GGMLCodec.quantize(type, from: try #require(src.baseAddress), to: try #require(dst.baseAddress),
                                           rows: rows, rowLength: rowLength)
                }
            }
            #expect(parallel == whole, "\(type.name)")
        }
    }

    /// quantize → dequantize error, as RMS(error) / RMS(data), on ggml's synthetic test data
    /// (0.1 + 2·cos(i), as in test-quantize-fns) and on Gaussian data. gguf-py gives the same
    /// errors (the codecs are bit-exact); the bounds leave ~20 % headroom:
    ///   Q4_0 0.051 / 0.087, Q4_1 0.052 / 0.081, Q5_0 0.027 / 0.044, Q5_1 0.025 / 0.038,
    ///   Q8_0 0.0034 / 0.0054, F16 0.0002, BF16 0.0016.
    static let relativeRMSBounds: [(GGMLType, Float)] = [
        (.q4_0, 0.105), (.q4_1, 0.1), (.q5_0, 0.053), (.q5_1, 0.046), (.q8_0, 0.0066),
        (.f16, 0.00025), (.bf16, 0.002), (.f32, 0),
    ]

    @Test(arguments: relativeRMSBounds)
    func roundTripErrorWithinBound(_ type: GGMLType, _ bound: Float) throws {
        var rng = SeededGenerator(seed: 5)
        let n = 4096
        let synthetic = (0..<n).map { Float(0.1 + 2 * cos(Double($0))) }
        let gaussian = (0..<n).map { _ in rng.gaussian() }
        for data in [synthetic, gaussian] {
            let decoded = try GGMLCodec.dequantize(try GGMLCodec.quantize(data, as: type), as: type)
            var errorSquares = 0.0, dataSquares = 0.0
            for i in 0..<n {
                let e = Double(decoded[i] - data[i])
                errorSquares += e * e
                dataSquares += Double(data[i]) * Double(data[i])
            }
            let relative = Float((errorSquares / dataSquares).squareRoot())
            #expect(relative <= bound, "\(type.name): relative RMS error \(relative) > \(bound)")
        }
    }

    @Test func quantizersSurviveNonFiniteInput() throws {
        var block = [Float](repeating: 1, count: 64)
        block[3] = .nan
        block[40] = .infinity
        block[41] = -.infinity
        for type in [GGMLType.q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .f16, .bf16] {
            let bytes = try GGMLCodec.quantize(block, as: type)
            #expect(bytes.count == 64 / type.blockSize * type.typeSize)
        }
    }

    @Test func codecErrors() throws {
        #expect(throws: GGMLCodecError.notBlockMultiple(elements: 33, type: .q4_0)) {
            try GGMLCodec.quantize([Float](repeating: 0, count: 33), as: .q4_0)
        }
        #expect(throws: GGMLCodecError.quantizationUnsupported(.q4_k)) {
            try GGMLCodec.quantize([Float](repeating: 0, count: 256), as: .q4_k)
        }
        #expect(throws: GGMLCodecError.dequantizationUnsupported(.iq2_xxs)) {
            try GGMLCodec.dequantize([UInt8](repeating: 0, count: 66), as: .iq2_xxs)
        }
        #expect(throws: GGMLCodecError.notWholeBlocks(bytes: 17, type: .q4_0)) {
            try GGMLCodec.dequantize([UInt8](repeating: 0, count: 17), as: .q4_0)
        }
        #expect(GGMLCodecError.dequantizationUnsupported(.iq2_xxs).description == "type IQ2_XXS is not supported")
    }

    @Test func traitsTableIsConsistent() {
        for type in GGMLType.allCases {
            let t = type.traits
            #expect(t.blockSize > 0 && t.typeSize > 0, "\(t.name)")
            #expect(GGMLType(name: t.name) == type)
            #expect(GGMLType(name: t.name.lowercased()) == type)
        }
        #expect(Set(GGMLType.allCases.map(\.name)).count == GGMLType.allCases.count)
        #expect(GGMLType.q4_k.typeSize == 144 && GGMLType.q6_k.typeSize == 210 && GGMLType.q8_0.typeSize == 34)
        #expect(GGMLType.iq2_xxs.rawValue == 16 && GGMLType.bf16.rawValue == 30 && GGMLType.mxfp4.rawValue == 39)
        #expect(GGMLType.q4_1.byteCount(elements: 64) == 40)
        #expect(GGMLType.q4_1.byteCount(elements: 65) == nil)
    }
}
