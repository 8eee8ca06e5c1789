/// Small SIMD helpers for the fast dequantizers. Every helper performs the same IEEE operations
/// as the scalar reference (one multiply, then one add or subtract, never fused), so results are
/// bit-identical.
enum SIMDBlockMath {
    @inline(__always) static func load16(_ p: UnsafeRawPointer, _ offset: Int) -> SIMD16<UInt8> {
        p.loadUnaligned(fromByteOffset: offset, as: SIMD16<UInt8>.self)
    }

    @inline(__always) static func store(_ v: SIMD16<Float>, _ out: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(out).storeBytes(of: v, as: SIMD16<Float>.self)
    }

    /// Small integers (0…255 minus `offset`) to f32, exactly.
    @inline(__always) static func float(_ v: SIMD16<UInt8>, minus offset: Int32 = 0) -> SIMD16<Float> {
        SIMD16<Float>(SIMD16<Int32>(truncatingIfNeeded: v) &- offset)
    }

    @inline(__always) static func float(_ v: SIMD16<Int8>) -> SIMD16<Float> {
        SIMD16<Float>(SIMD16<Int32>(truncatingIfNeeded: v))
    }

    /// Bit `shift + i` of `bits` for lane i, moved to bit 4 (the fifth bit of a 5-bit quant).
    @inline(__always) static func highBits(_ bits: UInt32, from shift: UInt32) -> SIMD16<UInt8> {
        let lanes = SIMD16<UInt32>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15) &+ shift
        let b = (SIMD16<UInt32>(repeating: bits) &>> lanes) & 1
        return SIMD16<UInt8>(truncatingIfNeeded: b) &<< 4
    }
}
