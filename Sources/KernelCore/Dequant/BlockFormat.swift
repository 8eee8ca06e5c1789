/// The block formats with a SIMD dequantizer (ggml's names), and the one switch every kernel
/// module specializes: `BlockFormat.dequantize(isa, format, …)` inlined into a module's entry point
/// compiles all of them for that module's instruction set.
public enum BlockFormat: String, Sendable, CaseIterable {
    case f16, bf16, q4_0, q4_1, q5_0, q5_1, q8_0, q2_k, q3_k, q4_k, q5_k, q6_k

    /// Elements per block.
    public var blockSize: Int {
        switch self {
        case .f16, .bf16: 1
        case .q4_0, .q4_1, .q5_0, .q5_1, .q8_0: 32
        case .q2_k, .q3_k, .q4_k, .q5_k, .q6_k: KQuantBlockDequant.superBlock
        }
    }

    /// Bytes per block (ggml's type sizes).
    public var blockBytes: Int {
        switch self {
        case .f16, .bf16: 2
        case .q4_0: 18
        case .q4_1: 20
        case .q5_0: 22
        case .q5_1: 24
        case .q8_0: 34
        case .q2_k: 84
        case .q3_k: 110
        case .q4_k: 144
        case .q5_k: 176
        case .q6_k: 210
        }
    }

    /// Decodes `count` elements (whole blocks) of `format` at src to f32 at dst.
    @inlinable
    public static func dequantize<I: VectorISA>(_ isa: I.Type, _ format: BlockFormat, _ src: UnsafeRawPointer,
                                                _ dst: UnsafeMutablePointer<Float>, _ count: Int) {
        switch format {
        case .f16: FloatDequant.f16(isa, src, dst, count)
        case .bf16: FloatDequant.bf16(isa, src, dst, count)
        case .q4_0: LegacyBlockDequant.q4_0(isa, src, dst, count)
        case .q4_1: LegacyBlockDequant.q4_1(isa, src, dst, count)
        case .q5_0: LegacyBlockDequant.q5_0(isa, src, dst, count)
        case .q5_1: LegacyBlockDequant.q5_1(isa, src, dst, count)
        case .q8_0: LegacyBlockDequant.q8_0(isa, src, dst, count)
        case .q2_k: KQuantBlockDequant.q2_k(isa, src, dst, count)
        case .q3_k: KQuantBlockDequant.q3_k(isa, src, dst, count)
        case .q4_k: KQuantBlockDequant.q4_k(isa, src, dst, count)
        case .q5_k: KQuantBlockDequant.q5_k(isa, src, dst, count)
        case .q6_k: KQuantBlockDequant.q6_k(isa, src, dst, count)
        }
    }
}
