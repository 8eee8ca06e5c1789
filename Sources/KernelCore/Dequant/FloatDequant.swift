/// F16 and BF16 → F32 (exact widenings), 16 values per step.
public enum FloatDequant {
    @inlinable @inline(__always)
    public static func f16<I: VectorISA>(_: I.Type, _ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ count: Int) {
        var i = 0
        while i + 16 <= count {
            let h = src.loadUnaligned(fromByteOffset: 2 * i, as: SIMD16<Float16>.self)
            BlockBytes.store(SIMD16<Float>(h), dst + i)
            i += 16
        }
        while i < count { dst[i] = BlockBytes.half(src, 2 * i); i += 1 }
    }

    /// bf16 is the high half of an f32: widen by a 16-bit shift.
    @inlinable @inline(__always)
    public static func bf16<I: VectorISA>(_: I.Type, _ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ count: Int) {
        var i = 0
        while i + 16 <= count {
            let h = src.loadUnaligned(fromByteOffset: 2 * i, as: SIMD16<UInt16>.self)  // little-endian hosts only (x86-64, arm64)
            BlockBytes.store(unsafeBitCast(SIMD16<UInt32>(truncatingIfNeeded: h) &<< 16, to: SIMD16<Float>.self), dst + i)
            i += 16
        }
        while i < count {
            let bits = UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
            dst[i] = Float(bitPattern: UInt32(bits) << 16)
            i += 1
        }
    }
}
