/// The 12-byte packed 6-bit scales and mins of Q4_K and Q5_K (8 sub-blocks of 32):
///
///     bytes 0–3:  scale j (low 6 bits), bits 6–7 = bits 4–5 of scale j+4
///     bytes 4–7:  min j (low 6 bits),   bits 6–7 = bits 4–5 of min j+4
///     bytes 8–11: low nibble = bits 0–3 of scale j+4, high nibble = bits 0–3 of min j+4
enum KQuantScales {
    @inline(__always)
    static func scaleAndMin(_ scales: UnsafeRawPointer, _ j: Int) -> (scale: UInt8, min: UInt8) {
        if j < 4 {
            return (scales.byte(j) & 0x3F, scales.byte(j + 4) & 0x3F)
        }
        let packed = scales.byte(j + 4)
        let scale = (packed & 0x0F) | ((scales.byte(j - 4) >> 2) & 0x30)
        let min = (packed >> 4) | ((scales.byte(j) >> 2) & 0x30)
        return (scale, min)
    }

    /// The 16 signed 6-bit scales of Q3_K (12 bytes): low nibbles from bytes 0–7 (scales 0–7 in
    /// the low nibbles, 8–15 in the high nibbles), bits 4–5 from bytes 8–11 (two bits per scale,
    /// scale k at byte 8 + k%4, shift 2·(k/4)); the 6-bit value is offset by 32.
    @inline(__always)
    static func q3Scale(_ scales: UnsafeRawPointer, _ k: Int) -> Int8 {
        let low = k < 8 ? scales.byte(k) & 0x0F : scales.byte(k - 8) >> 4
        let high = (scales.byte(8 + k % 4) >> UInt8(2 * (k / 4))) & 0x03
        return Int8(low | high << 4) - 32
    }
}
