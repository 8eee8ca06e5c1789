import TensorCore

/// F32, F16 and BF16: one element per "block".
enum FloatCodecs {
    @Sendable static func dequantizeF32(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ count: Int) {
        UnsafeMutableRawPointer(dst).copyMemory(from: src, byteCount: count * 4)
    }

    @Sendable static func quantizeF32(_ src: UnsafePointer<Float>, _ dst: UnsafeMutableRawPointer, _ count: Int) {
        dst.copyMemory(from: src, byteCount: count * 4)
    }

    @Sendable static func dequantizeF16(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ count: Int) {
        for i in 0..<count { dst[i] = src.half(2 * i) }
    }

    @Sendable static func quantizeF16(_ src: UnsafePointer<Float>, _ dst: UnsafeMutableRawPointer, _ count: Int) {
        for i in 0..<count { dst.setHalf(src[i], 2 * i) }
    }

    @Sendable static func dequantizeBF16(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ count: Int) {
        for i in 0..<count {
            dst[i] = HalfPrecision.bf16ToF32(UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
        }
    }

    /// Round to nearest even; NaN becomes a quiet NaN (gguf-py / ggml `fp32_to_bf16`).
    @Sendable static func quantizeBF16(_ src: UnsafePointer<Float>, _ dst: UnsafeMutableRawPointer, _ count: Int) {
        for i in 0..<count {
            dst.storeBytes(of: HalfPrecision.f32ToBF16(src[i]).littleEndian, toByteOffset: 2 * i, as: UInt16.self)
        }
    }
}
