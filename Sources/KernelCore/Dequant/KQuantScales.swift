/// The 12-byte packed 6-bit scales and mins of Q4_K and Q5_K (8 sub-blocks of 32):
///
///     bytes 0–3:  scale j (low 6 bits), bits 6–7 = bits 4–5 of scale j+4
///     bytes 4–7:  min j (low 6 bits),   bits 6–7 = bits 4–5 of min j+4
///     bytes 8–11: low nibble = bits 0–3 of scale j+4, high nibble = bits 0–3 of min j+4
///
/// Shared by the scalar reference codecs (ModelFormats) and the SIMD dequantizers here.
public enum KQuantScales {
    @inlinable @inline(__always)
    public static func scaleAndMin(_ scales: UnsafeRawPointer, _ j: Int) -> (scale: UInt8, min: UInt8) {
        typealias B = BlockBytes
        if j < 4 {
            return (B.byte(scales, j) & 0x3F, B.byte(scales, j + 4) & 0x3F)
        }
        let packed = B.byte(scales, j + 4)
        let scale = (packed & 0x0F) | ((B.byte(scales, j - 4) >> 2) & 0x30)
        let min = (packed >> 4) | ((B.byte(scales, j) >> 2) & 0x30)
        return (scale, min)
    }

    /// The 16 signed 6-bit scales of Q3_K (12 bytes): low nibbles from bytes 0–7 (scales 0–7 in
    /// the low nibbles, 8–15 in the high nibbles), bits 4–5 from bytes 8–11 (two bits per scale,
    /// scale k at byte 8 + k%4, shift 2·(k/4)); the 6-bit value is offset by 32.
    @inlinable @inline(__always)
    public static func q3Scale(_ scales: UnsafeRawPointer, _ k: Int) -> Int8 {
        typealias B = BlockBytes
        let low = k < 8 ? B.byte(scales, k) & 0x0F : B.byte(scales, k - 8) >> 4
        let high = (B.byte(scales, 8 + k % 4) >> UInt8(2 * (k / 4))) & 0x03
        return Int8(low | high << 4) - 32
    }
}
