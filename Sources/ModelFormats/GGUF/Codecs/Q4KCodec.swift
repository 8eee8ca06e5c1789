import KernelCore

/// Q4_K (144 bytes per 256): d: f16, dmin: f16, scales[12] (8 × 6-bit scale and min), qs[128].
/// Element e = 64·c + 32·s + l is nibble s of qs[32·c + l]; with j = e/32,
/// x = (d·scale_j)·q − dmin·min_j.
enum Q4KCodec {
    static let blockBytes = 144

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
                    let q = (block.byte(16 + 32 * c + l) >> shift) & 0x0F
                    out[32 * j + l] = dl * Float(q) - ml
                }
            }
        }
    }
}
