import KernelCore

/// Q5_K (176 bytes per 256): d: f16, dmin: f16, scales[12] (as Q4_K), qh[32], qs[128].
/// Element e = 32·j + l: low nibble as Q4_K, bit 4 = bit j of qh[l];
/// x = (d·scale_j)·q − dmin·min_j.
enum Q5KCodec {
    static let blockBytes = 176

    @Sendable static func dequantize(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ count: Int) {
        for b in 0..<count / qkK {
            let block = src + b * blockBytes
            let out = dst + b * qkK
            let d = block.half(0), dmin = block.half(2)
            for j in 0..<8 {
                let (sc, m) = KQuantScales.scaleAndMin(block + 4, j)
                let dl = d * Float(sc), ml = dmin * Float(m)
                let c = j / 2, shift = UInt8(4 * (j % 2))
                for l in 0..<32 {
                    let low = (block.byte(48 + 32 * c + l) >> shift) & 0x0F
                    let high = ((block.byte(16 + l) >> UInt8(j)) & 1) << 4
                    out[32 * j + l] = dl * Float(low | high) - ml
                }
            }
        }
    }
}
