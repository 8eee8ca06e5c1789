/// Field reads inside quantized blocks (byte-packed, so unaligned, little-endian) and the SIMD
/// helpers of the block dequantizers. Every helper performs the same IEEE operations as the scalar
/// reference codecs (one multiply, then one add or subtract, never fused), so results are
/// bit-identical to them on every instruction set.
public enum BlockBytes {
    @_transparent
    public static func byte(_ p: UnsafeRawPointer, _ offset: Int) -> UInt8 { p.load(fromByteOffset: offset, as: UInt8.self) }

    @_transparent
    public static func signedByte(_ p: UnsafeRawPointer, _ offset: Int) -> Int8 { p.load(fromByteOffset: offset, as: Int8.self) }

    @_transparent
    public static func uint32(_ p: UnsafeRawPointer, _ offset: Int) -> UInt32 {
        UInt32(littleEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    /// An f16 field widened to f32 (exact).
    @_transparent
    public static func half(_ p: UnsafeRawPointer, _ offset: Int) -> Float {
        Float(Float16(bitPattern: UInt16(littleEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt16.self))))
    }

    @_transparent @usableFromInline
    static func load16(_ p: UnsafeRawPointer, _ offset: Int) -> SIMD16<UInt8> {
        p.loadUnaligned(fromByteOffset: offset, as: SIMD16<UInt8>.self)
    }

    @_transparent @usableFromInline
    static func store(_ v: SIMD16<Float>, _ out: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(out).storeBytes(of: v, as: SIMD16<Float>.self)
    }

    /// Small integers (0…255 minus `offset`) to f32, exactly.
    @_transparent @usableFromInline
    static func float(_ v: SIMD16<UInt8>, minus offset: Int32 = 0) -> SIMD16<Float> {
        SIMD16<Float>(SIMD16<Int32>(truncatingIfNeeded: v) &- offset)
    }

    @_transparent @usableFromInline
    static func float(_ v: SIMD16<Int8>) -> SIMD16<Float> {
        SIMD16<Float>(SIMD16<Int32>(truncatingIfNeeded: v))
    }

    /// Bit `shift + i` of `bits` for lane i, moved to bit 4 (the fifth bit of a 5-bit quant).
    @_transparent @usableFromInline
    static func highBits(_ bits: UInt32, from shift: UInt32) -> SIMD16<UInt8> {
        let lanes = SIMD16<UInt32>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15) &+ shift
        let b = (SIMD16<UInt32>(repeating: bits) &>> lanes) & 1
        return SIMD16<UInt8>(truncatingIfNeeded: b) &<< 4
    }
}
