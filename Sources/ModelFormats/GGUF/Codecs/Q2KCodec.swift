/// Q2_K (84 bytes per 256): scales[16] (low nibble: scale, high nibble: min, per 16 elements),
/// qs[64] (2-bit values), d: f16, dmin: f16. Element e = 128·h + 32·s + l (h < 2, s < 4, l < 32)
/// is bits 2s…2s+1 of qs[32·h + l]; x = (d·scale)·q − dmin·min.
enum Q2KCodec {
    static let blockBytes = 84

    @Sendable static func dequantize(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ count: Int) {
        for b in 0..<count / qkK {
            let block = src + b * blockBytes
            let out = dst + b * qkK
            let d = block.half(80), dmin = block.half(82)
            for e in 0..<qkK {
                let h = e / 128, s = (e % 128) / 32, l = e % 32
                let q = (block.byte(16 + 32 * h + l) >> UInt8(2 * s)) & 3
                let sc = block.byte(e / 16)
                let dl = d * Float(sc & 0x0F)
                let ml = dmin * Float(sc >> 4)
                out[e] = dl * Float(q) - ml
            }
        }
    }
}
