/// SIMD dequantizers for the 32-element block types (Q4_0, Q4_1, Q5_0, Q5_1, Q8_0), bit-identical
/// to the scalar references in ModelFormats (Q4Codecs / Q5Codecs / Q8Codecs).
public enum LegacyBlockDequant {
    @usableFromInline typealias M = BlockBytes

    @inlinable @inline(__always)
    public static func q4_0<I: VectorISA>(_: I.Type, _ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ count: Int) {
        for b in 0..<count / 32 {
            let block = src + b * BlockFormat.q4_0.blockBytes
            let out = dst + b * 32
            let d = SIMD16<Float>(repeating: M.half(block, 0))
            let q = M.load16(block, 2)
            M.store(d * M.float(q & 0x0F, minus: 8), out)
            M.store(d * M.float(q &>> 4, minus: 8), out + 16)
        }
    }

    @inlinable @inline(__always)
    public static func q4_1<I: VectorISA>(_: I.Type, _ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ count: Int) {
        for b in 0..<count / 32 {
            let block = src + b * BlockFormat.q4_1.blockBytes
            let out = dst + b * 32
            let d = SIMD16<Float>(repeating: M.half(block, 0))
            let m = SIMD16<Float>(repeating: M.half(block, 2))
            let q = M.load16(block, 4)
            M.store(d * M.float(q & 0x0F) + m, out)
            M.store(d * M.float(q &>> 4) + m, out + 16)
        }
    }

    @inlinable @inline(__always)
    public static func q5_0<I: VectorISA>(_: I.Type, _ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ count: Int) {
        for b in 0..<count / 32 {
            let block = src + b * BlockFormat.q5_0.blockBytes
            let out = dst + b * 32
            let d = SIMD16<Float>(repeating: M.half(block, 0))
            let qh = M.uint32(block, 2)
            let q = M.load16(block, 6)
            M.store(d * M.float((q & 0x0F) | M.highBits(qh, from: 0), minus: 16), out)
            M.store(d * M.float((q &>> 4) | M.highBits(qh, from: 16), minus: 16), out + 16)
        }
    }

    @inlinable @inline(__always)
    public static func q5_1<I: VectorISA>(_: I.Type, _ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ count: Int) {
        for b in 0..<count / 32 {
            let block = src + b * BlockFormat.q5_1.blockBytes
            let out = dst + b * 32
            let d = SIMD16<Float>(repeating: M.half(block, 0))
            let m = SIMD16<Float>(repeating: M.half(block, 2))
            let qh = M.uint32(block, 4)
            let q = M.load16(block, 8)
            M.store(d * M.float((q & 0x0F) | M.highBits(qh, from: 0)) + m, out)
            M.store(d * M.float((q &>> 4) | M.highBits(qh, from: 16)) + m, out + 16)
        }
    }

    @inlinable @inline(__always)
    public static func q8_0<I: VectorISA>(_: I.Type, _ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ count: Int) {
        for b in 0..<count / 32 {
            let block = src + b * BlockFormat.q8_0.blockBytes
            let out = dst + b * 32
            let d = SIMD16<Float>(repeating: M.half(block, 0))
            let q0 = block.loadUnaligned(fromByteOffset: 2, as: SIMD16<Int8>.self)
            let q1 = block.loadUnaligned(fromByteOffset: 18, as: SIMD16<Int8>.self)
            M.store(M.float(q0) * d, out)
            M.store(M.float(q1) * d, out + 16)
        }
    }
}
