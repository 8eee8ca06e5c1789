import KernelCore
import TensorCore

/// Decodes `count` elements (a multiple of the block size) from `source` to f32 at `destination`.
public typealias GGMLDequantizeRow = @Sendable (
    _ source: UnsafeRawPointer, _ destination: UnsafeMutablePointer<Float>, _ count: Int) -> Void

/// Encodes `count` f32 values (a multiple of the block size) into blocks at `destination`.
public typealias GGMLQuantizeRow = @Sendable (
    _ source: UnsafePointer<Float>, _ destination: UnsafeMutableRawPointer, _ count: Int) -> Void

/// What PTQLab knows about one ggml type, after ggml's `type_traits`: its name, block geometry,
/// and the codecs it supports. `dequantize` is the plain scalar reference; `fastDequantize`, where
/// present, is the SIMD version (KernelCore, compiled per instruction set) that produces
/// bit-identical results.
public struct GGMLTypeTraits: Sendable {
    public let name: String
    /// Elements per block.
    public let blockSize: Int
    /// Bytes per block.
    public let typeSize: Int
    public let dequantize: GGMLDequantizeRow?
    public let fastDequantize: GGMLDequantizeRow?
    public let quantize: GGMLQuantizeRow?

    init(_ name: String, _ blockSize: Int, _ typeSize: Int,
         dequantize: GGMLDequantizeRow? = nil, fast: GGMLDequantizeRow? = nil, quantize: GGMLQuantizeRow? = nil) {
        self.name = name
        self.blockSize = blockSize
        self.typeSize = typeSize
        self.dequantize = dequantize
        self.fastDequantize = fast
        self.quantize = quantize
    }

    /// The fastest available dequantizer.
    public var bestDequantize: GGMLDequantizeRow? { fastDequantize ?? dequantize }
}

/// Super-block size of the K-quants.
let qkK = KQuantBlockDequant.superBlock

/// The SIMD dequantizer of a block format, compiled for the instruction set this process runs
/// (`VectorKernels`; KernelCore's BlockFormat.dequantize).
private func simd(_ format: BlockFormat) -> GGMLDequantizeRow {
    let dequantize = VectorKernels.active.dequantize
    return { src, dst, count in dequantize(format, src, dst, count) }
}

extension GGMLType {
    /// The traits table. Sizes follow ggml (and gguf-py's `GGML_QUANT_SIZES`).
    public var traits: GGMLTypeTraits {
        switch self {
        // Types with codecs: name, block size, bytes per block, reference / SIMD dequantizer, quantizer.
        case .f32: GGMLTypeTraits("F32", 1, 4, dequantize: FloatCodecs.dequantizeF32, quantize: FloatCodecs.quantizeF32)
        case .f16: GGMLTypeTraits("F16", 1, 2, dequantize: FloatCodecs.dequantizeF16,
                                  fast: simd(.f16), quantize: FloatCodecs.quantizeF16)
        case .bf16: GGMLTypeTraits("BF16", 1, 2, dequantize: FloatCodecs.dequantizeBF16, fast: simd(.bf16),
                                   quantize: FloatCodecs.quantizeBF16)
        case .q4_0: GGMLTypeTraits("Q4_0", 32, 2 + 16, dequantize: Q4Codecs.dequantizeQ4_0,
                                    fast: simd(.q4_0), quantize: Q4Codecs.quantizeQ4_0)
        case .q4_1: GGMLTypeTraits("Q4_1", 32, 2 + 2 + 16, dequantize: Q4Codecs.dequantizeQ4_1,
                                    fast: simd(.q4_1), quantize: Q4Codecs.quantizeQ4_1)
        case .q5_0: GGMLTypeTraits("Q5_0", 32, 2 + 4 + 16, dequantize: Q5Codecs.dequantizeQ5_0,
                                    fast: simd(.q5_0), quantize: Q5Codecs.quantizeQ5_0)
        case .q5_1: GGMLTypeTraits("Q5_1", 32, 2 + 2 + 4 + 16, dequantize: Q5Codecs.dequantizeQ5_1,
                                    fast: simd(.q5_1), quantize: Q5Codecs.quantizeQ5_1)
        case .q8_0: GGMLTypeTraits("Q8_0", 32, 2 + 32, dequantize: Q8Codecs.dequantizeQ8_0,
                                    fast: simd(.q8_0), quantize: Q8Codecs.quantizeQ8_0)
        case .q2_k: GGMLTypeTraits("Q2_K", qkK, 2 + 2 + qkK / 16 + qkK / 4,
                                    dequantize: Q2KCodec.dequantize, fast: simd(.q2_k))
        case .q3_k: GGMLTypeTraits("Q3_K", qkK, 2 + qkK / 4 + qkK / 8 + 12,
                                    dequantize: Q3KCodec.dequantize, fast: simd(.q3_k))
        case .q4_k: GGMLTypeTraits("Q4_K", qkK, 2 + 2 + 12 + qkK / 2,
                                    dequantize: Q4KCodec.dequantize, fast: simd(.q4_k))
        case .q5_k: GGMLTypeTraits("Q5_K", qkK, 2 + 2 + 12 + qkK / 8 + qkK / 2,
                                    dequantize: Q5KCodec.dequantize, fast: simd(.q5_k))
        case .q6_k: GGMLTypeTraits("Q6_K", qkK, 2 + qkK / 2 + qkK / 4 + qkK / 16,
                                    dequantize: Q6KCodec.dequantize, fast: simd(.q6_k))
        // Known, without codecs here.
        case .q8_1: GGMLTypeTraits("Q8_1", 32, 4 + 4 + 32)
        case .q8_k: GGMLTypeTraits("Q8_K", qkK, 4 + qkK + qkK / 8)
        case .iq2_xxs: GGMLTypeTraits("IQ2_XXS", qkK, 2 + qkK / 4)
        case .iq2_xs: GGMLTypeTraits("IQ2_XS", qkK, 2 + qkK / 4 + qkK / 32)
        case .iq3_xxs: GGMLTypeTraits("IQ3_XXS", qkK, 2 + qkK / 4 + qkK / 8)
        case .iq1_s: GGMLTypeTraits("IQ1_S", qkK, 2 + qkK / 8 + qkK / 16)
        case .iq4_nl: GGMLTypeTraits("IQ4_NL", 32, 2 + 16)
        case .iq3_s: GGMLTypeTraits("IQ3_S", qkK, 2 + qkK / 4 + qkK / 8 + qkK / 32 + 4)
        case .iq2_s: GGMLTypeTraits("IQ2_S", qkK, 2 + qkK / 4 + qkK / 16)
        case .iq4_xs: GGMLTypeTraits("IQ4_XS", qkK, 2 + 2 + qkK / 2 + qkK / 64)
        case .i8: GGMLTypeTraits("I8", 1, 1)
        case .i16: GGMLTypeTraits("I16", 1, 2)
        case .i32: GGMLTypeTraits("I32", 1, 4)
        case .i64: GGMLTypeTraits("I64", 1, 8)
        case .f64: GGMLTypeTraits("F64", 1, 8)
        case .iq1_m: GGMLTypeTraits("IQ1_M", qkK, qkK / 8 + qkK / 16 + qkK / 32)
        case .tq1_0: GGMLTypeTraits("TQ1_0", qkK, 2 + 4 * 13)
        case .tq2_0: GGMLTypeTraits("TQ2_0", qkK, 2 + 64)
        case .mxfp4: GGMLTypeTraits("MXFP4", 32, 1 + 16)
        case .nvfp4: GGMLTypeTraits("NVFP4", 64, 4 + 32)
        case .q1_0: GGMLTypeTraits("Q1_0", 128, 2 + 16)
        }
    }
}
